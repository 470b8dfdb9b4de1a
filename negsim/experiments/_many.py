"""``simulate_many``: many runs from Python, as one DataFrame with short columns."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from negsim.experiments._sweep import sweep
from negsim.model import ParamValue, Scenario
from negsim.plugins import PluginRegistry
from negsim.results import short_names

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["simulate_many"]


def simulate_many(
    scenario: str | os.PathLike[str] | Scenario,
    *,
    seeds: int = 100,
    grid: Mapping[str, str | Sequence[ParamValue]] | Sequence[str] | None = None,
    seed: int | None = None,
    overrides: Iterable[str] = (),
    backend: str = "serial",
    workers: int | None = None,
    registry: PluginRegistry | None = None,
) -> pd.DataFrame:
    """Run ``scenario`` ``seeds`` times at every grid point; one row per run.

    The sweep machinery (:func:`negsim.experiments.sweep`) in memory: runs are
    keyed and seeded as in a sweep, so the rows do not depend on the backend.

    Args:
        scenario: A scenario file or a loaded scenario.
        seeds: Runs (replicates) per grid point.
        grid: Grid parameters, as for :func:`negsim.experiments.sweep`
            (``{"agents.JPN.params.cost_nuclear": [20.0, 60.0]}``).
        seed: The seed the runs' seeds derive from; the scenario's when ``None``.
        overrides: ``PATH=VALUE`` overrides for every run.
        backend: ``serial`` (the default here), ``process`` or ``dask``.
        workers: Worker processes.
        registry: The plugins (``serial`` only); the installed ones when ``None``.

    Returns:
        The rows of :mod:`negsim.experiments` with each ``param.<path>`` column renamed
        to its last part (``cost_nuclear``) where that is unique (see
        :func:`negsim.results.short_names`); a missing metric is NA.

    Example:
        >>> import negsim
        >>> rows = negsim.simulate_many("examples/scenarios/korea_bilateral.toml", seeds=3,
        ...                             grid={"agents.JPN.params.cost_nuclear": [20.0, 60.0]})
        >>> rows[["cost_nuclear", "replicate"]].to_numpy().tolist()
        [[20.0, 0], [20.0, 1], [20.0, 2], [60.0, 0], [60.0, 1], [60.0, 2]]
    """
    report = sweep(
        scenario,
        grid=grid,
        runs=seeds,
        seed=seed,
        overrides=list(overrides),
        backend=backend,
        workers=workers,
        registry=registry,
        progress=False,
    )
    frame = report.frame()
    paths = [c.removeprefix("param.") for c in report.parameters]
    reserved = {c for c in frame.columns if not c.startswith("param.")}
    names = short_names(paths, reserved)
    return frame.rename(columns={f"param.{p}": n for p, n in names.items()})
