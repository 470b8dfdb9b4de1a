"""Bargaining in war: an armistice that leaves the attacker part of the ground.

War is a costly lottery, so some split of the contested ground is better for both
sides than fighting on; war goes on because the attacker does not know what the
defender would accept, and demands more at the risk of a refusal (Fearon, IO 1995,
"Rationalist Explanations for War"; the take-it-or-leave-it game of
``docs/explanation/reference-games``, here played over the ground a grab holds).

* **The negotiation** is one the scenario declares between an attacker and its
  target, opened by the attack (``opens_on = "attacked(ROK)"``), with one continuous
  issue :data:`KEEP` from 0 to 1: the share of the contested objective the attacker
  keeps. Its protocol says who offers: under ``alternating_offers`` the attacker
  demands first; with ``counter_offers = false`` it is take-it-or-leave-it, otherwise
  the two bargain while they fight, offer against counter-offer, each day's war
  changing what each expects of it (Wagner, AJPS 2000; Powell, AJPS 2004).
* **The defender** accepts while :data:`ARMISTICE` is positive: a share ``keep`` of
  the ground given up for sure against the chance the grab stands (``p_stand``, by the
  world's combat model with the partners it counts on, those not yet fighting
  discounted by its fear of abandonment) and the cost of fighting on
  (its ``cost_war``, often its private type). Its ``ground_value`` is what the ground
  is worth to it.
* **The attacker** demands the share that maximises its expected value under its
  belief about the defender's cost (:func:`best_keep`): each type accepts up to its
  own threshold, and a refusal leaves it the war's value.
* **The world** enacts an agreement (the engine makes each agreed number a variable
  ``term(<id>,keep)``): the line is drawn at ``keep``, the fighting stops, and the
  crisis ends in a settlement.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from negsim.crisis._ally import attacker_of
from negsim.crisis._theory import FEARON, FEARON_1995, Standing, defence_by_day, grab_stands
from negsim.crisis._vocabulary import denies_access, responds
from negsim.logic import Rule
from negsim.model import AgentView, CommitmentState, Move, ParamSpec, Session, SessionStatus

__all__ = [
    "ARMISTICE",
    "ARMISTICE_PARAMS",
    "KEEP",
    "answer_armistice",
    "armistice_values",
    "armistice_sessions",
    "best_keep",
    "grab_now",
]

KEEP = "keep"
"""The armistice's issue: the share of the contested objective the attacker keeps."""

ARMISTICE_PARAMS = (
    ParamSpec(
        "ground_value",
        10.0,
        "Value to this state of the ground an attacker would grab from it (V_T); its "
        "cost_war is what fighting on costs it.",
        0,
        10000,
        f"{FEARON_1995}; value an assumption",
    ),
)
"""Parameters of :data:`ARMISTICE`, shared by the doctrines of states that may be attacked."""

ARMISTICE = Rule(
    name="armistice",
    expr="cost_war + (p_stand - keep)*ground_value",
    doc="a defender accepts an armistice that leaves the attacker keep of the ground",
    source=f"{FEARON_1995}; {FEARON}",
)
"""A defender accepts an armistice while this expression is > 0."""


def armistice_sessions(view: AgentView) -> Iterator[Session]:
    """The open armistices (negotiations with a :data:`KEEP` issue) it may move in now."""
    for session in view.sessions:
        if (
            session.status is SessionStatus.OPEN
            and session.may_move(view.me)
            and any(i.name == KEEP for i in session.negotiation.issues)
        ):
            yield session


def best_keep(
    thresholds: Iterable[tuple[float, float]], *, gain: float, war: float
) -> tuple[float, float]:
    """The share to demand against a belief over what the defender would accept.

    A defender of type ``i`` accepts any share up to its threshold ``k_i`` (clipped to
    ``[0, 1]``); the attacker gets ``keep * gain`` if it accepts and ``war`` if not.
    The best demand is one of the thresholds (Fearon 1995's risk-return trade-off).

    Args:
        thresholds: ``(k_i, probability)`` for each type of defender.
        gain: The attacker's value of the whole objective.
        war: The attacker's value of fighting on.

    Returns:
        ``(keep, expected value)``; among equally good demands the smallest.

    >>> best_keep([(0.4, 0.5), (0.8, 0.5)], gain=10.0, war=2.0)  # 4 for sure, or 8 half the time
    (0.8, 5.0)
    >>> best_keep([(0.4, 0.5), (0.8, 0.5)], gain=10.0, war=-2.0)  # a refusal costs more
    (0.4, 4.0)
    """
    types = sorted((min(1.0, max(0.0, k)), p) for k, p in thresholds)
    total = sum(p for _, p in types)
    best, best_value = 0.0, -float("inf")
    below = 0.0  # the mass of types whose threshold is under the demand: they refuse
    for k, p in types:
        value = (total - below) * k * gain + below * war
        if value > best_value + 1e-12:
            best, best_value = k, value
        below += p
    return best, best_value


def armistice_values(view: AgentView, keep: float, p_stand: float) -> dict[str, float]:
    """The values of :data:`ARMISTICE`'s symbols for the defender ``view.me``."""
    return {
        "cost_war": view.number("cost_war"),
        "p_stand": p_stand,
        "keep": keep,
        "ground_value": view.number("ground_value"),
    }


def answer_armistice(view: AgentView, standing: Standing) -> list[Move]:
    """Accept or refuse the armistice its attacker offers, by :data:`ARMISTICE`.

    It weighs the chance the grab stands by the world's combat model, counting the
    partners already fighting for it in full and those whose pledge still stands with
    the chance it trusts them to come: one minus its fear of abandonment (Snyder 1984),
    which moves with what its partners have done in the crisis. Refusing, it makes a
    counter-offer where the protocol allows one (``counter_offers``): the share the war
    would leave the attacker as it reckons it, ``p_stand``, a split by the expected
    outcome; otherwise it rejects, and the war goes on.
    """
    moves: list[Move] = []
    for session in armistice_sessions(view):
        attacker = attacker_of(view, view.me)
        if attacker is None or session.author != attacker or KEEP not in session.text:
            continue
        p_stand = grab_now(view, attacker, _partners(view, 1.0 - standing.fear))
        keep = float(session.text[KEEP])
        if ARMISTICE.holds(armistice_values(view, keep, p_stand)):
            moves.append(view.accept(session))
        elif session.negotiation.params.get("counter_offers", False):
            moves.append(view.offer(session, **{KEEP: round(min(keep, p_stand), 6)}))
        else:
            moves.append(view.reject(session))
    return moves


def _partners(view: AgentView, trust: float) -> dict[str, float]:
    """Who it counts on, with the chance each comes: ``trust`` for a pledge still good."""
    facts = view.world.facts
    pledged = {
        c.debtor: trust
        for c in view.commitments
        if c.creditor == view.me
        and c.consequent == responds(c.debtor, view.me)
        and c.state not in (CommitmentState.VIOLATED, CommitmentState.CANCELLED)
    }
    fighting = {
        a: 1.0 for a in view.public.agents if a != view.me and responds(a, view.me) in facts
    }
    return {**pledged, **fighting}


def grab_now(view: AgentView, attacker: str, partners: Mapping[str, float]) -> float:
    """The chance the grab on ``view.me`` under way stands, if ``partners`` come now.

    Each partner comes with the chance given; a host's bases count unless it has shut
    them. The grab as it stands: the ground held and for how long.
    """
    me = view.me
    v = view.world.variables
    size = v.get(f"attack_size({me})", 0.0)
    if size <= 0.0:
        return 0.0
    facts = view.world.facts

    def access(host: str, user: str) -> float:
        return 0.0 if denies_access(host, user) in facts else 1.0

    days = max(1, view.public.max_rounds - view.round + 1)
    defence = defence_by_day(
        view.public, me, size, helpers=partners, start={}, access=access, days=days
    )
    return grab_stands(
        view.public,
        attacker,
        size,
        defence,
        control=v.get(f"control({me})", 0.0),
        held=int(v.get(f"held({me})", 0.0)),
    )
