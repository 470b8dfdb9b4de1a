"""``negsim plugins``: the installed plugins, their roles, versions and parameters."""

from __future__ import annotations

import json
from typing import Any

import click

from negsim.cli import _registry
from negsim.model import ParamSpec

__all__ = ["plugins"]


_HELP = """List the installed negsim plugins.

For each plugin: the name scenarios use, its role (doctrine, modifier, world,
observer), the distribution that installed it with its version, and a summary.
With --params, also the parameters of each plugin that has any: set them under
agents.<ID>.params or world.params in a scenario file, or with
`negsim run --set`.
"""


@click.command("plugins", help=_HELP)
@click.option(
    "--params",
    "show_params",
    is_flag=True,
    help="Also list each plugin's parameters: name, default, range, meaning.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a JSON array instead of tables (always with parameters).",
)
def plugins(show_params: bool, as_json: bool) -> None:
    """Print the installed plugins as tables, or as JSON.

    Args:
        show_params: Also print each plugin's parameter table.
        as_json: Print JSON instead of tables.
    """
    registry = _registry.get_registry()
    if as_json:
        click.echo(json.dumps(plugin_records(), indent=2, sort_keys=True))
        return
    from negsim.cli._render import make_console, render_plugins

    render_plugins(make_console(), registry, show_params=show_params)


def _param_record(spec: ParamSpec) -> dict[str, Any]:
    """A parameter spec as JSON-ready data: its ``refine`` check is code, not data.

    ``refers`` is shown only for a parameter that names agents.
    """
    from negsim.converters import converter

    record: dict[str, Any] = converter.unstructure(spec)
    record.pop("refine", None)
    if not record.get("refers"):
        record.pop("refers", None)
    return record


def plugin_records() -> list[dict[str, Any]]:
    """Every installed plugin as a JSON-ready dict, with its parameters.

    Returns:
        One dict per plugin, sorted by name: ``name``, ``role``, ``distribution``,
        ``version``, ``summary`` and ``params`` (each ``name``, ``default``, ``low``,
        ``high``, ``doc``, ``source``, and ``refers`` for one that names agents).
    """
    from negsim.converters import converter

    registry = _registry.get_registry()
    records = []
    for info in registry.info():
        record: dict[str, Any] = converter.unstructure(info)
        record["params"] = [_param_record(p) for p in registry.spec(info.name).params]
        records.append(record)
    return records
