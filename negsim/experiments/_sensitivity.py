"""Variance-based sensitivity analysis (Sobol indices) of an outcome or a metric.

A Saltelli design (SALib's Sobol sequence sampler) of ``n * (d + 2)`` parameter points
over the parameters' bounds runs as a sweep of explicit design points, ``runs`` runs
per point; the quantity analysed at each point is the share of its runs with an
outcome, or a metric's mean. SALib's estimators give each parameter's first-order
index (the share of the quantity's variance its main effect explains) and total-order
index (main effect and every interaction), with bootstrap confidence intervals.

The quantity at a point is itself an estimate from ``runs`` runs: that noise adds
variance no parameter explains, so the indices sum to less than 1 and their intervals
widen. More runs per point shrink it; the intervals report it.

Needs SALib (``pip install 'negsim[sensitivity]'``), imported only here.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from negsim.engine import derive_seed
from negsim.experiments._errors import SweepError
from negsim.experiments._params import Bound, lookup, make_bound, parse_bounds
from negsim.model import Scenario
from negsim.plugins import PluginRegistry

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SENSITIVITY_COLUMNS", "Sensitivity", "sobol_indices"]

SENSITIVITY_COLUMNS = ("parameter", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high")
"""The columns of :attr:`Sensitivity.table`."""


def require_salib() -> Any:
    """Import SALib, or explain how to install it.

    Returns:
        The ``SALib`` module.

    Raises:
        ImportError: SALib is not installed.
    """
    try:
        import SALib
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "sensitivity analysis needs SALib: pip install 'negsim[sensitivity]'"
        ) from exc
    return SALib


@attrs.frozen(repr=False)
class Sensitivity:
    """Sobol indices of one quantity.

    Attributes:
        target: What was analysed: ``P(<outcome>)`` or ``mean <metric>``.
        table: One row per parameter; the columns are
            :data:`negsim.experiments.SENSITIVITY_COLUMNS`: the first-order index
            ``S1`` and total-order index ``ST``, each with its bootstrap interval.
        points: Parameter points run (``n * (d + 2)``).
        runs: Runs per point.
        confidence: The intervals' coverage.
        values: The quantity at each point, in the design's order.
    """

    target: str
    table: pd.DataFrame = attrs.field(eq=False)
    points: int
    runs: int
    confidence: float
    values: tuple[float, ...] = attrs.field(eq=False)

    def __repr__(self) -> str:
        return (
            f"negsim.experiments.Sensitivity(target={self.target!r}, "
            f"parameters={len(self.table)}, points={self.points}, runs={self.runs})"
        )

    def _repr_html_(self) -> str:
        head = f"<p><b>Sobol indices of {self.target}</b>: {self.points} points x {self.runs}</p>"
        return head + str(self.table.to_html(index=False, float_format="{:.3f}".format))


def _bounds(bounds: Mapping[str, Any] | Sequence[str], data: Mapping[str, Any]) -> list[Bound]:
    out: list[Bound] = []
    if isinstance(bounds, Mapping):
        for path, spec in bounds.items():
            if isinstance(spec, str):
                out.append(parse_bounds(f"{path}={spec}", lookup(data, path)))
            else:
                low, high = spec
                out.append(make_bound(path, float(low), float(high), lookup(data, path)))
    else:
        for text in [bounds] if isinstance(bounds, str) else bounds:
            path = text.partition("=")[0].strip()
            out.append(parse_bounds(text, lookup(data, path)))
    if not out:
        raise SweepError("a sensitivity analysis needs bounds: PATH=LO:HI for each parameter")
    flat = [b.path for b in out if b.low == b.high]
    if flat:
        raise SweepError(f"--bounds {flat[0]}: LO and HI are equal; give the parameter a range")
    return out


def sobol_indices(
    scenario: str | os.PathLike[str] | Scenario,
    bounds: Mapping[str, Any] | Sequence[str],
    *,
    outcome: str | None = None,
    metric: str | None = None,
    n: int = 64,
    runs: int = 20,
    seed: int | None = None,
    overrides: Iterable[str] = (),
    confidence: float = 0.95,
    backend: str = "process",
    workers: int | None = None,
    out: str | os.PathLike[str] | None = None,
    registry: PluginRegistry | None = None,
    progress: bool | None = None,
) -> Sensitivity:
    """First- and total-order Sobol indices of an outcome's probability or a metric.

    Args:
        scenario: A scenario file or a loaded scenario.
        bounds: The parameters and their ranges: ``["agents.DPRK.params.value_gain=20:60"]``
            or ``{"agents.DPRK.params.value_gain": (20, 60)}``.
        outcome: Analyse the probability of this outcome...
        metric: ... or the mean of this metric (one of the two).
        n: The Saltelli base sample size (a power of 2); ``n * (d + 2)`` points.
        runs: Runs per point.
        seed: The sweep's seed, from which the design's seed derives too; the
            scenario's when ``None``.
        overrides: ``PATH=VALUE`` overrides for every run.
        confidence: The intervals' coverage.
        backend: ``serial``, ``process`` or ``dask`` (see :func:`sweep`).
        workers: Worker processes.
        out: A results directory to write the runs to (resumable); in memory when
            ``None``.
        registry: The plugins (``serial`` only).
        progress: Show a progress bar.

    Returns:
        The indices (see :class:`Sensitivity`).

    Raises:
        SweepError: Bad bounds, neither or both of ``outcome`` and ``metric``, an
            unknown outcome or metric, or ``n`` not a power of 2.
        negsim.ScenarioError: The scenario or an override is invalid.
        ImportError: SALib is not installed.
    """
    require_salib()
    import numpy as np
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    from negsim.experiments._sweep import sweep
    from negsim.experiments._worker import scenario_data
    from negsim.scenario import load_scenario
    from negsim.scenario._overrides import parse_override

    if (outcome is None) == (metric is None):
        raise SweepError("name one quantity: an outcome (--outcome) or a metric (--metric)")
    if n < 2 or n & (n - 1):
        raise SweepError(f"n must be a power of 2 (Sobol sequences), got {n}")
    sets = [parse_override(o) for o in overrides]
    if isinstance(scenario, Scenario):
        base = scenario
    else:
        from pathlib import Path

        base = load_scenario(Path(scenario), overrides=sets, registry=registry)
    parsed = _bounds(bounds, scenario_data(base, registry))
    seed = base.seed if seed is None else seed
    problem = {
        "num_vars": len(parsed),
        "names": [b.path for b in parsed],
        "bounds": [[b.low, b.high] for b in parsed],
    }
    design_seed = derive_seed(seed, "sensitivity", "sobol") % 2**32
    matrix = sample.sample(problem, n, calc_second_order=False, seed=design_seed)
    points = {b.path: [float(v) for v in matrix[:, i]] for i, b in enumerate(parsed)}
    report = sweep(
        scenario,
        points=points,
        runs=runs,
        seed=seed,
        overrides=list(overrides),
        backend=backend,
        workers=workers,
        out=out,
        registry=registry,
        progress=progress,
    )
    frame = report.frame()
    ok = frame[frame["error"].isna()] if "error" in frame.columns else frame
    if outcome is not None:
        declared = list(frame.attrs.get("outcomes") or []) or sorted(set(ok["outcome"]))
        if outcome not in declared and outcome not in set(ok["outcome"]):
            raise SweepError(f"no outcome {outcome!r}; choose from {', '.join(declared)}")
        per_point = (ok["outcome"] == outcome).groupby(ok["point"]).mean()
        target = f"P({outcome})"
    else:
        column = f"metric.{metric}"
        if column not in ok.columns:
            metrics = sorted(c.removeprefix("metric.") for c in ok if c.startswith("metric."))
            raise SweepError(f"no metric {metric!r}; choose from {', '.join(metrics)}")
        per_point = ok[column].groupby(ok["point"]).mean()
        target = f"mean {metric}"
    values = per_point.reindex(range(len(matrix))).to_numpy(dtype=float)
    missing = int(np.isnan(values).sum())
    if missing:
        raise SweepError(
            f"{target} is undefined at {missing} of {len(values)} points (every run failed, "
            "or the metric was never reported there); see the rows' errors"
        )
    result = analyze.analyze(
        problem,
        values,
        calc_second_order=False,
        conf_level=confidence,
        seed=design_seed,
        print_to_console=False,
    )
    import pandas as pd

    names = [b.path for b in parsed]
    s1, s1c = np.asarray(result["S1"]), np.asarray(result["S1_conf"])
    st, stc = np.asarray(result["ST"]), np.asarray(result["ST_conf"])
    table = pd.DataFrame(
        {
            "parameter": names,
            "S1": s1,
            "S1_low": s1 - s1c,
            "S1_high": s1 + s1c,
            "ST": st,
            "ST_low": st - stc,
            "ST_high": st + stc,
        },
        columns=list(SENSITIVITY_COLUMNS),
    )
    return Sensitivity(
        target, table, len(matrix), runs, confidence, tuple(float(v) for v in values)
    )
