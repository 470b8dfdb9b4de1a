"""The theory two or more crisis doctrines share: the Snyder and Crawford terms.

The alliance security dilemma (Snyder, World Politics 1984) gives an ally's rule for
supporting a partner; the wedge literature (Crawford, IS 2011; Izumikawa, SS 2013)
gives a host's rule for keeping its bases open under coercion. Both rules, their
parameters, and what an ally learns during a crisis (the hazard of a threat against
it, its partners' reliability, its own public escalation) live here once, so the
collective and bilateral doctrines differ only in how they decide together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import attrs

from negsim.beliefs import Belief
from negsim.crisis._combat import arrival_delay, deployments, garrison, grab_odds
from negsim.logic import Rule
from negsim.model import Agent, AgentType, Capabilities, ParamSpec, ParamValue, PublicInfo

__all__ = [
    "ACCESS",
    "ACCESS_PARAMS",
    "BLUFF",
    "CHA",
    "CRAWFORD",
    "FEARON",
    "FEARON_1995",
    "HAZARDS",
    "HAZARD_PRIOR",
    "SNYDER",
    "SUPPORT",
    "SUPPORT_PARAMS",
    "TOMZ",
    "Standing",
    "defence_by_day",
    "exposure",
    "grab_stands",
]

SNYDER = "Snyder, World Politics 1984 (alliance security dilemma)"
"""Citation of the alliance security dilemma, for parameter specs and rules."""
CRAWFORD = "Crawford, IS 2011; Izumikawa, SS 2013 (wedge strategies)"
"""Citation of the wedge strategies, for parameter specs and rules."""
CHA = "Cha, Alignment Despite Antagonism, 1999 (quasi-alliance model)"
"""Citation of the quasi-alliance model, for parameter specs and rules."""
FEARON = "Fearon, APSR 1994 and JCR 1997 (audience costs, costly signals)"
"""Citation of audience costs and costly signals, for parameter specs and rules."""
FEARON_1995 = "Fearon, IO 1995 (rationalist explanations for war)"
"""Citation of the bargaining model of war, for parameter specs and rules."""
TOMZ = "Tomz, IO 2007 (audience costs grow with the level of public escalation)"
"""Citation of audience costs by level of escalation, for parameter specs and rules."""

HAZARDS = (0.0, 0.01, 0.03, 0.1, 0.3)
"""The daily hazards an ally deems a threat may be armed with (its belief's support)."""

HAZARD_PRIOR = (0.6, 0.2, 0.1, 0.07, 0.03)
"""An ally's prior over :data:`HAZARDS` before it has seen any threat carried out:
most weight on a bluff, since compellent threats by nuclear states have been no more
successful than others (Sechser & Fuhrmann, IO 2013); the spread is an assumption."""

SUPPORT_PARAMS = (
    ParamSpec("stakes", 5.0, "Value of defending the attacked partner (V).", 0, 1000, SNYDER),
    ParamSpec("cost_war", 3.0, "Expected cost of fighting (C_war).", 0, 1000, SNYDER),
    ParamSpec(
        "resolve_prior",
        1.0,
        "Its prior that an adversary fights on when opposed rather than backing down "
        "(1: it expects every war fought to the end, and nothing it sees changes that).",
        0,
        1,
        f"{FEARON_1995}; assumption: no public figure",
    ),
    ParamSpec(
        "resolve_evidence",
        0.5,
        "The chance it gives an adversary that would back down of still fighting after a "
        "day opposed: the nearer 1, the less holding on reveals resolve.",
        0,
        1,
        f"{FEARON_1995}; {FEARON}; assumption: no public figure",
    ),
    ParamSpec(
        "cost_nuclear", 50.0, "Cost of nuclear use against this state (C_nuc).", 0, 1e6, SNYDER
    ),
    ParamSpec("dependence", 0.5, "Dependence on the alliance (D).", 0, 1, SNYDER),
    ParamSpec("cost_abandon", 4.0, "Cost of being abandoned later (C_aband).", 0, 1000, SNYDER),
    ParamSpec(
        "fear_abandonment",
        0.5,
        "Fear of abandonment at the start: weighs the cost of being abandoned.",
        0,
        1,
        CHA,
    ),
    ParamSpec(
        "fear_entrapment",
        0.0,
        "Fear of entrapment at the start: of being drawn into a partner's war beyond its "
        "own stakes.",
        0,
        1,
        SNYDER,
    ),
    ParamSpec(
        "cost_entrapment",
        0.0,
        "Cost of being drawn into a partner's war beyond its own stakes (C_entrap); the "
        "fear of entrapment weighs it (0: no such cost).",
        0,
        1000,
        f"{SNYDER}; assumption: no public figure, off until calibrated",
    ),
    ParamSpec(
        "fear_learning",
        0.3,
        "How far one observed act of a partner (honouring, defecting, a unilateral "
        "concession) moves the fears of abandonment and of entrapment.",
        0,
        1,
        f"{SNYDER}; {CHA}; value an assumption",
    ),
    ParamSpec(
        "audience_cost",
        0.5,
        "Cost of backing down per level of public escalation (a pledge 1, forces committed 2).",
        0,
        100,
        f"{TOMZ}; Snyder & Borghard, APSR 2011",
    ),
    ParamSpec(
        "forward_stake",
        4.0,
        "Stake added by own troops stationed in the attacked state, at most (grows with "
        "the troops).",
        0,
        1000,
        "Fuhrmann & Sechser, AJPS 2014 (deployments); Schelling 1966",
    ),
    ParamSpec("threat_perception", 0.5, "Perception of the common threat (Cha's term).", 0, 1, CHA),
)
"""Parameters of :data:`SUPPORT`, shared by the collective and bilateral doctrines."""

ACCESS_PARAMS = (
    ParamSpec(
        "alliance_value",
        3.0,
        "A host's value of its alliance with the forces' owner (V_alliance).",
        0,
        1000,
        CRAWFORD,
    ),
    ParamSpec(
        "cost_strike",
        20.0,
        "A host's cost of a conventional strike on its bases (C_strike); nuclear use "
        "costs it cost_nuclear.",
        0,
        1e6,
        CRAWFORD,
    ),
    ParamSpec(
        "horizon",
        5.0,
        "Days of war over which a host weighs a threat's hazard.",
        1,
        100,
        "Powell, IO 2015; value an assumption",
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
        "quasi_weight",
        2.0,
        "Weight of cooperation with an attacked fellow spoke in a host's access decision.",
        0,
        100,
        f"{CHA}; value an assumption",
    ),
    ParamSpec(
        "public_replies",
        True,
        "Whether it rejects a threat in public (tying its hands) rather than in private.",
        source=f"{FEARON}; {TOMZ}",
    ),
    ParamSpec(
        "bluff_value",
        0.0,
        "What a host that would give way expects to gain by defying a threat all the same "
        "(the chance defiance deters, times what deterrence is worth to it); 0: it never bluffs.",
        0,
        1000,
        f"{FEARON}; assumption: no public figure prices a host's gain from looking firm",
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
        "assumption: no public figure prices a revoked advance consent",
    ),
)
"""Parameters of :data:`ACCESS`, shared by the collective and bilateral doctrines."""

SUPPORT = Rule(
    name="support",
    expr="(1 - resolve + resolve*p_win)*stakes + forward_stake*exposure"
    " - resolve*(cost_war + p_nuc*cost_nuclear)"
    " + dependence*cost_abandon*fear_abandonment"
    " - dependence*cost_entrapment*fear_entrapment + audience_cost*level",
    doc="an ally honours its pledge to an attacked partner",
    source=f"{SNYDER}; {TOMZ}; Fuhrmann & Sechser, AJPS 2014",
)
"""An ally supports an attacked partner while this expression is > 0.

``resolve`` is its belief that the attacker fights on when opposed: one that would
back down is beaten at no cost, so the chance of winning and the costs of war weigh
only with that belief (Fearon 1995). At 1, its default, the war is fought to the end.
"""

ACCESS = Rule(
    name="grant_access",
    expr="alliance_value + dependence*cost_abandon*fear_abandonment + audience_cost*level"
    " - dependence*cost_entrapment*fear_entrapment"
    " + quasi_weight*cooperation + backfire*threatened + revocation_cost*korea_minute - reward"
    " - hazard*horizon*cost_hit",
    doc="a host keeps its bases open to the forces' owner",
    source=f"{CRAWFORD}; {TOMZ}",
)
"""A host grants access while this expression is > 0 (it goes neutral otherwise)."""

BLUFF = Rule(
    name="bluff",
    expr="bluff_value - audience_cost*tie",
    doc="a host that would give way still defies the threat against it",
    source=f"{FEARON}; {TOMZ}",
)
"""A host that would shut its bases rejects the threat all the same while this is > 0.

``tie`` is the public escalation the rejection adds (1 for a first public stand, 0
for a private answer or a host already committed in public): defying in public ties
its hands, so a bluff there costs the audience cost of being caught backing down;
defying in private costs nothing, which is why it says nothing (Fearon 1997: cheap
talk against costly signals).
"""


def _hazard_types() -> tuple[AgentType, ...]:
    return tuple(
        AgentType(f"hazard={h:g}", {"hazard": h}, p)
        for h, p in zip(HAZARDS, HAZARD_PRIOR, strict=True)
    )


@attrs.define
class Standing:
    """What an ally learns during a crisis, in its private state.

    Attributes:
        fear: Its fear of abandonment now (starts at ``fear_abandonment``).
        entrapment: Its fear of entrapment now (starts at ``fear_entrapment``).
        level: Its level of public escalation: 1 after a public pledge, 2 once its
            forces are committed (Tomz 2007).
        hazard: Its belief about the hazard of each threat against it, by threatener:
            from :data:`HAZARD_PRIOR` over :data:`HAZARDS`, updated each day of war on whether the
            threat was carried out (Schelling; Powell 2015).
        executed: Threats against it carried out so far, by threatener.
        threatened: The rung threatened, by threatener.
        reward: The largest conditional reward offered to it.
        seen: Partners' acts already counted in ``fear``.
        resolve_prior: Its prior that an adversary fights on when opposed.
        resolve: Its belief about each attacker's resolve, from ``resolve_prior``,
            updated on each day the attacker fights on while opposed (Fearon 1995).
    """

    fear: float
    entrapment: float = 0.0
    level: int = 0
    hazard: dict[str, Belief] = attrs.field(factory=dict)
    executed: dict[str, float] = attrs.field(factory=dict)
    threatened: dict[str, str] = attrs.field(factory=dict)
    reward: float = 0.0
    seen: set[str] = attrs.field(factory=set)
    resolve_prior: float = 1.0
    resolve: dict[str, Belief] = attrs.field(factory=dict)

    @classmethod
    def of(cls, agent: Agent) -> Standing:
        """An ally's standing at the start of a crisis, as its parameters say.

        Its fears, and its prior about an adversary's resolve.
        """
        return cls(
            fear=agent.number("fear_abandonment"),
            entrapment=agent.number("fear_entrapment"),
            resolve_prior=agent.number("resolve_prior"),
        )

    def hear_threat(self, sender: str, rung: str) -> None:
        """Start a belief about the hazard of ``sender``'s threat."""
        self.threatened[sender] = rung
        self.hazard.setdefault(sender, Belief(sender, _hazard_types()))

    def observe_execution(self, sender: str, count: float, at_war: bool) -> None:
        """One day's evidence on ``sender``'s hazard: carried out (again) or not.

        Only days of war count: an armed threat is carried out only then.
        """
        belief = self.hazard.get(sender)
        if belief is None or not at_war:
            return
        hit = count > self.executed.get(sender, 0.0)
        self.executed[sender] = count
        belief.update_with(lambda t: _likelihood(float(t.params["hazard"]), hit))

    def expected_hazard(self, sender: str) -> float:
        """The mean hazard it believes ``sender``'s threat carries (0 if none)."""
        belief = self.hazard.get(sender)
        return belief.expect("hazard") if belief is not None else 0.0

    def observe_resistance(self, attacker: str, evidence: float) -> None:
        """A day on which ``attacker`` fought on while opposed.

        A resolute attacker always does; one that would back down does with the chance
        ``evidence``. With a prior of 1 (or 0) there is nothing to learn.
        """
        if not 0.0 < self.resolve_prior < 1.0:
            return
        belief = self.resolve.get(attacker)
        if belief is None:
            belief = self.resolve[attacker] = Belief(attacker, _resolve_types(self.resolve_prior))
        belief.update_with(lambda t: 1.0 if t.name == "resolute" else evidence)

    def expected_resolve(self, attacker: str | None) -> float:
        """Its belief that ``attacker`` fights on when opposed (its prior before any day)."""
        belief = self.resolve.get(attacker) if attacker else None
        return belief.probability("resolute") if belief is not None else self.resolve_prior

    def observe_partner(self, act: str, *, reliable: bool, learning: float) -> None:
        """A partner's act (counted once), the two fears moving apart (Snyder 1984).

        A partner that honours (commits forces) lowers the fear of abandonment and
        raises the fear of entrapment: it has shown it will fight, and may draw the ally
        in. One that defects or concedes raises the fear of abandonment and lowers the
        fear of entrapment.
        """
        if act in self.seen:
            return
        self.seen.add(act)
        self.fear += learning * ((0.0 - self.fear) if reliable else (1.0 - self.fear))
        self.entrapment += learning * (
            (1.0 - self.entrapment) if reliable else (0.0 - self.entrapment)
        )

    def read_record(self, partner: str, honoured: int, failed: int, learning: float) -> None:
        """A partner's public record of earlier crises, read once (Snyder 1984).

        The record is evidence of the same kind as the partner's acts in this crisis
        (Weisiger & Yarhi-Milo 2015). It has no order, so its ``n`` cases move each
        fear as far as ``n`` acts would, towards the share of cases that point its
        way: the fear of abandonment towards the share failed, the fear of entrapment
        towards the share honoured.
        """
        key = f"record:{partner}"
        cases = honoured + failed
        if key in self.seen or not cases:
            return
        self.seen.add(key)
        step = 1.0 - (1.0 - learning) ** cases
        self.fear += step * (failed / cases - self.fear)
        self.entrapment += step * (honoured / cases - self.entrapment)


def _resolve_types(prior: float) -> tuple[AgentType, ...]:
    return (
        AgentType("resolute", {"resolve": 1.0}, prior),
        AgentType("irresolute", {"resolve": 0.0}, 1.0 - prior),
    )


def _likelihood(hazard: float, hit: bool) -> float:
    return hazard if hit else 1.0 - hazard


def defence_by_day(
    public: PublicInfo,
    target: str,
    size: float,
    *,
    helpers: Mapping[str, float],
    start: Mapping[str, int],
    access: Callable[[str, str], float],
    integrated: Iterable[str] = (),
    days: int,
) -> list[float]:
    """The defence an attack of ``size`` on ``target`` is expected to meet, day by day.

    The garrison holds the grabbed sector with ``size/concentration`` of its power from
    the first day
    (:func:`negsim.crisis.garrison`); each helper adds,
    with its probability of honouring, the power staged where it can fight from, from
    the day it starts (``start``) plus its forces' travel, times the probability its
    host lets it through (``access(host, helper)``), times the integration multiplier
    for those in ``integrated``. The same reckoning as the world's, in expectation.
    """
    theatre = _theatre(public, target)
    local = size / theatre.concentration
    own = local * theatre.garrison
    multiplier = theatre.multiplier
    joint = set(integrated)
    added = [0.0] * days
    for helper, p_honour in helpers.items():
        if helper == target or p_honour <= 0.0:
            continue
        boost = multiplier if helper in joint else 1.0
        first = start.get(helper, 0)
        for location, home, delay, power in theatre.staging(helper):
            gate = 1.0 if home else access(location, helper)
            day = first + delay
            share = 1.0 - local if location == target else 1.0
            if day < days:
                added[day] += p_honour * gate * share * power * boost
    out = []
    for extra in added:
        own += extra
        out.append(own)
    return out


class _Theatre:
    """What :func:`defence_by_day` reads of a scenario for one target, worked out once.

    The world parameters it uses, the target's garrison, and each helper's deployments
    as ``(location, at home or in the target, days to arrive, power)``: pure functions
    of the public information, which one scenario's runs share.
    """

    __slots__ = (
        "_caps",
        "_speed",
        "_staging",
        "_target",
        "concentration",
        "garrison",
        "multiplier",
    )

    def __init__(self, public: PublicInfo, target: str) -> None:
        wp = public.world_params
        self._caps: Mapping[str, Capabilities] = public.capabilities
        self._speed = float(wp.get("deploy_km_per_day", 500.0))
        self._target = target
        self._staging: dict[str, tuple[tuple[str, bool, int, float], ...]] = {}
        self.multiplier = float(wp.get("integration_multiplier", 1.0))
        self.concentration = float(wp.get("concentration", 1.0))
        self.garrison = garrison(target, self._caps)

    def staging(self, helper: str) -> tuple[tuple[str, bool, int, float], ...]:
        """``helper``'s deployments as :func:`defence_by_day` weighs them."""
        found = self._staging.get(helper)
        if found is None:
            caps, target = self._caps, self._target
            found = self._staging[helper] = tuple(
                (
                    d.location,
                    d.location in (target, helper),
                    arrival_delay(caps[d.location].distance_km, self._speed),
                    d.power,
                )
                for d in deployments(helper, caps)
            )
        return found


def _theatre(public: PublicInfo, target: str) -> _Theatre:
    """The :class:`_Theatre` of ``target`` in ``public``, kept while ``public`` lives."""
    key = (id(public), target)
    hit = _THEATRES.get(key)
    if hit is not None and hit[0] is public:
        return hit[1]
    theatre = _Theatre(public, target)
    if len(_THEATRES) > 4096:
        _THEATRES.clear()
    _THEATRES[key] = (public, theatre)
    return theatre


_THEATRES: dict[tuple[int, str], tuple[PublicInfo, _Theatre]] = {}
"""Theatres by (identity of the public information, target); the public information is
kept with its entry so that a recycled id can never hit."""


def grab_stands(
    public: PublicInfo,
    attacker: str,
    size: float,
    defence: list[float],
    *,
    control: float | None = None,
    held: int = 0,
) -> float:
    """The probability a grab of ``size`` by ``attacker`` stands against ``defence``.

    :func:`negsim.crisis.grab_odds` at the scenario's world parameters; ``control`` and
    ``held`` give the state of a grab under way (a new one by default).
    """
    wp = public.world_params

    def num(name: str, default: float) -> float:
        value: ParamValue = wp.get(name, default)
        return float(value)

    return grab_odds(
        size * public.capabilities[attacker].conventional,
        defence,
        advance=num("advance", 0.35),
        decisiveness=num("decisiveness", 1.0),
        advantage=num("defender_advantage", 1.5),
        entrenchment=num("entrenchment", 0.15),
        ceasefire=int(num("ceasefire_rounds", 3)),
        control=control,
        held=held,
    )


def exposure(public: PublicInfo, helper: str, target: str) -> float:
    """The share of the tripwire's weight ``helper``'s troops in ``target`` carry, 0-1."""
    troops = public.capabilities[target].forces_hosted.get(helper, 0.0)
    half = float(public.world_params.get("tripwire_half", 10000.0))
    return troops / (troops + half) if troops > 0 else 0.0
