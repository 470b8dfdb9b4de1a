"""A calibration's figure: each parameter's distance profile and each moment's fit."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from negsim.plotting._outcomes import require_matplotlib

if TYPE_CHECKING:
    import matplotlib.figure

    from negsim.experiments import Calibration

__all__ = ["plot_calibration"]


def _short(names: list[str]) -> list[str]:
    short = [n.rsplit(".", 1)[-1] for n in names]
    return short if len(set(short)) == len(short) else names


def plot_calibration(result: Calibration, *, title: str | None = None) -> matplotlib.figure.Figure:
    """The fit of a calibration in two rows of panels.

    Top: one panel per free parameter, the distance of every design point to the
    targets against the parameter's value over its prior range (accepted points
    filled), with the estimate and its interval. Bottom: one panel per moment, its
    target band (shaded) and the value simulated at the estimate with its interval.

    Args:
        result: From :func:`negsim.experiments.calibrate`.
        title: The figure's title; one naming the scenario, points and runs when ``None``.

    Returns:
        The figure.

    Raises:
        ImportError: matplotlib is not installed.
    """
    require_matplotlib()
    from matplotlib.figure import Figure

    estimates, moments, points = result.estimates, result.moments, result.points
    columns = max(len(estimates), len(moments))
    fig = Figure(figsize=(1.0 + 3.2 * columns, 5.6), layout="constrained")
    grid = fig.add_gridspec(2, columns, height_ratios=[3, 1])
    distance = points["distance"].to_numpy(dtype=float)
    undefined = points["undefined"].to_numpy() > 0
    finite = distance[~undefined & (distance < math.inf)]
    ceiling = float(finite.max()) * 1.1 + 0.05 if len(finite) else 1.0
    # a point where a moment is undefined ranks after every other: drawn at the top
    shown = [
        ceiling if u or not math.isfinite(d) else d
        for d, u in zip(distance, undefined, strict=True)
    ]
    accepted = points["accepted"].to_numpy(dtype=bool)
    names = _short([str(p) for p in estimates["parameter"]])
    for i, row in enumerate(estimates.itertuples(index=False)):
        ax = fig.add_subplot(grid[0, i])
        x = points[row.parameter].to_numpy(dtype=float)
        ax.axvspan(row.low, row.high, color="#2a7ab0", alpha=0.15, label="interval")
        plain = ~accepted & ~undefined
        ax.scatter(x[plain], [s for s, a in zip(shown, plain, strict=True) if a],
                   s=10, color="#9a9a9a", label="design point")  # fmt: skip
        if undefined.any():
            ax.scatter(x[undefined], [ceiling] * int(undefined.sum()), s=12,
                       facecolors="none", edgecolors="#9a9a9a",
                       label="a moment undefined")  # fmt: skip
        ax.scatter(x[accepted], [s for s, a in zip(shown, accepted, strict=True) if a],
                   s=16, color="#2a7ab0", label="accepted")  # fmt: skip
        ax.axvline(row.estimate, color="#c0392b", linewidth=1.2, label="estimate")
        ax.set_xlim(row.prior_low, row.prior_high)
        ax.set_xlabel(f"{names[i]} (prior range)")
        if i == 0:
            ax.set_ylabel("distance to the targets")
            ax.legend(fontsize="x-small", framealpha=0.8, loc="best")
        ax.grid(True, alpha=0.3)
    for j, m in enumerate(moments.itertuples(index=False)):
        ax = fig.add_subplot(grid[1, j])
        ax.axvspan(m.band_low, m.band_high, color="#27ae60", alpha=0.25, label="target")
        if math.isfinite(m.simulated):
            ax.errorbar([m.simulated], [0], xerr=[[m.simulated - m.low], [m.high - m.simulated]],
                        fmt="o", color="#c0392b", capsize=4, label="simulated")  # fmt: skip
        ends = [v for v in (m.band_low, m.band_high, m.low, m.high) if math.isfinite(v)]
        pad = (max(ends) - min(ends)) * 0.15 + 1e-9 if ends else 1.0
        ax.set_xlim(min(ends) - pad if ends else 0, max(ends) + pad if ends else 1)
        ax.set_yticks([])
        ax.set_xlabel(f"{m.moment} ({'within' if m.within else 'outside'})")
        if j == 0:
            ax.legend(fontsize="x-small", frameon=False, loc="upper left")
    fig.suptitle(
        title
        or f"Calibration of {result.scenario}: {result.n_points} points x {result.runs} runs, "
        f"{result.n_accepted} accepted; at the estimate {result.check_runs} runs, "
        f"{result.confidence:.0%} intervals",
        fontsize="medium",
    )
    return fig
