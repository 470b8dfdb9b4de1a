"""``negsim examples``: list the example scenarios shipped with negsim, or copy one out."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from negsim.cli._errors import CliError, CliInputError

__all__ = ["examples"]

_HELP = """List the example scenarios shipped with negsim, or copy NAME out.

Without NAME, print each example's name, scenario and description. With NAME,
copy its file into --to (the current directory by default), so the tutorial's
commands work after a plain `pip install negsim`.

\b
Examples:
  negsim examples
  negsim examples korea_bilateral --to scenarios/
  negsim run scenarios/korea_bilateral.toml --seed 1
"""


@click.command("examples", help=_HELP, short_help="List or copy the example scenarios.")
@click.argument("name", required=False)
@click.option(
    "--to",
    "to",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    metavar="DIR",
    help="Where to copy NAME (created if missing).",
)
@click.option("--force", is_flag=True, help="Replace a file of the same name in --to.")
def examples(name: str | None, to: Path, force: bool) -> None:
    """List the example scenarios, or copy ``name`` into ``to``.

    Args:
        name: The example to copy, or ``None`` to list them.
        to: The destination directory.
        force: Replace an existing file.

    Raises:
        CliInputError: An unknown example, or the file exists without ``--force``.
        CliError: The file cannot be written.
    """
    from negsim.errors import ScenarioFileError
    from negsim.scenario import example_path, list_examples

    if name is None:
        for example in list_examples():
            click.echo(f"{example.name:<18} {example.scenario:<18} {example.description}")
        return
    try:
        source = example_path(name)
    except ScenarioFileError as exc:
        raise CliInputError(str(exc)) from exc
    target = to / source.name
    if target.exists() and not force:
        raise CliInputError(f"{target} exists; pass --force to replace it")
    try:
        to.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    except OSError as exc:
        raise CliError(f"cannot write {str(target)!r}: {exc.strerror or exc}") from exc
    click.echo(str(target))
