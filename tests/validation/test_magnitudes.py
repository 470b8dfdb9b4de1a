"""Magnitudes from the record, under the fitted parameters (issue: calibration).

Beside the directions, the record gives a few magnitudes: how often alliance
commitments are honoured when their casus foederis arrives, what share of a
challenger's gains come by fait accompli rather than coerced cession, how long a
consensus alliance takes to decide. ``examples/calibration/record.toml`` states them,
with their ranges and sources; ``negsim calibrate`` fitted three free parameters of
``korea_integrated`` to them (``docs/explanation/calibration``). Here the scenario runs
``RUNS`` times (200 by default) at the fitted values, and each moment must fall in its
range, allowing for sampling error (the moment's 99% interval must overlap it). A
moment the model cannot reproduce is a known miss, said with its reason, and its test
fails loudly if a change to the model ever makes it pass.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import negsim
from negsim.experiments import Moment, MomentValue, evaluate_moment, load_targets

from ._stats import RUNS, SCENARIOS, Z

pytestmark = pytest.mark.slow

TARGETS = SCENARIOS.parent / "calibration" / "record.toml"

FITTED = (
    "agents.JPN.params.cost_abandon=12.95",
    "agents.JPN.params.max_deliberation=10",
    "agents.DPRK.params.value_gain=56.19",
)
"""The estimates of ``negsim calibrate`` on the shipped targets (seed 1), as the
calibration page reports them."""

KNOWN_MISSES: dict[str, tuple[str, Callable[[MomentValue], bool]]] = {
    "fait_accompli_share": (
        "the flagship declares no armistice and no state cedes ground under coercion, so "
        "every gain the DPRK makes is a seizure (1.0 against 0.896-0.976); with few "
        "gains counted the interval can still touch the range, so the miss is checked "
        "as what it is: not one cession",
        lambda value: value.value == 1.0,
    ),
}
"""Moments the model does not reproduce: the reason, and the check that it still does
not."""


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    scenario = negsim.load_scenario(SCENARIOS / "korea_integrated.toml", overrides=FITTED)
    return negsim.simulate_many(scenario, seeds=RUNS, backend="serial")


def _moments() -> list[Moment]:
    scenario = negsim.load_scenario(SCENARIOS / "korea_integrated.toml")
    return list(load_targets(Path(TARGETS), scenario).moments)


def _within(moment: Moment, value: MomentValue) -> tuple[bool, str]:
    low, high = moment.band(Z)
    said = (
        f"{moment.name}: {value.value:.3f} (se {value.se:.3f}, {value.n} runs counted) "
        f"against [{low:g}, {high:g}] ({moment.source})"
    )
    assert value.n >= 20, f"too few runs counted for {said}"
    return value.value + Z * value.se >= low and value.value - Z * value.se <= high, said


@pytest.mark.parametrize("moment", _moments(), ids=lambda m: m.name)
def test_a_magnitude_of_the_record_under_the_fitted_parameters(
    moment: Moment, runs: pd.DataFrame
) -> None:
    """Each moment's 99% interval overlaps its range from the record; a known miss
    stays a miss, and says why."""
    value = evaluate_moment(moment, runs)
    ok, said = _within(moment, value)
    if moment.name in KNOWN_MISSES:
        reason, still_missed = KNOWN_MISSES[moment.name]
        assert still_missed(value), f"a known miss ({reason}) has changed: {said}"
        return
    assert ok, said
