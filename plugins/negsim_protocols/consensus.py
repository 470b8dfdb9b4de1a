"""Consensus with amendments: a text is agreed when every party has accepted it.

NATO's North Atlantic Council decides by consensus: there is no vote; a text stands
when no member objects, and a blocked text comes back amended, sweetened or
reassured until all accept (NATO, "Consensus decision-making at NATO"; the 2003
Turkey case took about 32 days). Here any party may put a text on the table, or an
amended one in its place, at any time; a party accepts or rejects the text on the
table; a rejection blocks it, and it falls (an amendment may bring it back changed).
A text not accepted by every party within ``decision_rounds`` of being put lapses.
The negotiation is agreed when every party has accepted the same text, and fails at
its deadline otherwise.
"""

from __future__ import annotations

import negsim
from negsim.model import Message, ParamSpec, Performative, PluginSpec, Session
from negsim_protocols._common import (
    TextState,
    agreed,
    all_accepted,
    cleared,
    moves_of,
    needs_a_text,
    put,
    with_acceptance,
)

__all__ = [
    "PARAMS",
    "negsim_plugin_spec",
    "negsim_protocol_check",
    "negsim_protocol_start",
    "negsim_protocol_step",
]

PARAMS = (
    ParamSpec(
        "decision_rounds",
        3,
        "Rounds a text stays on the table for the parties to accept before it lapses.",
        1,
        100,
        "NATO practice (consensus, no vote); value an assumption",
    ),
)
"""The protocol's parameters, with their ranges and sources."""


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    """Declare the protocol and its parameter."""
    return PluginSpec(role="protocol", summary="Consensus with amendments", params=PARAMS)


@negsim.hookimpl
def negsim_protocol_start() -> TextState:
    """Nothing on the table yet."""
    return TextState()


@negsim.hookimpl
def negsim_protocol_check(session: Session, message: Message) -> str | None:
    """Only a text on the table can be accepted or rejected."""
    return needs_a_text(session, message)


@negsim.hookimpl
def negsim_protocol_step(
    session: Session, state: TextState, round: int, moves: tuple[Message, ...]
) -> Session:
    """Amend, then block or accept; agree when all have accepted."""
    amendments = moves_of(moves, Performative.OFFER)
    if amendments:  # the last one put stands (agent-id order)
        session = put(session, amendments[-1])
        state.put_in = round
        return session
    blocks = moves_of(moves, Performative.REJECT)
    if blocks:
        who = ", ".join(m.sender for m in blocks)
        return cleared(session, f"{who} blocked {session.author}'s text")
    session = with_acceptance(session, (m.sender for m in moves_of(moves, Performative.ACCEPT)))
    if all_accepted(session):
        return agreed(session, "every party accepted the text")
    lapse = int(session.negotiation.params.get("decision_rounds", 3))
    if session.text and round - state.put_in >= lapse:
        return cleared(session, f"{session.author}'s text lapsed without consensus")
    return session
