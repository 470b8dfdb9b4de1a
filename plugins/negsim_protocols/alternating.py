"""Alternating offers: in turn, each party accepts the offer on the table or makes its own.

The protocol of Rubinstein's bargaining model (Rubinstein 1982), as NegMAS runs it
(its stacked alternating offers mechanism, SAO): the first party opens with an offer;
then the parties move in turn, in the negotiation's order, each either accepting the
offer on the table or putting a counter-offer in its place. An offer is agreed when
every other party has accepted it. A party may also reject, which breaks the
negotiation off. Unagreed by the deadline, it fails.

With ``counter_offers = false`` it is take-it-or-leave-it: only the first party
offers, once; the others accept or reject, and a rejection ends it. That is the
crisis bargaining game of Fearon 1995: a state demands,
the other concedes or fights.
"""

from __future__ import annotations

import attrs

import negsim
from negsim.model import Message, ParamSpec, Performative, PluginSpec, Session
from negsim_protocols._common import (
    agreed,
    all_accepted,
    failed,
    moves_of,
    next_after,
    put,
    with_acceptance,
)

__all__ = ["PARAMS", "negsim_plugin_spec", "negsim_protocol_check", "negsim_protocol_step"]

PARAMS = (
    ParamSpec(
        "counter_offers",
        True,
        "Whether the other parties may answer with offers of their own (false: "
        "take-it-or-leave-it).",
        source="Rubinstein 1982; Fearon 1995 (take-it-or-leave-it)",
    ),
)
"""The protocol's parameters, with their ranges and sources."""


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    """Declare the protocol and its parameter."""
    return PluginSpec(
        role="protocol", summary="Alternating offers (take-it-or-leave-it optional)", params=PARAMS
    )


@negsim.hookimpl
def negsim_protocol_check(session: Session, message: Message) -> str | None:
    """Refuse what the rules forbid beyond whose turn it is."""
    first = session.negotiation.parties[0]
    if message.performative is Performative.ACCEPT:
        if not session.text:
            return "there is no offer on the table to accept"
        if message.sender == session.author:
            return "a party cannot accept its own offer"
    if message.performative is Performative.OFFER and not _counter_offers(session):
        if message.sender != first:
            return f"take-it-or-leave-it: only {first} makes an offer"
        if session.text:
            return "take-it-or-leave-it: the offer stands; it is accepted or rejected"
    return None


@negsim.hookimpl
def negsim_protocol_step(session: Session, moves: tuple[Message, ...]) -> Session:
    """Apply the mover's answer: break off, accept, or put a new offer on the table."""
    parties = session.negotiation.parties
    if not session.text and not moves:
        return _waiting_for_opening(session)
    rejections = moves_of(moves, Performative.REJECT)
    if rejections:
        return failed(session, f"{rejections[0].sender} rejected the offer")
    for offer in moves_of(moves, Performative.OFFER):
        session = put(session, offer, turn=_responders(session, offer.sender))
    accepting = [m.sender for m in moves_of(moves, Performative.ACCEPT)]
    if accepting:
        session = with_acceptance(session, accepting)
        if all_accepted(session):
            return agreed(session, f"{', '.join(accepting)} accepted {session.author}'s offer")
        last = accepting[-1]
        session = _with_turn(session, (next_after(parties, last),))
    return session


def _counter_offers(session: Session) -> bool:
    return bool(session.negotiation.params.get("counter_offers", True))


def _waiting_for_opening(session: Session) -> Session:
    first = session.negotiation.parties[0]
    return _with_turn(session, (first,), f"waiting for {first}'s opening offer")


def _responders(session: Session, author: str) -> tuple[str, ...]:
    """Who answers an offer: the next party in turn, or all the others at once (ultimatum)."""
    parties = session.negotiation.parties
    if _counter_offers(session):
        return (next_after(parties, author),)
    return tuple(p for p in parties if p != author)


def _with_turn(session: Session, turn: tuple[str, ...], note: str = "") -> Session:
    return attrs.evolve(session, turn=turn, note=note or session.note)
