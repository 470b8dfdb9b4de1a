"""Tests of the commitment lifecycle: CommitmentMonitor directly and through runs."""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import negsim
from negsim.engine import CommitmentMonitor
from negsim.errors import PropositionError
from negsim.model import (
    TRANSITIONS,
    Commitment,
    CommitmentChanged,
    CommitmentCreated,
    CommitmentState,
    MoveRejected,
)
from tests.toyplugins import Scripted, agent, demo_data, make_registry, make_scenario

S = CommitmentState
ATTACKED = "attacked(B)"
RESPONDS = "responds(A,B)"


def treaty(**kw) -> Commitment:
    fields = {
        "id": "c",
        "debtor": "A",
        "creditor": "B",
        "antecedent": ATTACKED,
        "consequent": RESPONDS,
        **kw,
    }
    return Commitment(**fields)


class Driver:
    """Feeds a monitor one world per round, as the engine does (changed = symmetric diff)."""

    def __init__(self, *commitments: Commitment, facts: frozenset[str] = frozenset()) -> None:
        self.monitor = CommitmentMonitor(commitments)
        self.facts = frozenset(facts)
        self.round = 0
        self.log: list[CommitmentChanged] = list(self.monitor.update(self.facts, self.facts, 0))

    def step(self, *facts: str) -> list[tuple[str, S, S]]:
        self.round += 1
        new = frozenset(facts)
        events = self.monitor.update(new, self.facts ^ new, self.round)
        self.facts = new
        self.log += events
        return [(e.commitment, e.old, e.new) for e in events]

    def state(self, cid: str = "c") -> S:
        return self.monitor.current[cid].state


# -- CommitmentMonitor directly ------------------------------------------------------------


def test_conditional_detached_discharged():
    d = Driver(treaty(deadline=3))
    assert d.step() == []
    assert d.state() is S.CONDITIONAL
    assert d.step(ATTACKED) == [("c", S.CONDITIONAL, S.DETACHED)]
    assert d.monitor.current["c"].detached_at == 2
    assert d.step(ATTACKED) == []
    assert d.step(ATTACKED, RESPONDS) == [("c", S.DETACHED, S.DISCHARGED)]
    assert d.state() is S.DISCHARGED


@pytest.mark.parametrize("deadline", [1, 2, 3, 5])
def test_detached_violated_exactly_at_the_deadline(deadline):
    d = Driver(treaty(deadline=deadline))
    assert d.step(ATTACKED) == [("c", S.CONDITIONAL, S.DETACHED)]
    for _ in range(deadline - 1):  # nothing changes in the world, and nothing happens yet
        assert d.step(ATTACKED) == []
        assert d.state() is S.DETACHED
    assert d.step(ATTACKED) == [("c", S.DETACHED, S.VIOLATED)]
    assert d.round == 1 + deadline


def test_violation_holds_even_if_the_antecedent_stops_holding():
    d = Driver(treaty(deadline=2))
    d.step(ATTACKED)
    d.step()  # the attack ends; the debtor still owed the response
    assert d.step() == [("c", S.DETACHED, S.VIOLATED)]


def test_consequent_in_time_discharges_at_the_deadline_round():
    d = Driver(treaty(deadline=2))
    d.step(ATTACKED)
    d.step(ATTACKED)
    assert d.step(ATTACKED, RESPONDS) == [("c", S.DETACHED, S.DISCHARGED)]


def test_deadline_zero_violates_in_the_detaching_round():
    d = Driver(treaty(deadline=0))
    assert d.step(ATTACKED) == [
        ("c", S.CONDITIONAL, S.DETACHED),
        ("c", S.DETACHED, S.VIOLATED),
    ]


def test_deadline_zero_with_consequent_discharges():
    d = Driver(treaty(deadline=0))
    assert d.step(ATTACKED, RESPONDS) == [("c", S.CONDITIONAL, S.DISCHARGED)]


def test_conditional_to_discharged_when_both_hold_at_once():
    d = Driver(treaty(deadline=2))
    assert d.step(ATTACKED, RESPONDS) == [("c", S.CONDITIONAL, S.DISCHARGED)]
    assert d.monitor.current["c"].detached_at is None


def test_no_deadline_stays_detached_until_discharged():
    d = Driver(treaty(deadline=None))
    d.step(ATTACKED)
    for _ in range(40):
        assert d.step(ATTACKED) == []
    assert d.state() is S.DETACHED
    assert d.step(ATTACKED, RESPONDS) == [("c", S.DETACHED, S.DISCHARGED)]


def test_expired_after_expires_even_when_nothing_changes():
    d = Driver(treaty(expires=2))
    assert d.step() == []
    assert d.step() == []  # round 2 is the last round it can detach
    assert d.step() == [("c", S.CONDITIONAL, S.EXPIRED)]
    assert d.step(ATTACKED) == []
    assert d.state() is S.EXPIRED


def test_antecedent_after_expiry_does_not_detach():
    d = Driver(treaty(expires=1))
    d.step()
    assert d.step(ATTACKED) == [("c", S.CONDITIONAL, S.EXPIRED)]


def test_antecedent_before_expiry_detaches_and_expiry_no_longer_applies():
    d = Driver(treaty(expires=2, deadline=None))
    d.step()
    assert d.step(ATTACKED) == [("c", S.CONDITIONAL, S.DETACHED)]
    for _ in range(5):
        assert d.step(ATTACKED) == []
    assert d.state() is S.DETACHED


def test_antecedent_true_at_the_start_detaches_in_round_zero():
    d = Driver(treaty(deadline=1), facts=frozenset({ATTACKED}))
    assert [(e.old, e.new, e.round) for e in d.log] == [(S.CONDITIONAL, S.DETACHED, 0)]
    assert d.step(ATTACKED) == [("c", S.DETACHED, S.VIOLATED)]


@pytest.mark.parametrize("how", [S.CANCELLED, S.RELEASED])
@pytest.mark.parametrize("detach_first", [False, True])
def test_cancel_and_release_end_an_active_commitment(how, detach_first):
    d = Driver(treaty(deadline=1))
    if detach_first:
        d.step(ATTACKED)
    before = d.state()
    events = d.monitor.end("c", how, d.round + 1)
    assert [(e.old, e.new) for e in events] == [(before, how)]
    d.round += 1
    # terminal: later worlds change nothing, and ending again is a no-op
    assert d.step(ATTACKED) == []
    assert d.step(ATTACKED, RESPONDS) == []
    assert d.monitor.end("c", S.RELEASED, d.round) == []
    assert d.state() is how


@pytest.mark.parametrize(
    ("facts", "final"),
    [
        ((ATTACKED, RESPONDS), S.DISCHARGED),
        ((ATTACKED,), S.VIOLATED),
    ],
)
def test_terminal_states_stay_terminal(facts, final):
    d = Driver(treaty(deadline=0))
    d.step(*facts)
    assert d.state() is final
    for world in [(), (ATTACKED,), (RESPONDS,), (ATTACKED, RESPONDS), ()]:
        assert d.step(*world) == []
    assert d.state() is final
    assert d.monitor.end("c", S.CANCELLED, d.round) == []


def test_unrelated_facts_do_not_move_a_commitment():
    d = Driver(treaty(deadline=None))
    assert d.step("attacked(C)", "responds(A,C)") == []
    assert d.state() is S.CONDITIONAL


def test_compound_propositions():
    c = treaty(
        antecedent="attacked(B) & ~denies_access(JPN,USA)",
        consequent="responds(A,B) | concedes(A,C)",
        deadline=2,
    )
    d = Driver(c)
    assert d.step(ATTACKED, "denies_access(JPN,USA)") == []
    assert d.step(ATTACKED) == [("c", S.CONDITIONAL, S.DETACHED)]
    assert d.step("concedes(A,C)") == [("c", S.DETACHED, S.DISCHARGED)]


def test_of_lists_each_party_and_follows_transitions():
    d = Driver(treaty(id="c1"), treaty(id="c0", debtor="B", creditor="C"))
    assert [c.id for c in d.monitor.of("A")] == ["c1"]
    assert [c.id for c in d.monitor.of("B")] == ["c0", "c1"]
    assert d.monitor.of("Z") == ()
    d.step(ATTACKED)
    assert {c.id: c.state for c in d.monitor.of("B")} == {"c0": S.DETACHED, "c1": S.DETACHED}
    d.monitor.add(treaty(id="c2", debtor="C", creditor="A"))
    assert [c.id for c in d.monitor.of("A")] == ["c1", "c2"]
    assert [c.id for c in d.monitor.all()] == ["c0", "c1", "c2"]


def test_built_holds_what_of_gives_and_drops_an_agent_a_commitment_is_added_for():
    d = Driver(treaty(id="c1"), treaty(id="c0", debtor="B", creditor="C"))
    for who in "ABC":
        d.monitor.of(who)
    assert dict(d.monitor.built) == {a: d.monitor.of(a) for a in "ABC"}
    d.step(ATTACKED)  # a transition replaces the commitment in the built views
    assert d.monitor.built["B"] == d.monitor.of("B")
    assert {c.state for c in d.monitor.built["B"]} == {S.DETACHED}
    d.monitor.add(treaty(id="c2", debtor="C", creditor="A"))
    assert set(d.monitor.built) == {"B"}  # A's and C's are built again when asked
    assert [c.id for c in d.monitor.of("A")] == ["c1", "c2"]
    assert [c.id for c in d.monitor.built["A"]] == ["c1", "c2"]


def test_a_view_shows_a_commitment_made_in_the_round_before():
    """The round loop reads the built views: an agent's new commitment reaches its view."""
    script = Scripted(
        {("A", 1): lambda view: [view.say("B", "pledge", consequent="responds(A,B)")]}
    )
    registry = make_registry(script=script)
    negsim.simulate(make_scenario(registry, max_rounds=3), registry=registry)
    assert script.views[("A", 1)].commitments == ()
    for who in ("A", "B"):
        assert [c.debtor for c in script.views[(who, 2)].commitments] == ["A"]
    assert script.views[("C", 2)].commitments == ()


def test_added_commitment_is_examined_at_the_next_update():
    d = Driver()
    d.step(ATTACKED)
    d.monitor.add(treaty(deadline=None))
    assert d.step(ATTACKED) == [("c", S.CONDITIONAL, S.DETACHED)]


def test_unparsable_proposition_is_refused():
    with pytest.raises(PropositionError, match="column"):
        CommitmentMonitor([treaty(consequent="responds(A,")])


# -- invariants over arbitrary worlds ---------------------------------------------------------

ATOMS = (ATTACKED, RESPONDS, "attacked(C)")


@settings(max_examples=300, deadline=None)
@given(
    worlds=st.lists(st.frozensets(st.sampled_from(ATOMS)), min_size=1, max_size=12),
    deadline=st.none() | st.integers(0, 4),
    expires=st.none() | st.integers(0, 6),
    ends=st.lists(st.tuples(st.integers(1, 12), st.sampled_from([S.CANCELLED, S.RELEASED]))),
)
def test_histories_are_paths_of_the_machine(worlds, deadline, expires, ends):
    c = treaty(deadline=deadline, expires=expires, antecedent="attacked(B) | attacked(C)")
    d = Driver(c)
    seen = [{"round": 0, "facts": d.facts}]
    end_at = dict(ends)
    for facts in worlds:
        if d.round + 1 in end_at:
            d.log += d.monitor.end("c", end_at[d.round + 1], d.round + 1)
        d.step(*facts)
        seen.append({"round": d.round, "facts": d.facts})
    state = S.CONDITIONAL
    detached_at = None
    for e in d.log:
        assert e.old is state
        assert e.new in TRANSITIONS[state]
        state = e.new
        if e.new is S.DETACHED:
            detached_at = e.round
        if e.new is S.VIOLATED:
            # the antecedent held when it detached, and the consequent never held since
            assert detached_at is not None
            assert {ATTACKED, "attacked(C)"} & seen[detached_at]["facts"]
            assert all(RESPONDS not in w["facts"] for w in seen[detached_at : e.round + 1])
            assert e.round - detached_at == deadline
        if e.new is S.EXPIRED:
            assert expires is not None
            assert e.round == expires + 1
    assert d.state() is state


# -- through runs -------------------------------------------------------------------------------


def run(script, agents=None, **kw):
    scripted = Scripted(script)
    registry = make_registry(script=scripted)
    scenario = make_scenario(registry, agents or [agent("A"), agent("B"), agent("C")], **kw)
    return negsim.simulate(scenario, seed=1, registry=registry), scripted


def histories(result) -> dict[str, list[tuple[int, S]]]:
    out: defaultdict[str, list[tuple[int, S]]] = defaultdict(list)
    for e in result.events:
        if isinstance(e, CommitmentCreated):
            out[e.commitment.id].append((e.round, e.commitment.state))
        elif isinstance(e, CommitmentChanged):
            out[e.commitment].append((e.round, e.new))
    return dict(out)


@pytest.mark.parametrize("performative", ["pledge", "promise", "threaten"])
def test_committing_message_creates_one_commitment_per_recipient(performative):
    def say(view):
        return [
            view.say(["B", "C"], performative, antecedent=ATTACKED, consequent=RESPONDS, deadline=2)
        ]

    result, _ = run({("A", 1): say}, max_rounds=2)
    created = [e.commitment for e in result.events if isinstance(e, CommitmentCreated)]
    assert [(c.debtor, c.creditor) for c in created] == [("A", "B"), ("A", "C")]
    assert {c.id for c in created} == {"1:A:0/B", "1:A:0/C"}
    assert all(c.source == "1:A:0" and c.deadline == 2 for c in created)
    assert all(c.antecedent == ATTACKED and c.consequent == RESPONDS for c in created)
    assert all(e.round == 1 for e in result.events if isinstance(e, CommitmentCreated))


def test_message_without_consequent_creates_nothing():
    result, _ = run({("A", 1): lambda v: [v.say("B", "threaten", text="or else")]}, max_rounds=1)
    assert result.events_of(CommitmentCreated) == ()
    assert result.commitments == ()


def test_pledge_lifecycle_through_a_run():
    script = {
        ("A", 1): lambda v: [
            v.say("B", "pledge", antecedent=ATTACKED, consequent=RESPONDS, deadline=2)
        ],
        ("C", 2): lambda v: [v.act("attack", "B")],
        ("A", 3): lambda v: [v.act("respond", "B")],
    }
    result, scripted = run(script, max_rounds=4)
    assert histories(result)["1:A:0/B"] == [(1, S.CONDITIONAL), (2, S.DETACHED), (3, S.DISCHARGED)]
    # the debtor and the creditor see it in their views; a third party does not
    assert [c.id for c in scripted.view("A", 2).commitments] == ["1:A:0/B"]
    assert [c.id for c in scripted.view("B", 2).commitments] == ["1:A:0/B"]
    assert scripted.view("C", 2).commitments == ()
    assert scripted.view("B", 3).commitments[0].state is S.DETACHED


def test_broken_pledge_is_violated_at_its_deadline():
    script = {
        ("A", 1): lambda v: [
            v.say("B", "pledge", antecedent=ATTACKED, consequent=RESPONDS, deadline=2)
        ],
        ("C", 2): lambda v: [v.act("attack", "B")],
    }
    result, _ = run(script, max_rounds=6)
    assert histories(result)["1:A:0/B"] == [(1, S.CONDITIONAL), (2, S.DETACHED), (4, S.VIOLATED)]
    assert result.metrics["commitments_violated"] == 1.0
    assert {c.id: c.state for c in result.commitments} == {"1:A:0/B": S.VIOLATED}


def test_treaty_from_scenario_follows_the_world():
    treaties = [
        {
            "id": "t",
            "debtor": "A",
            "creditor": "B",
            "antecedent": ATTACKED,
            "consequent": RESPONDS,
            "deadline": 0,
        }
    ]
    result, _ = run(
        {("C", 3): lambda v: [v.act("attack", "B")]}, commitments=treaties, max_rounds=5
    )
    assert histories(result)["t"] == [(3, S.DETACHED), (3, S.VIOLATED)]


@pytest.mark.parametrize(
    ("who", "performative", "state"),
    [
        ("A", "cancel", S.CANCELLED),
        ("B", "release", S.RELEASED),
    ],
)
def test_cancel_by_debtor_and_release_by_creditor(who, performative, state):
    treaties = [
        {
            "id": "t",
            "debtor": "A",
            "creditor": "B",
            "antecedent": ATTACKED,
            "consequent": RESPONDS,
            "deadline": 3,
        }
    ]
    other = "B" if who == "A" else "A"
    script = {
        ("C", 1): lambda v: [v.act("attack", "B")],
        (who, 2): lambda v: [v.say(other, performative, commitment="t")],
        # later attempts change nothing: terminal states stay terminal
        ("A", 3): lambda v: [v.act("respond", "B")],
        (who, 4): lambda v: [v.say(other, performative, commitment="t")],
    }
    result, _ = run(script, commitments=treaties, max_rounds=6)
    assert histories(result)["t"] == [(1, S.DETACHED), (2, state)]
    assert result.events_of(MoveRejected) == ()


@pytest.mark.parametrize(
    ("who", "performative"),
    [
        ("B", "cancel"),  # the creditor cannot cancel
        ("C", "cancel"),
        ("A", "release"),  # the debtor cannot release itself
        ("C", "release"),
    ],
)
def test_only_the_right_party_ends_a_commitment(who, performative):
    treaties = [{"id": "t", "debtor": "A", "creditor": "B", "consequent": RESPONDS}]
    to = "A" if who != "A" else "B"
    result, _ = run(
        {(who, 1): lambda v: [v.say(to, performative, commitment="t")]},
        commitments=treaties,
        max_rounds=2,
    )
    rejected = result.events_of(MoveRejected)
    assert [(e.agent, e.rule) for e in rejected] == [(who, "commitment-party")]
    assert "t" in rejected[0].detail
    assert {c.id: c.state for c in result.commitments} == {"t": S.DETACHED}


def test_every_history_in_a_busy_run_is_a_path_of_the_machine():
    registry = make_registry()
    scenario = negsim.scenario.scenario_from_dict(demo_data(), registry=registry)
    for seed in range(5):
        result = negsim.simulate(scenario, seed=seed, registry=registry)
        final = {c.id: c.state for c in result.commitments}
        assert final
        for cid, history in histories(result).items():
            states = [s for _, s in history]
            start = S.CONDITIONAL
            if cid in {c.id for c in scenario.commitments}:
                states = [S.CONDITIONAL, *states]
            assert states[0] is start
            for old, new in itertools.pairwise(states):
                assert new in TRANSITIONS[old], (cid, states)
            assert states[-1] is final[cid]
            rounds = [r for r, _ in history]
            assert rounds == sorted(rounds)


def _fresh_view(monitor: CommitmentMonitor, who: str) -> tuple[Commitment, ...]:
    """What ``monitor.of(who)`` must be, worked out from scratch."""
    return tuple(c for c in monitor.all() if who in (c.debtor, c.creditor))


def test_each_agents_view_follows_every_change_round_by_round():
    """The views replace a changed commitment in place; they equal fresh ones throughout."""
    registry = make_registry()
    scenario = negsim.scenario.scenario_from_dict(demo_data(), registry=registry)
    changes = 0
    for seed in range(5):
        sim = negsim.Simulation(scenario, seed=seed, registry=registry)
        for who in scenario.agent_ids:
            sim.monitor.of(who)  # cached before any change, so changes update them
        while not sim.done:
            events = sim.step()
            changes += sum(isinstance(e, CommitmentChanged) for e in events)
            for who in scenario.agent_ids:
                assert sim.monitor.of(who) == _fresh_view(sim.monitor, who)
    assert changes > 10  # the runs did move commitments


@settings(max_examples=100, deadline=None)
@given(worlds=st.lists(st.frozensets(st.sampled_from(ATOMS)), min_size=1, max_size=8))
def test_views_match_fresh_ones_whatever_the_world_does(worlds):
    monitor = CommitmentMonitor(
        [
            treaty(id="c1", deadline=1),
            treaty(id="c2", debtor="B", creditor="A", antecedent="attacked(C)"),
            treaty(id="c3", debtor="C", creditor="A", consequent="attacked(B)", deadline=2),
        ]
    )
    facts: frozenset[str] = frozenset()
    for who in "ABC":
        monitor.of(who)
    for t, new in enumerate(worlds, start=1):
        monitor.update(new, facts ^ new, t)
        facts = new
        for who in "ABC":
            assert monitor.of(who) == _fresh_view(monitor, who)


def test_scenarios_with_the_same_commitments_share_one_template():
    """A sweep's points differ in parameters, not treaties: they share the opening work."""
    registry = make_registry()
    data = demo_data()
    first = negsim.scenario.scenario_from_dict(data, registry=registry)
    second = negsim.scenario.scenario_from_dict(data, registry=registry)
    assert first is not second
    assert first.commitments == second.commitments
    a, opening_a = CommitmentMonitor.for_scenario(first)
    b, opening_b = CommitmentMonitor.for_scenario(second)
    assert opening_a == opening_b
    assert a.all() == b.all()
    cid = first.commitments[0].id
    assert a._predicates[cid] is b._predicates[cid]  # compiled once, shared
    other = negsim.scenario.scenario_from_dict(
        {**data, "world": {**data["world"], "facts": ["attacked(ROK)"]}}, registry=registry
    )
    c, _ = CommitmentMonitor.for_scenario(other)
    assert c._predicates[cid] is not a._predicates[cid]  # other opening facts: its own
