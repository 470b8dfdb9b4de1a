"""Collective defence, NATO-style: the ``collective`` doctrine.

A member of a collective alliance under consensus (the North Atlantic Council):

* **Consultation (Art. 4).** A member threatened or attacked asks all members to
  consult; the attacked member defends itself and puts a collective response to the
  alliance (``propose``, decision ``collective_response``).
* **Consent is a decision to honour.** Each member deliberates for a number of days
  that falls with its threat perception (NATO: Art. 5 in one day in 2001, about 32
  days for Turkey in 2003), then consents if it would honour its pledge by the
  alliance security dilemma rule (:data:`negsim.crisis.SUPPORT`, Snyder 1984), with
  the chance of winning by the world's combat model and the nuclear hazard as it has
  learned it. A host of members' forces also weighs its bases
  (:data:`negsim.crisis.ACCESS`, Crawford 2011): its bases follow that rule, and a
  host that would shut them cannot consent. Under the silence procedure a consenting
  member stays silent.
* **Consensus is bargaining.** A lone blocker's cost grows with the share of members
  who have consented (``isolation_cost``); a blocker says why (its bases, or its
  support); the proposer of a blocked text puts it again with a side-payment of
  reassurance (``reassurance``); blocked again over a host's bases, with ``amend`` it
  puts the text amended to spare them; otherwise, with ``exclude_blocker``, it
  re-proposes without the blockers after ``exclusion_delay`` days (the 2003 Defence
  Planning Committee route). Where the alliance allows abstention
  (``abstention_share``), a member that would block may abstain instead, letting the
  others decide without it, when the pressure on a blocker outweighs the audience
  cost of stepping back from its pledges (TEU Art. 31(1); Tomz 2007).
* **Integrated response.** Once the alliance decides, every member that honours
  responds under integrated command; with ``act_alone_after`` > 0 a member that would
  honour acts alone after that many days of fighting without a decision.
* **Armistice.** An attacked member answers an armistice its attacker offers by
  :data:`negsim.crisis.ARMISTICE` (Fearon, IO 1995).
"""

from __future__ import annotations

import enum
import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

import negsim
from negsim.crisis import (
    ACCESS,
    ACCESS_PARAMS,
    ARMISTICE_PARAMS,
    SNYDER,
    SUPPORT,
    SUPPORT_PARAMS,
    Standing,
    access_values,
    answer_armistice,
    answer_coercion,
    at_war,
    attacker_of,
    decided,
    in_danger,
    listen,
    nominal_rules,
    open_or_shut,
    responds,
    support_values,
    victims,
    win_chance,
)
from negsim.logic import Rule
from negsim.model import (
    Agent,
    AgentView,
    Alliance,
    Commitment,
    Move,
    ParamSpec,
    PluginSpec,
    Proposal,
    Scenario,
)

__all__ = ["PARAMS", "Member", "Vote", "consent_delay"]

PARAMS = (
    *SUPPORT_PARAMS,
    *ACCESS_PARAMS,
    *ARMISTICE_PARAMS,
    ParamSpec(
        "max_deliberation",
        4,
        "Days a member with no threat perception deliberates before it votes.",
        0,
        60,
        "NATO practice: Art. 5 in 1 day (12 Sep 2001) to ~32 days (Turkey 2003)",
    ),
    ParamSpec(
        "noise",
        0.2,
        "Log-normal spread of the member's deliberation time in each run.",
        0,
        2,
        "assumption: no public figure for the spread of national deliberation",
    ),
    ParamSpec(
        "isolation_cost",
        2.0,
        "Cost of blocking when every other member has consented (a share of it when some have).",
        0,
        1000,
        f"NATO practice (consensus: a lone blocker is pressed); {SNYDER}; value an assumption",
    ),
    ParamSpec(
        "reassurance",
        1.0,
        "Side-payment of reassurance the proposer adds when it puts a blocked text again.",
        0,
        1000,
        "Turkey 2003: the request came back with assurances; value an assumption",
    ),
    ParamSpec(
        "amend",
        False,
        "Whether a proposer puts a text blocked over a host's bases again amended to "
        "spare them (the response then calls on every member's forces but not on those "
        "bases).",
        source="Turkey 2003 (the request narrowed to defensive measures); Kishi-Herter 1960 "
        "(prior consultation on the use of Japan's bases)",
    ),
    ParamSpec(
        "exclude_blocker",
        False,
        "Whether a proposer blocked twice re-proposes without the blockers (DPC route).",
        source="NATO Defence Planning Committee decision, 16 Feb 2003",
    ),
    ParamSpec(
        "exclusion_delay",
        6,
        "Days the exclusion route takes.",
        0,
        60,
        "Turkey 2003: silence broken 10 Feb, DPC decision 16 Feb",
    ),
    ParamSpec(
        "act_alone_after",
        0,
        "Days of fighting without a decision after which a member responds alone (0: never).",
        0,
        60,
        "assumption: how long a member waits for consensus before acting alone varies by state",
    ),
)
"""The collective doctrine's parameters (the Snyder and Crawford terms are shared)."""

_SPEC = PluginSpec(
    role="doctrine", summary="NATO-style collective defence under consensus", params=PARAMS
)


@attrs.define
class Member:
    """A member's private memory across rounds.

    Attributes:
        standing: What it has learned in the crisis (fear, escalation, hazard beliefs).
        pace: This run's multiplier on its deliberation time.
        alliances: Its collective alliances (worked out in its first round).
        members: Their members.
        seen: Day each open proposal was first seen.
        voted: Proposals voted on (or left in silence), with the consent.
        proposed: Proposals it made, by id, with the day and whether they were blocked.
        reassured: Reassurance offered with proposals, by proposal id.
        spared: Hosts whose bases a proposal's text does not call on, by proposal id.
        objections: Members that objected to its proposals, by proposal id, with the
            reason each gave (``"bases"`` or ``"support"``).
        consulted: Whether it has called for Art. 4 consultation.
        crisis: Whether it has seen a threat or an attack.
    """

    standing: Standing
    pace: float = 1.0
    alliances: tuple[Alliance, ...] = ()
    members: frozenset[str] = frozenset()
    seen: dict[str, int] = attrs.field(factory=dict)
    voted: dict[str, bool] = attrs.field(factory=dict)
    proposed: dict[str, int] = attrs.field(factory=dict)
    reassured: dict[str, float] = attrs.field(factory=dict)
    spared: dict[str, frozenset[str]] = attrs.field(factory=dict)
    objections: dict[str, dict[str, str]] = attrs.field(factory=dict)
    consulted: bool = False
    crisis: bool = False


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    """Declare the collective doctrine."""
    return _SPEC


@negsim.hookimpl
def negsim_agent_start(agent: Agent, rng: random.Random) -> Member:
    """Draw this run's pace of deliberation."""
    sigma = agent.number("noise")
    pace = rng.lognormvariate(0.0, sigma) if sigma else 1.0
    return Member(Standing.of(agent), pace=pace)


def consent_delay(threat_perception: float, max_deliberation: int, pace: float) -> int:
    """Days a member deliberates before voting: fewer the more threatened it feels.

    >>> consent_delay(0.9, 4, 1.0), consent_delay(0.3, 4, 1.0)
    (0, 3)
    """
    return max(0, round(max_deliberation * (1.0 - threat_perception) * pace))


@negsim.hookimpl
def negsim_decision_rules(
    agent: Agent, scenario: Scenario
) -> Sequence[tuple[Rule, Mapping[str, float]]]:
    """The support rule, and for a host the access rule, at the start of a crisis."""
    return nominal_rules(agent, scenario, agent.id)


@negsim.hookimpl
def negsim_honour(view: AgentView, commitment: Commitment) -> bool | None:
    """Honour a pledge to respond by the support rule."""
    if not commitment.consequent.startswith(f"responds({view.me},"):
        return None
    return _would_honour(view, view.state, commitment.creditor)


@negsim.hookimpl
def negsim_decide(view: AgentView) -> list[Move]:
    """Consult, propose, deliberate, vote, bargain, and respond."""
    state: Member = view.state
    _know_the_alliances(view, state)
    if not state.alliances:
        return []
    listen(view, state.standing, state.members - {view.me})
    hit = victims(view, state.members)
    state.crisis = state.crisis or any(in_danger(view, m) for m in state.members)
    if not state.crisis:
        return []
    firm = _keeps_bases_open(view, state)
    moves = _call_consultation(view, state, hit)
    moves += _declare_solidarity(view, state)
    moves += answer_coercion(view, state.standing, holds_firm=firm)
    moves += _defend_and_propose(view, state, hit)
    moves += _deliberate_and_vote(view, state, firm)
    moves += _bargain_over_a_block(view, state)
    moves += _respond(view, state, hit)
    moves += answer_armistice(view, state.standing)
    if view.agent.capabilities.forces_hosted and at_war(view):
        moves += open_or_shut(view, state.members, grant=firm)
    return moves


def _call_consultation(view: AgentView, state: Member, hit: list[str]) -> list[Move]:
    """Art. 4: a threatened or attacked member asks every member to consult, once."""
    if state.consulted or not (state.standing.threatened or view.me in hit):
        return []
    state.consulted = True
    about = "attack" if view.me in hit else "threat"
    return [view.say(sorted(state.members - {view.me}), "consult", article=4, about=about)]


def _declare_solidarity(view: AgentView, state: Member) -> list[Move]:
    """Pledge in public, once, to defend the members threatened or attacked.

    The declaration restates the treaty for those in danger and ties its hands
    (Fearon 1997): its escalation level rises to 1.
    """
    if state.standing.level:
        return []
    endangered = sorted(m for m in state.members - {view.me} if in_danger(view, m))
    if not endangered:
        return []
    state.standing.level = 1
    return [
        view.say(
            other,
            "pledge",
            antecedent=f"attacked({other})",
            consequent=responds(view.me, other),
            visibility="public",
        )
        for other in endangered
    ]


def _defend_and_propose(view: AgentView, state: Member, hit: list[str]) -> list[Move]:
    """The attacked member defends itself and puts a collective response."""
    if view.me not in hit:
        return []
    moves: list[Move] = []
    if not view.holds(responds(view.me, view.me)):
        moves.append(view.act("respond", view.me))
    for al in state.alliances:
        pid = f"{al.id}:{view.me}:response"
        if pid not in state.proposed and not view.holds(decided(al.id)):
            moves.append(_propose(view, state, al, pid))
    return moves


def _propose(
    view: AgentView,
    state: Member,
    al: Alliance,
    pid: str,
    *,
    reassurance: float = 0.0,
    exclude: str = "",
    spare: str = "",
) -> Move:
    state.proposed[pid] = view.round
    extra: dict[str, Any] = {}  # content only: no key names a parameter of say
    if reassurance:
        extra["reassurance"] = reassurance
    if exclude:
        extra["exclude"] = exclude
    if spare:
        extra["spare"] = spare
    return view.say(
        [m for m in al.members if m != view.me],
        "propose",
        alliance=al.id,
        decision="collective_response",
        proposal=pid,
        target=view.me,
        **extra,
    )


def _deliberate_and_vote(view: AgentView, state: Member, firm: bool) -> list[Move]:
    """After deliberating, vote: consent if it would honour and keep its bases open.

    A host whose bases the text spares needs only to honour; a blocker gives its reason.
    """
    for m in view.received("propose"):
        pid = str(m.content.get("proposal", ""))
        state.reassured[pid] = float(m.content.get("reassurance", 0.0))
        state.spared[pid] = frozenset(x for x in str(m.content.get("spare", "")).split(",") if x)
    moves: list[Move] = []
    for proposal in view.proposals:
        if proposal.id in state.voted or proposal.proposer == view.me:
            continue
        seen = state.seen.setdefault(proposal.id, view.round)
        delay = consent_delay(
            view.number("threat_perception"),
            view.whole("max_deliberation"),
            state.pace,
        )
        if view.round - seen < delay:
            continue
        alliance = view.public.alliance(proposal.alliance)
        spared = view.me in state.spared.get(proposal.id, ())
        vote = _choose_vote(view, state, proposal, alliance, firm or spared)
        consent = vote is Vote.CONSENT
        state.voted[proposal.id] = consent
        if not (alliance.silence_procedure and consent):
            voters = [m for m in alliance.members if m != view.me]
            content: dict[str, Any] = {"proposal": proposal.id, "consent": consent}
            if vote is Vote.ABSTAIN:
                content["abstain"] = True
            elif vote is Vote.BLOCK:
                bases = _blocks_for_bases(view, state, proposal)
                content["reason"] = "bases" if bases else "support"
            moves.append(view.say(voters, "vote", **content))
    return moves


class Vote(enum.Enum):
    """What a member does with a proposal put to its alliance."""

    CONSENT = "consent"
    BLOCK = "block"
    ABSTAIN = "abstain"


def _choose_vote(
    view: AgentView, state: Member, proposal: Proposal, alliance: Alliance, firm: bool
) -> Vote:
    """Consent, block or abstain: whichever is worth most to the member.

    Consenting is worth the support rule's value (a host that would shut its bases
    cannot consent); blocking costs the pressure on a blocker (isolation and the
    reassurance offered); abstaining, where the alliance allows it, lets the others
    decide and costs the audience cost of stepping back from its public pledges
    (Tomz 2007; TEU Art. 31(1) for constructive abstention).
    """
    block = -_pressure(view, state, proposal)
    honour = _support(view, state, proposal.proposer) if firm else -math.inf
    abstain = -view.number("audience_cost") * state.standing.level
    if not alliance.abstention_share:
        abstain = -math.inf
    if honour > block and honour >= abstain:
        return Vote.CONSENT
    return Vote.ABSTAIN if abstain > block else Vote.BLOCK


def _blocks_for_bases(view: AgentView, state: Member, proposal: Proposal) -> bool:
    """Whether it blocks only because the text calls on bases it would shut."""
    return _support(view, state, proposal.proposer) > -_pressure(view, state, proposal)


def _pressure(view: AgentView, state: Member, proposal: Proposal) -> float:
    """What blocking this text would cost it: isolation and the reassurance offered."""
    others = len(view.public.alliance(proposal.alliance).members) - 2
    consents = sum(1 for who, yes in proposal.votes.items() if yes and who != view.me)
    isolation = view.number("isolation_cost") * consents / max(1, others)
    return isolation + state.reassured.get(proposal.id, 0.0)


def _bargain_over_a_block(view: AgentView, state: Member) -> list[Move]:
    """Put a blocked text again: sweetened, then amended, then without the blockers.

    A text blocked the first time comes back with reassurance. Blocked again, it comes
    back amended to spare the bases of the hosts that blocked over them (with
    ``amend``; they may then consent by the support rule alone), or, failing that, is
    put without the blockers after ``exclusion_delay`` days (``exclude_blocker``, the
    DPC route).
    """
    _note_objections(view, state)
    moves: list[Move] = []
    open_ids = {p.id for p in view.proposals}
    for pid, when in list(state.proposed.items()):
        al_id = pid.split(":")[0]
        if pid in open_ids or view.holds(decided(al_id)) or pid not in state.objections:
            continue
        al = view.public.alliance(al_id)
        base, _, stage = pid.partition(":response")
        base += ":response"
        objections = state.objections[pid]
        spare = _hosts_to_spare(view, objections)
        if not stage:
            again = f"{base}:again"
            if again not in state.proposed:
                reassurance = view.number("reassurance")
                moves.append(_propose(view, state, al, again, reassurance=reassurance))
        elif stage == ":again" and spare:
            amended = f"{base}:amended"
            if amended not in state.proposed:
                reassurance = view.number("reassurance")
                moves.append(
                    _propose(view, state, al, amended, reassurance=reassurance, spare=spare)
                )
        elif stage in (":again", ":amended") and view.flag("exclude_blocker"):
            dpc = f"{base}:dpc"
            due = view.round >= when + view.whole("exclusion_delay")
            if due and dpc not in state.proposed:
                blockers = ",".join(sorted(objections))
                moves.append(_propose(view, state, al, dpc, exclude=blockers))
    return moves


def _note_objections(view: AgentView, state: Member) -> None:
    """Record who objected to its proposals, and why."""
    for m in view.received("vote"):
        pid = str(m.content.get("proposal", ""))
        if m.content.get("consent") is False and pid in state.proposed:
            reason = str(m.content.get("reason", "support"))
            state.objections.setdefault(pid, {})[m.sender] = reason


def _hosts_to_spare(view: AgentView, objections: Mapping[str, str]) -> str:
    """The blockers whose objection was their bases, if it amends texts (``amend``)."""
    if not view.flag("amend"):
        return ""
    return ",".join(sorted(who for who, reason in objections.items() if reason == "bases"))


def _respond(view: AgentView, state: Member, hit: list[str]) -> list[Move]:
    """Respond under a collective decision, or alone after a while, if it would honour."""
    moves: list[Move] = []
    alone_after = view.whole("act_alone_after")
    for target in hit:
        if target == view.me or view.holds(responds(view.me, target)):
            continue
        joint = any(view.holds(decided(al.id)) and target in al.members for al in state.alliances)
        start = view.world.variables.get(f"attack_start({target})", float(view.round))
        alone = alone_after > 0 and view.round - start >= alone_after
        if (joint or alone) and _would_honour(view, state, target):
            state.standing.level = 2
            moves.append(view.act("respond", target))
    return moves


def _would_honour(view: AgentView, state: Member, target: str) -> bool:
    """Whether the support rule for ``target`` says to honour."""
    return _support(view, state, target) > 0.0


def _support(view: AgentView, state: Member, target: str) -> float:
    """The support rule's value for ``target`` (the world's chance of winning)."""
    attacker = attacker_of(view, target)
    helpers = state.members if attacker else ()
    p_win = win_chance(view, target, attacker, helpers) if attacker else 1.0
    return SUPPORT.value(support_values(view, state.standing, target, p_win))


def _keeps_bases_open(view: AgentView, state: Member) -> bool:
    if not view.agent.capabilities.forces_hosted:
        return True
    return ACCESS.holds(access_values(view, state.standing, 0.0))


def _know_the_alliances(view: AgentView, state: Member) -> None:
    if state.alliances or state.members:
        return
    state.alliances = tuple(
        al for al in view.public.alliances_of(view.me) if al.kind == "collective"
    )
    state.members = frozenset(m for al in state.alliances for m in al.members) or frozenset(
        {view.me}
    )
