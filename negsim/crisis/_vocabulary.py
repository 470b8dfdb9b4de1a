"""The crisis vocabulary: fact names, escalation rungs, and readers of the inbox.

Every crisis doctrine and the crisis world spell facts through these helpers, so a
third-party doctrine reads and writes the same world as the built-in ones without
importing another plugin.
"""

from __future__ import annotations

import enum
from collections.abc import Set as AbstractSet

import attrs

from negsim.model import AgentView, Performative

__all__ = [
    "Offer",
    "Rung",
    "Threat",
    "attacked",
    "attacking",
    "complied",
    "conceded",
    "decided",
    "denies_access",
    "executed",
    "grants_access",
    "offers",
    "repelled",
    "responds",
    "stands_down",
    "threats",
    "under_attack",
]


def attacked(target: str) -> str:
    """``attacked(T)``: ``T`` has been attacked in this crisis."""
    return f"attacked({target})"


def attacking(attacker: str, target: str) -> str:
    """``attacking(A,T)``: ``A``'s attack on ``T`` is under way."""
    return f"attacking({attacker},{target})"


def repelled(target: str) -> str:
    """``repelled(T)``: the attack on ``T`` has been defeated."""
    return f"repelled({target})"


def responds(agent: str, target: str) -> str:
    """``responds(R,T)``: ``R`` has committed forces to defend ``T``."""
    return f"responds({agent},{target})"


def grants_access(host: str, user: str) -> str:
    """``grants_access(H,U)``: ``H`` lets ``U`` launch combat operations from its bases."""
    return f"grants_access({host},{user})"


def denies_access(host: str, user: str) -> str:
    """``denies_access(H,U)``: ``H`` refuses ``U`` the use of its bases."""
    return f"denies_access({host},{user})"


def decided(alliance: str, decision: str = "collective_response") -> str:
    """``decided(A,D)``: alliance ``A`` has decided ``D``."""
    return f"decided({alliance},{decision})"


def complied(agent: str, threatener: str) -> str:
    """``complied(S,T)``: ``S`` accepted ``T``'s demand."""
    return f"complied({agent},{threatener})"


def conceded(agent: str, to: str) -> str:
    """``conceded(S,T)``: ``S`` gave ``T`` what it demanded (a settlement)."""
    return f"conceded({agent},{to})"


def stands_down(agent: str) -> str:
    """``stands_down(S)``: ``S`` stays out of the conflict."""
    return f"stands_down({agent})"


class Rung(enum.StrEnum):
    """A rung of the escalation ladder, lowest first (Kahn 1965; Schelling 1966).

    The world carries an armed threat out at its rung: a demonstration is seen by all
    and damages nothing (a missile over Hokkaido, 2017); a conventional strike destroys
    part of the forces staged on the host's bases; nuclear use ends the crisis in
    escalation.
    """

    DEMONSTRATION = "demonstration"
    CONVENTIONAL_STRIKE = "conventional_strike"
    NUCLEAR_USE = "nuclear_use"

    @property
    def level(self) -> int:
        """The rung's height on the ladder: 1, 2, 3."""
        return _LEVELS[self]


_LEVELS = {rung: i for i, rung in enumerate(Rung, start=1)}


def executed(rung: Rung | str, threatener: str, target: str) -> str:
    """``<rung>(S,T)``: ``S`` carried out a threat of that rung against ``T``."""
    return f"{Rung(rung).value}({threatener},{target})"


def under_attack(view: AgentView, among: AbstractSet[str] | None = None) -> list[str]:
    """States attacked and not yet relieved, optionally only those in ``among``, sorted.

    Reads the facts, not the agents, so it costs the same in a crisis of 500 states.
    """
    facts = view.world.facts
    hit = {f[len("attacked(") : -1] for f in facts if f.startswith("attacked(")}
    if among is not None:
        hit &= among
    return sorted(t for t in hit if repelled(t) not in facts)


@attrs.frozen
class Threat:
    """A coercive threat read from a ``threaten`` message.

    What the threat says is cheap talk: the hazard its author armed it with reaches
    the world through a secret ``arm`` action, not through the message.

    Attributes:
        sender: Who threatens.
        rung: The rung threatened (:class:`Rung`).
        demand: What the threatener demands (``deny_access``, ``stand_down``).
        message_id: The message's id, for replies.
    """

    sender: str
    rung: Rung
    demand: str
    message_id: str

    @property
    def nuclear(self) -> bool:
        """Whether the rung threatened is nuclear use."""
        return self.rung is Rung.NUCLEAR_USE


def threats(view: AgentView) -> list[Threat]:
    """The threats in the agent's inbox this round.

    A threat without a ``rung`` is read as nuclear when its ``nuclear`` key is true and
    as a conventional strike otherwise; without a ``demand``, it demands nothing.
    """
    out = []
    for m in view.inbox:
        if m.performative is Performative.THREATEN:
            rung = m.content.get("rung")
            if rung not in _RUNG_NAMES:
                rung = Rung.NUCLEAR_USE if m.content.get("nuclear") else Rung.CONVENTIONAL_STRIKE
            out.append(
                Threat(
                    sender=m.sender,
                    rung=Rung(str(rung)),
                    demand=str(m.content.get("demand", "")),
                    message_id=m.id,
                )
            )
    return out


_RUNG_NAMES = frozenset(r.value for r in Rung)


@attrs.frozen
class Offer:
    """A conditional reward read from an ``offer`` message: paid only on compliance.

    Attributes:
        sender: Who offers.
        value: What it pays if the demand is met.
        demand: What it asks for (``deny_access``, ``stand_down``, ``concede``).
        message_id: The message's id, for replies.
    """

    sender: str
    value: float
    demand: str
    message_id: str


def offers(view: AgentView) -> list[Offer]:
    """The offers in the agent's inbox this round (outside any negotiation)."""
    return [
        Offer(m.sender, float(m.content.get("value", 0.0)), str(m.content.get("demand", "")), m.id)
        for m in view.inbox
        if m.performative is Performative.OFFER and not m.negotiation
    ]
