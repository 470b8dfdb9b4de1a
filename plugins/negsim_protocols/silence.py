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
from negsim_protocols._common import TextState, agreed, moves_of, needs_a_text, put

__all__ = [
    "PARAMS",
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


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    """Declare the protocol and its parameter."""
    return PluginSpec(role="protocol", summary="Silence procedure", params=PARAMS)


@negsim.hookimpl
def negsim_protocol_start() -> TextState:
    """Nothing under silence yet."""
    return TextState()


@negsim.hookimpl
def negsim_protocol_check(session: Session, message: Message) -> str | None:
    """Only a text on the table can be accepted or rejected."""
    return needs_a_text(session, message)


@negsim.hookimpl
def negsim_protocol_step(
    session: Session, state: TextState, round: int, moves: tuple[Message, ...]
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
