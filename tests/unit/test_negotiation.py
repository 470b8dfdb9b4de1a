"""Negotiations: issue spaces, protocols as plugins, agreements that become commitments."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import pytest

import negsim
from negsim.model import (
    AgentView,
    CommitmentCreated,
    Issue,
    MoveRejected,
    Negotiation,
    NegotiationEnded,
    NegotiationOpened,
    SessionStatus,
)
from negsim.scenario import dump_scenario, scenario_from_dict
from negsim_protocols import alternating, consensus, silence, single_text
from tests.toyplugins import Scripted, agent, make_registry

PROTOCOLS = [
    ("alternating_offers", alternating),
    ("consensus", consensus),
    ("silence", silence),
    ("single_text", single_text),
]

DEMAND = {"name": "demand", "kind": "continuous", "low": 0.0, "high": 1.0}
PAYMENT = {
    "name": "payment",
    "kind": "discrete",
    "values": [0, 1, 2],
    "debtor": "B",
    "consequent": "paid(B,A)",
    "deadline": 2,
}

Play = Callable[[AgentView], Sequence[object]]


def run(
    script: dict[tuple[str, int], Play],
    protocol: str,
    *,
    parties: Sequence[str] = ("A", "B"),
    mediator: str = "",
    params: dict[str, Any] | None = None,
    deadline: int = 6,
    opens: int = 1,
    max_rounds: int = 8,
    opens_on: str = "",
) -> tuple[negsim.Result, Scripted, negsim.Simulation]:
    scripted = Scripted(script)
    registry = make_registry(*PROTOCOLS, script=scripted)
    data = {
        "scenario": {"name": "talks", "world_rules": "toy", "max_rounds": max_rounds},
        "agents": [agent("A"), agent("B"), agent("C")],
        "negotiations": [
            {
                "id": "talks",
                "protocol": protocol,
                "parties": list(parties),
                "mediator": mediator,
                "issues": [DEMAND, PAYMENT],
                "opens": opens,
                "deadline": deadline,
                "params": params or {},
                "opens_on": opens_on,
            }
        ],
    }
    scenario = scenario_from_dict(data, registry=registry)
    sim = negsim.Simulation(scenario, seed=1, registry=registry)
    return sim.run(), scripted, sim


def ended(result: negsim.Result) -> NegotiationEnded:
    [event] = result.events_of(NegotiationEnded)
    assert isinstance(event, NegotiationEnded)
    return event


def rejected(result: negsim.Result) -> list[tuple[str, str, str]]:
    return [(e.agent, e.rule, e.detail) for e in result.events_of(MoveRejected)]  # type: ignore[attr-defined]


# -- the engine's part ---------------------------------------------------------------------


def test_a_negotiation_opens_and_its_parties_see_it() -> None:
    result, script, _ = run({}, "alternating_offers", opens=2)
    [opened] = result.events_of(NegotiationOpened)
    assert opened.round == 2
    assert script.view("A", 1).sessions == ()
    [session] = script.view("A", 2).sessions
    assert session.status is SessionStatus.OPEN
    assert session.turn == ("A",)
    assert script.view("C", 2).sessions == ()


def test_a_fact_opens_a_negotiation_the_round_after_and_its_window_moves() -> None:
    """``opens_on``: closed until the fact holds at a round's start; then open for
    ``deadline - opens`` rounds (here 3 - 1 = 2) from that round."""
    script = {("C", 3): lambda v: [v.act("mobilize", set="crisis(B)")]}
    result, seen, _ = run(script, "alternating_offers", opens_on="crisis(B)", deadline=3)
    [opened] = result.events_of(NegotiationOpened)
    assert opened.round == 4
    assert seen.view("A", 3).sessions == ()
    [session] = seen.view("A", 4).sessions
    assert (session.negotiation.opens, session.negotiation.deadline) == (4, 6)
    event = ended(result)
    assert (event.round, event.agreed, event.note) == (6, False, "no agreement by round 6")


def test_a_negotiation_whose_fact_never_holds_never_opens() -> None:
    result, seen, sim = run({}, "alternating_offers", opens_on="crisis(B)")
    assert result.events_of(NegotiationOpened) == ()
    assert seen.view("A", 8).sessions == ()
    assert sim.sessions["talks"].status is SessionStatus.PENDING


def test_agreed_numbers_become_world_variables_for_the_world_rules() -> None:
    script = {
        ("A", 1): lambda v: [v.offer("talks", demand=0.6, payment=2)],
        ("B", 2): lambda v: [v.accept("talks")],
    }
    result, _, _ = run(script, "alternating_offers")
    variables = result.world.variables
    assert (variables["term(talks,demand)"], variables["term(talks,payment)"]) == (0.6, 2.0)


def test_unagreed_by_the_deadline_it_fails_and_the_world_knows() -> None:
    result, _, sim = run({}, "alternating_offers", deadline=3)
    event = ended(result)
    assert (event.round, event.agreed, event.note) == (3, False, "no agreement by round 3")
    assert "failed(talks)" in result.world.facts
    assert sim.sessions["talks"].status is SessionStatus.FAILED


def test_an_agreement_becomes_commitments_one_per_term_with_a_debtor() -> None:
    script = {
        ("A", 1): lambda v: [v.offer("talks", demand=0.6, payment=2)],
        ("B", 2): lambda v: [v.accept("talks")],
    }
    result, _, _ = run(script, "alternating_offers")
    event = ended(result)
    assert event.agreed
    assert dict(event.terms) == {"demand": 0.6, "payment": 2}
    assert "agreed(talks)" in result.world.facts
    created = [e.commitment for e in result.events_of(CommitmentCreated)]  # type: ignore[attr-defined]
    assert [(c.id, c.debtor, c.creditor, c.consequent, c.deadline) for c in created] == [
        ("talks/payment/A", "B", "A", "paid(B,A)", 2)
    ]


def test_an_offer_outside_the_issue_space_is_rejected() -> None:
    script = {("A", 1): lambda v: [v.offer("talks", demand=1.5), v.offer("talks", payment=7)]}
    result, _, _ = run(script, "alternating_offers", max_rounds=1)
    assert rejected(result) == [
        ("A", "issue-space", "'demand' must be from 0 to 1: 1.5"),
        ("A", "issue-space", "'payment' must be one of 0, 1, 2: 7"),
    ]


def test_an_unknown_issue_and_an_empty_offer_are_rejected() -> None:
    script = {("A", 1): lambda v: [v.offer("talks", bribe=1.0), v.offer("talks")]}
    result, _, _ = run(script, "alternating_offers", max_rounds=1)
    assert [r[2] for r in rejected(result)] == [
        "no issue 'bribe'; valid: demand, payment",
        "an offer must settle at least one issue",
    ]


def test_only_the_party_whose_turn_it_is_moves() -> None:
    script = {("B", 1): lambda v: [v.offer("talks", demand=0.2)]}
    result, _, _ = run(script, "alternating_offers", max_rounds=1)
    [(who, rule, detail)] = rejected(result)
    assert (who, rule) == ("B", "negotiation-move")
    assert "its turn: A" in detail


def test_a_move_in_another_negotiation_is_rejected() -> None:
    def elsewhere(v: AgentView) -> list[object]:
        return [attrs.evolve(v.say("B", "offer"), negotiation="other")]

    result, _, _ = run({("A", 1): elsewhere}, "alternating_offers", max_rounds=1)
    assert rejected(result)[0][:2] == ("A", "negotiation-move")


def test_the_moves_are_seen_by_the_parties_only() -> None:
    script = {("A", 1): lambda v: [v.offer("talks", demand=0.5)]}
    _, scripted, _ = run(script, "alternating_offers", max_rounds=2)
    kinds = {a: {e.kind for e in scripted.view(a, 2).observed} for a in "ABC"}
    assert "negotiation_opened" in kinds["A"]
    assert "message" in kinds["B"]
    assert not {"negotiation_opened", "message"} & kinds["C"]


# -- alternating offers ---------------------------------------------------------------------


def test_alternating_offers_counter_then_accept() -> None:
    script = {
        ("A", 1): lambda v: [v.offer("talks", demand=0.8)],
        ("B", 2): lambda v: [v.offer("talks", demand=0.5)],
        ("A", 3): lambda v: [v.accept("talks")],
    }
    result, scripted, _ = run(script, "alternating_offers")
    assert scripted.view("B", 2).session("talks").turn == ("B",)
    assert dict(ended(result).terms) == {"demand": 0.5}
    assert ended(result).round == 3


def test_a_rejection_breaks_off() -> None:
    script = {
        ("A", 1): lambda v: [v.offer("talks", demand=0.8)],
        ("B", 2): lambda v: [v.reject("talks")],
    }
    result, _, _ = run(script, "alternating_offers")
    assert (ended(result).agreed, ended(result).note) == (False, "B rejected the offer")


def test_take_it_or_leave_it_allows_no_counter_offer() -> None:
    script = {
        ("A", 1): lambda v: [v.offer("talks", demand=0.8)],
        ("B", 2): lambda v: [v.offer("talks", demand=0.5)],
    }
    result, _, _ = run(script, "alternating_offers", params={"counter_offers": False}, max_rounds=2)
    assert rejected(result) == [("B", "protocol", "take-it-or-leave-it: only A makes an offer")]


def test_three_parties_must_all_accept() -> None:
    script = {
        ("A", 1): lambda v: [v.offer("talks", demand=0.4)],
        ("B", 2): lambda v: [v.accept("talks")],
        ("C", 3): lambda v: [v.accept("talks")],
    }
    result, scripted, _ = run(script, "alternating_offers", parties=("A", "B", "C"))
    assert scripted.view("C", 3).session("talks").accepted == ("A", "B")
    assert ended(result).round == 3


# -- consensus, silence, single text ---------------------------------------------------------


def test_consensus_a_block_then_an_amendment_then_all_accept() -> None:
    script = {
        ("A", 1): lambda v: [v.offer("talks", demand=0.7)],
        ("B", 2): lambda v: [v.reject("talks")],
        ("B", 3): lambda v: [v.offer("talks", demand=0.4)],
        ("A", 4): lambda v: [v.accept("talks")],
        ("C", 4): lambda v: [v.accept("talks")],
    }
    result, scripted, _ = run(script, "consensus", parties=("A", "B", "C"))
    assert scripted.view("A", 3).session("talks").note == "B blocked A's text"
    assert dict(ended(result).terms) == {"demand": 0.4}
    assert ended(result).round == 4


def test_consensus_a_text_lapses() -> None:
    script = {("A", 1): lambda v: [v.offer("talks", demand=0.7)]}
    _, scripted, _ = run(script, "consensus", params={"decision_rounds": 2}, max_rounds=5)
    assert scripted.view("A", 3).session("talks").text == {"demand": 0.7}  # rounds 2, 3 to accept
    assert scripted.view("A", 4).session("talks").text == {}
    assert "lapsed" in scripted.view("A", 4).session("talks").note


def test_silence_passes_unless_broken() -> None:
    quiet = {("A", 1): lambda v: [v.offer("talks", demand=0.3)]}
    result, _, _ = run(quiet, "silence", params={"silence_rounds": 2})
    assert (ended(result).agreed, ended(result).round) == (True, 3)
    broken = {**quiet, ("B", 2): lambda v: [v.reject("talks")]}
    _, scripted, _ = run(broken, "silence", params={"silence_rounds": 2}, deadline=4)
    assert scripted.view("A", 3).session("talks").note == "B broke silence"


def test_single_text_only_the_mediator_drafts() -> None:
    script = {
        ("C", 1): lambda v: [v.offer("talks", demand=0.5)],
        ("A", 1): lambda v: [v.offer("talks", demand=0.9)],
        ("A", 2): lambda v: [v.reject("talks")],
        ("B", 2): lambda v: [v.accept("talks")],
        ("C", 3): lambda v: [v.offer("talks", demand=0.6)],
        ("A", 4): lambda v: [v.accept("talks")],
        ("B", 4): lambda v: [v.accept("talks")],
    }
    result, _, _ = run(script, "single_text", mediator="C")
    assert ("A", "protocol", "only the mediator C drafts the text") in rejected(result)
    assert dict(ended(result).terms) == {"demand": 0.6}


# -- scenario files ---------------------------------------------------------------------------

FILE = """
[scenario]
name = "talks"
world_rules = "toy"

[[agents]]
id = "A"
name = "A"
doctrine = "scripted"

[[agents]]
id = "B"
name = "B"
doctrine = "scripted"

[[negotiations]]
id = "talks"
protocol = "consensus"
parties = ["A", "B"]
deadline = 5

[[negotiations.issues]]
name = "payment"
kind = "discrete"
values = [0, 1, 2]
debtor = "B"
consequent = "paid(B,A)"
"""


def _load(text: str) -> negsim.Scenario:
    return scenario_from_dict(tomllib.loads(text), registry=make_registry(*PROTOCOLS))


def test_a_file_declares_a_negotiation_and_it_round_trips() -> None:
    scenario = _load(FILE)
    [n] = scenario.negotiations
    assert n.params == {"decision_rounds": 3}  # the protocol's default filled in
    assert n.issue("payment") == Issue(
        "payment", "discrete", (0, 1, 2), debtor="B", consequent="paid(B,A)"
    )
    again = scenario_from_dict(dump_scenario(scenario), registry=make_registry(*PROTOCOLS))
    assert again == scenario


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        (
            'protocol = "consensus"',
            'protocol = "consensos"',
            "negotiations[0].protocol",
            "unknown protocol 'consensos'; installed: alternating_offers, consensus, silence, "
            "single_text",
        ),
        (
            'parties = ["A", "B"]',
            'parties = ["A", "Z"]',
            "negotiations[0].parties[1]",
            "unknown agent 'Z'; known: A, B",
        ),
        (
            'debtor = "B"',
            'debtor = "C"',
            "negotiations[0].issues[0].debtor",
            "'C' is not a party; parties: A, B",
        ),
        ('kind = "discrete"', 'kind = "lumpy"', "negotiations[0].issues[0].kind", "lumpy"),
        ("deadline = 5", "deadline = 5\nturns = 3", "negotiations[0]", "turns"),
        (
            'consequent = "paid(B,A)"',
            'consequent = "paid(B,"',
            "negotiations[0].issues[0].consequent",
            "",
        ),
        (
            "deadline = 5",
            'deadline = 5\nopens_on = "attacked(Z)"',
            "negotiations[0].opens_on",
            "unknown agent 'Z' in attacked(Z)",
        ),
        ("deadline = 5", 'deadline = 5\nopens_on = "attacked(A"', "negotiations[0].opens_on", ""),
    ],
)
def test_a_bad_negotiation_is_one_clear_problem(
    old: str, new: str, where: str, message: str
) -> None:
    with pytest.raises(negsim.ScenarioError) as info:
        _load(FILE.replace(old, new, 1))
    text = str(info.value)
    assert where in text, text
    assert message in text, text


def test_an_issue_must_be_well_formed() -> None:
    with pytest.raises(ValueError, match="continuous issue 'x' needs 'low' <= 'high'"):
        Issue("x", "continuous", low=1.0, high=0.0)
    with pytest.raises(ValueError, match="discrete issue 'x' needs 'values'"):
        Issue("x", "discrete")
    with pytest.raises(ValueError, match="'debtor' and 'consequent' go together"):
        Issue("x", "continuous", low=0.0, high=1.0, debtor="A")
    with pytest.raises(ValueError, match="at least two distinct agents"):
        Negotiation("n", "consensus", ["A", "A"], [Issue("x", low=0.0, high=1.0)])


def test_a_conditional_reward_is_owed_only_if_its_condition_holds() -> None:
    # B pays A only if A stands aside: the agreed term is a conditional commitment that
    # detaches when its antecedent holds, and is otherwise never owed.
    reward = {
        "name": "reward",
        "kind": "continuous",
        "low": 0.0,
        "high": 5.0,
        "debtor": "B",
        "antecedent": "~responds(A,C)",
        "consequent": "paid(B,A)",
        "deadline": 1,
        "cost": 1.0,
    }
    script = {
        ("A", 1): lambda v: [v.offer("deal", reward=2.0)],
        ("B", 2): lambda v: [v.accept("deal")],
    }
    scripted = Scripted(script)
    registry = make_registry(*PROTOCOLS, script=scripted)
    data = {
        "scenario": {"name": "deal", "world_rules": "toy", "max_rounds": 6},
        "agents": [agent("A"), agent("B"), agent("C")],
        "negotiations": [
            {
                "id": "deal",
                "protocol": "alternating_offers",
                "parties": ["A", "B"],
                "issues": [reward],
            }
        ],
    }
    scenario = scenario_from_dict(data, registry=registry)
    assert scenario.negotiations[0].issue("reward").cost == 1.0
    result = negsim.simulate(scenario, registry=registry)
    [c] = [c for c in result.commitments if c.source == "deal"]
    assert (c.antecedent, c.consequent) == ("~responds(A,C)", "paid(B,A)")
    history = [
        (e.round, str(e.new))
        for e in result.events
        if e.kind == "commitment" and e.commitment == c.id
    ]
    assert history[0] == (2, "detached")  # A had not responded when it was agreed
    assert str(c.state) == "violated"  # B never paid


def test_a_protocol_that_raises_is_named() -> None:
    class Broken:
        @negsim.hookimpl
        def negsim_plugin_spec(self) -> negsim.PluginSpec:
            return negsim.PluginSpec(role="protocol")

        @negsim.hookimpl
        def negsim_protocol_step(self) -> None:
            raise RuntimeError("boom")

    registry = make_registry(("broken", Broken()))
    data = {
        "scenario": {"name": "talks", "world_rules": "toy", "max_rounds": 2},
        "agents": [agent("A"), agent("B")],
        "negotiations": [
            {"id": "talks", "protocol": "broken", "parties": ["A", "B"], "issues": [DEMAND]}
        ],
    }
    scenario = scenario_from_dict(data, registry=registry)
    with pytest.raises(negsim.PluginCallError) as info:
        negsim.simulate(scenario, registry=registry)
    assert info.value.plugin == "broken"
    assert info.value.hook == "negsim_protocol_step"
