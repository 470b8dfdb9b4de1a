"""Typed events: the log of everything that happened in a run, and outcomes."""

from __future__ import annotations

import enum
from typing import ClassVar

import attrs

from negsim.model._commitments import Commitment, CommitmentState, as_state
from negsim.model._frozen import FrozenMap, as_tuple, frozen_map
from negsim.model._messages import Action, Message
from negsim.model._values import ParamValue

__all__ = [
    "ActionTaken",
    "CommitmentChanged",
    "CommitmentCreated",
    "DecisionReached",
    "Event",
    "FactChanged",
    "HonourDecided",
    "RuleEvaluated",
    "MessageSent",
    "MoveRejected",
    "Narration",
    "NegotiationEnded",
    "NegotiationOpened",
    "Outcome",
    "OutcomeReached",
    "ProposalClosed",
    "VariableChanged",
    "as_outcome",
]


class Outcome(enum.StrEnum):
    """How a crisis ends: the outcome classes of the crisis world rules.

    A world-rules plugin declares its own outcome classes in its
    :class:`negsim.model.PluginSpec` (``outcomes``); a result's ``outcome`` is the name of
    one of them. These are the crisis world's, and the names a world that declares
    none may use. ``unresolved`` is always available: the engine gives it to a run that
    reaches ``max_rounds`` unclassified.
    """

    DETERRED = "deterred"
    """The challenger did not attack, or withdrew, and nothing was conceded."""
    FAIT_ACCOMPLI = "fait_accompli"
    """The challenger seized and held ground before an effective response."""
    COLLECTIVE_RESPONSE = "collective_response"
    """The allies responded together in time and the attack was defeated."""
    WEDGE_SUCCESS = "wedge_success"
    """An ally denied access, stood down or conceded under coercion or reward, and the
    response failed for it."""
    SETTLEMENT = "settlement"
    """A negotiated settlement ended the crisis."""
    ESCALATION = "escalation"
    """The crisis escalated to nuclear use."""
    UNRESOLVED = "unresolved"
    """The run reached ``max_rounds`` and the world rules could not classify it."""


_OUTCOMES: dict[str, Outcome] = {o.value: o for o in Outcome}


def as_outcome(value: object) -> str:
    """Attrs converter: a crisis outcome's name to its :class:`Outcome`, others to ``str``.

    So ``result.outcome is Outcome.DETERRED`` holds for the crisis world's outcomes, and
    a world that declares its own ends runs with their names.
    """
    name = str(value)
    return _OUTCOMES.get(name, name)


@attrs.frozen
class Event:
    """Base class of events; ``kind`` tags the type in logs."""

    kind: ClassVar[str] = "event"
    round: int


@attrs.frozen
class MessageSent(Event):
    """An agent sent a message (delivered next round)."""

    kind: ClassVar[str] = "message"
    message: Message


@attrs.frozen
class ActionTaken(Event):
    """An agent took a valid action."""

    kind: ClassVar[str] = "action"
    action: Action


@attrs.frozen
class MoveRejected(Event):
    """A move was refused by validation.

    Attributes:
        agent: The agent that made the move.
        doctrine: Its doctrine.
        rule: The rule broken (``sender-is-self``, ``known-recipient``, ...).
        detail: What was wrong.
    """

    kind: ClassVar[str] = "rejected"
    agent: str
    doctrine: str
    rule: str
    detail: str


@attrs.frozen
class FactChanged(Event):
    """A fact became true (``value``) or false."""

    kind: ClassVar[str] = "fact"
    fact: str
    value: bool


@attrs.frozen
class VariableChanged(Event):
    """A world variable took a new value."""

    kind: ClassVar[str] = "variable"
    name: str
    value: float


@attrs.frozen
class CommitmentCreated(Event):
    """A commitment came into being (from a message during the run)."""

    kind: ClassVar[str] = "commitment_created"
    commitment: Commitment


@attrs.frozen
class CommitmentChanged(Event):
    """A commitment moved in its lifecycle."""

    kind: ClassVar[str] = "commitment"
    commitment: str
    debtor: str
    creditor: str
    old: CommitmentState = attrs.field(converter=as_state)
    new: CommitmentState = attrs.field(converter=as_state)


@attrs.frozen
class DecisionReached(Event):
    """An alliance decided a proposal.

    Attributes:
        alliance: The alliance id.
        proposal: The proposal id.
        decision: What was decided (``collective_response``); the fact
            ``decided(<alliance>,<decision>)`` becomes true.
        consenting: The members whose consent counted, sorted.
        rule: The decision rule applied.
    """

    kind: ClassVar[str] = "decision"
    alliance: str
    proposal: str
    decision: str
    consenting: tuple[str, ...] = attrs.field(converter=as_tuple)
    rule: str


@attrs.frozen
class ProposalClosed(Event):
    """A proposal failed: blocked by ``blocking`` or out of time."""

    kind: ClassVar[str] = "proposal_closed"
    alliance: str
    proposal: str
    decision: str
    blocking: tuple[str, ...] = attrs.field(converter=as_tuple)
    reason: str


@attrs.frozen
class Narration(Event):
    """A line of narrative from the world rules (``JPN denies USA access to its bases``)."""

    kind: ClassVar[str] = "narration"
    text: str
    agent: str | None = None


@attrs.frozen
class HonourDecided(Event):
    """A debtor decided whether to honour a commitment that detached.

    Seen by the debtor alone: others learn of the decision from what the debtor does.

    Attributes:
        commitment: The commitment's id.
        debtor: The deciding agent.
        creditor: Whom it is owed to.
        honour: ``True`` to honour it, ``False`` to defect.
    """

    kind: ClassVar[str] = "honour"
    commitment: str
    debtor: str
    creditor: str
    honour: bool


@attrs.frozen
class RuleEvaluated(Event):
    """A decision rule an agent evaluated while deciding: the decision ledger.

    Recorded only when the run keeps a ledger (``negsim run --ledger``); seen by the
    agent alone. ``negsim explain`` reads these back.

    Attributes:
        agent: The deciding agent.
        rule: The rule's name (``grant_access``).
        inputs: The value of each of the rule's symbols.
        value: The expression's value: the rule held if it is > 0 (the margin).
        expr: The rule's expression.
        doc: The rule's meaning in plain language.
    """

    kind: ClassVar[str] = "rule"
    agent: str
    rule: str
    inputs: FrozenMap[str, float] = attrs.field(factory=FrozenMap, converter=frozen_map)
    value: float = 0.0
    expr: str = ""
    doc: str = ""

    @property
    def holds(self) -> bool:
        """Whether the rule held."""
        return self.value > 0.0


@attrs.frozen
class NegotiationOpened(Event):
    """A negotiation opened; seen by its parties and mediator.

    Attributes:
        negotiation: Its id.
        protocol: The protocol plugin that runs it.
        parties: Its parties, in the protocol's order.
    """

    kind: ClassVar[str] = "negotiation_opened"
    negotiation: str
    protocol: str
    parties: tuple[str, ...] = attrs.field(converter=as_tuple)


@attrs.frozen
class NegotiationEnded(Event):
    """A negotiation ended, agreed or failed; seen by its parties and mediator.

    An agreement also makes the fact ``agreed(<id>)`` true (a failure ``failed(<id>)``)
    and each agreed term with a debtor a commitment (:class:`CommitmentCreated`).

    Attributes:
        negotiation: Its id.
        agreed: Whether a text was agreed.
        terms: The agreed terms (empty when it failed).
        note: Why it ended, in the protocol's words.
    """

    kind: ClassVar[str] = "negotiation_ended"
    negotiation: str
    agreed: bool
    terms: FrozenMap[str, ParamValue] = attrs.field(factory=FrozenMap, converter=frozen_map)
    note: str = ""


@attrs.frozen
class OutcomeReached(Event):
    """The run ended with an outcome."""

    kind: ClassVar[str] = "outcome"
    outcome: str = attrs.field(converter=as_outcome)
    reason: str


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        MessageSent,
        ActionTaken,
        MoveRejected,
        FactChanged,
        VariableChanged,
        CommitmentCreated,
        CommitmentChanged,
        DecisionReached,
        ProposalClosed,
        Narration,
        HonourDecided,
        RuleEvaluated,
        NegotiationOpened,
        NegotiationEnded,
        OutcomeReached,
    )
}
"""Event classes by their ``kind`` tag."""
