"""A mediated single negotiating text: the mediator drafts, the parties accept or object.

The one-text procedure, as Carter's mediators used it at Camp David (Raiffa 1982):
the parties never trade offers; a mediator
drafts one text, each party accepts it or objects, and the mediator revises it
until all accept. Only the mediator (the negotiation's ``mediator``, or its first
party when none is named) puts texts on the table; the parties accept or reject the
text on the table; an objection leaves the text for the mediator to revise. The text
is agreed when every party has accepted it.
"""

from __future__ import annotations

import attrs

import negsim
from negsim.model import Message, Performative, PluginSpec, Session
from negsim_protocols._common import agreed, all_accepted, moves_of, put, with_acceptance

__all__ = [
    "mediator_of",
    "negsim_plugin_spec",
    "negsim_protocol_check",
    "negsim_protocol_step",
]


def mediator_of(session: Session) -> str:
    """Who drafts: the negotiation's mediator, or its first party."""
    n = session.negotiation
    return n.mediator or n.parties[0]


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    """Declare the protocol."""
    return PluginSpec(role="protocol", summary="Mediated single negotiating text")


@negsim.hookimpl
def negsim_protocol_check(session: Session, message: Message) -> str | None:
    """Only the mediator drafts; only a text on the table is accepted or objected to."""
    mediator = mediator_of(session)
    if message.performative is Performative.OFFER and message.sender != mediator:
        return f"only the mediator {mediator} drafts the text"
    if message.performative is not Performative.OFFER and not session.text:
        return f"there is no text on the table to {message.performative}"
    if message.performative is not Performative.OFFER and message.sender not in (
        session.negotiation.parties
    ):
        return "only a party accepts or objects to the text"
    return None


@negsim.hookimpl
def negsim_protocol_step(session: Session, moves: tuple[Message, ...]) -> Session:
    """A new draft, or the parties' answers to the one on the table."""
    drafts = moves_of(moves, Performative.OFFER)
    if drafts:
        return put(session, drafts[-1])
    objections = [m.sender for m in moves_of(moves, Performative.REJECT)]
    session = with_acceptance(session, (m.sender for m in moves_of(moves, Performative.ACCEPT)))
    if objections:
        return attrs.evolve(
            session,
            accepted=tuple(a for a in session.accepted if a not in objections),
            note=f"{', '.join(objections)} objected; the mediator revises",
        )
    if all_accepted(session):
        return agreed(session, "every party accepted the mediator's text")
    return session
