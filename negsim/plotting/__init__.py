"""Figures: outcome probabilities of a sweep, and the message-sequence chart of a run.

Needs matplotlib (``pip install 'negsim[plot]'``), imported only when a function is
called. Functions return a :class:`matplotlib.figure.Figure` made without pyplot, so
they work without a display and do not touch pyplot's global state::

    from negsim.plotting import plot_outcomes, plot_timeline

    plot_outcomes("results.parquet", x="cost_nuclear").savefig("outcomes.png")
    plot_timeline("run.jsonl").savefig("run.svg")
"""

from negsim.plotting._calibration import plot_calibration
from negsim.plotting._metrics import metric_summary, plot_metric
from negsim.plotting._outcomes import OUTCOME_COLORS, plot_heatmap, plot_outcomes
from negsim.plotting._sensitivity import plot_sensitivity
from negsim.plotting._timeline import plot_timeline

__all__ = [
    "OUTCOME_COLORS",
    "metric_summary",
    "plot_calibration",
    "plot_heatmap",
    "plot_metric",
    "plot_outcomes",
    "plot_sensitivity",
    "plot_timeline",
]
