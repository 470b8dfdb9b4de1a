"""A calibration gives the same estimates on the process pool and on Dask.

The toy calibration of ``tests/unit/test_calibrate.py`` (16 Sobol points x 5 runs, 20
runs at the estimate, seed 21) runs on a local process pool of two workers and on a
Dask ``LocalCluster`` of two worker processes that the calibration starts itself;
the workers build their plugins from a pickled factory. The runs' seeds derive from
the seed and each run's key, so the design's rows, hence the distances, the accepted
points, the estimates and the moments' fit, are equal to the last bit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from negsim.experiments import calibrate
from tests.toyplugins import make_registry
from tests.unit.test_calibrate import toy_targets, toy_toml

pytestmark = pytest.mark.integration
pd = pytest.importorskip("pandas")
pytest.importorskip("distributed")
pytest.importorskip("scipy")

SETTINGS: dict[str, Any] = {
    "points": 16,
    "runs": 5,
    "check_runs": 20,
    "accept": 0.25,
    "seed": 21,
    "workers": 2,
    "registry": make_registry,
    "progress": False,
}


def test_dask_local_cluster_gives_the_process_pools_estimates(tmp_path: Path) -> None:
    scenario = tmp_path / "toy.toml"
    scenario.write_text(toy_toml(), encoding="utf-8")
    targets = toy_targets(15.0, 0.2)
    pool = calibrate(scenario, targets, backend="process", **SETTINGS)
    dask = calibrate(scenario, targets, backend="dask", out=tmp_path / "dask", **SETTINGS)
    pd.testing.assert_frame_equal(dask.estimates, pool.estimates)
    pd.testing.assert_frame_equal(dask.moments, pool.moments)
    pd.testing.assert_frame_equal(dask.points, pool.points)
    # not a degenerate fit: the design spread the distances, and p_talk is identified
    assert pool.points["distance"].nunique() > 8
    assert (
        pool.estimates.set_index("parameter").loc["agents.A.params.p_talk", "share_of_prior"] < 0.6
    )
