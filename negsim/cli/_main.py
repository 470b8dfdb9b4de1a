"""The ``negsim`` command group."""

from __future__ import annotations

import click

from negsim import __version__
from negsim.cli._calibrate import calibrate
from negsim.cli._check import check
from negsim.cli._compare import compare
from negsim.cli._errors import NegsimGroup
from negsim.cli._examples import examples
from negsim.cli._explain import explain
from negsim.cli._plot import plot, plot_timeline
from negsim.cli._plugins import plugins
from negsim.cli._report import report
from negsim.cli._run import run
from negsim.cli._sensitivity import sensitivity
from negsim.cli._sweep import summary, sweep

__all__ = ["main"]


@click.group(
    name="negsim",
    cls=NegsimGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "--version", prog_name="negsim")
def main() -> None:
    """Simulate negotiation between states in alliance crises.

    Run a scenario file round by round with `negsim run FILE`; list the installed
    doctrines, world rules and observers with `negsim plugins`.

    Check a scenario's commitments with `negsim check FILE`; sweep parameters with
    `negsim sweep FILE --grid PATH=LO:HI:N --runs N --out results.parquet`, then
    `negsim summary` and `negsim plot` the results. Keep a run's log with
    `negsim run FILE --log run.jsonl`; `negsim report run.jsonl` draws it as an HTML page.

    Exit codes: 0 success; 2 bad command line or bad scenario; 1 the run failed
    (set NEGSIM_DEBUG=1 to see the traceback); 3 `negsim check` found conflicts.
    """


main.add_command(run)
main.add_command(plugins)
main.add_command(check)
main.add_command(sweep)
main.add_command(summary)
main.add_command(plot)
main.add_command(plot_timeline)
main.add_command(compare)
main.add_command(examples)
main.add_command(explain)
main.add_command(sensitivity)
main.add_command(report)
main.add_command(calibrate)
