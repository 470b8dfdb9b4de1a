"""Steps every allied doctrine takes the same way: listen, weigh, answer, open or shut.

An ally hears threats and offers, learns the hazard of the threats against it from
what the world carries out, and learns its partners' reliability from what they do
(:class:`negsim.crisis.Standing`). It weighs support (:data:`SUPPORT`) and access
(:data:`ACCESS`) with what it has learned, and answers the threatener strategically:
a host that keeps its bases open rejects the demand in public (tying its hands,
Fearon 1997); one that would shut them defies the threat all the same when a bluff is
worth the audience cost it ties itself to (:data:`BLUFF`), says nothing otherwise, and
accepts a reward on offer to be paid. It learns, too, whether an attacker is resolute
from its fighting on while opposed. How allies decide *together* is the doctrine's own
business.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping

from negsim.crisis._theory import (
    ACCESS,
    BLUFF,
    SUPPORT,
    Standing,
    defence_by_day,
    exposure,
    grab_stands,
)
from negsim.crisis._vocabulary import (
    Rung,
    denies_access,
    grants_access,
    offers,
    threats,
)
from negsim.logic import Rule
from negsim.model import Agent, AgentView, Commitment, CommitmentState, Move, PublicInfo, Scenario

__all__ = [
    "access_values",
    "answer_coercion",
    "at_war",
    "attacker_of",
    "bluff_values",
    "in_danger",
    "listen",
    "nominal_rules",
    "nominal_view",
    "open_or_shut",
    "support_values",
    "victims",
    "win_chance",
]


def nominal_view(agent: Agent, scenario: Scenario) -> AgentView:
    """The view an agent would have at the start of ``scenario``: round 1, empty inbox.

    For :hook:`negsim_decision_rules`, which reports rules at the scenario's values.
    """
    return AgentView(
        agent=agent,
        round=1,
        world=scenario.world,
        inbox=(),
        commitments=(),
        proposals=(),
        public=_public(scenario),
        state=None,
        rng=random.Random(0),
    )


_PUBLIC: dict[int, tuple[Scenario, PublicInfo]] = {}


def _public(scenario: Scenario) -> PublicInfo:
    """The public part of ``scenario``, worked out once for all its agents' views.

    ``negsim check`` asks every agent of a scenario for its rules: one object serves them
    all (a 512-member alliance would otherwise rebuild it 512 times). The scenario is kept
    with its entry so that a recycled id can never hit.
    """
    hit = _PUBLIC.get(id(scenario))
    if hit is not None and hit[0] is scenario:
        return hit[1]
    public = PublicInfo.of(scenario)
    if len(_PUBLIC) >= 8:
        _PUBLIC.clear()
    _PUBLIC[id(scenario)] = (scenario, public)
    return public


def nominal_rules(
    agent: Agent, scenario: Scenario, partner: str
) -> list[tuple[Rule, Mapping[str, float]]]:
    """An ally's rules at the start of a crisis, for :hook:`negsim_decision_rules`.

    The support rule for ``partner`` (a sure win, no threat yet, no pledge), and for a
    host the access rule and the bluff rule.
    """
    standing = Standing.of(agent)
    view = nominal_view(agent, scenario)
    rules: list[tuple[Rule, Mapping[str, float]]] = [
        (SUPPORT, support_values(view, standing, partner, 1.0))
    ]
    if agent.capabilities.forces_hosted:
        rules.append((ACCESS, access_values(view, standing, 0.0)))
        rules.append((BLUFF, bluff_values(view, standing)))
    return rules


class _Facts:
    """The facts the allies scan for, indexed once per set of facts.

    ``attackers`` maps each target to the attacker of the first ``attacking(A,T)`` fact
    in the set's order; ``attacked`` and ``repelled`` hold the ``T`` of each
    ``attacked(T)`` and ``repelled(T)`` fact; ``endangered`` the attacked and the last
    arguments of the ``threatened(...)`` facts, ``responded`` those of the
    ``responds(...)`` facts; ``denied`` the ``denies_access(...)`` facts; ``war`` says
    whether any attack is
    under way; ``acts`` lists, in the set's order, each ``conceded(P,...)`` fact (not
    reliable) and each ``responds(P,T)`` fact with ``P`` not ``T`` (reliable) as
    ``(fact, P, reliable)``.
    """

    __slots__ = (
        "acts",
        "attacked",
        "attackers",
        "denied",
        "endangered",
        "repelled",
        "responded",
        "war",
    )

    def __init__(self, facts: Iterable[str]) -> None:
        self.attackers: dict[str, str] = {}
        self.attacked: set[str] = set()
        self.repelled: set[str] = set()
        self.endangered: set[str] = set()
        self.responded: set[str] = set()
        self.acts: list[tuple[str, str, bool]] = []
        self.war = False
        denied = []
        for fact in facts:
            name, bracket, rest = fact.partition("(")
            if not bracket:
                continue  # not an atom: none of the names below
            if name == "denies_access":
                denied.append(fact)
                continue
            if name in ("responds", "conceded"):
                who, _, whom = rest[:-1].partition(",")
                if name == "conceded":
                    self.acts.append((fact, who, False))
                elif who != whom:
                    self.acts.append((fact, who, True))
            if name in ("attacked", "repelled"):
                if rest.endswith(")"):
                    (self.attacked if name == "attacked" else self.repelled).add(rest[:-1])
                continue
            if name == "attacking":
                self.war = True
            elif name not in ("threatened", "responds"):
                continue
            first, comma, _ = rest.partition(",")
            if not comma or not rest.endswith(")"):
                continue
            last = rest[rest.rindex(",") + 1 : -1]
            if name == "attacking":
                self.attackers.setdefault(last, first)
            elif name == "threatened":
                self.endangered.add(last)
            else:
                self.responded.add(last)
        self.endangered |= self.attacked
        self.denied = frozenset(denied)


def _facts(view: AgentView) -> _Facts:
    """The :class:`_Facts` of the view's world, built once for every view of a round."""
    global _LAST_FACTS
    facts = view.world.facts
    last = _LAST_FACTS
    if last is not None and last[0] is facts:
        return last[1]
    index = _Facts(facts)
    _LAST_FACTS = (facts, index)
    return index


_LAST_FACTS: tuple[frozenset[str], _Facts] | None = None
"""The last set of facts indexed, kept with its index (every ally reads the same set)."""


def attacker_of(view: AgentView, target: str) -> str | None:
    """Who is attacking ``target`` now, or ``None``."""
    return _facts(view).attackers.get(target)


def in_danger(view: AgentView, state: str) -> bool:
    """Whether ``state`` has been attacked or threatened in this crisis (public facts)."""
    return state in _facts(view).endangered


def at_war(view: AgentView) -> bool:
    """Whether any attack is under way."""
    return _facts(view).war


def listen(view: AgentView, standing: Standing, partners: Iterable[str]) -> None:
    """Take in the round: records, threats, offers, strikes, partners' acts."""
    for threat in threats(view):
        standing.hear_threat(threat.sender, threat.rung)
    for offer in offers(view):
        standing.reward = max(standing.reward, offer.value)
    war = at_war(view)
    for sender in standing.hazard:
        count = view.world.variables.get(f"executed({sender},{view.me})", 0.0)
        standing.observe_execution(sender, count, war)
    learning = view.number("fear_learning")
    partners = set(partners)
    _watch_resistance(view, standing, partners)
    seen = standing.seen
    records = view.public.records  # a partner without one has none to read
    for partner in sorted(partners.intersection(records)):
        if "record:" + partner in seen:
            continue  # read once
        record = records[partner]
        standing.read_record(partner, record.honoured, record.failed, learning)
    for fact, who, reliable in _facts(view).acts:
        if who in partners:
            standing.observe_partner(fact, reliable=reliable, learning=learning)
    for cid in _violated_to(view):
        standing.observe_partner(f"violated:{cid}", reliable=False, learning=learning)


def _violated_to(view: AgentView) -> list[str]:
    """The ids of the violated commitments owed to the agent, in the view's order.

    Worked out once per tuple of commitments: the engine hands an agent the same tuple
    until one of them changes (an alliance's members see hundreds of treaties).
    """
    commitments, me = view.commitments, view.me
    key = (id(commitments), me)
    hit = _VIOLATED.get(key)
    if hit is not None and hit[0] is commitments:
        return hit[1]
    violated = CommitmentState.VIOLATED
    found = [c.id for c in commitments if c.state is violated and c.creditor == me]
    if len(_VIOLATED) > 4096:
        _VIOLATED.clear()
    _VIOLATED[key] = (commitments, found)
    return found


_VIOLATED: dict[tuple[int, str], tuple[tuple[Commitment, ...], list[str]]] = {}
""":func:`_violated_to` by (identity of the commitments, agent); the commitments are
kept with their entry so that a recycled id can never hit."""


def _watch_resistance(view: AgentView, standing: Standing, partners: Iterable[str]) -> None:
    """Each attacker that fights on today against a defended partner (or itself)."""
    if not 0.0 < standing.resolve_prior < 1.0:
        return
    index = _facts(view)
    for target in sorted({view.me, *partners}):
        attacker = index.attackers.get(target)
        if attacker and target in index.responded:
            standing.observe_resistance(attacker, view.number("resolve_evidence"))


def win_chance(view: AgentView, target: str, attacker: str, helpers: Iterable[str]) -> float:
    """The chance the defence of ``target`` succeeds, if ``helpers`` all come now.

    One minus the chance the attack as it stands holds, by the world's combat model.
    """
    size = view.world.variables.get(f"attack_size({target})", 0.0)
    if size <= 0.0:
        return 1.0
    public = view.public
    facts = _facts(view).denied  # all it reads of the facts
    helpers = tuple(helpers)
    key = (id(public), facts, view.round, target, attacker, size, helpers)
    hit = _WINS.get(key)
    if hit is not None and hit[0] is public:
        return hit[1]

    def access(host: str, user: str) -> float:
        return 0.0 if denies_access(host, user) in facts else 1.0

    days = max(1, view.public.max_rounds - view.round + 1)
    defence = defence_by_day(
        view.public,
        target,
        size,
        helpers=dict.fromkeys(helpers, 1.0),
        start={},
        access=access,
        days=days,
    )
    chance = 1.0 - grab_stands(view.public, attacker, size, defence)
    if len(_WINS) > 4096:
        _WINS.clear()
    _WINS[key] = (public, chance)
    return chance


_WINS: dict[tuple[object, ...], tuple[PublicInfo, float]] = {}
""":func:`win_chance` memoised on all it reads: the public information (kept with its
entry so that a recycled id can never hit), the bases denied, the round, the target,
the attacker, the attack's size and the helpers in order."""


def support_values(
    view: AgentView, standing: Standing, target: str, p_win: float
) -> dict[str, float]:
    """The values of :data:`SUPPORT`'s symbols for supporting ``target``."""
    worst = max(
        (
            standing.expected_hazard(s)
            for s, rung in standing.threatened.items()
            if rung == Rung.NUCLEAR_USE
        ),
        default=0.0,
    )
    return {
        "p_win": p_win,
        "resolve": standing.expected_resolve(
            attacker_of(view, target) if standing.resolve else None
        ),
        "stakes": view.number("stakes"),
        "forward_stake": view.number("forward_stake"),
        "exposure": exposure(view.public, view.me, target),
        "cost_war": view.number("cost_war"),
        "p_nuc": min(1.0, worst * view.number("horizon")),
        "cost_nuclear": view.number("cost_nuclear"),
        "dependence": view.number("dependence"),
        "cost_abandon": view.number("cost_abandon"),
        "fear_abandonment": standing.fear,
        "cost_entrapment": view.number("cost_entrapment"),
        "fear_entrapment": standing.entrapment,
        "audience_cost": view.number("audience_cost"),
        "level": float(standing.level),
    }


def access_values(view: AgentView, standing: Standing, cooperation: float) -> dict[str, float]:
    """The values of :data:`ACCESS`'s symbols for this host, against its worst threat.

    ``hazard`` is the daily hazard it believes its worst threat carries, ``cost_hit``
    what that threat's rung would cost it (a demonstration nothing).
    """
    hazard = cost_hit = 0.0
    for sender, rung in standing.threatened.items():
        cost = 0.0
        if rung == Rung.NUCLEAR_USE:
            cost = view.number("cost_nuclear")
        elif rung == Rung.CONVENTIONAL_STRIKE:
            cost = view.number("cost_strike")
        believed = standing.expected_hazard(sender)
        if believed * cost >= hazard * cost_hit:
            hazard, cost_hit = believed, cost
    return {
        "alliance_value": view.number("alliance_value"),
        "dependence": view.number("dependence"),
        "cost_abandon": view.number("cost_abandon"),
        "fear_abandonment": standing.fear,
        "cost_entrapment": view.number("cost_entrapment"),
        "fear_entrapment": standing.entrapment,
        "audience_cost": view.number("audience_cost"),
        "level": float(standing.level),
        "quasi_weight": view.number("quasi_weight"),
        "cooperation": cooperation,
        "backfire": view.number("backfire"),
        "threatened": 1.0 if standing.threatened else 0.0,
        "revocation_cost": view.number("revocation_cost"),
        "korea_minute": 1.0 if view.flag("korea_minute") else 0.0,
        "reward": standing.reward,
        "hazard": hazard,
        "horizon": view.number("horizon"),
        "cost_hit": cost_hit,
    }


def bluff_values(view: AgentView, standing: Standing) -> dict[str, float]:
    """The values of :data:`BLUFF`'s symbols for this host now."""
    public = view.flag("public_replies")
    return {
        "bluff_value": view.number("bluff_value"),
        "audience_cost": view.number("audience_cost"),
        "tie": float(max(0, 1 - standing.level)) if public else 0.0,
    }


def answer_coercion(view: AgentView, standing: Standing, *, holds_firm: bool) -> list[Move]:
    """Answer this round's threats and offers, strategically (Fearon 1997).

    It defies a threat when it holds firm, or when it would give way but a bluff is
    worth its price (:data:`BLUFF`); it rejects in public if ``public_replies`` (its
    public escalation then rises to at least 1: its hands are tied), in private
    otherwise. Otherwise it keeps silent to threats. It rejects offers when it holds
    firm and accepts a paid offer's demand when it gives way.
    """
    moves: list[Move] = []
    public = view.flag("public_replies")
    coerced = threats(view)
    defiant = holds_firm or bool(coerced and BLUFF.holds(bluff_values(view, standing)))
    for threat in coerced:
        if defiant:
            if public:
                standing.level = max(standing.level, 1)
            moves.append(
                view.say(
                    threat.sender,
                    "reject",
                    in_reply_to=threat.message_id,
                    demand=threat.demand,
                    visibility="public" if public else "recipients",
                )
            )
    for offer in offers(view):
        verdict = "reject" if holds_firm else "accept"
        moves.append(
            view.say(offer.sender, verdict, in_reply_to=offer.message_id, demand=offer.demand)
        )
    return moves


def open_or_shut(view: AgentView, users: Iterable[str], *, grant: bool) -> list[Move]:
    """Grant or deny the forces of ``users`` hosted here the use of the bases."""
    hosted = view.agent.capabilities.forces_hosted
    moves: list[Move] = []
    for user in sorted(set(users) & set(hosted)):
        fact = grants_access(view.me, user) if grant else denies_access(view.me, user)
        if not view.holds(fact):
            moves.append(view.act("grant_access" if grant else "deny_access", user))
    return moves


def victims(view: AgentView, among: Iterable[str]) -> list[str]:
    """Partners in ``among`` under attack and not yet relieved, sorted."""
    index = _facts(view)
    return sorted(t for t in set(among) if t in index.attacked and t not in index.repelled)
