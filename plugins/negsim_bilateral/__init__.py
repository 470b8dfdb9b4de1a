"""Bilateral hub-and-spoke alliances, U.S.-style: the ``bilateral`` doctrine.

An agent is the **hub** when it is the hub of a bilateral alliance, a **spoke**
otherwise. Each decides alone; nothing is voted.

* **The hub honours by decision, per alliance.** When a spoke is attacked the hub
  pledges in public, asks the hosts of its forces for access (Kishi-Herter prior
  consultation, 1960), and decides whether to honour its pledge by the alliance
  security dilemma rule (:data:`negsim.crisis.SUPPORT`, Snyder 1984): the chance the
  defence wins by the world's combat model, its stakes and forward-deployed troops
  (Fuhrmann & Sechser 2014), the costs of war and of nuclear use as it believes them,
  the cost of being abandoned later, and the audience cost of backing down from a
  public pledge (Tomz 2007). It responds after ``constitutional_delay`` days (U.S.-ROK
  Art. III; U.S.-Japan Art. V).
* **A reward to the hub** buys a concession made without consulting the spokes (the
  2018 exercise suspension) when it is worth more than the concession costs the hub
  (:data:`CONCESSION`): the audience cost of its public pledges, and the value of
  defending each spoke times how far the concession raises that spoke's fear of
  abandonment. The spokes see it and fear abandonment more (Snyder 1984; Cha 1999).
* **Spokes** defend themselves, call the hub, tell fellow spokes their fear and threat
  perception, and cooperate as a quasi-alliance (:data:`COOPERATION`, Cha 1999).
* **The host's gate.** A spoke hosting the hub's forces answers an access request
  after ``consultation_rounds`` (at once with ``korea_minute``) and keeps its bases open
  while :data:`negsim.crisis.ACCESS` holds (Crawford 2011; Izumikawa 2013), with the
  hazard of the threat against it as it has learned it from what the world carried
  out. It looks again every day.
* **Spokes' pledges to the hub** are honoured or broken by the same support rule.
* **Attacked, hub or spoke answers an armistice** its attacker offers by
  :data:`negsim.crisis.ARMISTICE` (Fearon, IO 1995).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

import attrs

import negsim
from negsim.crisis import (
    ACCESS,
    ACCESS_PARAMS,
    ARMISTICE_PARAMS,
    CHA,
    SNYDER,
    SUPPORT,
    SUPPORT_PARAMS,
    TOMZ,
    Standing,
    access_values,
    answer_armistice,
    answer_coercion,
    at_war,
    attacked,
    attacker_of,
    in_danger,
    listen,
    nominal_rules,
    offers,
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
    Commitment,
    Move,
    ParamSpec,
    ParamValue,
    PluginSpec,
    Scenario,
)

__all__ = [
    "CONCESSION",
    "COOPERATION",
    "PARAMS",
    "Bilateral",
    "concession_values",
    "cooperation_values",
]

PARAMS = (
    *SUPPORT_PARAMS,
    *ACCESS_PARAMS,
    *ARMISTICE_PARAMS,
    ParamSpec(
        "constitutional_delay",
        1,
        "Days of constitutional process before the hub's forces move.",
        0,
        60,
        "U.S.-ROK MDT Art. III; U.S.-Japan Treaty Art. V",
    ),
    ParamSpec(
        "consultation_rounds",
        1,
        "Days of prior consultation before a host answers an access request.",
        0,
        60,
        "Kishi-Herter exchange of notes, 1960",
    ),
    ParamSpec(
        "history",
        0.3,
        "History/nationalism friction with the other spokes (h).",
        0,
        1,
        CHA + "; Japan-ROK 2018-2019 (GSOMIA)",
    ),
)
"""The bilateral doctrine's parameters (the Snyder and Crawford terms are shared)."""

COOPERATION = Rule(
    name="cooperation",
    expr="min(fear_abandonment, partner_fear) - max(threat_perception - partner_threat,"
    " partner_threat - threat_perception) - history",
    doc="two spokes cooperate (quasi-alliance)",
    source=CHA,
)
"""Spoke-to-spoke cooperation: symmetric fear raises it; diverging threat and history lower it."""

CONCESSION = Rule(
    name="concession",
    expr="reward - audience_cost*level - fear_learning*stakes*spokes",
    doc="the hub concedes, without consulting its spokes, for a reward",
    source=f"{SNYDER}; {CHA}; {TOMZ}; Singapore summit 2018",
)
"""The hub takes a reward for a concession while this expression is > 0: the reward
outweighs the audience cost of its public pledges and what each spoke's fear of
abandonment, raised by the concession, costs it in the value of defending that spoke."""

_SPEC = PluginSpec(
    role="doctrine", summary="U.S.-style bilateral hub-and-spoke alliances", params=PARAMS
)


@attrs.define
class Bilateral:
    """A hub's or spoke's private memory.

    Attributes:
        standing: What it has learned in the crisis (fear, escalation, hazard beliefs).
        allies: Its spokes (hub), or the hubs it relies on (spoke).
        fellows: Fellow spokes of the same hub.
        heard: Fellow spokes' (fear, threat perception), from their informs.
        seen: Day each attack on a spoke was first seen (hub).
        honour: Its decision to honour its pledge, by the partner attacked.
        requests: Access requests pending: user -> day received (host).
        informed: Whether it has told its partners its fear and threat perception.
    """

    standing: Standing
    allies: tuple[str, ...] = ()
    fellows: tuple[str, ...] = ()
    heard: dict[str, tuple[float, float]] = attrs.field(factory=dict)
    seen: dict[str, int] = attrs.field(factory=dict)
    honour: dict[str, bool] = attrs.field(factory=dict)
    requests: dict[str, int] = attrs.field(factory=dict)
    informed: bool = False


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    """Declare the bilateral doctrine."""
    return _SPEC


@negsim.hookimpl
def negsim_agent_start(agent: Agent, rng: random.Random) -> Bilateral:
    """Start with the scenario's fear of abandonment."""
    return Bilateral(Standing.of(agent))


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


@negsim.hookimpl
def negsim_decision_rules(
    agent: Agent, scenario: Scenario
) -> Sequence[tuple[Rule, Mapping[str, float]]]:
    """The support rule, and for a host the access rule, at the scenario's values.

    Evaluated at the start of a crisis: a sure win, no threat yet, no pledge.
    """
    partner = next((al.hub for al in scenario.alliances_of(agent.id) if al.hub != agent.id), None)
    return nominal_rules(agent, scenario, partner or agent.id)


@negsim.hookimpl
def negsim_honour(view: AgentView, commitment: Commitment) -> bool | None:
    """Honour a pledge to respond by the support rule; other pledges are not a choice here."""
    partner = commitment.creditor
    if not commitment.consequent.startswith(f"responds({view.me},"):
        return None
    state: Bilateral = view.state
    return _decide_support(view, state, partner)


@negsim.hookimpl
def negsim_decide(view: AgentView) -> list[Move]:
    """Decide as the hub or as a spoke."""
    state: Bilateral = view.state
    _know_the_alliances(view, state)
    listen(view, state.standing, state.allies)
    if any(al.hub == view.me and al.kind == "bilateral" for al in view.public.alliances):
        return _hub(view, state)
    return _spoke(view, state)


# -- the hub -----------------------------------------------------------------------------


def _hub(view: AgentView, state: Bilateral) -> list[Move]:
    moves = _take_or_refuse_rewards(view, state)
    moves += _defend_itself(view)
    moves += answer_armistice(view, state.standing)
    moves += _pledge_in_public(view, state)
    for spoke in victims(view, state.allies):
        moves += _ask_for_access(view, state, spoke)
        moves += _respond_when_due(view, state, spoke)
    return moves


def _pledge_in_public(view: AgentView, state: Bilateral) -> list[Move]:
    """Once a spoke is threatened or attacked, pledge in public to defend each spoke.

    The pledge ties its hands (Fearon 1997): backing down now costs it an audience
    cost (its escalation level rises to 1).
    """
    if state.standing.level or not any(in_danger(view, a) for a in state.allies):
        return []
    state.standing.level = 1
    return [
        view.say(
            spoke,
            "pledge",
            antecedent=attacked(spoke),
            consequent=responds(view.me, spoke),
            visibility="public",
        )
        for spoke in state.allies
    ]


def _defend_itself(view: AgentView) -> list[Move]:
    """Attacked itself, the hub responds at once (its spokes decide on their pledges)."""
    if attacked(view.me) not in view.world.facts or view.holds(responds(view.me, view.me)):
        return []
    return [view.act("respond", view.me)]


def _take_or_refuse_rewards(view: AgentView, state: Bilateral) -> list[Move]:
    """A reward worth its price buys a concession, unconsulted (:data:`CONCESSION`)."""
    moves: list[Move] = []
    for offer in offers(view):
        if CONCESSION.holds(concession_values(view, state, offer.value)):
            moves.append(
                view.say(offer.sender, "accept", in_reply_to=offer.message_id, demand=offer.demand)
            )
            moves.append(view.act("concede", offer.sender))
        else:
            moves.append(view.say(offer.sender, "reject", in_reply_to=offer.message_id))
    return moves


def concession_values(view: AgentView, state: Bilateral, reward: float) -> dict[str, float]:
    """The values of :data:`CONCESSION`'s symbols for a ``reward`` offered to the hub."""
    return {
        "reward": reward,
        "audience_cost": view.number("audience_cost"),
        "level": float(state.standing.level),
        "fear_learning": view.number("fear_learning"),
        "stakes": view.number("stakes"),
        "spokes": float(len(state.allies)),
    }


def _ask_for_access(view: AgentView, state: Bilateral, spoke: str) -> list[Move]:
    """When a spoke is attacked, ask the hosts of its forces for their bases, once."""
    if spoke in state.seen:
        return []
    state.seen[spoke] = view.round
    return [
        view.say(host, "request_support", access=True, target=spoke)
        for host in view.public.hosts_of(view.me)
        if host != spoke
    ]


def _respond_when_due(view: AgentView, state: Bilateral, spoke: str) -> list[Move]:
    """After the constitutional delay, respond if it decided to honour."""
    if view.holds(responds(view.me, spoke)):
        return []
    if view.round - state.seen[spoke] < view.whole("constitutional_delay"):
        return []
    decided = state.honour.get(spoke)  # taken when the pledge detached, if it did
    if decided is None:
        decided = _decide_support(view, state, spoke)
    if not decided:
        return []
    state.standing.level = 2
    return [view.act("respond", spoke)]


def _decide_support(view: AgentView, state: Bilateral, partner: str) -> bool:
    attacker = attacker_of(view, partner)
    p_win = win_chance(view, partner, attacker, (partner, view.me)) if attacker else 1.0
    decision = SUPPORT.holds(support_values(view, state.standing, partner, p_win))
    state.honour[partner] = decision
    return decision


# -- a spoke -----------------------------------------------------------------------------


def _spoke(view: AgentView, state: Bilateral) -> list[Move]:
    moves = _tell_partners(view, state)
    moves += _defend_and_call_the_hub(view, state)
    moves += _honour_pledges_to_the_hub(view, state)
    firm = ACCESS.holds(access_values(view, state.standing, _cooperation(view, state)))
    moves += answer_coercion(view, state.standing, holds_firm=firm)
    moves += _the_hosts_gate(view, state, grant=firm)
    moves += answer_armistice(view, state.standing)
    return moves


def _tell_partners(view: AgentView, state: Bilateral) -> list[Move]:
    """Tell fellow spokes its fear and threat perception once; note theirs (Cha 1999)."""
    for m in view.received("inform"):
        if "fear_abandonment" in m.content:
            state.heard[m.sender] = (
                float(m.content["fear_abandonment"]),
                float(m.content.get("threat_perception", 0.5)),
            )
    if state.informed or not state.fellows:
        return []
    state.informed = True
    return [
        view.say(
            list(state.fellows),
            "inform",
            fear_abandonment=state.standing.fear,
            threat_perception=view.number("threat_perception"),
        )
    ]


def _defend_and_call_the_hub(view: AgentView, state: Bilateral) -> list[Move]:
    """Attacked, a spoke responds itself and asks its hubs for support."""
    moves = _defend_itself(view)
    if moves:
        moves += [view.say(hub, "request_support", target=view.me) for hub in state.allies]
    return moves


def _honour_pledges_to_the_hub(view: AgentView, state: Bilateral) -> list[Move]:
    moves: list[Move] = []
    for hub in victims(view, state.allies):
        if not view.holds(responds(view.me, hub)) and _decide_support(view, state, hub):
            moves.append(view.act("respond", hub))
    return moves


def _cooperation(view: AgentView, state: Bilateral) -> float:
    """The quasi-alliance term toward an attacked fellow spoke (0 if none)."""
    attacked_partners = [p for p in state.heard if attacked(p) in view.world.facts]
    return max(
        (
            COOPERATION.value(cooperation_values(view.agent.params, state.heard[p]))
            for p in attacked_partners
        ),
        default=0.0,
    )


def _the_hosts_gate(view: AgentView, state: Bilateral, *, grant: bool) -> list[Move]:
    """Answer access requests after prior consultation; look again every day of war."""
    moves: list[Move] = []
    hosted = view.agent.capabilities.forces_hosted
    for m in view.received("request_support"):
        if m.content.get("access") and m.sender in hosted:
            state.requests.setdefault(m.sender, view.round)
            if not view.flag("korea_minute"):
                moves.append(
                    view.say(m.sender, "consult", in_reply_to=m.id, about="prior consultation")
                )
    gate = 0 if view.flag("korea_minute") else view.whole("consultation_rounds")
    due = [u for u, since in state.requests.items() if view.round - since >= gate]
    if at_war(view) and due:
        moves += open_or_shut(view, due, grant=grant)
    return moves


def _know_the_alliances(view: AgentView, state: Bilateral) -> None:
    if state.allies or state.fellows:
        return
    me = view.me
    hubbed = [al for al in view.public.alliances if al.hub == me and al.kind == "bilateral"]
    if hubbed:
        state.allies = tuple(sorted({m for al in hubbed for m in al.members if m != me}))
        return
    hubs = sorted({al.hub for al in view.public.alliances_of(me) if al.hub and al.hub != me})
    state.allies = tuple(hubs)
    state.fellows = tuple(
        sorted(
            {
                m
                for al in view.public.alliances
                for m in al.members
                if al.hub in hubs and m not in (me, al.hub)
            }
        )
    )
