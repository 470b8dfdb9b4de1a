"""``negsim compare``: two designs run on the same seeds, compared run by run."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from negsim.cli import _registry
from negsim.cli._errors import CliError, CliInputError
from negsim.cli._options import backend_options, confidence_option

if TYPE_CHECKING:
    from rich.console import Console

    from negsim.experiments import Comparison

__all__ = ["compare", "render_comparison"]

_HELP = """Compare two designs A and B run by run on the same seeds.

A and B are two scenario files (both are run --runs times on the same seeds:
common random numbers) or two sweep result sets made with the same --seed
and --runs (their rows are paired by run key and seed).

For each outcome: its share under A and under B, the paired difference A - B
with Newcombe's interval for paired proportions, the interval an unpaired
analysis of the same runs would give, and McNemar's exact test. Then, for
each outcome, the first discordant runs (the seeds where only one design had
it) to inspect with `negsim run FILE --seed N`.

\b
Examples:
  negsim compare korea_bilateral.toml korea_integrated.toml --runs 400
  negsim compare bilateral.parquet integrated.parquet --format csv
"""


def _is_results(path: Path) -> bool:
    return path.is_dir() or path.suffix.lower() in (".parquet", ".csv")


@click.command(
    "compare", help=_HELP, short_help="Compare two designs run by run on the same seeds."
)
@click.argument("a", type=click.Path(exists=True, path_type=Path))
@click.argument("b", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--runs",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    metavar="N",
    help="Runs of each design (scenario files only).",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    metavar="N",
    help="The seed both designs' runs derive from (default: A's [scenario] seed).",
)
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a value in both designs. Repeatable.",
)
@click.option(
    "--outcome",
    "outcomes",
    multiple=True,
    metavar="OUTCOME",
    help="Only these outcomes (default: every outcome either design reached). Repeatable.",
)
@confidence_option("intervals")
@backend_options("runs execute (scenario files only)")
@click.option(
    "--discordant",
    "show",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    metavar="K",
    help="Discordant runs listed per outcome (0: none).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="A table, or one row per outcome as CSV or JSON.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
def compare(
    a: Path,
    b: Path,
    runs: int,
    seed: int | None,
    sets: tuple[str, ...],
    outcomes: tuple[str, ...],
    confidence: float,
    backend: str,
    workers: int | None,
    show: int,
    fmt: str,
    quiet: bool,
) -> None:
    """Compare designs ``a`` and ``b`` on common random numbers and print the result.

    Args:
        a: Design A: a scenario file or a result set.
        b: Design B, of the same kind.
        runs: Runs of each design.
        seed: The common seed, or ``None`` for A's.
        sets: Overrides applied to both designs.
        outcomes: Only these outcomes.
        confidence: The intervals' coverage.
        backend: Where runs execute.
        workers: Worker processes.
        show: Discordant runs listed per outcome.
        fmt: ``table``, ``csv`` or ``json``.
        quiet: No progress bars.

    Raises:
        CliInputError: A and B are not both scenario files or both result sets, or
            the result sets share no runs.
        CliError: pandas is missing.
    """
    from negsim.experiments import SweepError, compare_results
    from negsim.experiments import compare as run_compare

    kinds = (_is_results(a), _is_results(b))
    try:
        if kinds == (True, True):
            if sets:
                raise CliInputError("--set applies to scenario files, not to result sets")
            result = compare_results(a, b, outcomes=list(outcomes) or None, confidence=confidence)
        elif kinds == (False, False):
            result = run_compare(
                a,
                b,
                runs=runs,
                seed=seed,
                overrides=sets,
                outcomes=list(outcomes) or None,
                confidence=confidence,
                backend=backend,
                workers=workers,
                registry=_registry.get_registry() if backend == "serial" else None,
                progress=False if quiet else None,
            )
        else:
            raise CliInputError(
                f"A ({a}) and B ({b}) must both be scenario files (*.toml) or both sweep "
                "result sets (a results directory, *.parquet or *.csv)"
            )
    except SweepError as exc:
        raise CliInputError(str(exc)) from exc
    except ImportError as exc:
        raise CliError(
            f"{exc}; comparisons need pandas and pyarrow: pip install 'negsim[experiments]'"
        ) from exc
    if fmt == "csv":
        click.echo(result.table.to_csv(index=False), nl=False)
        return
    if fmt == "json":
        click.echo(json.dumps(json.loads(result.table.to_json(orient="records")), indent=2))
        return
    from rich.console import Console

    console = Console(highlight=False, emoji=False, width=None if sys.stdout.isatty() else 1000)
    render_comparison(console, result, show=show)


def render_comparison(console: Console, result: Comparison, *, show: int = 5) -> None:
    """Print a comparison: one row per outcome, then the discordant runs to inspect.

    Args:
        console: Where to print.
        result: From :func:`negsim.experiments.compare`.
        show: Discordant runs listed per outcome.
    """
    from rich.table import Table

    level = f"{result.confidence:.0%}"
    out = Table(
        title=f"A = {result.a}, B = {result.b}: {len(result.pairs)} paired runs"
        + (f" ({result.failed} pairs with a failed run left out)" if result.failed else ""),
        title_justify="left",
    )
    for head in (
        "outcome",
        "A",
        "B",
        "A - B",
        f"paired {level}",
        f"unpaired {level}",
        "only A",
        "only B",
        "McNemar p",
    ):
        out.add_column(head, justify="left" if head == "outcome" else "right")
    for r in result.table.itertuples(index=False):
        out.add_row(
            str(r.outcome),
            f"{r.p_a:.3f}",
            f"{r.p_b:.3f}",
            f"{r.diff:+.3f}",
            f"[{r.low:+.3f}, {r.high:+.3f}]",
            f"[{r.unpaired_low:+.3f}, {r.unpaired_high:+.3f}]",
            str(r.only_a),
            str(r.only_b),
            f"{r.p_value:.2g}",
        )
    out.caption = (
        "paired: Newcombe's interval for paired proportions; unpaired: the same runs "
        "analysed as independent samples; McNemar: exact test on the discordant runs"
    )
    console.print(out)
    if show <= 0:
        return
    for outcome in result.table["outcome"]:
        rows = result.discordant(str(outcome))
        if rows.empty:
            continue
        listed = ", ".join(
            f"seed {r.seed} (A {r.outcome_a}, B {r.outcome_b})"
            for r in rows.head(show).itertuples(index=False)
        )
        more = f", ... ({len(rows)} in all)" if len(rows) > show else ""
        console.print(f"{outcome}: discordant runs: {listed}{more}")
