"""Scale: a scenario over the agent limit is refused up front; a large one loads and plays.

Timing belongs in ``benchmarks/``; these tests hold the behaviour: the refusal names
the limit before any table is structured, and the set-up has no step quadratic in the
number of agents (a scenario at the limit loads and runs in minutes, see the
reliability page).
"""

from __future__ import annotations

from typing import Any

import pytest

import negsim
from negsim.errors import ScenarioError
from negsim.scenario import scenario_from_dict
from tests.toyplugins import agent, make_registry

REGISTRY = make_registry()


def many(n: int, **table: Any) -> dict[str, Any]:
    return {
        "scenario": {"name": "many", "world_rules": "toy", "max_rounds": 2},
        "agents": [agent(f"S{i}", **table) for i in range(n)],
    }


def test_more_agents_than_the_limit_are_refused_before_structuring():
    data = many(1001)
    data["agents"][500]["doctrine"] = "no-such-doctrine"  # never reached
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, registry=REGISTRY, limits=negsim.Limits(max_agents=1000))
    assert str(info.value) == (
        "<mapping>: agents: 1001 agents, more than the limit max_agents=1000; "
        "raise it with --limit max_agents=N (0: no limit) or negsim.Limits(max_agents=N)"
    )


def test_the_default_agent_limit_admits_a_hundred_thousand():
    assert negsim.Limits().max_agents == 100_000


def test_thousands_of_agents_hosting_each_other_load_and_play():
    n = 3000
    data = many(n, forces_hosted={"S0": 1})
    scenario = scenario_from_dict(data, registry=REGISTRY)
    result = negsim.Simulation(scenario, registry=REGISTRY).run()
    assert result.rounds == 2
    public = negsim.engine.public_info(scenario)
    assert public.hosts_of("S0") == tuple(a.id for a in scenario.agents)
    assert len(public.hosts_of("S0")) == n
    assert public.hosts_of("S1") == ()
