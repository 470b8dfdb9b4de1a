"""Bilateral hub-and-spoke alliances, U.S.-style: the ``bilateral`` doctrine.

An agent is the **hub** when it is the hub of a bilateral alliance, a **spoke**
otherwise.

* **The hub decides fast, per alliance.** When a spoke is attacked the hub pledges
  support at once, asks the rear-area hosts of its forces for access, and after
  ``constitutional_delay`` rounds (the "constitutional processes" of U.S.-ROK Art. III
  and U.S.-Japan Art. V) responds if the alliance security dilemma rule
  (:data:`SUPPORT`, Snyder 1984) holds.
* **Spokes do not coordinate** except through a quasi-alliance cooperation term (Cha
  1999): at the start each spoke informs the other spokes of its fear of abandonment
  and threat perception; :data:`COOPERATION` rises with symmetric fear and falls with
  diverging threat perceptions and the history/nationalism term ``history``.
* **The host's gate.** A spoke that hosts the hub's forces answers an access request
  after ``consultation_rounds`` of prior consultation (Kishi-Herter, 1960), or at once
  with ``korea_minute`` (consent given in advance, 1960, confirmed 2010). It grants
  access while :data:`GRANT_ACCESS` holds (Crawford 2011; Izumikawa 2013): alliance
  value, abandonment cost, cooperation with the attacked spoke, audience costs and
  backfire against reward plus ``p_strike*cost_strike``; revoking a pre-given consent
  costs ``revocation_cost`` more.
* **A reward to the hub** above ``concession_threshold`` buys a concession without
  consulting the spokes (the 2018 exercise suspension).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

import attrs

import negsim
from negsim.logic import Rule
from negsim.model import Agent, AgentView, Move, ParamSpec, ParamValue, PluginSpec, Scenario
from negsim_crisis.vocabulary import (
    attacked,
    denies_access,
    grants_access,
    offers,
    perception_noise,
    threats,
)

__all__ = [
    "COOPERATION",
    "GRANT_ACCESS",
    "PARAMS",
    "SUPPORT",
    "HubState",
    "access_values",
    "cooperation_values",
    "support_values",
]

SNYDER = "Snyder, World Politics 1984 (alliance security dilemma)"
CRAWFORD = "Crawford, IS 2011; Izumikawa, SS 2013 (wedge strategies)"
CHA = "Cha, Alignment Despite Antagonism, 1999 (quasi-alliance model)"

PARAMS = (
    ParamSpec(
        "constitutional_delay",
        1,
        "Rounds of constitutional process before the hub responds.",
        0,
        60,
        "U.S.-ROK MDT Art. III; U.S.-Japan Treaty Art. V",
    ),
    ParamSpec("p_win", 0.7, "Believed probability that the response succeeds.", 0, 1, SNYDER),
    ParamSpec("stakes", 5.0, "Value of defending the attacked ally (V).", 0, 1000, SNYDER),
    ParamSpec("cost_war", 3.0, "Expected cost of fighting (C_war).", 0, 1000, SNYDER),
    ParamSpec(
        "p_nuc",
        0.02,
        "Baseline probability of nuclear use against this state.",
        0,
        1,
        "Powell, IO 2015",
    ),
    ParamSpec(
        "cost_nuclear", 50.0, "Cost of nuclear use against this state (C_nuc).", 0, 100000, SNYDER
    ),
    ParamSpec("dependence", 0.5, "Dependence on the alliance (D).", 0, 1, SNYDER),
    ParamSpec("cost_abandon", 4.0, "Cost of being abandoned later (C_aband).", 0, 1000, SNYDER),
    ParamSpec(
        "audience_cost",
        0.2,
        "Audience cost per round of backing down (alpha).",
        0,
        100,
        "Fearon, APSR 1994",
    ),
    ParamSpec(
        "alliance_value",
        3.0,
        "A host's value of its alliance with the hub (V_alliance).",
        0,
        1000,
        CRAWFORD,
    ),
    ParamSpec(
        "cost_strike", 20.0, "A host's cost of being struck (C_strike).", 0, 100000, CRAWFORD
    ),
    ParamSpec(
        "threat_sensitivity",
        1.0,
        "Multiplier from a threat's declared credibility to the host's p_strike.",
        0,
        10,
        CRAWFORD,
    ),
    ParamSpec(
        "backfire",
        0.0,
        "Cohesion gained when coerced (beta).",
        0,
        1000,
        "Crawford, IS 2011 (coercion can backfire)",
    ),
    ParamSpec(
        "consultation_rounds",
        1,
        "Rounds of prior consultation before a host answers an access request.",
        0,
        60,
        "Kishi-Herter exchange of notes, 1960",
    ),
    ParamSpec(
        "korea_minute",
        False,
        "Consent for operations from this host's bases given in advance.",
        source="Korea Minute, 1960 (confirmed 2010)",
    ),
    ParamSpec(
        "revocation_cost",
        3.0,
        "Extra cost of revoking consent given in advance.",
        0,
        1000,
        "assumption",
    ),
    ParamSpec("fear_abandonment", 0.5, "Fear of abandonment by the hub.", 0, 1, CHA),
    ParamSpec("threat_perception", 0.5, "Perception of the common threat.", 0, 1, CHA),
    ParamSpec(
        "history",
        0.3,
        "History/nationalism friction with the other spokes (h).",
        0,
        1,
        CHA + "; Japan-ROK 2018-2019 (GSOMIA)",
    ),
    ParamSpec(
        "quasi_weight",
        2.0,
        "Weight of spoke-to-spoke cooperation in a host's access decision.",
        0,
        100,
        "assumption",
    ),
    ParamSpec(
        "concession_threshold",
        100.0,
        "Reward above which the hub concedes without consulting the spokes.",
        0,
        1000,
        "2018 Singapore summit and exercise suspension",
    ),
    ParamSpec("noise", 0.2, "Log-normal spread of perceptions in each run.", 0, 2, "assumption"),
)
"""The bilateral doctrine's parameters."""

SUPPORT = Rule(
    name="support",
    expr="p_win*stakes - cost_war - p_nuc*cost_nuclear + dependence*cost_abandon + audience_cost*t",
    doc="the hub responds to an attack on a spoke",
    source=SNYDER + "; Fearon, APSR 1994",
)
"""The hub responds while this expression is > 0."""

GRANT_ACCESS = Rule(
    name="grant_access",
    expr="alliance_value + dependence*cost_abandon + quasi_weight*cooperation + audience_cost*t"
    " + backfire*threatened + revocation_cost*korea_minute - reward - p_strike*cost_strike",
    doc="the host grants the hub access to its bases",
    source=CRAWFORD,
)
"""A host grants access while this expression is > 0 (goes neutral otherwise)."""

COOPERATION = Rule(
    name="cooperation",
    expr="min(fear_abandonment, partner_fear) - max(threat_perception - partner_threat,"
    " partner_threat - threat_perception) - history",
    doc="two spokes cooperate (quasi-alliance)",
    source=CHA,
)
"""Spoke-to-spoke cooperation: symmetric fear raises it; diverging threat and history lower it."""

_SPEC = PluginSpec(
    role="doctrine", summary="U.S.-style bilateral hub-and-spoke alliances", params=PARAMS
)


@attrs.define
class HubState:
    """A hub's or spoke's private memory.

    Attributes:
        perception: This run's multiplicative perception noise.
        credibility: Highest nuclear-threat credibility received.
        reward: Largest reward offered to stay out.
        crisis_start: First round of the crisis as seen by this agent.
        attack_seen: Round each attack on a spoke was first seen (hub).
        pledged: Spokes pledged to (hub).
        responded: Spokes responded for.
        requests: Access requests pending: user -> round received (host).
        partners: Other spokes' (fear, threat perception), from their informs.
        informed: Whether this spoke has informed its partners.
    """

    perception: float = 1.0
    credibility: float = 0.0
    reward: float = 0.0
    crisis_start: int | None = None
    attack_seen: dict[str, int] = attrs.field(factory=dict)
    pledged: set[str] = attrs.field(factory=set)
    responded: set[str] = attrs.field(factory=set)
    requests: dict[str, int] = attrs.field(factory=dict)
    partners: dict[str, tuple[float, float]] = attrs.field(factory=dict)
    informed: bool = False


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    """Declare the bilateral doctrine."""
    return _SPEC


@negsim.hookimpl
def negsim_agent_start(agent: Agent, rng: random.Random) -> HubState:
    """Draw this run's perception noise."""
    sigma = float(agent.params["noise"])
    return HubState(perception=perception_noise(rng, sigma))


def support_values(params: Mapping[str, ParamValue], *, t: int) -> dict[str, float]:
    """The values of :data:`SUPPORT`'s symbols."""
    return {
        k: float(params[k])
        for k in (
            "p_win",
            "stakes",
            "cost_war",
            "p_nuc",
            "cost_nuclear",
            "dependence",
            "cost_abandon",
            "audience_cost",
        )
    } | {"t": float(t)}


def cooperation_values(
    params: Mapping[str, ParamValue], partner: tuple[float, float]
) -> dict[str, float]:
    """The values of :data:`COOPERATION`'s symbols, given a partner's (fear, threat)."""
    return {
        "fear_abandonment": float(params["fear_abandonment"]),
        "threat_perception": float(params["threat_perception"]),
        "history": float(params["history"]),
        "partner_fear": partner[0],
        "partner_threat": partner[1],
    }


def access_values(
    params: Mapping[str, ParamValue],
    *,
    credibility: float,
    reward: float,
    cooperation: float,
    t: int,
    perception: float,
) -> dict[str, float]:
    """The values of :data:`GRANT_ACCESS`'s symbols for a host."""
    return {
        "alliance_value": float(params["alliance_value"]),
        "dependence": float(params["dependence"]),
        "cost_abandon": float(params["cost_abandon"]),
        "quasi_weight": float(params["quasi_weight"]),
        "cooperation": cooperation,
        "audience_cost": float(params["audience_cost"]),
        "t": float(t),
        "backfire": float(params["backfire"]),
        "threatened": 1.0 if credibility > 0 else 0.0,
        "revocation_cost": float(params["revocation_cost"]),
        "korea_minute": 1.0 if params["korea_minute"] else 0.0,
        "reward": reward,
        "p_strike": min(1.0, float(params["threat_sensitivity"]) * credibility * perception),
        "cost_strike": float(params["cost_strike"]),
    }


@negsim.hookimpl
def negsim_decision_rules(
    agent: Agent, scenario: Scenario
) -> Sequence[tuple[Rule, Mapping[str, float]]]:
    """The hub's support rule, or a host's access rule, at the scenario's nominal values."""
    if any(al.hub == agent.id for al in scenario.alliances):
        return [(SUPPORT, support_values(agent.params, t=1))]
    creds = [
        float(a.params["threat_credibility"])
        for a in scenario.agents
        if "threat_credibility" in a.params
    ]
    if agent.capabilities.forces_hosted:
        values = access_values(
            agent.params,
            credibility=max(creds, default=0.0),
            reward=0.0,
            cooperation=0.0,
            t=1,
            perception=1.0,
        )
        return [(GRANT_ACCESS, values)]
    return []


@negsim.hookimpl
def negsim_decide(view: AgentView) -> list[Move]:
    """Decide as the hub or as a spoke.

    The hub pledges, requests access and responds after the constitutional delay; a
    spoke defends itself, informs its partners, and answers threats and access requests.
    """
    state: HubState = view.state
    hubbed = [al for al in view.public.alliances if al.hub == view.me and al.kind == "bilateral"]
    moves: list[Move] = []
    for threat in threats(view):
        if threat.nuclear:
            state.credibility = max(state.credibility, threat.credibility)
        state.crisis_start = state.crisis_start or view.round
    for _, value, _, _ in offers(view):
        state.reward = max(state.reward, value)
        state.crisis_start = state.crisis_start or view.round
    if hubbed:
        moves += _hub(view, state, hubbed)
    else:
        moves += _spoke(view, state)
    return moves


def _hub(view: AgentView, state: HubState, hubbed: list[negsim.Alliance]) -> list[Move]:
    moves: list[Move] = []
    me = view.me
    for sender, value, demand, mid in offers(view):
        if value > float(view.param("concession_threshold")):
            moves.append(view.say(sender, "accept", in_reply_to=mid, demand=demand))
            moves.append(view.act("concede", sender))
        else:
            moves.append(view.say(sender, "reject", in_reply_to=mid))
    spokes = sorted({m for al in hubbed for m in al.members if m != me})
    for spoke in spokes:
        if attacked(spoke) not in view.world.facts or f"repelled({spoke})" in view.world.facts:
            continue
        seen = state.attack_seen.setdefault(spoke, view.round)
        state.crisis_start = state.crisis_start or view.round
        if spoke not in state.pledged:
            state.pledged.add(spoke)
            delay = int(view.param("constitutional_delay"))
            moves.append(
                view.say(
                    spoke,
                    "pledge",
                    antecedent=attacked(spoke),
                    consequent=f"responds({me},{spoke})",
                    deadline=delay + 2,
                )
            )
            hosts = [h for h in view.public.hosts_of(me) if h != spoke]
            for host in hosts:
                if grants_access(host, me) not in view.world.facts:
                    moves.append(view.say(host, "request_support", access=True, target=spoke))
        t = view.round - (state.crisis_start or view.round) + 1
        due = view.round - seen >= int(view.param("constitutional_delay"))
        if (
            due
            and spoke not in state.responded
            and SUPPORT.holds(support_values(view.agent.params, t=t))
        ):
            state.responded.add(spoke)
            moves.append(view.act("respond", spoke))
    return moves


def _spoke(view: AgentView, state: HubState) -> list[Move]:
    moves: list[Move] = []
    me = view.me
    hubs = sorted({al.hub for al in view.public.alliances_of(me) if al.hub and al.hub != me})
    partners = sorted(
        {
            m
            for al in view.public.alliances
            for m in al.members
            if al.hub in hubs and m not in (me, al.hub)
        }
    )
    if not state.informed and partners:
        state.informed = True
        moves.append(
            view.say(
                partners,
                "inform",
                fear_abandonment=float(view.param("fear_abandonment")),
                threat_perception=float(view.param("threat_perception")),
            )
        )
    for m in view.received("inform"):
        if "fear_abandonment" in m.content:
            state.partners[m.sender] = (
                float(m.content["fear_abandonment"]),
                float(m.content.get("threat_perception", 0.5)),
            )
    # self-defence and a call to the hub
    if attacked(me) in view.world.facts and me not in state.responded:
        state.responded.add(me)
        moves.append(view.act("respond", me))
        moves.extend(view.say(h, "request_support", target=me) for h in hubs)
    for m in view.received("request_support"):
        if m.content.get("access") and m.sender in view.agent.capabilities.forces_hosted:
            state.requests.setdefault(m.sender, view.round)
            if not view.param("korea_minute"):
                moves.append(
                    view.say(m.sender, "consult", in_reply_to=m.id, about="prior consultation")
                )
    grant = GRANT_ACCESS.holds(_access(view, state))
    for threat in threats(view):
        moves.append(
            view.say(
                threat.sender,
                "reject" if grant else "accept",
                in_reply_to=threat.message_id,
                demand=threat.demand,
            )
        )
        if threat.nuclear:
            moves.extend(
                view.say(h, "consult", about="nuclear threat", threat=threat.sender) for h in hubs
            )
    for sender, _, _, mid in offers(view):
        moves.append(view.say(sender, "reject" if grant else "accept", in_reply_to=mid))
    gate = 0 if view.param("korea_minute") else int(view.param("consultation_rounds"))
    for user, since in sorted(state.requests.items()):
        if view.round - since < gate:
            continue
        fact = grants_access(me, user) if grant else denies_access(me, user)
        if fact not in view.world.facts:
            moves.append(view.act("grant_access" if grant else "deny_access", user))
        del state.requests[user]
    return moves


def _access(view: AgentView, state: HubState) -> dict[str, float]:
    t = view.round - (state.crisis_start or view.round) + 1
    victims = [p for p in state.partners if attacked(p) in view.world.facts]
    coop = max(
        (
            COOPERATION.value(cooperation_values(view.agent.params, state.partners[p]))
            for p in victims
        ),
        default=0.0,
    )
    return access_values(
        view.agent.params,
        credibility=state.credibility,
        reward=state.reward,
        cooperation=coop,
        t=t,
        perception=state.perception,
    )
