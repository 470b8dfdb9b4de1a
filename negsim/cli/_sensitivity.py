"""``negsim sensitivity``: Sobol indices of an outcome's probability or a metric."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from negsim.cli import _registry
from negsim.cli._errors import CliError, CliInputError
from negsim.cli._options import backend_options, confidence_option, figure_option

__all__ = ["sensitivity"]

_HELP = """Sobol sensitivity indices of an outcome's probability or a metric in FILE.

A Saltelli design (SALib's Sobol sequence) of N x (d + 2) points within the
--bounds of the d parameters runs as a sweep of explicit design points,
--runs runs per point. At each point the quantity is the share of runs with
--outcome, or the mean of --metric. For each parameter: the first-order index
S1 (its main effect's share of the variance) and the total-order index ST
(with every interaction), each with a bootstrap confidence interval. The noise
of --runs runs per point is variance no parameter explains: more runs narrow
the intervals. Needs SALib (pip install 'negsim[sensitivity]').

\b
Examples:
  negsim sensitivity korea_bilateral.toml --outcome deterred \\
      --bounds agents.DPRK.params.value_gain=20:60 \\
      --bounds agents.JPN.params.cost_nuclear=20:100 --samples 64 --runs 20
  negsim sensitivity korea_bilateral.toml --metric rounds \\
      --bounds agents.DPRK.params.value_gain=20:60 --plot s.png
"""


@click.command("sensitivity", help=_HELP, short_help="Sobol indices of an outcome or metric.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--bounds",
    "bounds",
    multiple=True,
    required=True,
    metavar="PATH=LO:HI",
    help="A parameter and its range. Repeat for each parameter.",
)
@click.option(
    "--outcome", default=None, metavar="OUTCOME", help="Analyse this outcome's probability."
)
@click.option("--metric", default=None, metavar="NAME", help="... or this metric's mean.")
@click.option(
    "--samples",
    "n",
    type=click.IntRange(min=2),
    default=64,
    show_default=True,
    metavar="N",
    help="The Saltelli base sample (a power of 2): N x (d + 2) points.",
)
@click.option(
    "--runs",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    metavar="N",
    help="Runs per point.",
)
@click.option("--seed", type=int, default=None, metavar="N", help="The sweep's seed.")
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a value for every run. Repeatable.",
)
@confidence_option("bootstrap intervals")
@backend_options("runs execute")
@click.option(
    "--out",
    "-o",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    metavar="PATH",
    help="Keep the runs in this results directory (NAME.parquet or NAME.csv; resumable).",
)
@figure_option("the indices")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="A table, or one row per parameter as CSV or JSON.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def sensitivity(
    file: Path,
    bounds: tuple[str, ...],
    outcome: str | None,
    metric: str | None,
    n: int,
    runs: int,
    seed: int | None,
    sets: tuple[str, ...],
    confidence: float,
    backend: str,
    workers: int | None,
    out: Path | None,
    plot: Path | None,
    fmt: str,
    quiet: bool,
) -> None:
    """Compute and print the Sobol indices of a quantity of ``file``'s runs.

    Args:
        file: The scenario file.
        bounds: ``PATH=LO:HI`` for each parameter.
        outcome: The outcome whose probability is analysed.
        metric: ... or the metric whose mean is.
        n: The Saltelli base sample size.
        runs: Runs per point.
        seed: The sweep's seed.
        sets: Fixed overrides.
        confidence: The intervals' coverage.
        backend: Where runs execute.
        workers: Worker processes.
        out: A results directory for the runs.
        plot: A figure file for the indices.
        fmt: ``table``, ``csv`` or ``json``.
        quiet: No progress bar.

    Raises:
        CliInputError: Bad bounds, quantity or sample size.
        CliError: SALib or pandas is missing, or the figure cannot be written.
    """
    from negsim.experiments import SweepError, sobol_indices

    if (outcome is None) == (metric is None):
        raise CliInputError("name one quantity: --outcome OUTCOME or --metric NAME")
    try:
        result = sobol_indices(
            file,
            list(bounds),
            outcome=outcome,
            metric=metric,
            n=n,
            runs=runs,
            seed=seed,
            overrides=sets,
            confidence=confidence,
            backend=backend,
            workers=workers,
            out=out,
            registry=_registry.get_registry() if backend == "serial" else None,
            progress=False if quiet else None,
        )
    except SweepError as exc:
        raise CliInputError(str(exc)) from exc
    except ImportError as exc:
        raise CliError(str(exc)) from exc
    if fmt == "csv":
        click.echo(result.table.to_csv(index=False), nl=False)
    elif fmt == "json":
        click.echo(json.dumps(json.loads(result.table.to_json(orient="records")), indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(
            title=f"{file}: Sobol indices of {result.target}, {result.points} points x "
            f"{result.runs} runs",
            title_justify="left",
        )
        level = f"{confidence:.0%}"
        for head in ("parameter", "S1", f"S1 {level}", "ST", f"ST {level}"):
            table.add_column(head, justify="left" if head == "parameter" else "right")
        for r in result.table.itertuples(index=False):
            table.add_row(
                str(r.parameter),
                f"{r.S1:.3f}",
                f"[{r.S1_low:.3f}, {r.S1_high:.3f}]",
                f"{r.ST:.3f}",
                f"[{r.ST_low:.3f}, {r.ST_high:.3f}]",
            )
        table.caption = "S1: first order (main effect); ST: total order; bootstrap intervals"
        width = None if sys.stdout.isatty() else 1000
        Console(highlight=False, emoji=False, width=width).print(table)
    if plot is not None:
        from negsim.plotting import plot_sensitivity

        fig = plot_sensitivity(result)
        try:
            fig.savefig(plot, dpi=150)
        except OSError as exc:
            raise CliError(f"cannot write {str(plot)!r}: {exc.strerror or exc}") from exc
        click.echo(f"wrote {plot}", err=True)
