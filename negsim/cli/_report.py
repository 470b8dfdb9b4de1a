"""``negsim report``: one run as a self-contained HTML page."""

from __future__ import annotations

from pathlib import Path

import click

from negsim.cli._errors import CliError
from negsim.cli._logs import read_log

__all__ = ["report"]

_HELP = """Write the run logged in LOG as one self-contained HTML page.

The page shows the outcome, a timeline of the events round by round, the
message-sequence chart, each commitment's lifecycle, the network of agents and
their commitments and alliances, the decision ledger when the run kept one
(negsim run --ledger) and the provenance. It needs nothing else to open: no
script, no font, no network. Long runs are capped at --limit items a section,
with a note of how many were left out.

\b
Examples:
  negsim run examples/scenarios/korea_bilateral.toml --seed 4 --ledger --log run.jsonl -q
  negsim report run.jsonl              (writes run.html)
  negsim report run.jsonl -o seed4.html
"""


@click.command("report", help=_HELP, short_help="Write a run's HTML report from its log.")
@click.argument("log", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    "--output",
    "output",
    default=None,
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The HTML file to write (default: LOG with the suffix .html).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="The most messages, commitments, ledger entries and events of a round each "
    "section shows (default 200).",
)
def report(log: Path, output: Path | None, limit: int | None) -> None:
    """Write the HTML report of the run logged in ``log``.

    Args:
        log: A JSON Lines event log written by ``negsim run --log``.
        output: The HTML file, or ``None`` for ``log`` with the suffix ``.html``.
        limit: The most items a section shows, or ``None`` for the default.

    Raises:
        CliInputError: The log cannot be read or is not a negsim event log.
        CliError: The report cannot be written.
    """
    from negsim.results import LIMIT, report_html

    output = output if output is not None else log.with_suffix(".html")
    if output.resolve() == log.resolve():
        raise click.BadParameter(
            f"the report would overwrite its log {str(log)!r}", param_hint="-o/--output"
        )
    page = report_html(read_log(log), limit=LIMIT if limit is None else limit)
    try:
        output.write_text(page, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise CliError(f"cannot write {str(output)!r}: {exc.strerror or exc}") from exc
    click.echo(f"wrote {output}", err=True)
