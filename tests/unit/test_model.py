"""Tests of negsim.model: validators, FrozenMap, sorting, the lifecycle machine."""

from __future__ import annotations

import pickle
import re

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import negsim
from negsim.model import (
    EVENT_TYPES,
    TRANSITIONS,
    Agent,
    Alliance,
    Capabilities,
    Commitment,
    CommitmentState,
    Event,
    FrozenMap,
    Message,
    MessageSent,
    Narration,
    ParamSpec,
    PluginSpec,
    Result,
    Scenario,
    WorldState,
    freeze,
)
from negsim.model._commitments import as_state
from negsim.model._messages import _action_kind, _visibility, as_performative

# -- validators --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Capabilities(conventional=-3), "'conventional' must be >= 0: -3.0"),
        (lambda: Capabilities(nuclear=-1), "'nuclear' must be >= 0: -1"),
        (lambda: Capabilities(forces_hosted={"USA": -5}), "forces_hosted.USA must be >= 0: -5"),
        (
            lambda: Alliance("X", "x", "collective", ["A", "B"], "consensus", decision_deadline=0),
            "'decision_deadline' must be >= 1: 0",
        ),
        (lambda: Commitment("c", "A", "B", deadline=-1), "'deadline' must be >= 0: -1"),
        (
            lambda: Scenario(name="s", agents=[Agent("A", "a", "d")], max_rounds=0),
            "'max_rounds' must be >= 1: 0",
        ),
    ],
)
def test_validator_message_names_field_and_value(make, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        make()


@pytest.mark.parametrize("bad", ["", "has space", "-lead", "a(b)", "x,y"])
def test_agent_id_must_be_nameable_in_propositions(bad):
    with pytest.raises(ValueError, match="'id' must be letters") as info:
        Agent(bad, "n", "d")
    assert repr(bad) in str(info.value)


@pytest.mark.parametrize("good", ["ROK", "US-ROK", "a_1", "7th"])
def test_agent_id_accepts_usual_ids(good):
    assert Agent(good, "n", "d").id == good


def test_converters_normalise_inputs():
    caps = Capabilities(conventional=3, nuclear=2.0, forces_hosted={"USA": 1})
    assert isinstance(caps.conventional, float)
    assert isinstance(caps.nuclear, int)
    assert isinstance(caps.forces_hosted, FrozenMap)
    al = Alliance("X", "x", "collective", ["C", "A", "B"], "consensus")
    assert al.members == ("A", "B", "C")
    assert Message("A", ["C", "B"], "inform").recipients == ("B", "C")
    with pytest.raises(ValueError, match="'nope' is not a valid Performative"):
        Message("A", ["B"], "nope")


def test_value_objects_are_frozen():
    agent = Agent("A", "a", "d", params={"x": 1})
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        agent.doctrine = "other"  # type: ignore[misc]
    with pytest.raises(TypeError, match="immutable"):
        agent.params["x"] = 2  # type: ignore[index]
    assert attrs.evolve(agent, doctrine="other").doctrine == "other"
    assert agent.doctrine == "d"


# -- FrozenMap ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mutate",
    [
        lambda m: m.__setitem__("a", 9),
        lambda m: m.__delitem__("a"),
        lambda m: m.update(c=3),
        lambda m: m.pop("a"),
        lambda m: m.popitem(),
        lambda m: m.clear(),
        lambda m: m.setdefault("z", 0),
        lambda m: m.__ior__({"z": 0}),
    ],
)
def test_frozenmap_refuses_every_mutation(mutate):
    m = freeze({"b": 2, "a": 1})
    with pytest.raises(TypeError, match="FrozenMap is immutable"):
        mutate(m)
    assert m == {"a": 1, "b": 2}


def test_frozenmap_hash_equality_and_order():
    m1 = freeze({"b": 2, "a": 1})
    m2 = freeze([("a", 1), ("b", 2)])
    assert m1 == m2 == {"a": 1, "b": 2}
    assert hash(m1) == hash(m2)
    assert list(m1) == ["a", "b"]  # keys sorted, whatever the input order
    assert {m1: "x"}[m2] == "x"
    assert freeze(m1) is m1
    assert freeze(None) == {}
    # value objects holding one stay hashable
    same = Agent("A", "a", "d", params={"a": 1, "b": 2})
    assert hash(Agent("A", "a", "d", params=m1)) == hash(same)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_frozenmap_pickles(protocol):
    m = freeze({"x": 1.5, "y": True})
    back = pickle.loads(pickle.dumps(m, protocol=protocol))
    assert type(back) is FrozenMap
    assert back == m
    with pytest.raises(TypeError):
        back["x"] = 0  # type: ignore[index]


def test_value_objects_pickle():
    scenario = Scenario(
        name="s",
        agents=[Agent("B", "b", "d", params={"p": 0.1}), Agent("A", "a", "d")],
        world=WorldState(facts={"x", "y"}, variables={"v": 1.0}),
    )
    assert pickle.loads(pickle.dumps(scenario)) == scenario


# -- Scenario ------------------------------------------------------------------------------


def test_scenario_sorts_agents_alliances_and_commitments():
    agents = [Agent(i, i.lower(), "d") for i in ("C", "A", "B")]
    alliances = [Alliance(i, i, "collective", ["A", "B"], "consensus") for i in ("Z", "M")]
    commitments = [Commitment(i, "A", "B") for i in ("c2", "c1")]
    s = Scenario(name="s", agents=agents, alliances=alliances, commitments=commitments)
    assert s.agent_ids == ("A", "B", "C")
    assert [a.id for a in s.alliances] == ["M", "Z"]
    assert [c.id for c in s.commitments] == ["c1", "c2"]
    reordered = Scenario(
        name="s", agents=agents[::-1], alliances=alliances[::-1], commitments=commitments[::-1]
    )
    assert reordered == s


def test_scenario_lookups():
    s = Scenario(
        name="s",
        agents=[Agent("A", "a", "d"), Agent("B", "b", "d"), Agent("C", "c", "d")],
        alliances=[Alliance("X", "x", "collective", ["A", "B"], "consensus")],
    )
    assert s.agent("B").name == "b"
    with pytest.raises(KeyError, match="no agent 'Q'; known: A, B, C"):
        s.agent("Q")
    assert [al.id for al in s.alliances_of("A")] == ["X"]
    assert s.alliances_of("C") == ()


def test_agent_stack_is_doctrine_then_modifiers():
    assert Agent("A", "a", "hawk", modifiers=["domestic", "audience"]).stack == (
        "hawk",
        "domestic",
        "audience",
    )


# -- the lifecycle machine -------------------------------------------------------------------


def test_transitions_cover_every_state():
    assert set(TRANSITIONS) == set(CommitmentState)
    for targets in TRANSITIONS.values():
        assert targets <= set(CommitmentState)


@pytest.mark.parametrize("state", list(CommitmentState))
def test_terminal_states_have_no_exits(state):
    assert state.terminal == (not TRANSITIONS[state])
    assert state not in TRANSITIONS[state]


def test_lifecycle_shape():
    s = CommitmentState
    assert {x for x in s if not x.terminal} == {s.CONDITIONAL, s.DETACHED}
    assert TRANSITIONS[s.CONDITIONAL] == {
        s.DETACHED,
        s.DISCHARGED,
        s.EXPIRED,
        s.CANCELLED,
        s.RELEASED,
    }
    assert TRANSITIONS[s.DETACHED] == {s.DISCHARGED, s.VIOLATED, s.CANCELLED, s.RELEASED}
    # nothing returns to an active state, and only a detached commitment is violated
    for state, targets in TRANSITIONS.items():
        assert s.CONDITIONAL not in targets
        if state is not s.DETACHED:
            assert s.VIOLATED not in targets


# -- plugin specs, results, events ------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "value", "problem"),
    [
        (ParamSpec("p", 0.5, "", 0, 1), 0.25, None),
        (ParamSpec("p", 0.5, "", 0, 1), 1, None),
        (ParamSpec("p", 0.5, "", 0, 1), 1.5, "must be <= 1: 1.5"),
        (ParamSpec("p", 0.5, "", 0, 1), -0.1, "must be >= 0: -0.1"),
        (ParamSpec("p", 0.5, "", 0, 1), True, "expected float, got bool True"),
        (ParamSpec("n", 3, "", 0, 10), 2.5, "expected int, got float 2.5"),
        (ParamSpec("n", 3, "", 0, 10), 4.0, None),
        (ParamSpec("b", False, ""), 1, "expected bool, got int 1"),
        (ParamSpec("s", "x", ""), "y", None),
        (ParamSpec("s", "x", ""), 3, "expected str, got int 3"),
    ],
)
def test_paramspec_check(spec, value, problem):
    assert spec.check(value) == problem


def test_pluginspec_param_lookup_lists_valid_names():
    spec = PluginSpec("doctrine", params=[ParamSpec("a", 1, ""), ParamSpec("b", 2.0, "")])
    assert spec.param("b").default == 2.0
    assert spec.defaults == {"a": 1, "b": 2.0}
    with pytest.raises(KeyError, match="no parameter 'c'; valid: a, b"):
        spec.param("c")
    with pytest.raises(ValueError, match="is not a valid PluginRole"):
        PluginSpec("wizard")


def test_event_types_are_tagged_uniquely():
    assert len({cls.kind for cls in EVENT_TYPES.values()}) == len(EVENT_TYPES)
    for kind, cls in EVENT_TYPES.items():
        assert issubclass(cls, Event)
        assert cls.kind == kind


def test_result_events_of():
    msg = Message("A", ["B"], "inform", round=1, id="1:A:0")
    events = [MessageSent(1, msg), Narration(1, "x"), MessageSent(2, msg)]
    result = Result(
        outcome="settlement",
        reason="r",
        rounds=2,
        events=events,
        commitments=(),
        world=WorldState(round=2),
    )
    assert result.outcome is negsim.Outcome.SETTLEMENT
    assert result.events_of(MessageSent) == (events[0], events[2])
    assert result.events_of(Narration) == (events[1],)


# -- fast paths hold to what they replaced ----------------------------------------------


@given(
    st.dictionaries(
        st.text(max_size=4) | st.integers(-20, 20) | st.booleans() | st.none(),
        st.integers() | st.text(max_size=3),
        max_size=8,
    )
)
def test_freeze_orders_keys_by_their_text_whatever_they_are(table):
    frozen = freeze(table)
    assert list(frozen.items()) == sorted(table.items(), key=lambda kv: str(kv[0]))


@pytest.mark.parametrize(
    ("convert", "enum"),
    [
        (as_performative, negsim.Performative),
        (_action_kind, negsim.model.ActionKind),
        (_visibility, negsim.model.Visibility),
        (as_state, negsim.model.CommitmentState),
    ],
)
def test_enum_converters_give_the_enums_answer(convert, enum):
    for member in enum:
        assert convert(member) is member
        assert convert(member.value) is member
        assert convert(str(member.value)) is member
    for wrong in ("nonsense", 3, ["x"], None):
        with pytest.raises(ValueError, match="is not a valid") as raised:
            enum(wrong)
        with pytest.raises(ValueError, match="is not a valid") as ours:
            convert(wrong)
        assert str(ours.value) == str(raised.value)


def test_view_reads_parameters_as_agent_does():
    a = negsim.Agent(
        id="X", name="X", doctrine="d", params={"f": 0.5, "i": 3, "b": True, "s": "text"}
    )
    view = negsim.AgentView(
        agent=a,
        round=1,
        world=negsim.model.WorldState(),
        inbox=(),
        commitments=(),
        proposals=(),
        public=None,  # type: ignore[arg-type]
        state=None,
        rng=None,  # type: ignore[arg-type]
    )
    assert view.me == "X"
    assert view.number("f") == a.number("f") == 0.5
    assert view.number("i") == a.number("i") == 3.0
    assert type(view.number("i")) is float
    assert view.flag("b") is a.flag("b") is True
    for name in ("b", "s"):
        with pytest.raises(TypeError, match="not a number"):
            view.number(name)
    for name in ("f", "s"):
        with pytest.raises(TypeError, match="not a boolean"):
            view.flag(name)


def test_build_view_makes_the_view_the_constructor_makes():
    from negsim.model._view import build_view

    # no field may convert or validate: build_view sets the values as given
    for field in attrs.fields(negsim.AgentView):
        assert field.converter is None, field.name
        assert field.validator is None, field.name
    a = negsim.Agent(id="X", name="X", doctrine="d", params={"f": 0.5})
    world = negsim.model.WorldState(round=2, facts={"p"})
    args = dict(
        agent=a,
        round=2,
        world=world,
        inbox=(),
        commitments=(),
        proposals=(),
        public=None,
        state={"k": 1},
        rng=None,
        type=None,
        sessions=(),
        seen=lambda agent: (),
    )
    built = build_view(**args)  # type: ignore[arg-type]
    made = negsim.AgentView(**args)  # type: ignore[arg-type]
    for field in attrs.fields(negsim.AgentView):
        if field.name != "_ids":
            assert getattr(built, field.name) is getattr(made, field.name), field.name
    assert built.me == "X"
    assert built._ids is not made._ids  # each view numbers its own moves
    assert built.say(["Y"], "inform").id == made.say(["Y"], "inform").id
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.round = 3  # type: ignore[misc]
