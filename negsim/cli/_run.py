"""``negsim run``: load a scenario file, run it, print the timeline (or JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from negsim.cli import _registry
from negsim.cli._errors import CliError
from negsim.cli._options import limit_option

if TYPE_CHECKING:
    from negsim.engine import TraceRecord
    from negsim.model import Limits, Result

__all__ = ["run", "result_record"]


_HELP = """Run the scenario FILE and print what happened, round by round.

The timeline shows each round's messages (sender -> recipients, speech act,
content), actions, rejected moves, alliance decisions, fact and variable
changes and commitment transitions, then the outcome, the commitments' final
states and the run's metrics. The same file, seed and plugin versions always
give the same run.

\b
Examples:
  negsim run crisis.toml --seed 3
  negsim run crisis.toml --set agents.JPN.params.korea_minute=true --log run.jsonl
  negsim run crisis.toml --json | jq .outcome
"""


@click.command("run", help=_HELP, short_help="Run a scenario file and print its timeline.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--seed",
    type=int,
    default=None,
    metavar="N",
    help="The run's seed (default: the scenario's [scenario] seed).",
)
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a value of the file by its dotted path, e.g. "
    "agents.JPN.params.korea_minute=true or world.params.ceasefire_rounds=3. "
    "Repeatable.",
)
@click.option(
    "--log",
    "log",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="PATH",
    help="Also write the full event log as JSON Lines to PATH.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object (outcome, reason, rounds, metrics, provenance) and nothing else.",
)
@click.option(
    "--trace",
    is_flag=True,
    help="Show every hook call: round, hook, agent, the plugins in call order "
    "and what they returned.",
)
@click.option(
    "--ledger",
    is_flag=True,
    help="Keep the decision ledger in the log: every rule each agent evaluated, with its "
    "inputs and value (read it with negsim explain).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only the outcome line.")
@limit_option
def run(
    file: Path,
    seed: int | None,
    sets: tuple[str, ...],
    log: Path | None,
    as_json: bool,
    trace: bool,
    ledger: bool,
    quiet: bool,
    limits: Limits,
) -> None:
    """Run a scenario file and print its timeline, JSON summary or outcome line.

    Args:
        file: The TOML scenario file.
        seed: The run's seed, or ``None`` for the scenario's.
        sets: ``PATH=VALUE`` overrides.
        log: Where to write the JSON Lines log, if anywhere.
        as_json: Print a JSON summary instead of the timeline.
        trace: Show every hook call.
        ledger: Keep the decision ledger.
        quiet: Print only the outcome line.
        limits: The limits (``--limit``): run and hook-call time, rounds, agents, moves.

    Raises:
        click.UsageError: ``--json`` and ``--quiet`` together.
        CliError: The log cannot be written.
    """
    if as_json and quiet:
        raise click.UsageError("--json and --quiet cannot be used together")
    import negsim

    registry = _registry.get_registry()
    scenario = negsim.load_scenario(file, overrides=sets, registry=registry, limits=limits)

    records: list[dict[str, Any]] = []
    on_trace: Callable[[TraceRecord], None] | None = None
    console = None
    from negsim.cli import _render  # rich: imported only when a run prints

    if not as_json:
        console = _render.make_console()
        if not quiet:
            _render.render_header(console, scenario, scenario.seed if seed is None else seed)
        if trace:
            on_trace = _render.TracePrinter(console, scenario)
    elif trace:

        def on_trace(record: TraceRecord) -> None:
            records.append(_trace_record(record))

    # Simulation (not negsim.simulate) so the --set overrides, already applied by the
    # loader with the file's name in any error, are recorded in the provenance.
    simulation = negsim.Simulation(
        scenario,
        seed=seed,
        registry=registry,
        overrides=sets,
        trace=on_trace,
        limits=limits,
        ledger=ledger,
    )
    result = simulation.run()

    if log is not None:
        try:
            negsim.write_jsonl(result, log)
        except OSError as exc:
            raise CliError(f"cannot write the log {str(log)!r}: {exc.strerror or exc}") from exc
        except (TypeError, ValueError) as exc:  # a plugin's value that JSON cannot hold
            raise CliError(
                f"cannot write the log {str(log)!r}: {exc}; a world plugin put a value "
                "other than JSON data in an event"
            ) from exc

    if as_json:
        record = result_record(result)
        if trace:
            record["trace"] = records
        click.echo(json.dumps(record, indent=2, sort_keys=True))
        return
    assert console is not None  # made above whenever the output is not JSON
    if quiet:
        _render.render_outcome(console, result)
    else:
        _render.render_timeline(console, scenario, result)


def result_record(result: Result) -> dict[str, Any]:
    """The JSON summary of a run printed by ``negsim run --json``.

    Args:
        result: The run's result.

    Returns:
        ``outcome``, ``reason``, ``rounds``, ``metrics`` and ``provenance`` (``None``
        when the result has none).
    """
    from negsim.converters import converter

    provenance = result.provenance
    return {
        "outcome": str(result.outcome),
        "reason": result.reason,
        "rounds": result.rounds,
        "metrics": dict(result.metrics),
        "provenance": None if provenance is None else converter.unstructure(provenance),
    }


def _trace_record(record: TraceRecord) -> dict[str, Any]:
    return {
        "round": record.round,
        "hook": record.hook,
        "agent": record.agent,
        "plugins": list(record.plugins),
        "result": record.result,
    }
