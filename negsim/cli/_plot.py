"""``negsim plot`` and ``negsim plot-timeline``: figures from sweeps and run logs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from negsim.cli._errors import CliError, CliInputError
from negsim.cli._options import confidence_option

if TYPE_CHECKING:
    import matplotlib.figure

__all__ = ["plot", "plot_timeline"]

_FORMATS = ("png", "svg", "pdf")

_PLOT_HELP = """Plot outcome probabilities from the sweep results RESULTS (one or more).

One line per outcome (and per value of --by): the share of runs with that
outcome at each value of the --x parameter, with its Wilson confidence band.
A categorical --x (strings, true/false) is drawn as points with interval bars.
Several RESULTS are drawn together, one line per outcome and scenario.

The figure never pools runs silently: if the results vary another parameter,
it gets one panel per value of it (or of --facet); if several others vary,
the command refuses and names them.

With --y, a heatmap of one --outcome's probability over --x and --y. With
--metric NAME, a metric's mean with Student-t intervals instead; --per-outcome
draws one panel per outcome.

The format follows the -o suffix: .png, .svg or .pdf. Needs matplotlib
(pip install 'negsim[plot]').

\b
Examples:
  negsim plot results.parquet --x cost_nuclear -o cn.png
  negsim plot bilateral.parquet integrated.parquet --x cost_nuclear \\
      --outcome deterred --outcome wedge_success -o dilemma.svg
  negsim plot results.parquet --x cost_nuclear --facet korea_minute -o cn.png
  negsim plot results.parquet --x cost_nuclear --y value_gain \\
      --outcome deterred -o heat.png
"""


def _output(path: Path) -> Path:
    if path.suffix.lower().lstrip(".") not in _FORMATS:
        raise click.BadParameter(
            f"name the figure *.png, *.svg or *.pdf, got {str(path)!r}", param_hint="-o/--output"
        )
    return path


def _save(fig: matplotlib.figure.Figure, output: Path) -> None:
    try:
        fig.savefig(output, dpi=150)
    except OSError as exc:
        raise CliError(f"cannot write {str(output)!r}: {exc.strerror or exc}") from exc


@click.command("plot", help=_PLOT_HELP, short_help="Plot outcome probabilities of a sweep.")
@click.argument("results", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--x",
    "x",
    required=True,
    metavar="PARAM",
    help="The parameter on the x axis: a column, a parameter path or its last part (cost_nuclear).",
)
@click.option(
    "--by",
    "by",
    default=None,
    metavar="COLUMN",
    help="One line per outcome and value of this column.",
)
@click.option(
    "--facet",
    "facet",
    default=None,
    metavar="COLUMN",
    help="One panel per value of this column (small multiples).",
)
@click.option(
    "--metric",
    "metric",
    default=None,
    metavar="NAME",
    help="Plot this metric's mean with Student-t intervals instead of outcome probabilities.",
)
@click.option(
    "--per-outcome",
    is_flag=True,
    help="One panel per outcome (readable with many outcomes); not with --facet.",
)
@click.option(
    "--y",
    "y",
    default=None,
    metavar="PARAM",
    help="A heatmap over --x and this parameter of one --outcome's probability.",
)
@click.option(
    "--outcome",
    "outcomes",
    multiple=True,
    metavar="OUTCOME",
    help="Only these outcomes (default: every outcome seen). Repeatable.",
)
@confidence_option("Wilson bands")
@click.option("--title", default=None, help="The figure's title.")
@click.option("--xlabel", default=None, help="The x axis's label (default: the parameter).")
@click.option("--ylabel", default=None, help="The y axis's label.")
@click.option(
    "-o",
    "--out",
    "--output",
    "output",
    required=True,
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the figure: .png, .svg or .pdf.",
)
def plot(
    results: tuple[Path, ...],
    x: str,
    by: str | None,
    facet: str | None,
    metric: str | None,
    per_outcome: bool,
    y: str | None,
    outcomes: tuple[str, ...],
    confidence: float,
    title: str | None,
    xlabel: str | None,
    ylabel: str | None,
    output: Path,
) -> None:
    """Write a figure of outcome probability against a swept parameter.

    Args:
        results: One or more sweeps' results (directories or files). With several,
            their rows are drawn together and ``by`` defaults to ``scenario``.
        x: The x-axis parameter.
        by: A column to draw one line per value of.
        facet: A column to draw one panel per value of.
        metric: A metric to plot the mean of, instead of outcome probabilities.
        per_outcome: One panel per outcome.
        y: A second parameter: a heatmap of one outcome over ``x`` and ``y``.
        outcomes: Only these outcomes.
        confidence: Coverage of the bands.
        title: The title, or ``None`` for one naming the scenario.
        xlabel: The x axis's label.
        ylabel: The y axis's label.
        output: The figure file.

    Raises:
        CliError: A bad column, unreadable results, matplotlib missing, or the figure
            cannot be written.
    """
    output = _output(output)
    from negsim.experiments import SweepError

    if metric is not None and (y or per_outcome or facet or outcomes):
        raise CliInputError("--metric draws one metric against --x (and --by); drop "
                            "--y, --per-outcome, --facet and --outcome")  # fmt: skip
    if y is not None and len(outcomes) != 1:
        raise CliInputError("--y draws a heatmap of one outcome: name it with --outcome OUTCOME")
    try:
        from negsim.plotting import plot_heatmap, plot_metric, plot_outcomes

        data: Any = results[0]
        if len(results) > 1:
            import pandas as pd

            from negsim.experiments import read_results

            data = pd.concat([read_results(r) for r in results], ignore_index=True)
            by = by or "scenario"
        if metric is not None:
            fig = plot_metric(
                data, x, metric, by=by, confidence=confidence, title=title,
                xlabel=xlabel, ylabel=ylabel,
            )  # fmt: skip
        elif y is not None:
            fig = plot_heatmap(data, x, y, outcomes[0], title=title, xlabel=xlabel, ylabel=ylabel)
        else:
            fig = plot_outcomes(
                data,
                x,
                by=by,
                facet=facet,
                per_outcome=per_outcome,
                outcomes=list(outcomes) or None,
                confidence=confidence,
                title=title,
                xlabel=xlabel,
                ylabel=ylabel,
            )
    except SweepError as exc:
        raise CliInputError(str(exc)) from exc
    except ImportError as exc:
        raise CliError(str(exc)) from exc
    _save(fig, output)
    click.echo(f"wrote {output}", err=True)


_TIMELINE_HELP = """Draw a message-sequence chart of one run from its JSONL log.

Agents are lanes and time runs down, round by round: arrows for messages
(labelled with the performative), diamonds for actions, markers where
commitments detach, are discharged or violated, and the outcome. Write the log
with `negsim run FILE --log run.jsonl`.

\b
Example:
  negsim run crisis.toml --seed 3 --log run.jsonl
  negsim plot-timeline run.jsonl -o run.svg
"""


@click.command(
    "plot-timeline", help=_TIMELINE_HELP, short_help="Draw a message-sequence chart of one run."
)
@click.argument("log", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--title", default=None, help="The figure's title.")
@click.option(
    "-o",
    "--out",
    "--output",
    "output",
    required=True,
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the chart: .png, .svg or .pdf.",
)
def plot_timeline(log: Path, title: str | None, output: Path) -> None:
    """Write the message-sequence chart of the run logged in ``log``.

    Args:
        log: A JSONL log written by ``negsim run --log``.
        title: The title, or ``None`` for scenario, seed and outcome.
        output: The figure file.

    Raises:
        CliError: matplotlib is missing or the figure cannot be written.
    """
    output = _output(output)
    try:
        from negsim.plotting import plot_timeline as draw

        fig = draw(log, title=title)
    except ImportError as exc:
        raise CliError(str(exc)) from exc
    _save(fig, output)
    click.echo(f"wrote {output}", err=True)
