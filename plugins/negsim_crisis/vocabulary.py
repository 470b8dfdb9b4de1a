"""The crisis world's vocabulary: fact names, and readers doctrines share.

Doctrines written for the crisis world rules read the world and their inbox through
these helpers, so every doctrine spells facts the same way.
"""

from __future__ import annotations

import math
import random
from collections.abc import Set as AbstractSet

import attrs

from negsim.model import AgentView, Performative

__all__ = [
    "Threat",
    "perception_noise",
    "attacked",
    "decided",
    "grants_access",
    "denies_access",
    "offers",
    "responds",
    "threats",
    "under_attack",
]


def attacked(target: str) -> str:
    """``attacked(T)``: ``T`` has been attacked in this crisis."""
    return f"attacked({target})"


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


def under_attack(view: AgentView, among: AbstractSet[str] | None = None) -> list[str]:
    """States attacked and not yet relieved, optionally only those in ``among``, sorted.

    Reads the facts, not the agents, so it costs the same in a crisis of 500 states.
    """
    facts = view.world.facts
    hit = {f[len("attacked(") : -1] for f in facts if f.startswith("attacked(")}
    if among is not None:
        hit &= among
    return sorted(t for t in hit if f"repelled({t})" not in facts)


@attrs.frozen
class Threat:
    """A coercive threat read from a ``threaten`` message.

    Attributes:
        sender: Who threatens.
        nuclear: Whether the threat is nuclear.
        credibility: The declared probability of execution, 0-1.
        demand: What the threatener demands (``deny_access``, ``stand_down``).
        message_id: The message's id, for replies.
    """

    sender: str
    nuclear: bool
    credibility: float
    demand: str
    message_id: str


def threats(view: AgentView) -> list[Threat]:
    """The threats in the agent's inbox this round."""
    out = []
    for m in view.inbox:
        if m.performative is Performative.THREATEN:
            out.append(
                Threat(
                    sender=m.sender,
                    nuclear=bool(m.content.get("nuclear", False)),
                    credibility=float(m.content.get("credibility", 0.0)),
                    demand=str(m.content.get("demand", "")),
                    message_id=m.id,
                )
            )
    return out


def offers(view: AgentView) -> list[tuple[str, float, str, str]]:
    """Offers in the inbox: ``(sender, value, demand, message id)``."""
    return [
        (m.sender, float(m.content.get("value", 0.0)), str(m.content.get("demand", "")), m.id)
        for m in view.inbox
        if m.performative is Performative.OFFER
    ]


def perception_noise(rng: random.Random, sigma: float) -> float:
    """A multiplicative log-normal perception error for one run: ``exp(N(0, sigma))``.

    ``1.0`` (no error, and no draw from ``rng``) when ``sigma`` is 0.
    """
    return math.exp(rng.gauss(0.0, sigma)) if sigma else 1.0
