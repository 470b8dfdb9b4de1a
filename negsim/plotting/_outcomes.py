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

__all__ = ["OUTCOME_COLORS", "plot_outcomes"]

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


def plot_outcomes(
    data: str | os.PathLike[str] | pd.DataFrame,
    x: str,
    *,
    by: str | None = None,
    outcomes: Sequence[str] | None = None,
    confidence: float = 0.95,
    ax: matplotlib.axes.Axes | None = None,
    title: str | None = None,
) -> matplotlib.figure.Figure:
    """Plot each outcome's probability against a parameter, with Wilson bands.

    One line per outcome (and per value of ``by``), the shaded band its Wilson
    confidence interval. A numeric ``x`` is plotted to scale; other values (strings,
    booleans) as evenly spaced categories.

    Args:
        data: A sweep's results (a directory or file) or a DataFrame of rows.
        x: The parameter on the x axis: a column, a parameter path or its last part
            (``threat_credibility``).
        by: A second column: one line per outcome and value of it.
        outcomes: Only these outcomes (default: every outcome seen).
        confidence: The bands' coverage.
        ax: Draw on these axes; a new figure when ``None``.
        title: The title; one naming the scenario when ``None``.

    Returns:
        The figure (save it with ``fig.savefig("fig.png")``).

    Raises:
        negsim.experiments.SweepError: ``x`` or ``by`` is not a column.
        ImportError: matplotlib is not installed.
    """
    require_matplotlib()
    import pandas as pd
    from matplotlib.figure import Figure

    from negsim.experiments import read_results, resolve_column, summarize

    frame = data if isinstance(data, pd.DataFrame) else read_results(data)
    columns = list(frame.columns)
    xcol = resolve_column(columns, x)
    bycol = resolve_column(columns, by) if by else None
    keys = [xcol] + ([bycol] if bycol else [])
    table = summarize(frame, keys, outcomes=outcomes, confidence=confidence)

    if ax is None:
        fig = Figure(figsize=(7.5, 4.5), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure  # type: ignore[assignment]
    numeric = pd.api.types.is_numeric_dtype(frame[xcol]) and not pd.api.types.is_bool_dtype(
        frame[xcol]
    )
    levels = list(dict.fromkeys(table[xcol]))
    position = {v: i for i, v in enumerate(levels)}
    groups = list(dict.fromkeys(table[bycol])) if bycol else [None]
    extra = iter(_EXTRA_COLORS * 4)
    colors: dict[str, str] = {}
    for outcome in dict.fromkeys(table["outcome"]):
        colors[outcome] = OUTCOME_COLORS.get(outcome) or next(extra)
        for g_index, group in enumerate(groups):
            sub = table[table["outcome"] == outcome]
            if bycol:
                sub = sub[sub[bycol] == group]
            sub = sub.sort_values(xcol) if numeric else sub
            xs = sub[xcol].astype(float).to_numpy() if numeric else [position[v] for v in sub[xcol]]
            label = outcome if bycol is None else f"{outcome}, {_short(bycol)}={group}"
            style = _STYLES[g_index % len(_STYLES)]
            marker = _MARKERS[g_index % len(_MARKERS)]
            ax.plot(
                xs,
                sub["p"].to_numpy(dtype=float),
                linestyle=style,
                marker=marker,
                markersize=4,
                color=colors[outcome],
                label=label,
            )
            ax.fill_between(
                xs,
                sub["low"].to_numpy(dtype=float),
                sub["high"].to_numpy(dtype=float),
                color=colors[outcome],
                alpha=0.15,
                linewidth=0,
            )
    if not numeric:
        ax.set_xticks(range(len(levels)), [str(v) for v in levels])
    ax.set_xlabel(xcol.removeprefix("param."))
    ax.set_ylabel("probability of outcome")
    ax.set_ylim(-0.02, 1.02)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    if title is None:
        names = list(frame["scenario"].dropna().unique()) if "scenario" in frame.columns else []
        head = f"{names[0]}: " if len(names) == 1 else ""
        title = (
            f"{head}outcome probability by {_short(xcol)}\n"
            f"{len(frame)} runs, {confidence:.0%} Wilson bands"
        )
    ax.set_title(title, fontsize="medium", loc="left")
    return fig
