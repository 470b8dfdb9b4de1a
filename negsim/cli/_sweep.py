"""``negsim sweep`` and ``negsim summary``: parameter sweeps and their outcome tables."""

from __future__ import annotations

import contextlib
import json
import math
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from negsim.cli import _registry
from negsim.cli._errors import CliError, CliInputError
from negsim.cli._options import backend_options, confidence_option, limit_option

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from negsim.model import Limits

__all__ = ["render_summary", "summary", "sweep"]

INTERRUPTED_EXIT = 130
"""Exit code after Ctrl-C (128 + SIGINT), as a shell reports it."""

TERMINATED_EXIT = 143
"""Exit code after SIGTERM (128 + SIGTERM), as a shell reports it."""


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[list[int]]:
    """Handle SIGTERM as Ctrl-C: the rows of finished runs are written, the lock freed.

    A batch system ends a job with SIGTERM (then SIGKILL after a grace period). Yields
    a list that holds the signal once it arrived. Outside the main thread, where no
    handler can be set, SIGTERM keeps its default.
    """
    got: list[int] = []

    def handler(signum: int, frame: object) -> None:
        got.append(signum)
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield got
        return
    try:
        yield got
    finally:
        signal.signal(signal.SIGTERM, previous)


_HELP = """Run the scenario FILE over a grid or sample of parameters.

Each point of the grid (the cartesian product of every --grid) is run --runs
times. Each run's seed derives from --seed and the run's key (its parameter
values and replicate), so the results are the same on every backend and any
number of workers. A run that fails is recorded with its error; the sweep goes
on.

\b
--grid PATH=lo:hi:n   n evenly spaced values from lo to hi, both included
--grid PATH=a,b,c     a list: numbers, true/false or strings
--sample N --bounds PATH=LO:HI ...
                      N random points (Latin hypercube or uniform), seeded
--points FILE.csv     explicit points: a header of paths, one row per point

Rows are written to --out as runs finish: a directory of part files
(results.parquet/part-00000.parquet, ... or results.csv/part-00000.csv). If the
sweep is interrupted (Ctrl-C, a killed process), run the same command again:
only the missing runs are run. Afterwards, a table of outcome frequencies per
parameter value with 95% Wilson intervals is printed (see `negsim summary`).

\b
Examples:
  negsim sweep crisis.toml --grid agents.JPN.params.cost_nuclear=0:120:7 \\
      --runs 200 --out results.parquet
  negsim sweep crisis.toml --sample 100 --bounds agents.USA.params.p_nuc=0:0.1 \\
      --runs 20 --backend dask --workers 8 --out results.parquet
  negsim sweep --summary-only results.parquet --by cost_nuclear
"""


def _grid_help() -> str:
    return (
        "A swept parameter: PATH=lo:hi:n (a range, n points inclusive) or "
        "PATH=a,b,c (a list). Repeat for a cartesian product."
    )


@click.command(
    "sweep", help=_HELP, short_help="Run a scenario over a grid or sample of parameters."
)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--grid", "grids", multiple=True, metavar="PATH=SPEC", help=_grid_help())
@click.option(
    "--sample",
    "n_samples",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Also draw N random parameter points within --bounds.",
)
@click.option(
    "--bounds",
    "bounds",
    multiple=True,
    metavar="PATH=LO:HI",
    help="A sampled parameter and its range (with --sample). Repeatable.",
)
@click.option(
    "--method",
    type=click.Choice(["lhs", "uniform"]),
    default="lhs",
    show_default=True,
    help="How --sample draws: Latin hypercube or independent uniform.",
)
@click.option(
    "--points",
    "points",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Explicit parameter points: a CSV file with a header of paths, one row per point.",
)
@click.option(
    "--runs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="N",
    help="Runs (replicates) per parameter point.",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    metavar="N",
    help="The sweep's seed (default: the scenario's [scenario] seed).",
)
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a value for every run, as for `negsim run`. Repeatable.",
)
@backend_options("runs execute")
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="A Dask scheduler to use instead of a LocalCluster "
    "(tcp://host:8786); implies --backend dask.",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Runs sent to a worker at a time (default: chosen from the sweep size).",
)
@click.option(
    "--out",
    "-o",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    metavar="PATH",
    help="Results directory: NAME.parquet or NAME.csv. Required unless --summary-only.",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace the results of a different sweep at --out (the same sweep is always resumed).",
)
@click.option(
    "--by",
    "by",
    multiple=True,
    metavar="COLUMN",
    help="Group the summary by this column or parameter (default: the grid "
    "parameters). Repeatable.",
)
@click.option(
    "--summary-only",
    is_flag=True,
    help="Do not run anything: FILE is a results directory; print its summary.",
)
@click.option("--no-summary", is_flag=True, help="Do not print the summary table.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no report line.")
@limit_option
@click.pass_context
def sweep(
    ctx: click.Context,
    file: Path,
    grids: tuple[str, ...],
    n_samples: int | None,
    bounds: tuple[str, ...],
    method: str,
    points: Path | None,
    runs: int,
    seed: int | None,
    sets: tuple[str, ...],
    backend: str,
    workers: int | None,
    scheduler: str | None,
    chunk_size: int | None,
    out: Path | None,
    overwrite: bool,
    by: tuple[str, ...],
    summary_only: bool,
    no_summary: bool,
    quiet: bool,
    limits: Limits,
) -> None:
    """Run a sweep (or, with ``--summary-only``, summarize one) and print its summary.

    Args:
        ctx: The click context.
        file: The scenario file, or the results with ``--summary-only``.
        grids: ``PATH=SPEC`` grid parameters.
        n_samples: Random points to draw, if any.
        bounds: ``PATH=LO:HI`` sampled parameters.
        method: ``lhs`` or ``uniform``.
        points: A CSV file of explicit parameter points, if any.
        runs: Replicates per point.
        seed: The sweep's seed, or ``None`` for the scenario's.
        sets: Fixed ``PATH=VALUE`` overrides.
        backend: ``serial``, ``process`` or ``dask``.
        workers: Worker processes, or ``None`` for one per core.
        scheduler: A Dask scheduler address, if any.
        chunk_size: Runs per chunk, or ``None`` for automatic.
        out: The results directory.
        overwrite: Replace a different sweep's results at ``out``.
        by: Summary grouping columns.
        summary_only: Only summarize ``file``.
        no_summary: Do not print the summary.
        quiet: No progress bar or report line.
        limits: The limits (``--limit``): the sweep's size, each run's time and size.

    Raises:
        click.UsageError: Inconsistent options.
        CliError: The sweep definition or results directory is invalid, or runs were
            lost (exit code 2 for a bad definition).
    """
    from negsim.experiments import SweepError

    if summary_only:
        _print_summary(file, by, fmt="table")
        return
    if out is None:
        raise click.UsageError("--out is required: a results directory, NAME.parquet or NAME.csv")
    if scheduler is not None:
        if ctx.get_parameter_source("backend") is click.core.ParameterSource.DEFAULT:
            backend = "dask"
        elif backend != "dask":
            raise click.UsageError("--scheduler needs --backend dask")
    if bounds and n_samples is None:
        raise click.UsageError("--bounds needs --sample N")
    if n_samples is not None and not bounds:
        raise click.UsageError("--sample needs at least one --bounds PATH=LO:HI")
    if not grids and n_samples is None and points is None and runs == 1:
        click.echo("note: no --grid or --sample and --runs 1: the sweep is a single run", err=True)
    from negsim.experiments import sweep as run_sweep

    registry = _registry.get_registry() if backend == "serial" else None
    terminated: list[int] = []
    try:
        with _sigterm_interrupts() as terminated:
            report = run_sweep(
                file,
                grid=list(grids),
                samples=n_samples,
                bounds=list(bounds) if bounds else None,
                method=method,  # type: ignore[arg-type]
                points=points,
                runs=runs,
                seed=seed,
                overrides=sets,
                backend=backend,
                workers=workers,
                scheduler=scheduler,
                out=out,
                overwrite=overwrite,
                registry=registry,
                chunk_size=chunk_size,
                progress=False if quiet else None,
                limits=limits,
            )
    except KeyboardInterrupt:
        click.echo(
            f"{'terminated' if terminated else 'interrupted'}: the finished runs are in "
            f"{out}; run the same command again to complete the sweep",
            err=True,
        )
        code = TERMINATED_EXIT if terminated else INTERRUPTED_EXIT
        raise click.exceptions.Exit(code) from None
    except SweepError as exc:
        raise (CliError if exc.lost else CliInputError)(str(exc)) from exc
    for name, why in report.set_aside:
        click.echo(
            f"note: set aside the damaged part {name} ({why}); its runs were run again", err=True
        )
    if not quiet:
        failed = f", {report.errors} failed" if report.errors else ""
        resumed = f" ({report.skipped} already done)" if report.skipped else ""
        click.echo(
            f"{report.ran} runs{failed} in {report.elapsed:.1f} s on {report.backend} "
            f"({report.workers} worker{'s' if report.workers != 1 else ''}){resumed}; "
            f"results in {out}",
            err=True,
        )
    if not no_summary:
        _print_summary(out, by, fmt="table")


_SUMMARY_HELP = """Print the outcome frequencies of the sweep results RESULTS.

One row per group (by default, per value of each grid parameter; --by to
choose), one column per outcome: the share of the group's runs with that
outcome and its Wilson confidence interval. Failed runs are counted apart.
Several RESULTS are summarized in one table, each its own group (the column
`results` names the result set).

\b
Examples:
  negsim summary results.parquet
  negsim summary results.parquet --by cost_nuclear --format csv
  negsim summary bilateral.parquet integrated.parquet
"""


@click.command("summary", help=_SUMMARY_HELP, short_help="Summarize a sweep's results.")
@click.argument("results", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--by",
    "by",
    multiple=True,
    metavar="COLUMN",
    help="Group by this column, parameter path or its last part "
    "(cost_nuclear). Repeatable. Default: the grid parameters.",
)
@click.option(
    "--outcome",
    "outcomes",
    multiple=True,
    metavar="OUTCOME",
    help="Only these outcomes (default: every outcome seen). Repeatable.",
)
@confidence_option("Wilson intervals")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="A table, or the long-form data as CSV or JSON.",
)
def summary(
    results: tuple[Path, ...],
    by: tuple[str, ...],
    outcomes: tuple[str, ...],
    confidence: float,
    fmt: str,
) -> None:
    """Print a sweep's outcome frequencies with Wilson confidence intervals.

    Args:
        results: One or more results directories or files.
        by: Grouping columns (default: the grid parameters).
        outcomes: Only these outcomes.
        confidence: The intervals' coverage.
        fmt: ``table``, ``csv`` or ``json``.
    """
    if len(results) == 1:
        _print_summary(results[0], by, fmt=fmt, outcomes=outcomes, confidence=confidence)
    else:
        _print_summary(results, by, fmt=fmt, outcomes=outcomes, confidence=confidence)


def _default_by(results: Path) -> list[str] | None:
    """The grid and design parameters of a results directory (sampled ones are continuous)."""
    try:
        manifest = json.loads((results / "_sweep.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    design = (manifest.get("design") or {}).get("paths", [])
    return [f"param.{p['path']}" for p in manifest.get("parameters", [])] + [
        f"param.{p}" for p in design
    ]


def _print_summary(
    results: Path | tuple[Path, ...],
    by: tuple[str, ...] | list[str],
    *,
    fmt: str,
    outcomes: tuple[str, ...] = (),
    confidence: float = 0.95,
) -> None:
    from negsim.experiments import SweepError, read_results, summarize

    chosen: list[str] | None
    try:
        if isinstance(results, tuple):
            frame, chosen = _several(results, by)
        else:
            frame = read_results(results)
            chosen = list(by) if by else _default_by(results)
        table = summarize(frame, chosen, outcomes=list(outcomes) or None, confidence=confidence)
    except SweepError as exc:
        raise CliInputError(str(exc)) from exc
    except ImportError as exc:
        raise CliError(
            f"{exc}; summaries need pandas and pyarrow: pip install 'negsim[parquet,frames]'"
        ) from exc
    if fmt == "csv":
        click.echo(table.to_csv(index=False), nl=False)
        return
    if fmt == "json":
        records = json.loads(table.to_json(orient="records"))
        click.echo(json.dumps(records, indent=2))
        return
    from rich.console import Console

    # On a terminal the table fits its width; piped, it keeps its natural width.
    console = Console(highlight=False, emoji=False, width=None if sys.stdout.isatty() else 1000)
    render_summary(
        console, table, confidence=confidence, title=f"{_names(results)}: {len(frame)} runs"
    )


def _names(results: Path | tuple[Path, ...]) -> str:
    return ", ".join(map(str, results)) if isinstance(results, tuple) else str(results)


def _several(results: tuple[Path, ...], by: tuple[str, ...] | list[str]) -> tuple[Any, list[str]]:
    """The rows of several result sets, with a ``results`` column, and the grouping."""
    import pandas as pd

    from negsim.experiments import read_results

    frames = []
    keys: list[str] = []
    for path in results:
        frame = read_results(path)
        frames.append(frame.assign(results=str(path)))
        keys += [k for k in _default_by(path) or [] if k not in keys]
    joined = pd.concat(frames, ignore_index=True)
    joined.attrs["outcomes"] = list(
        dict.fromkeys(o for f in frames for o in f.attrs.get("outcomes") or [])
    )
    chosen = list(by) if by else keys
    return joined, ["results", *[c for c in chosen if c != "results"]]


def _cell(p: float, low: float, high: float) -> str:
    if math.isnan(p):
        return "-"
    return f"{p:.2f} [{low:.2f}, {high:.2f}]"


def render_summary(
    console: Console, table: pd.DataFrame, *, confidence: float = 0.95, title: str = ""
) -> None:
    """Print a long-form summary (from :func:`negsim.experiments.summarize`) as a table.

    One row per group, one column per outcome: ``p [low, high]``; then ``n`` (runs
    that did not fail) and ``failed``.

    Args:
        console: Where to print.
        table: The summary.
        confidence: The intervals' coverage (for the caption).
        title: The table's title.
    """
    from rich.table import Table

    from negsim.experiments._summary import SUMMARY_COLUMNS

    keys = [c for c in table.columns if c not in SUMMARY_COLUMNS]
    outcomes = list(dict.fromkeys(table["outcome"]))
    out = Table(title=title or None, title_justify="left")
    for key in keys:
        out.add_column(_header(key, keys), justify="right")
    for outcome in outcomes:
        out.add_column(str(outcome), justify="right")
    out.add_column("n", justify="right")
    out.add_column("failed", justify="right")
    groups: Any = table.groupby(keys, sort=False, dropna=False) if keys else [((), table)]
    for key, group in groups:
        values = key if isinstance(key, tuple) else (key,)
        cells = [_fmt_key(v) for v in values]
        by_outcome = {r.outcome: r for r in group.itertuples(index=False)}
        for outcome in outcomes:
            r = by_outcome.get(outcome)
            cells.append("-" if r is None else _cell(float(r.p), float(r.low), float(r.high)))
        first = group.iloc[0]
        cells += [str(int(first["n"])), str(int(first["errors"]))]
        out.add_row(*cells)
    if not outcomes:
        console.print(f"{title}: no finished runs" if title else "no finished runs")
        return
    out.caption = f"share of runs [{confidence:.0%} Wilson interval]"
    console.print(out)


def _header(column: str, columns: list[str]) -> str:
    """A parameter column's last part, unless another column shares it."""
    short = column.removeprefix("param.").rsplit(".", 1)[-1]
    clash = sum(c.rsplit(".", 1)[-1] == short for c in columns) > 1
    return column.removeprefix("param.") if clash else short


def _fmt_key(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
