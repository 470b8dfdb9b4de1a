"""Signs of a result built in, checked for: identical treatments and certain outcomes.

The rule: two treatments that differ in the model must not give identical runs
seed for seed, and no outcome of a flagship is certain because of a hard threshold.
Each check runs ``RUNS // 4`` seeds per arm (50 by default).
"""

from __future__ import annotations

import pytest

from negsim.model import Result

from ._stats import RUNS, load, runs

pytestmark = pytest.mark.slow

N = RUNS // 4

TREATMENTS = {
    "a paper treaty vs U.S. forces in the ROK": (
        ("korea_bilateral", ("agents.DPRK.prior.mean=-60",)),
        (
            "korea_bilateral",
            ("agents.DPRK.prior.mean=-60", "agents.ROK.capabilities.forces_hosted.USA=0"),
        ),
    ),
    "bilateral vs integrated": (("korea_bilateral", ()), ("korea_integrated", ())),
    "coercion vs none": (
        ("korea_bilateral", ()),
        ("korea_bilateral", ("agents.DPRK.params.coerce=false",)),
    ),
    "Japan's bases near vs far": (
        ("korea_bilateral", ("agents.DPRK.prior.mean=-60",)),
        (
            "korea_bilateral",
            ("agents.DPRK.prior.mean=-60", "agents.JPN.capabilities.distance_km=5000"),
        ),
    ),
    "abstention allowed vs barred": (
        ("korea_integrated", ()),
        ("korea_integrated", ("alliances.TRI.abstention_share=0.34",)),
    ),
    "50 vs 500 DPRK warheads": (
        ("korea_bilateral", ("agents.DPRK.prior.mean=-60",)),
        ("korea_bilateral", ("agents.DPRK.prior.mean=-60", "agents.DPRK.capabilities.nuclear=500")),
    ),
}


def _trace(r: Result) -> tuple[object, ...]:
    return (r.outcome, r.rounds, tuple(sorted(r.world.facts)), tuple(sorted(r.metrics.items())))


@pytest.mark.parametrize("name", sorted(TREATMENTS))
def test_different_treatments_give_different_runs(name: str) -> None:
    """At least a tenth of the seeds end differently (outcome, length, facts or
    metrics) between the two treatments: the difference reaches the runs."""
    (file_a, over_a), (file_b, over_b) = TREATMENTS[name]
    a, b = runs(load(file_a, *over_a), N), runs(load(file_b, *over_b), N)
    differ = sum(_trace(x) != _trace(y) for x, y in zip(a, b, strict=True))
    assert differ >= N / 10, f"{name}: only {differ} of {N} seeds differ"


@pytest.mark.parametrize("file", ["korea_bilateral", "korea_integrated", "baltic_nato"])
def test_no_flagship_outcome_is_certain(file: str) -> None:
    """At its own settings no flagship ends the same way in every run: at least two
    outcome classes occur in ``RUNS // 4`` seeds."""
    outcomes = {r.outcome for r in runs(load(file), N)}
    assert len(outcomes) >= 2, f"{file}: every run ended {outcomes}"
