"""Tests of collective decisions: AllianceDesk directly and through runs."""

from __future__ import annotations

import itertools

import pytest

import negsim
from negsim.engine import AllianceDesk, decided_fact
from negsim.model import (
    Alliance,
    DecisionReached,
    FactChanged,
    Message,
    MoveRejected,
    ProposalClosed,
)
from tests.toyplugins import Scripted, agent, demo_data, make_registry, make_scenario

_ids = itertools.count()


def alliance(members="ABC", rule="consensus", **kw) -> Alliance:
    return Alliance(kw.pop("id", "X"), "x", "collective", list(members), rule, **kw)


def propose(sender: str, round: int, alliance_id: str = "X", **content) -> Message:
    content.setdefault("alliance", alliance_id)
    return Message(sender, ["Z"], "propose", content, round=round, id=f"{round}:{sender}:p")


def vote(sender: str, round: int, consent: bool, proposal: str) -> Message:
    return Message(
        sender,
        ["Z"],
        "vote",
        {"proposal": proposal, "consent": consent},
        round=round,
        id=f"{round}:{sender}:{next(_ids)}",
    )


class Desk:
    """An AllianceDesk with one proposal opened by ``proposer`` in round 1."""

    def __init__(self, al: Alliance, proposer: str = "A", **content) -> None:
        self.desk = AllianceDesk((al,))
        self.msg = propose(proposer, 1, al.id, **content)
        self.pid = str(content.get("proposal") or self.msg.id)
        self.desk.record(self.msg)

    def vote(self, who: str, consent: bool, round: int) -> None:
        self.desk.record(vote(who, round, consent, self.pid))

    def tally(self, round: int):
        return self.desk.tally(round)


# -- AllianceDesk directly ----------------------------------------------------------------------


def test_consensus_needs_every_member():
    d = Desk(alliance("ABC"))
    assert d.tally(1) == ([], [])  # only the proposer has consented
    d.vote("B", True, 2)
    assert d.tally(2) == ([], [])
    assert d.pid in d.desk.open
    d.vote("C", True, 3)
    events, facts = d.tally(3)
    assert len(events) == 1
    e = events[0]
    assert isinstance(e, DecisionReached)
    assert (e.alliance, e.proposal, e.decision, e.round) == ("X", d.pid, "collective_response", 3)
    assert e.consenting == ("A", "B", "C")
    assert e.rule.startswith("consensus")
    assert facts == ["decided(X,collective_response)"]
    assert d.pid not in d.desk.open


@pytest.mark.parametrize("objector", ["B", "C"])
def test_one_objection_blocks_consensus(objector):
    d = Desk(alliance("ABCD", decision_deadline=5))
    for m in "BCD":
        d.vote(m, m != objector, 2)
    events, facts = d.tally(2)
    assert facts == []
    [e] = events
    assert isinstance(e, ProposalClosed)
    assert e.blocking == (objector,)
    assert e.reason == "objection"
    assert d.desk.open == {}


def test_consensus_fails_at_the_deadline_naming_the_silent():
    d = Desk(alliance("ABC", decision_deadline=2))
    d.vote("B", True, 2)
    assert d.tally(2) == ([], [])
    events, facts = d.tally(3)  # opened in round 1, deadline 1 + 2
    [e] = events
    assert isinstance(e, ProposalClosed)
    assert e.blocking == ("C",)
    assert "deadline" in e.reason
    assert facts == []


def test_silence_procedure_passes_at_the_deadline_when_nobody_objects():
    d = Desk(alliance("ABCD", silence_procedure=True, decision_deadline=2))
    assert d.tally(1) == ([], [])
    assert d.tally(2) == ([], [])  # silence is not consent before the deadline
    events, facts = d.tally(3)
    [e] = events
    assert isinstance(e, DecisionReached)
    assert e.consenting == ("A", "B", "C", "D")
    assert "silence" in e.rule
    assert facts == [decided_fact("X", "collective_response")]


def test_breaking_silence_blocks():
    d = Desk(alliance("ABCD", silence_procedure=True, decision_deadline=3))
    d.vote("C", False, 2)
    events, _ = d.tally(2)
    [e] = events
    assert isinstance(e, ProposalClosed)
    assert e.blocking == ("C",)
    assert e.reason == "silence broken"


def test_excluded_member_does_not_count():
    """The 2003 route: the Defence Planning Committee decided without France."""
    d = Desk(alliance("ABCF", decision_deadline=5), exclude="F", decision="defend_turkey")
    d.vote("F", False, 2)  # an excluded member's objection blocks nothing
    d.vote("B", True, 2)
    assert d.tally(2) == ([], [])  # C has not consented yet
    d.vote("C", True, 3)
    events, facts = d.tally(3)
    [e] = events
    assert isinstance(e, DecisionReached)
    assert e.consenting == ("A", "B", "C")
    assert "without F" in e.rule
    assert facts == ["decided(X,defend_turkey)"]


def abstain(sender: str, round: int, proposal: str) -> Message:
    return Message(
        sender,
        ["Z"],
        "vote",
        {"proposal": proposal, "consent": False, "abstain": True},
        round=round,
        id=f"{round}:{sender}:{next(_ids)}",
    )


def test_an_abstainer_neither_blocks_nor_counts():
    """Constructive abstention (TEU Art. 31(1)): the others decide without it."""
    d = Desk(alliance("ABC", abstention_share=0.34))
    d.desk.record(abstain("C", 2, d.pid))
    assert d.tally(2) == ([], [])  # B has not consented yet
    d.vote("B", True, 3)
    [e], facts = d.tally(3)
    assert isinstance(e, DecisionReached)
    assert e.consenting == ("A", "B")
    assert "C abstained" in e.rule
    assert facts == ["decided(X,collective_response)"]


def test_more_abstainers_than_the_share_allows_block():
    d = Desk(alliance("ABCD", abstention_share=0.25))
    d.desk.record(abstain("C", 2, d.pid))
    d.desk.record(abstain("D", 2, d.pid))
    [e], facts = d.tally(2)
    assert isinstance(e, ProposalClosed)
    assert (e.blocking, e.reason) == (("C", "D"), "too many members abstained")
    assert facts == []


@pytest.mark.parametrize(
    ("share", "abstainers", "allowed"),
    [(0.0, 1, False), (0.34, 1, True), (0.34, 2, False), (0.5, 2, True)],
)
def test_may_abstain(share, abstainers, allowed):
    assert (
        alliance("ABCD" if share == 0.5 else "ABC", abstention_share=share).may_abstain(abstainers)
        is allowed
    )


def test_hub_rule_the_hub_decides():
    al = alliance("HST", "hub", hub="H", decision_deadline=3)
    d = Desk(al, proposer="S")
    d.vote("T", False, 2)  # a spoke's objection does not block
    assert d.tally(2) == ([], [])
    d.vote("H", True, 3)
    events, facts = d.tally(3)
    [e] = events
    assert isinstance(e, DecisionReached)
    assert e.consenting == ("H",)
    assert facts == ["decided(X,collective_response)"]


def test_hub_rule_the_hub_objects():
    d = Desk(alliance("HST", "hub", hub="H"), proposer="S")
    d.vote("H", False, 2)
    [e], facts = d.tally(2)
    assert isinstance(e, ProposalClosed)
    assert e.blocking == ("H",)
    assert facts == []


def test_hub_proposing_decides_at_once():
    d = Desk(alliance("HST", "hub", hub="H"), proposer="H")
    [e], _ = d.tally(1)
    assert isinstance(e, DecisionReached)
    assert e.consenting == ("H",)


@pytest.mark.parametrize(
    ("members", "yes", "no", "passed"),
    [
        ("ABCDE", "BC", "", True),  # 3 of 5
        ("ABCDE", "B", "CD", None),  # 2 yes, 2 no: undecided
        ("ABCDE", "B", "CDE", False),  # 3 of 5 object
        ("ABCD", "B", "", None),  # 2 of 4 is not more than half
        ("ABCD", "BC", "", True),
        ("ABCD", "", "CD", False),  # the proposal can no longer win
    ],
)
def test_majority_rule(members, yes, no, passed):
    d = Desk(alliance(members, "majority", decision_deadline=9))
    for m in yes:
        d.vote(m, True, 2)
    for m in no:
        d.vote(m, False, 2)
    events, facts = d.tally(2)
    if passed is None:
        assert events == []
        return
    [e] = events
    assert isinstance(e, DecisionReached if passed else ProposalClosed)
    assert bool(facts) is passed
    if passed:
        assert e.consenting == tuple(sorted("A" + yes))


def test_named_proposal_and_open_for():
    desk = AllianceDesk((alliance("AB", id="X"), alliance("BC", id="Y")))
    desk.record(propose("A", 1, "X", proposal="p-x", decision="consult"))
    desk.record(propose("C", 1, "Y"))
    assert [p.id for p in desk.open_for("A")] == ["p-x"]
    assert sorted(p.id for p in desk.open_for("B")) == ["1:C:p", "p-x"]
    assert [p.alliance for p in desk.open_for("C")] == ["Y"]
    p = desk.open["p-x"]
    assert (p.proposer, p.opened, p.deadline, p.decision) == ("A", 1, 4, "consult")
    assert dict(p.votes) == {"A": True}
    by_agent = desk.open_by_agent()
    assert by_agent == {a: desk.open_for(a) for a in "ABC"}
    assert desk.open_for("D") == by_agent.get("D", ()) == ()


def test_decided_fact_format():
    assert decided_fact("NATO", "collective_response") == "decided(NATO,collective_response)"
    assert negsim.logic.parse(decided_fact("US-ROK", "x")).key == "decided(US-ROK,x)"


# -- through runs -------------------------------------------------------------------------------


def run(script, alliances, agents="ABC", max_rounds=6):
    scripted = Scripted(script)
    registry = make_registry(script=scripted)
    scenario = make_scenario(
        registry, [agent(a) for a in agents], alliances=alliances, max_rounds=max_rounds
    )
    sim = negsim.Simulation(scenario, seed=1, registry=registry)
    return sim, scripted


def ally(members="ABC", rule="consensus", **kw):
    table = {
        "id": "X",
        "name": "x",
        "kind": "collective",
        "members": list(members),
        "decision_rule": rule,
    }
    table.update(kw)
    return table


def say_propose(v):
    return [v.say(["B", "C"], "propose", alliance="X", proposal="p1")]


def say_vote(consent):
    def play(v):
        return [v.say("A", "vote", proposal="p1", consent=consent)]

    return play


def test_decided_fact_appears_the_round_the_decision_is_reached():
    sim, scripted = run(
        {("A", 1): say_propose, ("B", 2): say_vote(True), ("C", 3): say_vote(True)},
        [ally()],
    )
    fact = "decided(X,collective_response)"
    sim.step()
    assert [p.id for p in scripted.view("B", 1).proposals] == []
    sim.step()
    assert [p.id for p in scripted.view("C", 2).proposals] == ["p1"]
    assert fact not in sim.world.facts
    events = sim.step()
    assert fact in sim.world.facts
    [decision] = [e for e in events if isinstance(e, DecisionReached)]
    assert decision.consenting == ("A", "B", "C")
    assert FactChanged(3, fact, True) in events
    sim.step()
    assert scripted.view("A", 4).holds(fact)
    assert scripted.view("A", 4).proposals == ()


def test_objection_through_a_run_blocks():
    sim, _ = run(
        {("A", 1): say_propose, ("B", 2): say_vote(True), ("C", 2): say_vote(False)},
        [ally()],
    )
    result = sim.run()
    assert result.events_of(DecisionReached) == ()
    [closed] = result.events_of(ProposalClosed)
    assert (closed.round, closed.blocking) == (2, ("C",))
    assert not any(f.startswith("decided(") for f in result.world.facts)


def test_silence_procedure_through_a_run():
    sim, _ = run({("A", 1): say_propose}, [ally(silence_procedure=True, decision_deadline=2)])
    result = sim.run()
    [decision] = result.events_of(DecisionReached)
    assert decision.round == 3
    assert "decided(X,collective_response)" in result.world.facts


def test_exclusion_through_a_run():
    def propose_without_c(v):
        return [v.say(["B", "C"], "propose", alliance="X", proposal="p1", exclude="C")]

    sim, _ = run(
        {("A", 1): propose_without_c, ("B", 2): say_vote(True), ("C", 2): say_vote(False)},
        [ally(decision_deadline=4)],
    )
    result = sim.run()
    [decision] = result.events_of(DecisionReached)
    assert (decision.round, decision.consenting) == (2, ("A", "B"))


def test_deadline_failure_through_a_run():
    sim, _ = run({("A", 1): say_propose, ("B", 2): say_vote(True)}, [ally(decision_deadline=2)])
    result = sim.run()
    [closed] = result.events_of(ProposalClosed)
    assert (closed.round, closed.blocking) == (3, ("C",))


@pytest.mark.parametrize(
    ("script", "rule"),
    [
        # a non-member votes on an open proposal
        ({("A", 1): say_propose, ("D", 2): say_vote(True)}, "vote-eligible"),
        # a vote on no open proposal
        ({("B", 1): say_vote(True)}, "vote-eligible"),
        # consent must be a boolean
        (
            {
                ("A", 1): say_propose,
                ("B", 2): lambda v: [v.say("A", "vote", proposal="p1", consent="yes")],
            },
            "vote-eligible",
        ),
        # a non-member proposes
        ({("D", 1): lambda v: [v.say("A", "propose", alliance="X")]}, "alliance-member"),
        # abstention where the alliance does not allow it
        (
            {
                ("A", 1): say_propose,
                ("B", 2): lambda v: [
                    v.say("A", "vote", proposal="p1", consent=False, abstain=True)
                ],
            },
            "abstention",
        ),
        ({("A", 1): lambda v: [v.say("B", "propose", alliance="NOPE")]}, "alliance-member"),
    ],
)
def test_ineligible_votes_and_proposals_are_rejected(script, rule):
    sim, _ = run(script, [ally()], agents="ABCD")
    result = sim.run()
    [rejected] = result.events_of(MoveRejected)
    assert rejected.rule == rule
    assert rejected.doctrine == "scripted"
    assert result.events_of(DecisionReached) == ()


def test_consensus_never_decides_without_every_member():
    """Over many random runs, every consensus decision carries every voter's consent."""
    registry = make_registry()
    scenario = negsim.scenario.scenario_from_dict(demo_data(), registry=registry)
    members = {al.id: set(al.members) for al in scenario.alliances}
    decisions = 0
    for seed in range(8):
        result = negsim.simulate(scenario, seed=seed, registry=registry)
        votes: dict[str, dict[str, bool]] = {}
        for e in result.events:
            if isinstance(e, negsim.model.MessageSent):
                m = e.message
                if m.performative == "propose":
                    votes[m.id] = {m.sender: True}
                elif m.performative == "vote":
                    votes[m.content["proposal"]][m.sender] = m.content["consent"]
            elif isinstance(e, DecisionReached) and e.rule.startswith("consensus"):
                decisions += 1
                assert set(e.consenting) == members[e.alliance]
                assert all(votes[e.proposal].get(m) is True for m in members[e.alliance])
    assert decisions > 0
