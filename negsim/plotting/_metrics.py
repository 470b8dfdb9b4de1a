"""A metric's mean against a swept parameter, with Student-t confidence intervals."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from negsim.plotting._outcomes import _MARKERS, _STYLES, _short, _varying, require_matplotlib

if TYPE_CHECKING:
    import matplotlib.figure
    import pandas as pd

__all__ = ["metric_summary", "plot_metric"]


def metric_summary(
    frame: pd.DataFrame, keys: list[str], metric: str, confidence: float = 0.95
) -> pd.DataFrame:
    """A metric's mean per group, with its Student-t confidence interval.

    Runs that failed or do not report the metric (NA) are left out of the group's
    ``n``; a group with one such run has no interval (NaN).

    Args:
        frame: A sweep's rows.
        keys: The grouping columns.
        metric: The metric's column (``metric.<name>``).
        confidence: The intervals' coverage.

    Returns:
        The grouping columns, then ``n``, ``mean``, ``low`` and ``high``.

    Raises:
        ImportError: SciPy is not installed (the t quantiles).
    """
    import numpy as np

    try:
        from scipy import stats
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("metric intervals need SciPy: pip install 'negsim[plot]'") from exc
    ok = frame[frame["error"].isna()] if "error" in frame.columns else frame
    grouped = ok.groupby(keys, sort=True, dropna=False)[metric]
    out = grouped.agg(n="count", mean="mean", sd="std").reset_index()
    n = out["n"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + confidence / 2, n - 1) * out["sd"].to_numpy() / np.sqrt(n)
    out["low"] = out["mean"] - half
    out["high"] = out["mean"] + half
    result: pd.DataFrame = out.drop(columns="sd")
    return result


def plot_metric(
    data: str | os.PathLike[str] | pd.DataFrame,
    x: str,
    metric: str,
    *,
    by: str | None = None,
    confidence: float = 0.95,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> matplotlib.figure.Figure:
    """Plot a metric's mean against a parameter, with Student-t confidence intervals.

    A numeric ``x`` is drawn as lines with bands, a categorical one as points with
    interval bars. Refuses when a parameter other than ``x`` and ``by`` varies.

    Args:
        data: A sweep's results (a directory or file) or a DataFrame of rows.
        x: The parameter on the x axis.
        metric: The metric: its name (``attack_size``) or column (``metric.attack_size``).
        by: A column: one line per value of it.
        confidence: The intervals' coverage.
        title: The title; one naming the metric when ``None``.
        xlabel: The x axis's label.
        ylabel: The y axis's label; the metric's name when ``None``.

    Returns:
        The figure.

    Raises:
        negsim.experiments.SweepError: A column or metric does not exist, or another
            parameter varies.
        ImportError: matplotlib or SciPy is not installed.
    """
    require_matplotlib()
    import pandas as pd
    from matplotlib.figure import Figure

    from negsim.experiments import SweepError, read_results, resolve_column

    frame = data if isinstance(data, pd.DataFrame) else read_results(data)
    columns = list(frame.columns)
    xcol = resolve_column(columns, x)
    bycol = resolve_column(columns, by) if by else None
    column = metric if metric.startswith("metric.") else f"metric.{metric}"
    if column not in columns:
        names = sorted(c.removeprefix("metric.") for c in columns if c.startswith("metric."))
        raise SweepError(f"no metric {metric!r}; choose from {', '.join(names) or '(none)'}")
    others = _varying(frame, [c for c in (xcol, bycol) if c])
    if others:
        names_ = ", ".join(c.removeprefix("param.") for c in others)
        raise SweepError(
            f"the results also vary {names_}: a figure against {_short(xcol)} alone would "
            "pool their runs; draw one of them with --by"
        )
    keys = [xcol] + ([bycol] if bycol else [])
    table = metric_summary(frame, keys, column, confidence)
    numeric = pd.api.types.is_numeric_dtype(frame[xcol]) and not pd.api.types.is_bool_dtype(
        frame[xcol]
    )
    fig = Figure(figsize=(7.5, 4.5), layout="constrained")
    ax = fig.add_subplot()
    levels = list(dict.fromkeys(table[xcol]))
    groups: list[Any] = list(dict.fromkeys(table[bycol])) if bycol else [None]
    width = 0.6 / max(len(groups), 1)
    for g_index, group in enumerate(groups):
        sub = table if bycol is None else table[table[bycol] == group]
        label = None if bycol is None else f"{_short(bycol)}={group}"
        mean = sub["mean"].to_numpy(dtype=float)
        low = sub["low"].to_numpy(dtype=float)
        high = sub["high"].to_numpy(dtype=float)
        marker = _MARKERS[g_index % len(_MARKERS)]
        if numeric:
            xs = sub[xcol].astype(float).to_numpy()
            line = ax.plot(xs, mean, linestyle=_STYLES[g_index % len(_STYLES)], marker=marker,
                           markersize=4, label=label)  # fmt: skip
            ax.fill_between(xs, low, high, color=line[0].get_color(), alpha=0.15, linewidth=0)
        else:
            offset = (g_index - (len(groups) - 1) / 2) * width
            xs_cat = [levels.index(v) + offset for v in sub[xcol]]
            ax.errorbar(xs_cat, mean, yerr=[mean - low, high - mean], fmt=marker, capsize=3,
                        linestyle="none", label=label)  # fmt: skip
    if not numeric:
        ax.set_xticks(range(len(levels)), [str(v) for v in levels])
        ax.set_xlim(-0.5, len(levels) - 0.5)
    ax.set_xlabel(xlabel or xcol.removeprefix("param."))
    ax.set_ylabel(ylabel or column.removeprefix("metric."))
    ax.grid(True, alpha=0.3)
    if bycol:
        ax.legend(fontsize="small", frameon=False)
    low_n, high_n = (int(table["n"].min()), int(table["n"].max())) if len(table) else (0, 0)
    counts = str(low_n) if low_n == high_n else f"{low_n}-{high_n}"
    ax.set_title(
        title
        or f"mean {column.removeprefix('metric.')} by {_short(xcol)}\n"
        f"{counts} runs reporting it per point, {confidence:.0%} Student-t intervals",
        fontsize="medium",
        loc="left",
    )
    return fig
