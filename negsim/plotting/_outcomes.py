"""Outcome probability against a swept parameter, with Wilson confidence bands."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from negsim.model import Outcome

if TYPE_CHECKING:
    import matplotlib.axes
    import matplotlib.figure
    import pandas as pd

__all__ = ["OUTCOME_COLORS", "plot_heatmap", "plot_outcomes"]

OUTCOME_COLORS: dict[str, str] = {
    str(Outcome.DETERRED): "#2a7ab0",
    str(Outcome.FAIT_ACCOMPLI): "#d1495b",
    str(Outcome.COLLECTIVE_RESPONSE): "#3b9e5a",
    str(Outcome.WEDGE_SUCCESS): "#e08a1e",
    str(Outcome.SETTLEMENT): "#8c62aa",
    str(Outcome.ESCALATION): "#222222",
    str(Outcome.UNRESOLVED): "#9a9a9a",
}
"""A fixed colour per outcome, so every figure uses the same ones."""

_EXTRA_COLORS = ("#17becf", "#bcbd22", "#7f7f7f", "#e377c2", "#8c564b")
_STYLES = ("-", "--", ":", "-.")
_MARKERS = ("o", "s", "^", "D", "v", "P")


def require_matplotlib() -> Any:
    """Import matplotlib, or explain how to install it.

    Returns:
        The :mod:`matplotlib` module.

    Raises:
        ImportError: matplotlib is not installed.
    """
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plots need matplotlib: pip install 'negsim[plot]'") from exc
    return matplotlib


def _short(column: str) -> str:
    return column.removeprefix("param.").rsplit(".", 1)[-1]


def _varying(frame: pd.DataFrame, used: Sequence[str]) -> list[str]:
    """The parameter columns, other than ``used``, that take more than one value."""
    return [
        c
        for c in frame.columns
        if c.startswith("param.") and c not in used and frame[c].nunique(dropna=False) > 1
    ]


def plot_outcomes(
    data: str | os.PathLike[str] | pd.DataFrame,
    x: str,
    *,
    by: str | None = None,
    facet: str | None = None,
    per_outcome: bool = False,
    outcomes: Sequence[str] | None = None,
    confidence: float = 0.95,
    ax: matplotlib.axes.Axes | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> matplotlib.figure.Figure:
    """Plot each outcome's probability against a parameter, with Wilson intervals.

    One line per outcome (and per value of ``by``), the shaded band its Wilson
    confidence interval. A numeric ``x`` is plotted to scale; other values (strings,
    booleans) as categories: points with interval bars, never joined by lines.

    The figure never pools runs silently: when the results vary a parameter other
    than ``x`` and ``by``, it is drawn as small multiples (one panel per value of
    ``facet``, or of that one other parameter when ``facet`` is ``None``); when more
    than one such parameter varies, it refuses and names them. With many outcomes,
    ``per_outcome`` draws one panel per outcome instead (then the one other varying
    parameter, if any, becomes ``by``).

    Args:
        data: A sweep's results (a directory or file) or a DataFrame of rows.
        x: The parameter on the x axis: a column, a parameter path or its last part
            (``cost_nuclear``).
        by: A second column: one line per outcome and value of it.
        facet: A column: one panel per value of it.
        per_outcome: One panel per outcome (not with ``facet``).
        outcomes: Only these outcomes (default: every outcome seen).
        confidence: The intervals' coverage.
        ax: Draw on these axes (one panel only); a new figure when ``None``.
        title: The title; one naming the scenario when ``None``.
        xlabel: The x axis's label; the parameter's path when ``None``.
        ylabel: The y axis's label.

    Returns:
        The figure (save it with ``fig.savefig("fig.png")``).

    Raises:
        negsim.experiments.SweepError: ``x``, ``by`` or ``facet`` is not a column, or
            other parameters vary that the figure would pool over.
        ImportError: matplotlib is not installed.
    """
    require_matplotlib()
    import pandas as pd
    from matplotlib.figure import Figure

    from negsim.experiments import SweepError, read_results, resolve_column, summarize

    frame = data if isinstance(data, pd.DataFrame) else read_results(data)
    columns = list(frame.columns)
    xcol = resolve_column(columns, x)
    bycol = resolve_column(columns, by) if by else None
    facetcol = resolve_column(columns, facet) if facet else None
    if per_outcome and facetcol:
        raise SweepError("one panel per outcome or per value of --facet, not both")
    used = [c for c in (xcol, bycol, facetcol) if c]
    others = _varying(frame, used)
    if per_outcome and bycol is None and len(others) == 1:
        bycol, others = others[0], []
    elif not per_outcome and facetcol is None and len(others) == 1 and ax is None:
        facetcol, others = others[0], []
    if others:
        names = ", ".join(c.removeprefix("param.") for c in others)
        raise SweepError(
            f"the results also vary {names}: a figure against {_short(xcol)} alone would "
            "pool their runs. Draw one of them with --by or --facet, sweep the others at one "
            "value (--set), or from Python pass the rows of one value of each"
        )
    # the same outcomes in every panel: same colours, positions and legend
    shown = list(summarize(frame, [], outcomes=outcomes, confidence=confidence)["outcome"])
    panels: list[Any] = [None]
    if per_outcome:
        panels = shown
    elif facetcol:
        panels = list(dict.fromkeys(frame[facetcol].sort_values()))
    if ax is not None and len(panels) > 1:
        raise SweepError("facets need a figure of their own: pass ax=None")
    if ax is None:
        ncols = min(3, len(panels))
        nrows = -(-len(panels) // ncols)
        fig = Figure(figsize=(4.2 * ncols + 2.2, 3.6 * nrows + 0.6), layout="constrained")
        axes = list(fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False).flat)
        for spare in axes[len(panels) :]:
            spare.set_visible(False)
    else:
        fig = ax.figure  # type: ignore[assignment]
        axes = [ax]
    numeric = pd.api.types.is_numeric_dtype(frame[xcol]) and not pd.api.types.is_bool_dtype(
        frame[xcol]
    )
    keys = [xcol] + ([bycol] if bycol else [])
    for panel_ax, panel in zip(axes, panels, strict=False):
        if per_outcome:
            table = summarize(frame, keys, outcomes=[panel], confidence=confidence)
            panel_ax.set_title(str(panel), fontsize="small")
        else:
            rows = frame if facetcol is None else frame[frame[facetcol] == panel]
            table = summarize(rows, keys, outcomes=shown, confidence=confidence)
            if facetcol is not None:
                panel_ax.set_title(f"{_short(facetcol)} = {panel}", fontsize="small")
        _draw(panel_ax, table, xcol, bycol, numeric)
        panel_ax.set_ylim(-0.02, 1.02)
        panel_ax.grid(True, alpha=0.3)
    ncols = max(1, min(3, len(panels)))
    for index, panel_ax in enumerate(axes[: len(panels)]):
        # the lowest panel of its column (the one below may be a hidden spare)
        if index + ncols >= len(panels):
            panel_ax.xaxis.set_tick_params(labelbottom=True)
            panel_ax.set_xlabel(xlabel or xcol.removeprefix("param."))
        if panel_ax.get_subplotspec() is None or panel_ax.get_subplotspec().is_first_col():
            panel_ax.set_ylabel(ylabel or "probability of outcome")
    if not per_outcome or bycol is not None:  # one panel per outcome is its own legend
        handles, labels = axes[0].get_legend_handles_labels()
        if per_outcome:  # the panel names the outcome: the legend names the groups
            labels = [label.partition(", ")[2] for label in labels]
        fig.legend(handles, labels, fontsize="small", loc="outside right center", frameon=False)
    if title is None:
        scenarios = list(frame["scenario"].dropna().unique()) if "scenario" in frame.columns else []
        head = f"{scenarios[0]}: " if len(scenarios) == 1 else ""
        per = f", one panel per {_short(facetcol)}" if facetcol else ""
        per = ", one panel per outcome" if per_outcome else per
        title = (
            f"{head}outcome probability by {_short(xcol)}{per}\n"
            f"{len(frame)} runs, {confidence:.0%} Wilson intervals"
        )
    fig.suptitle(title, fontsize="medium", x=0.02, ha="left")
    return fig


def _draw(
    ax: matplotlib.axes.Axes,
    table: pd.DataFrame,
    xcol: str,
    bycol: str | None,
    numeric: bool,
) -> None:
    levels = list(dict.fromkeys(table[xcol]))
    position = {v: i for i, v in enumerate(levels)}
    groups = list(dict.fromkeys(table[bycol])) if bycol else [None]
    outcomes = list(dict.fromkeys(table["outcome"]))
    extra = iter(_EXTRA_COLORS * 4)
    series = len(outcomes) * len(groups)
    width = 0.7 / max(series, 1)  # categorical: points side by side within a category
    index = 0
    for outcome in outcomes:
        color = OUTCOME_COLORS.get(outcome) or next(extra)
        for g_index, group in enumerate(groups):
            sub = table[table["outcome"] == outcome]
            if bycol:
                sub = sub[sub[bycol] == group]
            label = outcome if bycol is None else f"{outcome}, {_short(bycol)}={group}"
            p = sub["p"].to_numpy(dtype=float)
            low = sub["low"].to_numpy(dtype=float)
            high = sub["high"].to_numpy(dtype=float)
            marker = _MARKERS[g_index % len(_MARKERS)]
            if numeric:
                order = sub[xcol].astype(float).to_numpy().argsort()
                xs = sub[xcol].astype(float).to_numpy()[order]
                style = _STYLES[g_index % len(_STYLES)]
                ax.plot(xs, p[order], linestyle=style, marker=marker, markersize=4,
                        color=color, label=label)  # fmt: skip
                ax.fill_between(xs, low[order], high[order], color=color, alpha=0.15,
                                linewidth=0)  # fmt: skip
            else:
                offset = (index - (series - 1) / 2) * width
                xs_cat = [position[v] + offset for v in sub[xcol]]
                ax.errorbar(xs_cat, p, yerr=[p - low, high - p], fmt=marker, color=color,
                            capsize=3, markersize=5, linestyle="none", label=label)  # fmt: skip
            index += 1
    if not numeric:
        ax.set_xticks(range(len(levels)), [str(v) for v in levels])
        ax.set_xlim(-0.5, len(levels) - 0.5)


def plot_heatmap(
    data: str | os.PathLike[str] | pd.DataFrame,
    x: str,
    y: str,
    outcome: str,
    *,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> matplotlib.figure.Figure:
    """A heatmap of one outcome's probability over two parameters.

    Each cell is a grid point, coloured by the share of its runs with ``outcome``
    and labelled with it and its number of runs. Refuses when a third parameter
    varies (the cells would pool over it).

    Args:
        data: A sweep's results (a directory or file) or a DataFrame of rows.
        x: The parameter along the columns.
        y: The parameter along the rows.
        outcome: The outcome whose probability is shown.
        title: The title; one naming the outcome when ``None``.
        xlabel: The x axis's label.
        ylabel: The y axis's label.

    Returns:
        The figure.

    Raises:
        negsim.experiments.SweepError: A column or the outcome does not exist, or
            another parameter varies.
        ImportError: matplotlib is not installed.
    """
    require_matplotlib()
    import pandas as pd
    from matplotlib.figure import Figure

    from negsim.experiments import SweepError, read_results, resolve_column, summarize

    frame = data if isinstance(data, pd.DataFrame) else read_results(data)
    columns = list(frame.columns)
    xcol, ycol = resolve_column(columns, x), resolve_column(columns, y)
    others = _varying(frame, [xcol, ycol])
    if others:
        names = ", ".join(c.removeprefix("param.") for c in others)
        raise SweepError(
            f"the results also vary {names}: a heatmap over {_short(xcol)} and "
            f"{_short(ycol)} would pool their runs; sweep it at one value (--set), "
            "or from Python pass the rows of one value"
        )
    table = summarize(frame, [ycol, xcol], outcomes=[outcome])
    grid = table.pivot(index=ycol, columns=xcol, values="p").sort_index().sort_index(axis=1)
    counts = table.pivot(index=ycol, columns=xcol, values="n").reindex_like(grid)
    fig = Figure(figsize=(1.0 * grid.shape[1] + 3.2, 0.6 * grid.shape[0] + 2.0),
                 layout="constrained")  # fmt: skip
    ax = fig.add_subplot()
    image = ax.imshow(grid.to_numpy(dtype=float), vmin=0, vmax=1, cmap="viridis",
                      aspect="auto", origin="lower")  # fmt: skip
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            value = float(grid.iat[i, j])
            text = "-" if value != value else f"{value:.2f}\nn={int(counts.iat[i, j])}"
            ax.text(j, i, text, ha="center", va="center", fontsize="x-small",
                    color="white" if value < 0.6 else "black")  # fmt: skip
    ax.set_xticks(range(grid.shape[1]), [f"{v:g}" if isinstance(v, float) else str(v)
                                          for v in grid.columns])  # fmt: skip
    ax.set_yticks(range(grid.shape[0]), [f"{v:g}" if isinstance(v, float) else str(v)
                                          for v in grid.index])  # fmt: skip
    ax.set_xlabel(xlabel or xcol.removeprefix("param."))
    ax.set_ylabel(ylabel or ycol.removeprefix("param."))
    fig.colorbar(image, ax=ax, label=f"probability of {outcome}")
    ax.set_title(title or f"P({outcome}) over {_short(xcol)} and {_short(ycol)}, "
                 f"{len(frame)} runs", fontsize="medium", loc="left")  # fmt: skip
    return fig
