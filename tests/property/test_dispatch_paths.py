"""The round loop's direct calls give what pluggy's own calls give.

Where an agent's decision is one plain implementation, the round loop calls it directly
(:attr:`negsim.plugins.Hook.plain`); every hook with plain implementations is called
without pluggy's loop (:class:`negsim.plugins.Hook`). A hook-call monitor turns all of
that off: with one on, every call goes through pluggy. Each flagship, on random seeds,
logs the same events and reaches the same result both ways.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import negsim

SCENARIOS = Path(__file__).resolve().parents[2] / "examples" / "scenarios"


@contextmanager
def through_pluggy(registry: negsim.PluginRegistry) -> Iterator[list[str]]:
    """Every hook call of ``registry`` goes through pluggy; the calls' names are listed."""
    calls: list[str] = []
    undo = registry.pm.add_hookcall_monitoring(
        lambda name, impls, kwargs: calls.append(name), lambda *args: None
    )
    try:
        yield calls
    finally:
        undo()


@pytest.mark.parametrize("name", ["korea_bilateral", "korea_integrated", "baltic_nato"])
@settings(max_examples=4, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_a_flagship_runs_the_same_through_pluggy(name: str, seed: int) -> None:
    registry = negsim.PluginRegistry()
    scenario = negsim.load_scenario(SCENARIOS / f"{name}.toml", registry=registry)
    direct = negsim.simulate(scenario, seed=seed, registry=registry)
    with through_pluggy(registry) as calls:
        through = negsim.simulate(scenario, seed=seed, registry=registry)
    assert calls.count("negsim_decide") == len(scenario.agents) * through.rounds
    assert through.events == direct.events
    assert (through.outcome, through.metrics) == (direct.outcome, direct.metrics)
