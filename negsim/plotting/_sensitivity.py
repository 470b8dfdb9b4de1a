"""Sobol indices as a bar chart with their intervals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from negsim.plotting._outcomes import require_matplotlib

if TYPE_CHECKING:
    import matplotlib.figure

    from negsim.experiments import Sensitivity

__all__ = ["plot_sensitivity"]


def plot_sensitivity(result: Sensitivity, *, title: str | None = None) -> matplotlib.figure.Figure:
    """Each parameter's first- and total-order Sobol index, with interval bars.

    Args:
        result: From :func:`negsim.experiments.sobol_indices`.
        title: The title; one naming the quantity, points and runs when ``None``.

    Returns:
        The figure.

    Raises:
        ImportError: matplotlib is not installed.
    """
    require_matplotlib()
    from matplotlib.figure import Figure

    table = result.table
    names = [str(p).rsplit(".", 1)[-1] for p in table["parameter"]]
    if len(set(names)) != len(names):
        names = [str(p) for p in table["parameter"]]
    fig = Figure(figsize=(2.0 + 1.3 * len(table), 4.0), layout="constrained")
    ax = fig.add_subplot()
    xs = list(range(len(table)))
    for offset, (key, label, color) in enumerate(
        (("S1", "first order", "#2a7ab0"), ("ST", "total order", "#e08a1e"))
    ):
        value = table[key].to_numpy(dtype=float)
        low = table[f"{key}_low"].to_numpy(dtype=float)
        high = table[f"{key}_high"].to_numpy(dtype=float)
        where = [x + (offset - 0.5) * 0.35 for x in xs]
        ax.bar(where, value, width=0.35, color=color, label=label)
        ax.errorbar(where, value, yerr=[value - low, high - value], fmt="none",
                    ecolor="#222222", capsize=3)  # fmt: skip
    ax.axhline(0, color="#222222", linewidth=0.8)
    ax.set_xticks(xs, names)
    ax.set_ylabel("Sobol index")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize="small", frameon=False)
    ax.set_title(
        title
        or f"Sensitivity of {result.target}\n{result.points} points x {result.runs} runs, "
        f"{result.confidence:.0%} bootstrap intervals",
        fontsize="medium",
        loc="left",
    )
    return fig
