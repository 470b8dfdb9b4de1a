"""What the protocols share: reading a round's moves, and the session's next state."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from negsim.model import Message, Performative, Session, SessionStatus

__all__ = [
    "TextState",
    "agreed",
    "all_accepted",
    "cleared",
    "failed",
    "moves_of",
    "needs_a_text",
    "next_after",
    "put",
    "with_acceptance",
]


@attrs.define
class TextState:
    """A protocol's private state: the round the text on the table was put in."""

    put_in: int = 0


def needs_a_text(session: Session, message: Message) -> str | None:
    """Refuse an acceptance or rejection when no text is on the table."""
    if message.performative is not Performative.OFFER and not session.text:
        return f"there is no text on the table to {message.performative}"
    return None


def cleared(session: Session, note: str) -> Session:
    """``session`` with nothing on the table."""
    return attrs.evolve(session, text={}, author="", accepted=(), note=note)


def moves_of(moves: Iterable[Message], performative: Performative) -> list[Message]:
    """The moves of one kind, in the order given (agent-id order)."""
    return [m for m in moves if m.performative is performative]


def put(session: Session, offer: Message, *, turn: Sequence[str] = ()) -> Session:
    """``offer``'s terms on the table, accepted by its author alone."""
    return attrs.evolve(
        session,
        text=offer.terms,
        author=offer.sender,
        accepted=(offer.sender,) if offer.sender in session.negotiation.parties else (),
        turn=tuple(turn),
        note=f"{offer.sender} put a text on the table",
    )


def with_acceptance(session: Session, agents: Iterable[str]) -> Session:
    """``session`` with ``agents`` added to those who accepted the text on the table."""
    accepted = tuple(dict.fromkeys((*session.accepted, *agents)))
    return attrs.evolve(session, accepted=accepted)


def all_accepted(session: Session) -> bool:
    """Whether every party has accepted the text on the table."""
    return bool(session.text) and set(session.negotiation.parties) <= set(session.accepted)


def agreed(session: Session, note: str) -> Session:
    """``session`` agreed on the text on the table."""
    return attrs.evolve(
        session, status=SessionStatus.AGREED, agreement=session.text, turn=(), note=note
    )


def failed(session: Session, note: str) -> Session:
    """``session`` ended without agreement."""
    return attrs.evolve(session, status=SessionStatus.FAILED, turn=(), note=note)


def next_after(parties: Sequence[str], agent: str) -> str:
    """The party after ``agent`` in the protocol's order (round robin)."""
    return parties[(parties.index(agent) + 1) % len(parties)]
