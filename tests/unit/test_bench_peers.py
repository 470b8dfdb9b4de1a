"""The peer benchmark's negsim side (``benchmarks/bench_peers.py``), with no peer installed.

The benchmark checks negsim's results against the peers' when it runs; these tests hold
negsim's side to the known answers without the peers: the prisoner's dilemma match to
its closed form, the negotiation to an agreement, the trivial agents to their rounds,
and a missing peer to exit status 2 with the install command. No timing is asserted.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

import negsim

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_peers.py"


@functools.cache
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_peers", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@functools.cache
def registry() -> negsim.PluginRegistry:
    registry: negsim.PluginRegistry = bench().registry()
    return registry


@pytest.mark.parametrize("rounds", [1, 2, 7, 200])
def test_ipd_scores_are_the_closed_form(rounds: int) -> None:
    """Tit for tat is exploited once, then both defect: S + (n-1)P against T + (n-1)P."""
    scenario = bench().ipd_scenario(registry())
    scenario = negsim.apply_overrides(
        scenario, [f"scenario.max_rounds={rounds}"], registry=registry()
    )
    p = {k: float(scenario.world_params[k]) for k in ("R", "T", "S", "P")}
    expected = (p["S"] + (rounds - 1) * p["P"], p["T"] + (rounds - 1) * p["P"])
    result = negsim.simulate(scenario, registry=registry())
    assert bench().ipd_scores(result) == expected


def test_ipd_match_is_the_one_the_benchmark_reports() -> None:
    scenario = bench().ipd_scenario(registry())
    assert scenario.max_rounds == 200
    result = negsim.simulate(scenario, registry=registry())
    assert bench().ipd_scores(result) == (199.0, 204.0)


def test_the_rules_alone_play_the_same_match() -> None:
    """The bare loop's last world scores the match as the engine does."""
    scenario = bench().ipd_scenario(registry())
    world = bench().rules_alone(registry(), scenario)()
    assert world.round == 200
    assert bench().ipd_scores_of(world, scenario) == (199.0, 204.0)


def test_the_rules_alone_of_the_trivial_agents_run_every_round() -> None:
    scenario = bench().trivial_scenario(registry(), 5, 12)
    world = bench().rules_alone(registry(), scenario)()
    assert world.round == 12
    assert world == bench().rules_alone(registry(), scenario)()  # nothing else changes
    assert not world.facts


def test_negotiation_reaches_an_agreement_before_its_deadline() -> None:
    scenario = bench().negotiation_scenario(registry())
    result = negsim.simulate(scenario, registry=registry())
    value = bench().agreement(result)
    assert value is not None
    assert 0 <= value <= 9
    assert result.rounds < scenario.max_rounds


def test_trivial_agents_make_no_move_and_run_every_round() -> None:
    scenario = bench().trivial_scenario(registry(), 5, 12)
    result = negsim.simulate(scenario, registry=registry())
    assert result.rounds == 12
    assert result.outcome == "unresolved"
    assert result.metrics["actions"] == 0
    assert result.metrics["messages"] == 0


def test_a_missing_peer_exits_2_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(bench().PEERS, "negsim_no_such_peer", "negsim-no-such-peer")
    with pytest.raises(SystemExit) as exit_info:
        bench().main([])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "negsim-no-such-peer" in err
    assert 'pip install -e ".[bench]"' in err
    assert len(err.splitlines()) == 1
