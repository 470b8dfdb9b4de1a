"""The strategies of ``negsim.testing`` produce what they promise."""

from __future__ import annotations

import sys
import tomllib

import pytest
from hypothesis import find, given
from hypothesis import strategies as st

import negsim
import negsim.converters
from negsim.engine import AllianceDesk, CommitmentMonitor, Validator
from negsim.logic import Atom, parse
from negsim.model import Agent, Alliance, Commitment, Message, PluginRole, Proposal, WorldState
from negsim.scenario import scenario_from_dict
from negsim.testing import (
    STIMULI,
    RunCase,
    Step,
    agents,
    alliances,
    commitments,
    doctrine_params,
    facts,
    messages,
    param_values,
    propositions,
    registry_with,
    runs,
    scenario_data,
    scenarios,
    world_states,
)
from negsim.testing._stimulus import parse_script, script_text
from tests import _processes as processes
from tests.property._support import doctrine_params as doctrine_cases
from tests.property._support import fuzz_registry

REGISTRY = registry_with(base=fuzz_registry())
IDS = ("A", "B", "C")
ALL_SPECS = [(name, p) for name in REGISTRY.names() for p in REGISTRY.spec(name).params]


@pytest.mark.parametrize(("plugin", "spec"), ALL_SPECS, ids=[f"{n}.{p.name}" for n, p in ALL_SPECS])
@given(data=st.data())
def test_param_values_are_within_the_documented_range(
    plugin: str, spec: negsim.ParamSpec, data: st.DataObject
) -> None:
    value = data.draw(param_values(spec))
    assert spec.check(value) is None
    assert type(value) is type(spec.default)


@pytest.mark.parametrize("plugin", REGISTRY.names())
@given(data=st.data())
def test_doctrine_params_hold_only_valid_non_default_values(
    plugin: str, data: st.DataObject
) -> None:
    spec = REGISTRY.spec(plugin)
    table = data.draw(doctrine_params(spec))
    for name, value in table.items():
        assert spec.param(name).check(value) is None
        assert value != spec.defaults[name] or type(value) is not type(spec.defaults[name])


def test_doctrine_params_takes_strategies_and_functions_of_the_agent_ids() -> None:
    spec = REGISTRY.spec("wedge")
    strategy = doctrine_params(
        spec,
        {"targets": lambda ids: st.sampled_from(ids), "value_gain": st.just(1.0)},
        agent_ids=("ROK",),
    )
    table = find(strategy, lambda t: True)
    assert table["targets"] == "ROK"
    assert table["value_gain"] == 1.0


@given(fact=facts(IDS), text=propositions(IDS))
def test_facts_are_atoms_and_propositions_parse(fact: str, text: str) -> None:
    assert isinstance(parse(fact), Atom)
    assert parse(fact).key == fact
    parse(text)


@given(world=world_states(IDS))
def test_world_states(world: WorldState) -> None:
    assert all(isinstance(parse(f), Atom) for f in world.facts)
    assert all(0 <= v <= 1 for v in world.variables.values())


@given(alliance=alliances(IDS), commitment=commitments(IDS))
def test_alliances_and_commitments_load(alliance: Alliance, commitment: Commitment) -> None:
    data = {
        "scenario": {"name": "t", "world_rules": "crisis"},
        "agents": [{"id": i, "name": i, "doctrine": "collective"} for i in IDS],
        "alliances": [negsim.converters.converter.unstructure(alliance)],
        "commitments": [
            {
                k: v
                for k, v in negsim.converters.converter.unstructure(commitment).items()
                if v is not None and k not in ("state", "detached_at")
            }
        ],
    }
    scenario = scenario_from_dict(data, registry=REGISTRY)
    assert scenario.alliances == (alliance,)
    assert scenario.commitments == (commitment,)


@given(agent=agents("bilateral", registry=REGISTRY, ids=IDS))
def test_agents_have_every_parameter_in_range(agent: Agent) -> None:
    spec = REGISTRY.spec("bilateral")
    assert set(agent.params) == {p.name for p in spec.params}
    assert all(spec.param(k).check(v) is None for k, v in agent.params.items())
    assert agent.id not in agent.capabilities.forces_hosted


def _scenario_for_messages() -> negsim.Scenario:
    return scenario_from_dict(
        {
            "scenario": {"name": "t", "world_rules": "crisis"},
            "agents": [{"id": i, "name": i, "doctrine": "collective"} for i in IDS],
            "alliances": [
                {
                    "id": "AL",
                    "name": "AL",
                    "kind": "collective",
                    "members": ["A", "B"],
                    "decision_rule": "consensus",
                }
            ],
            "commitments": [{"id": "c", "debtor": "A", "creditor": "C"}],
        },
        registry=REGISTRY,
    )


MESSAGE_SCENARIO = _scenario_for_messages()
OPEN = Proposal(
    id="p1", alliance="AL", decision="collective_response", proposer="A", opened=1, deadline=5
)


@given(
    message=messages(
        IDS,
        round=3,
        alliances=MESSAGE_SCENARIO.alliances,
        proposals=[OPEN],
        commitments=MESSAGE_SCENARIO.commitments,
    )
)
def test_messages_pass_the_engines_validation(message: Message) -> None:
    desk = AllianceDesk(MESSAGE_SCENARIO.alliances)
    desk.open[OPEN.id] = OPEN
    validator = Validator(MESSAGE_SCENARIO, desk, CommitmentMonitor(MESSAGE_SCENARIO.commitments))
    sender = MESSAGE_SCENARIO.agent(message.sender)
    assert validator.check(sender, message, 3) is None


@pytest.mark.parametrize("doctrine", doctrine_cases())
@given(data=st.data())
def test_scenario_data_loads_and_puts_the_doctrine_first(
    doctrine: str, data: st.DataObject
) -> None:
    table = data.draw(scenario_data(doctrine, registry=REGISTRY))
    scenario = scenario_from_dict(table, registry=REGISTRY)
    assert scenario.agent("A").doctrine == doctrine
    assert 1 <= scenario.max_rounds <= 10
    for al in scenario.alliances:
        assert "X" not in al.members


@given(case=runs("collective", registry=REGISTRY))
def test_a_run_case_is_a_scenario_file(case: RunCase) -> None:
    assert tomllib.loads(case.toml()) == case.data
    assert case.scenario(REGISTRY) == scenario_from_dict(case.data, registry=REGISTRY)
    assert "RunCase(seed=" in repr(case)


@given(scenario=scenarios("bilateral", registry=REGISTRY, max_members=2, max_rounds=3))
def test_scenarios_respect_their_bounds(scenario: negsim.Scenario) -> None:
    members = [a for a in scenario.agent_ids if a != "X"]
    assert 1 <= len(members) <= 2
    assert scenario.max_rounds <= 3


@given(
    steps=st.lists(
        st.builds(
            Step,
            round=st.integers(1, 50),
            kind=st.sampled_from(STIMULI),
            target=st.sampled_from(("*", "A", "B")),
            value=st.sampled_from((0.0, 0.25, 1.0)),
        )
    )
)
def test_stimulus_scripts_round_trip(steps: list[Step]) -> None:
    assert parse_script(script_text(steps)) == tuple(steps)


def test_a_bad_stimulus_script_is_refused() -> None:
    with pytest.raises(ValueError, match="bad stimulus step '1:dance:A:0'"):
        parse_script("1:dance:A:0")


def test_importing_negsim_does_not_import_hypothesis_or_the_kit() -> None:
    code = (
        "import sys, negsim, negsim.testing; "
        "print('hypothesis' in sys.modules, 'negsim.testing._check' in sys.modules)"
    )

    out = processes.run([sys.executable, "-c", code], check=True).stdout.split()
    assert out == ["False", "False"]


def test_the_public_names_show_as_negsim_testing() -> None:
    import negsim.testing as kit

    for name in kit.__all__:
        value = getattr(kit, name)
        if isinstance(value, type) or (callable(value) and hasattr(value, "__code__")):
            assert value.__module__ == "negsim.testing", name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        kit.nope  # noqa: B018


def test_registry_with_adds_the_stimulus_doctrine_and_keeps_the_base() -> None:
    registry = registry_with()
    assert "stimulus" in registry.names(PluginRole.DOCTRINE)
    assert set(negsim.plugins.default_registry().names()) <= set(registry.names())
