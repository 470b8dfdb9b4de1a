"""Tests of the round protocol: delivery, simultaneity, validation, errors, stopping."""

from __future__ import annotations

import traceback

import attrs
import pytest

import negsim
from negsim.model import (
    ActionTaken,
    FactChanged,
    MessageSent,
    MoveRejected,
    Narration,
    Outcome,
    OutcomeReached,
    VariableChanged,
)
from tests.toyplugins import (
    Chatter,
    Raiser,
    Recorder,
    Scripted,
    agent,
    demo_data,
    make_registry,
    make_scenario,
)


def build(script=None, agents=None, extra=(), **kw):
    """A steppable simulation of scripted agents A, B, C (unless ``agents`` says otherwise)."""
    scripted = Scripted(script)
    registry = make_registry(*extra, script=scripted)
    scenario = make_scenario(registry, agents or [agent("A"), agent("B"), agent("C")], **kw)
    return negsim.Simulation(scenario, seed=1, registry=registry), scripted


# -- delivery -----------------------------------------------------------------------------------


def test_delivery_next_round_once_to_exactly_the_recipients_in_order():
    script = {
        ("C", 1): lambda v: [v.say("A", "inform", n=1), v.say(["A", "B"], "inform", n=2)],
        ("A", 1): lambda v: [v.say("B", "inform", n=3)],
        ("B", 1): lambda v: [v.say("A", "demand", n=4), v.say("C", "offer", n=5)],
    }
    sim, scripted = build(script)
    sim.step()
    # nothing sent in round 1 is seen in round 1, even by agents deciding later in id order
    assert all(scripted.view(a, 1).inbox == () for a in "ABC")
    sim.step()

    def inbox(a):
        return [(m.sender, m.content["n"]) for m in scripted.view(a, 2).inbox]

    assert inbox("A") == [("B", 4), ("C", 1), ("C", 2)]  # by sender id, then order sent
    assert inbox("B") == [("A", 3), ("C", 2)]
    assert inbox("C") == [("B", 5)]
    assert all(m.round == 1 for a in "ABC" for m in scripted.view(a, 2).inbox)
    assert {a: [m.content["n"] for m in ms] for a, ms in sim.inboxes.items()} == {
        "A": [4, 1, 2],
        "B": [3, 2],
        "C": [5],
    }
    sim.step()
    assert all(scripted.view(a, 3).inbox == () for a in "ABC")  # delivered exactly once


def test_every_message_of_a_busy_run_is_delivered_once_to_exactly_its_recipients():
    chatter = Chatter()
    registry = make_registry(("chatter2", chatter))
    data = demo_data()
    for a in data["agents"]:
        a["doctrine"] = "chatter2"
    scenario = negsim.scenario.scenario_from_dict(data, registry=registry)
    result = negsim.simulate(scenario, seed=11, registry=registry)
    sent = [e.message for e in result.events_of(MessageSent)]
    assert len(sent) > 50
    last = result.rounds
    for m in sent:
        if m.round == last:
            continue  # never delivered: the run ended
        for a in scenario.agent_ids:
            got = [x for x in chatter.inboxes[(a, m.round + 1)] if x.id == m.id]
            assert len(got) == (a in m.recipients), (m, a)
    for (a, t), inbox in chatter.inboxes.items():
        senders = [m.sender for m in inbox]
        assert senders == sorted(senders)
        assert all(m.round == t - 1 and a in m.recipients for m in inbox)


def test_sent_is_the_rounds_valid_messages():
    sim, _ = build({("A", 1): lambda v: [v.say("B", "inform"), v.say("A", "inform")]})
    sim.step()
    assert [(m.sender, m.recipients) for m in sim.sent] == [("A", ("B",))]


# -- simultaneous moves -------------------------------------------------------------------------


def test_every_agent_in_a_round_sees_the_same_world():
    script = {
        ("A", 1): lambda v: [v.act("attack", "B"), v.act("mobilize", set="alert(A)")],
        ("B", 2): lambda v: [v.act("respond", "B")],
    }
    sim, scripted = build(script)
    sim.step()
    worlds = [scripted.view(a, 1).world for a in "ABC"]
    assert worlds[0] == worlds[1] == worlds[2]
    assert "attacked(B)" not in worlds[1].facts  # B decided after A, but saw the old world
    assert worlds[0].round == 1
    sim.step()
    worlds = [scripted.view(a, 2).world for a in "ABC"]
    assert worlds[0] == worlds[1] == worlds[2]
    assert {"attacked(B)", "alert(A)"} <= worlds[2].facts
    assert "responds(B,B)" not in worlds[2].facts
    assert "responds(B,B)" in sim.world.facts


def test_views_expose_own_params_and_public_info_only():
    sim, scripted = build(agents=[agent("A", params={"aggr": 0.9}), agent("B", conventional=4.0)])
    sim.step()
    va = scripted.view("A", 1)
    assert va.me == "A"
    assert va.param("aggr") == 0.9
    assert va.agent.params == {"aggr": 0.9, "patience": 3, "loud": False}
    assert va.public.agents == ("A", "B")
    assert va.public.capabilities["B"].conventional == 4.0
    assert va.public.doctrines == {"A": "scripted", "B": "scripted"}
    assert not hasattr(va.public, "params")


# -- validation ---------------------------------------------------------------------------------

RULES = {
    "as-other-sender": (lambda v: attrs.evolve(v.say("B", "inform"), sender="C"), "sender-is-self"),
    "as-other-actor": (lambda v: attrs.evolve(v.act("respond", "B"), actor="B"), "actor-is-self"),
    "unknown-recipient": (lambda v: v.say("ZZZ", "inform"), "known-recipient"),
    "self-recipient": (lambda v: v.say("A", "inform"), "known-recipient"),
    "self-among-recipients": (lambda v: v.say(["B", "A"], "inform"), "known-recipient"),
    "no-recipient": (lambda v: v.say([], "inform"), "known-recipient"),
    "unknown-target": (lambda v: v.act("respond", "ZZZ"), "known-target"),
    "stale-round": (lambda v: attrs.evolve(v.say("B", "inform"), round=0), "current-round"),
    "magnitude-high": (lambda v: v.act("respond", "B", magnitude=1.5), "magnitude-range"),
    "magnitude-low": (lambda v: v.act("respond", "B", magnitude=-0.1), "magnitude-range"),
    "attack-self": (lambda v: v.act("attack", "A"), "capability"),
    "nuke-without-nukes": (lambda v: v.act("nuclear_strike", "B"), "capability"),
    "grant-unhosted": (lambda v: v.act("grant_access", "C"), "hosts-target"),
    "deny-unhosted": (lambda v: v.act("deny_access", "C"), "hosts-target"),
    "bad-antecedent": (
        lambda v: v.say("B", "pledge", antecedent="attacked(B", consequent="responds(A,B)"),
        "proposition",
    ),
    "bad-consequent": (
        lambda v: v.say("B", "threaten", antecedent="true", consequent="responds(A,,B)"),
        "proposition",
    ),
    "hostile-proposition": (
        lambda v: v.say(
            "B", "promise", antecedent="true", consequent='__import__("os").system("exit 3")'
        ),
        "proposition",
    ),
    "cancel-unknown": (lambda v: v.say("B", "cancel", commitment="nope"), "commitment-party"),
    "string-move": (lambda v: "attack B", "move-type"),
    "dict-move": (lambda v: {"kind": "attack", "target": "B"}, "move-type"),
    "none-move": (lambda v: None, "move-type"),
}


@pytest.mark.parametrize("case", sorted(RULES))
def test_invalid_move_is_rejected_naming_agent_doctrine_and_rule(case):
    make, rule = RULES[case]
    script = {("A", 1): lambda v: [v.say("B", "inform", ok=1), make(v), v.act("mobilize")]}
    sim, scripted = build(
        script, agents=[agent("A", forces_hosted={"B": 10}), agent("B"), agent("C")]
    )
    events = sim.step()
    rejected = [e for e in events if isinstance(e, MoveRejected)]
    assert [(e.round, e.agent, e.doctrine, e.rule) for e in rejected] == [
        (1, "A", "scripted", rule)
    ]
    assert rejected[0].detail
    assert rule in negsim.engine.RULES
    # the valid moves around it still count; the rejected one does not
    assert [e.message.content for e in events if isinstance(e, MessageSent)] == [{"ok": 1}]
    assert [e.action.kind for e in events if isinstance(e, ActionTaken)] == ["mobilize"]
    sim.step()
    assert [m.content for m in scripted.view("B", 2).inbox] == [{"ok": 1}]
    assert scripted.view("C", 2).inbox == ()


@pytest.mark.parametrize("deadline", ["soon", -1])
def test_pledge_with_a_bad_deadline_is_rejected(deadline):
    sim, _ = build(
        {
            ("A", 1): lambda v: [
                v.say(
                    "B", "pledge", antecedent="true", consequent="responds(A,B)", deadline=deadline
                )
            ]
        }
    )
    events = sim.step()
    [e] = [e for e in events if isinstance(e, MoveRejected)]
    assert (e.agent, e.doctrine) == ("A", "scripted")
    assert e.rule in negsim.engine.RULES
    assert sim.monitor.all() == ()


def test_attack_without_conventional_forces_is_rejected():
    sim, _ = build(
        {("A", 1): lambda v: [v.act("attack", "B", 0.5)]},
        agents=[agent("A", conventional=0.0), agent("B")],
    )
    [e] = [e for e in sim.step() if isinstance(e, MoveRejected)]
    assert (e.agent, e.rule) == ("A", "capability")
    assert "attacked(B)" not in sim.world.facts


def test_access_to_hosted_forces_is_allowed():
    sim, _ = build(
        {("A", 1): lambda v: [v.act("grant_access", "B")]},
        agents=[agent("A", forces_hosted={"B": 10}), agent("B")],
    )
    events = sim.step()
    assert not [e for e in events if isinstance(e, MoveRejected)]
    assert "grants_access(A,B)" in sim.world.facts


def test_non_sequence_result_is_one_rejected_move():
    registry = make_registry(("bare", _Bare()))
    scenario = make_scenario(registry, [agent("A", "bare"), agent("B")])
    events = negsim.Simulation(scenario, seed=1, registry=registry).step()
    [e] = [e for e in events if isinstance(e, MoveRejected)]
    assert (e.agent, e.doctrine, e.rule) == ("A", "bare", "move-type")
    assert "str" in e.detail


class _Bare:
    @negsim.hookimpl
    def negsim_plugin_spec(self):
        return negsim.PluginSpec(role="doctrine")

    @negsim.hookimpl
    def negsim_decide(self, view):
        return "not a list of moves"


# -- plugin errors ------------------------------------------------------------------------------


def test_doctrine_that_raises_stops_the_run_naming_plugin_agent_and_round():
    boom = ValueError("deliberate failure")
    sim, _ = build(agents=[agent("A"), agent("B", "raiser")], extra=[("raiser", Raiser(2, boom))])
    sim.step()
    with pytest.raises(negsim.PluginCallError) as info:
        sim.step()
    err = info.value
    assert (err.plugin, err.agent, err.round, err.hook) == ("raiser", "B", 2, "negsim_decide")
    assert err.__cause__ is boom
    text = str(err)
    for part in ("'raiser'", "'B'", "round 2", "ValueError", "deliberate failure"):
        assert part in text
    # the original traceback is kept, down to the helper that raised
    frames = traceback.extract_tb(err.__cause__.__traceback__)
    assert frames[-1].name == "_helper"
    assert isinstance(err, negsim.SimulationError)
    assert isinstance(err, RuntimeError)


def test_raising_doctrine_through_simulate():
    registry = make_registry(("raiser", Raiser(1, KeyError("k"))))
    scenario = make_scenario(registry, [agent("A", "raiser"), agent("B")])
    with pytest.raises(negsim.PluginCallError, match=r"plugin 'raiser' raised KeyError") as info:
        negsim.simulate(scenario, registry=registry)
    assert isinstance(info.value.__cause__, KeyError)
    assert info.value.round == 1


class _BrokenWorld:
    @negsim.hookimpl
    def negsim_plugin_spec(self):
        return negsim.PluginSpec(role="world")

    @negsim.hookimpl
    def negsim_adjudicate(self, world):
        raise ZeroDivisionError("bad arithmetic")


def test_world_rules_that_raise_are_named():
    registry = make_registry(("broken", _BrokenWorld()))
    data = {
        "scenario": {"name": "t", "world_rules": "broken"},
        "agents": [agent("A"), agent("B")],
    }
    scenario = negsim.scenario.scenario_from_dict(data, registry=registry)
    with pytest.raises(negsim.PluginCallError) as info:
        negsim.simulate(scenario, registry=registry)
    err = info.value
    assert (err.plugin, err.agent, err.round, err.hook) == ("broken", None, 1, "negsim_adjudicate")
    assert isinstance(err.__cause__, ZeroDivisionError)


def test_error_names_the_right_plugin_when_two_share_a_class():
    registry = make_registry(("boom1", Raiser(1)), ("boom2", Raiser(99)))
    scenario = make_scenario(registry, [agent("A", "boom1"), agent("B", "boom2")])
    with pytest.raises(negsim.PluginCallError) as info:
        negsim.simulate(scenario, registry=registry)
    assert info.value.agent == "A"
    assert info.value.plugin == "boom1"


# -- stopping -----------------------------------------------------------------------------------


@pytest.mark.parametrize("max_rounds", [1, 2, 5])
def test_unresolved_when_the_world_never_classifies(max_rounds):
    registry = make_registry()
    scenario = make_scenario(registry, max_rounds=max_rounds)
    result = negsim.simulate(scenario, registry=registry)
    assert result.outcome is Outcome.UNRESOLVED
    assert result.rounds == max_rounds
    assert result.reason == f"no outcome after max_rounds={max_rounds}"
    assert result.events[-1] == OutcomeReached(max_rounds, Outcome.UNRESOLVED, result.reason)
    assert len(result.events_of(OutcomeReached)) == 1


def test_run_stops_when_the_world_classifies():
    registry = make_registry()
    scenario = make_scenario(registry, max_rounds=10, stop_round=3)
    sim = negsim.Simulation(scenario, seed=1, registry=registry)
    result = sim.run()
    assert (result.outcome, result.rounds) == (Outcome.SETTLEMENT, 3)
    assert sim.done
    with pytest.raises(negsim.SimulationError, match="ended in round 3"):
        sim.step()


@pytest.mark.parametrize("seed", range(6))
def test_every_run_ends_within_max_rounds(seed):
    registry = make_registry()
    scenario = negsim.scenario.scenario_from_dict(demo_data(), registry=registry)
    result = negsim.simulate(scenario, seed=seed, registry=registry)
    assert 1 <= result.rounds <= scenario.max_rounds
    assert max(e.round for e in result.events) == result.rounds
    assert isinstance(result.events[-1], OutcomeReached)
    assert result.outcome is not None


def test_nuclear_use_ends_the_run_at_once():
    sim, _ = build(
        {("A", 2): lambda v: [v.act("nuclear_strike", "B")]},
        agents=[agent("A", nuclear=5), agent("B")],
    )
    result = sim.run()
    assert (result.outcome, result.rounds) == (Outcome.ESCALATION, 2)


# -- events, observers, determinism -------------------------------------------------------------


def test_round_events_in_protocol_order():
    sim, _ = build({("A", 1): lambda v: [v.say("B", "inform"), v.act("attack", "B", 0.25)]})
    events = sim.step()
    kinds = [type(e).__name__ for e in events]
    assert kinds == ["MessageSent", "ActionTaken", "Narration", "FactChanged", "VariableChanged"]
    assert events[3] == FactChanged(1, "attacked(B)", True)
    assert events[4] == VariableChanged(1, "tension", 0.25)
    assert isinstance(events[2], Narration)


def test_observers_hear_start_every_round_and_end():
    recorder = Recorder()
    registry = make_registry(("recorder", recorder))
    scenario = make_scenario(registry, max_rounds=3)
    result = negsim.simulate(scenario, registry=registry)
    names = [c[0] for c in recorder.calls]
    assert names == ["start", "round_end", "round_end", "round_end", "end"]
    assert [c[1][0] for c in recorder.calls if c[0] == "round_end"] == [1, 2, 3]
    assert recorder.calls[-1][1] is result
    heard = [e for c in recorder.calls if c[0] == "round_end" for e in c[1][1]]
    assert heard == [e for e in result.events if not isinstance(e, OutcomeReached)]


def test_same_seed_same_log_and_seed_matters():
    registry = make_registry()
    scenario = negsim.scenario.scenario_from_dict(demo_data(), registry=registry)
    a = negsim.simulate(scenario, seed=3, registry=registry)
    b = negsim.simulate(scenario, seed=3, registry=registry)
    c = negsim.simulate(scenario, seed=4, registry=registry)
    assert a.events == b.events
    assert a == b
    assert a.events != c.events
    assert negsim.simulate(scenario, registry=registry) == negsim.simulate(
        scenario, seed=scenario.seed, registry=registry
    )


def test_agent_streams_are_independent():
    """An agent's draws do not depend on how much another agent draws."""

    def draws(a_doctrine, seed=9):
        scripted = Scripted({})
        registry = make_registry(script=scripted)
        scenario = make_scenario(registry, [agent("A", a_doctrine), agent("B")], max_rounds=3)
        negsim.Simulation(scenario, seed=seed, registry=registry).run()
        return [scripted.view("B", 1).rng.random() for _ in range(3)]

    assert draws("scripted") == draws("chatter")
    assert draws("scripted") != draws("scripted", seed=10)


def test_trace_sees_each_hook_call():
    records = []
    registry = make_registry()
    scenario = make_scenario(registry, max_rounds=2)
    negsim.simulate(scenario, registry=registry, trace=records.append)
    decides = [(r.round, r.agent) for r in records if r.hook == "negsim_decide"]
    assert decides == [(1, "A"), (1, "B"), (1, "C"), (2, "A"), (2, "B"), (2, "C")]
    assert all(r.plugins == ("scripted",) for r in records if r.hook == "negsim_decide")
