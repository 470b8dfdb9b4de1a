"""The silence procedure: a text passes unless someone breaks silence by its deadline.

NATO's written procedure: a draft is circulated with a deadline, and it is adopted
when the deadline passes with no member breaking silence; one objection stops it
(in February 2003 France, Germany and Belgium broke silence on planning for Turkey's
defence). Here any party may put a text under silence; a rejection by any party
breaks silence and the text falls; a text whose ``silence_rounds`` pass unbroken is
agreed, every party deemed to accept it. A new text replaces the one under silence.
"""

from __future__ import annotations

import attrs

import negsim
from negsim.model import Message, ParamSpec, Performative, PluginSpec, Session
from negsim_protocols._common import agreed, moves_of, put

__all__ = [
    "PARAMS",
    "SilenceState",
    "negsim_plugin_spec",
    "negsim_protocol_check",
    "negsim_protocol_start",
    "negsim_protocol_step",
]

PARAMS = (
    ParamSpec(
        "silence_rounds",
        2,
        "Rounds a text stays under silence before it passes.",
        1,
        100,
        "NATO silence procedure; value an assumption",
    ),
)
"""The protocol's parameters, with their ranges and sources."""


@attrs.define
class SilenceState:
    """When the text under silence was put."""

    put_in: int = 0


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    """Declare the protocol and its parameter."""
    return PluginSpec(role="protocol", summary="Silence procedure", params=PARAMS)


@negsim.hookimpl
def negsim_protocol_start() -> SilenceState:
    """Nothing under silence yet."""
    return SilenceState()


@negsim.hookimpl
def negsim_protocol_check(session: Session, message: Message) -> str | None:
    """Silence can only be broken on a text under silence."""
    if message.performative is not Performative.OFFER and not session.text:
        return f"there is no text under silence to {message.performative}"
    return None


@negsim.hookimpl
def negsim_protocol_step(
    session: Session, state: SilenceState, round: int, moves: tuple[Message, ...]
) -> Session:
    """Put a text under silence, break silence, or let the silence deadline pass."""
    texts = moves_of(moves, Performative.OFFER)
    if texts:
        state.put_in = round
        return attrs.evolve(
            put(session, texts[-1]), note=f"{texts[-1].sender}'s text under silence"
        )
    breaks = moves_of(moves, Performative.REJECT)
    if breaks:
        who = ", ".join(m.sender for m in breaks)
        return attrs.evolve(session, text={}, author="", accepted=(), note=f"{who} broke silence")
    silence = int(session.negotiation.params.get("silence_rounds", 2))
    if session.text and round - state.put_in >= silence:
        return agreed(session, f"silence held for {silence} rounds")
    return session
