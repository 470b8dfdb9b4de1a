"""Collective defence, NATO-style: the ``collective`` doctrine.

A member of a collective alliance under consensus (the North Atlantic Council):

* **Consultation (Art. 4).** A member that receives a nuclear threat, or is attacked,
  asks all members to consult; the attacked member puts a collective response to the
  alliance (``propose``, decision ``collective_response``).
* **Consent from its own calculus.** Each member deliberates for
  ``round(max_deliberation * (1 - threat_perception))`` rounds (scaled by perception
  noise), then consents iff the alliance security dilemma rule holds (Snyder, World
  Politics 1984): ``p_win*stakes - cost_war - p_nuc*cost_nuclear +
  dependence*cost_abandon + audience_cost*t + backfire*threatened - reward > 0``,
  ``p_nuc`` rising with a nuclear threat's credibility and ``reward`` the largest
  reward a divider has offered it to stay out. Heterogeneous members therefore delay,
  and an exposed member can veto. Under the silence procedure a consenting member
  stays silent and an objecting one breaks silence.
* **Excluding a blocker.** With ``exclude_blocker`` the proposer re-proposes without
  the blockers after ``exclusion_delay`` rounds (the 2003 Defence Planning Committee
  route: Turkey's request passed 16 February without France).
* **Integrated response.** Once the alliance decides, every member that did not object
  responds in the same round (integrated command); a host that objects denies its
  bases, a host that consents grants them. With ``act_alone_after`` > 0 a member acts
  alone when no decision has come after that many rounds of fighting.

Parameters are listed in :data:`PARAMS`; the honour-or-defect rule in :data:`SUPPORT`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

import attrs

import negsim
from negsim.logic import Rule
from negsim.model import (
    Agent,
    AgentView,
    Alliance,
    Move,
    ParamSpec,
    ParamValue,
    PluginSpec,
    Scenario,
)
from negsim_crisis.vocabulary import (
    decided,
    denies_access,
    grants_access,
    offers,
    perception_noise,
    threats,
    under_attack,
)

__all__ = ["PARAMS", "SUPPORT", "MemberState", "consent_delay", "support_values"]

SNYDER = "Snyder, World Politics 1984 (alliance security dilemma)"

PARAMS = (
    ParamSpec(
        "threat_perception",
        0.5,
        "How threatened the member feels by the challenger; low perception slows consent.",
        0,
        1,
        SNYDER,
    ),
    ParamSpec(
        "max_deliberation",
        4,
        "Rounds a member with no threat perception deliberates before it votes.",
        0,
        60,
        "NATO practice: Art. 5 in 1 day (12 Sep 2001) to ~32 days (Turkey 2003)",
    ),
    ParamSpec(
        "p_win", 0.7, "Believed probability that a collective response succeeds.", 0, 1, SNYDER
    ),
    ParamSpec("stakes", 5.0, "Value to the member of defending the ally (V).", 0, 1000, SNYDER),
    ParamSpec("cost_war", 3.0, "Expected cost of fighting (C_war).", 0, 1000, SNYDER),
    ParamSpec(
        "p_nuc",
        0.02,
        "Baseline probability of nuclear use against the member.",
        0,
        1,
        "Powell, IO 2015",
    ),
    ParamSpec(
        "cost_nuclear",
        50.0,
        "Cost to the member of nuclear use against it (C_nuc).",
        0,
        100000,
        SNYDER,
    ),
    ParamSpec(
        "threat_sensitivity",
        1.0,
        "How much a nuclear threat's declared credibility adds to p_nuc.",
        0,
        10,
        "Crawford, IS 2011; Izumikawa, SS 2013",
    ),
    ParamSpec("dependence", 0.5, "Dependence on the alliance (D).", 0, 1, SNYDER),
    ParamSpec(
        "cost_abandon",
        4.0,
        "Cost of being abandoned later if it defects (C_aband).",
        0,
        1000,
        SNYDER,
    ),
    ParamSpec(
        "audience_cost",
        0.2,
        "Audience cost per round of crisis of backing down after public commitment (alpha).",
        0,
        100,
        "Fearon, APSR 1994",
    ),
    ParamSpec(
        "backfire",
        0.0,
        "Cohesion gained when coerced: added to the rule's value under a threat (beta).",
        0,
        1000,
        "Crawford, IS 2011 (coercion can backfire)",
    ),
    ParamSpec(
        "exclude_blocker",
        False,
        "Whether a blocked proposer re-proposes without the blockers (DPC route).",
        source="NATO Defence Planning Committee decision, 16 Feb 2003",
    ),
    ParamSpec(
        "exclusion_delay",
        3,
        "Rounds the exclusion route takes.",
        0,
        60,
        "Turkey 2003: silence broken 10 Feb, DPC decision 16 Feb",
    ),
    ParamSpec(
        "act_alone_after",
        0,
        "Rounds of fighting without a decision after which the member responds alone (0: never).",
        0,
        60,
        "assumption",
    ),
    ParamSpec(
        "noise",
        0.2,
        "Log-normal spread of the member's perceptions in each run.",
        0,
        2,
        "assumption",
    ),
)
"""The collective doctrine's parameters."""

SUPPORT = Rule(
    name="support",
    expr="p_win*stakes - cost_war - p_nuc*cost_nuclear + dependence*cost_abandon"
    " + audience_cost*t + backfire*threatened - reward",
    doc="the member consents to and joins a collective response",
    source=SNYDER + "; Fearon, APSR 1994 (audience costs)",
)
"""The support rule: the member consents while this expression is > 0."""

_SPEC = PluginSpec(
    role="doctrine", summary="NATO-style collective defence under consensus", params=PARAMS
)


@attrs.define
class MemberState:
    """A member's private memory across rounds.

    Attributes:
        perception: This run's multiplicative perception noise.
        credibility: Highest nuclear-threat credibility received so far.
        reward: Largest reward offered to stay out.
        crisis_start: First round the member saw a threat or an attack.
        seen: Round each open proposal was first seen.
        voted: Proposals voted on (or deliberately left in silence), with the consent.
        proposed: Proposals this member made, by id, with the round.
        objections: Objections seen to its own proposals, by proposal id.
        responded: Targets it has responded for.
        consulted: Whether it has called for Art. 4 consultation.
        alliances: Its collective alliances (worked out in its first round).
        members: Their members.
    """

    perception: float = 1.0
    credibility: float = 0.0
    reward: float = 0.0
    crisis_start: int | None = None
    seen: dict[str, int] = attrs.field(factory=dict)
    voted: dict[str, bool] = attrs.field(factory=dict)
    proposed: dict[str, int] = attrs.field(factory=dict)
    objections: dict[str, set[str]] = attrs.field(factory=dict)
    responded: set[str] = attrs.field(factory=set)
    consulted: bool = False
    alliances: list[Alliance] | None = None
    members: frozenset[str] = frozenset()


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    """Declare the collective doctrine."""
    return _SPEC


@negsim.hookimpl
def negsim_agent_start(agent: Agent, rng: random.Random) -> MemberState:
    """Draw this run's perception noise."""
    sigma = float(agent.params["noise"])
    return MemberState(perception=perception_noise(rng, sigma))


@negsim.hookimpl
def negsim_decision_rules(
    agent: Agent, scenario: Scenario
) -> Sequence[tuple[Rule, dict[str, float]]]:
    """The support rule at the scenario's values, in round 1 of a nuclear-threatened crisis."""
    values = support_values(
        agent.params, credibility=_scenario_credibility(scenario), t=1, perception=1.0
    )
    return [(SUPPORT, values)]


def support_values(
    params: Mapping[str, ParamValue],
    *,
    credibility: float,
    t: int,
    perception: float,
    reward: float = 0.0,
) -> dict[str, float]:
    """The values of :data:`SUPPORT`'s symbols for a member.

    Args:
        params: The member's parameters (a mapping).
        credibility: The highest nuclear-threat credibility it has received (0 if none).
        t: Rounds since the crisis began.
        perception: This run's perception noise (1.0 for the scenario's nominal values).
        reward: The largest reward offered to stay out.
    """
    p = params
    threatened = 1.0 if credibility > 0 else 0.0
    p_nuc = min(
        1.0, (float(p["p_nuc"]) + float(p["threat_sensitivity"]) * credibility) * perception
    )
    return {
        "p_win": float(p["p_win"]),
        "stakes": float(p["stakes"]),
        "cost_war": float(p["cost_war"]),
        "p_nuc": p_nuc,
        "cost_nuclear": float(p["cost_nuclear"]),
        "dependence": float(p["dependence"]),
        "cost_abandon": float(p["cost_abandon"]),
        "audience_cost": float(p["audience_cost"]),
        "t": float(t),
        "backfire": float(p["backfire"]),
        "threatened": threatened,
        "reward": reward,
    }


def consent_delay(threat_perception: float, max_deliberation: int, perception: float) -> int:
    """Rounds a member deliberates before voting: less the more threatened it feels."""
    return max(0, round(max_deliberation * (1.0 - threat_perception) / perception))


def _scenario_credibility(scenario: Scenario) -> float:
    creds = [
        float(a.params.get("threat_credibility", 0.0))
        for a in scenario.agents
        if "threat_credibility" in a.params
    ]
    return max(creds, default=0.0)


@negsim.hookimpl
def negsim_decide(view: AgentView) -> list[Move]:
    """Consult, propose, deliberate, vote, and respond on a collective decision."""
    me = view.me
    state: MemberState = view.state
    moves: list[Move] = []
    if state.alliances is None:  # what does not change, worked out once per run
        state.alliances = [al for al in view.public.alliances_of(me) if al.kind == "collective"]
        state.members = frozenset(m for al in state.alliances for m in al.members)
    alliances, members = state.alliances, state.members
    if not alliances:
        return moves

    for threat in threats(view):
        if threat.nuclear:
            state.credibility = max(state.credibility, threat.credibility)
        _start(state, view.round)
    received = offers(view)
    for _, value, _, _ in received:
        state.reward = max(state.reward, value)
        _start(state, view.round)
    victims = under_attack(view, members)
    if victims:
        _start(state, view.round)
    if state.crisis_start is None:
        return moves
    t = view.round - state.crisis_start + 1
    values = support_values(
        view.agent.params,
        credibility=state.credibility,
        t=t,
        perception=state.perception,
        reward=state.reward,
    )
    willing = SUPPORT.holds(values)
    others = sorted(members - {me})

    # Art. 4: a threatened or attacked member asks for consultation
    if not state.consulted and (state.credibility > 0 or me in victims):
        state.consulted = True
        moves.append(
            view.say(others, "consult", article=4, about="attack" if me in victims else "threat")
        )
    # threats: comply or refuse, from the same rule the vote uses
    for threat in threats(view):
        moves.append(
            view.say(
                threat.sender,
                "reject" if willing else "accept",
                in_reply_to=threat.message_id,
                demand=threat.demand,
            )
        )
    for sender, _, demand, mid in received:
        moves.append(
            view.say(sender, "reject" if willing else "accept", in_reply_to=mid, demand=demand)
        )

    # the attacked member defends itself and puts a collective response to its alliances
    if me in victims:
        if me not in state.responded:
            state.responded.add(me)
            moves.append(view.act("respond", me))
        for al in alliances:
            pid = f"{al.id}:{me}:response"
            if pid not in state.proposed and not view.holds(decided(al.id)):
                state.proposed[pid] = view.round
                moves.append(
                    view.say(
                        [m for m in al.members if m != me],
                        "propose",
                        alliance=al.id,
                        decision="collective_response",
                        proposal=pid,
                        target=me,
                    )
                )
    for m in view.received("vote"):
        if m.content.get("consent") is False and str(m.content.get("proposal")) in state.proposed:
            state.objections.setdefault(str(m.content["proposal"]), set()).add(m.sender)

    # deliberate and vote on open proposals
    for proposal in view.proposals:
        if proposal.id in state.voted or proposal.proposer == me:
            continue
        seen = state.seen.setdefault(proposal.id, view.round)
        delay = consent_delay(
            float(view.param("threat_perception")),
            int(view.param("max_deliberation")),
            state.perception,
        )
        if view.round - seen < delay:
            continue
        state.voted[proposal.id] = willing
        alliance = view.public.alliance(proposal.alliance)
        voters = [m for m in alliance.members if m != me]
        if not (alliance.silence_procedure and willing):
            moves.append(view.say(voters, "vote", proposal=proposal.id, consent=willing))
        moves.extend(_access(view, alliance.members, grant=willing))

    # the exclusion route for the proposer of a blocked proposal
    if view.param("exclude_blocker"):
        for pid, when in list(state.proposed.items()):
            blockers = state.objections.get(pid)
            open_ids = {p.id for p in view.proposals}
            al_id = pid.split(":")[0]
            if (
                blockers
                and pid not in open_ids
                and not view.holds(decided(al_id))
                and ":dpc" not in pid
                and view.round >= when + int(view.param("exclusion_delay"))
            ):
                new = pid + ":dpc"
                if new not in state.proposed:
                    state.proposed[new] = view.round
                    al = view.public.alliance(al_id)
                    moves.append(
                        view.say(
                            [m for m in al.members if m != me],
                            "propose",
                            alliance=al_id,
                            decision="collective_response",
                            proposal=new,
                            exclude=",".join(sorted(blockers)),
                            target=me,
                        )
                    )

    # respond: on a collective decision (integrated command), or alone after a while
    for target in victims:
        if target in state.responded:
            continue
        joint = any(view.holds(decided(al.id)) and target in al.members for al in alliances)
        objected = any(v is False for v in state.voted.values())
        alone_after = int(view.param("act_alone_after"))
        alone = alone_after > 0 and t > alone_after and willing
        if (joint and not objected) or alone:
            state.responded.add(target)
            moves.append(view.act("respond", target))
    return moves


def _access(view: AgentView, members: Sequence[str], *, grant: bool) -> list[Move]:
    """A host's bases follow its vote: granted to the members it hosts, or denied."""
    hosted = view.agent.capabilities.forces_hosted
    moves: list[Move] = []
    for user in sorted(hosted):
        if user not in members:
            continue
        fact = grants_access(view.me, user) if grant else denies_access(view.me, user)
        if not view.holds(fact):
            moves.append(view.act("grant_access" if grant else "deny_access", user))
    return moves


def _start(state: MemberState, round: int) -> None:
    if state.crisis_start is None:
        state.crisis_start = round
