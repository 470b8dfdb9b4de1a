"""``negsim calibrate``: fit a scenario's free parameters to target moments."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from negsim.cli import _registry
from negsim.cli._errors import CliError, CliInputError
from negsim.cli._options import backend_options, confidence_option, figure_option, limit_option

if TYPE_CHECKING:
    from negsim.experiments import Calibration
    from negsim.model import Limits

__all__ = ["calibrate"]

_HELP = """Fit the free parameters of SCENARIO to the target moments in TARGETS.

TARGETS is a TOML file naming the free parameters (each a plugin parameter
with a prior range inside its documented range, and a source) and the target
moments (an outcome's probability, a metric's mean or a ratio of metric sums,
possibly over the runs where conditions hold; each with a value and standard
error, or a range, and a source).

Rejection ABC: --points parameter points of a scrambled Sobol sequence over
the priors each run --runs-per-point times (a sweep: progress, resume, any
backend); the --accept fraction of points nearest the targets are the
posterior draws. Each parameter's estimate is their median, its interval
their central --confidence quantiles. The estimate then runs --check-runs
times and each moment is shown against its target.

With -o DIR the runs, a manifest and the tables (estimates.csv, moments.csv,
points.csv) are kept in DIR: run the same command again to resume after an
interruption. Needs scipy, pandas and pyarrow (pip install 'negsim[calibrate]').

\b
Examples:
  negsim calibrate korea_integrated.toml record.toml -o fit
  negsim calibrate korea_integrated.toml record.toml --points 64 \\
      --runs-per-point 20 --plot fit.png
"""


@click.command("calibrate", help=_HELP, short_help="Fit free parameters to target moments.")
@click.argument("scenario", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("targets", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "-o",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Keep the calibration in this directory (resumable).",
)
@click.option(
    "--points",
    type=click.IntRange(min=2),
    default=128,
    show_default=True,
    metavar="N",
    help="Design points (a power of 2).",
)
@click.option(
    "--runs-per-point",
    "runs",
    type=click.IntRange(min=1),
    default=40,
    show_default=True,
    metavar="R",
    help="Runs at each design point.",
)
@click.option(
    "--check-runs",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Runs at the estimate, for the moments' fit  [default: 5 x R]",
)
@click.option(
    "--accept",
    type=click.FloatRange(0, 1, min_open=True),
    default=0.1,
    show_default=True,
    help="The fraction of design points accepted (nearest the targets).",
)
@click.option(
    "--seed", type=int, default=None, metavar="S", help="The seed; the scenario's by default."
)
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a value for every run. Repeatable.",
)
@confidence_option("parameters' and moments' intervals")
@backend_options("runs execute")
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="A Dask scheduler to use instead of a LocalCluster; implies --backend dask.",
)
@figure_option("the fit")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Tables, or the estimates and moments as JSON.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@limit_option
@click.pass_context
def calibrate(
    ctx: click.Context,
    scenario: Path,
    targets: Path,
    out: Path | None,
    points: int,
    runs: int,
    check_runs: int | None,
    accept: float,
    seed: int | None,
    sets: tuple[str, ...],
    confidence: float,
    backend: str,
    workers: int | None,
    scheduler: str | None,
    plot: Path | None,
    fmt: str,
    quiet: bool,
    limits: Limits,
) -> None:
    """Calibrate ``scenario`` to ``targets`` and print the estimates and the fit.

    Args:
        ctx: The click context.
        scenario: The scenario file.
        targets: The targets file.
        out: The calibration's directory, if any.
        points: Design points.
        runs: Runs per design point.
        check_runs: Runs at the estimate.
        accept: The fraction of points accepted.
        seed: The seed.
        sets: Fixed overrides.
        confidence: The intervals' coverage.
        backend: Where runs execute.
        workers: Worker processes.
        scheduler: A Dask scheduler address.
        plot: A figure file.
        fmt: ``table`` or ``json``.
        quiet: No progress bars.
        limits: The limits of the runs and sweeps.

    Raises:
        CliInputError: Bad settings, or ``out`` holds another calibration (exit 2).
        CliError: scipy, pandas or matplotlib is missing, runs were lost, or the
            figure cannot be written.
    """
    from negsim.cli._sweep import INTERRUPTED_EXIT, TERMINATED_EXIT, _sigterm_interrupts
    from negsim.experiments import SweepError
    from negsim.experiments import calibrate as run_calibration

    if scheduler is not None:
        if ctx.get_parameter_source("backend") is click.core.ParameterSource.DEFAULT:
            backend = "dask"
        elif backend != "dask":
            raise click.UsageError("--scheduler needs --backend dask")
    terminated: list[int] = []
    try:
        with _sigterm_interrupts() as terminated:
            result = run_calibration(
                scenario,
                targets,
                points=points,
                runs=runs,
                check_runs=check_runs,
                accept=accept,
                confidence=confidence,
                seed=seed,
                overrides=sets,
                backend=backend,
                workers=workers,
                scheduler=scheduler,
                out=out,
                registry=_registry.get_registry() if backend == "serial" else None,
                progress=False if quiet else None,
                limits=limits,
            )
    except KeyboardInterrupt:
        where = f"the finished runs are in {out}; run the same command again to resume"
        click.echo(
            f"{'terminated' if terminated else 'interrupted'}: "
            + (where if out else "nothing kept (no -o DIR)"),
            err=True,
        )
        raise click.exceptions.Exit(TERMINATED_EXIT if terminated else INTERRUPTED_EXIT) from None
    except SweepError as exc:
        raise (CliError if exc.lost else CliInputError)(str(exc)) from exc
    except ImportError as exc:
        raise CliError(str(exc)) from exc
    if fmt == "json":
        payload = {
            "scenario": result.scenario,
            "targets": result.targets,
            "estimates": json.loads(result.estimates.to_json(orient="records")),
            "moments": json.loads(result.moments.to_json(orient="records")),
        }
        click.echo(json.dumps(payload, indent=2))
    else:
        _print_tables(result, str(targets))
    if not quiet:
        resumed = f" ({result.resumed} runs already done)" if result.resumed else ""
        kept = f"; kept in {out}" if out is not None else ""
        click.echo(f"calibrated in {result.elapsed:.1f} s{resumed}{kept}", err=True)
    if plot is not None:
        from negsim.plotting import plot_calibration

        try:
            fig = plot_calibration(result)
            fig.savefig(plot, dpi=150)
        except ImportError as exc:
            raise CliError(str(exc)) from exc
        except OSError as exc:
            raise CliError(f"cannot write {str(plot)!r}: {exc.strerror or exc}") from exc
        click.echo(f"wrote {plot}", err=True)


def _print_tables(result: Calibration, targets: str) -> None:
    from rich.console import Console
    from rich.table import Table

    width = None if sys.stdout.isatty() else 1000
    console = Console(highlight=False, emoji=False, width=width)
    level = f"{result.confidence:.0%}"
    table = Table(
        title=f"{result.scenario} calibrated to {targets}: {result.n_points} points x "
        f"{result.runs} runs, {result.n_accepted} accepted",
        title_justify="left",
    )
    for head in ("parameter", "estimate", f"{level} interval", "prior", "share of prior"):
        table.add_column(head, justify="left" if head == "parameter" else "right")
    for r in result.estimates.itertuples(index=False):
        table.add_row(
            str(r.parameter),
            f"{r.estimate:.4g}",
            f"[{r.low:.4g}, {r.high:.4g}]",
            f"[{r.prior_low:.4g}, {r.prior_high:.4g}]",
            f"{r.share_of_prior:.0%}",
        )
    table.caption = "estimate: median of the accepted points; interval: their central quantiles"
    console.print(table)
    fit = Table(title=f"moments at the estimate ({result.check_runs} runs)", title_justify="left")
    for head in ("moment", "target", "simulated", f"{level} interval", "runs", "fit"):
        fit.add_column(head, justify="left" if head in ("moment", "fit") else "right")
    for m in result.moments.itertuples(index=False):
        fit.add_row(
            str(m.moment),
            str(m.target),
            f"{m.simulated:.4g}",
            f"[{m.low:.4g}, {m.high:.4g}]",
            str(m.runs),
            "within" if m.within else "OUTSIDE",
        )
    fit.caption = "fit: the simulated value inside the target's range (or value ± z·se)"
    console.print(fit)
