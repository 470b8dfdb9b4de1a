"""Messages (speech acts) and actions: what agents do each round."""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from negsim.model._agents import ParamValue
from negsim.model._frozen import FrozenMap, frozen_map

__all__ = ["Action", "ActionKind", "Message", "Move", "Performative", "Visibility"]


class Visibility(enum.StrEnum):
    """Who observes a message or an action.

    What an agent observes is what its beliefs may update on
    (:hook:`negsim_update_beliefs`); the event log records every move with its
    visibility, so a replay can tell who saw what.

    ==============  ==================================  ==============================
    visibility      a message is observed by            an action is observed by
    ==============  ==================================  ==============================
    ``public``      every agent                         every agent
    ``recipients``  its sender and its recipients       its actor and its target
    ``secret``      its sender and its recipients,      its actor alone
                    and no world rule may treat it as
                    said in public
    ==============  ==================================  ==============================

    A message is ``recipients`` unless its sender says otherwise; an action is
    ``public``. The world state (facts and variables) is public: what an action does
    to the world is seen by all, even when the action itself is not.
    """

    PUBLIC = "public"
    """Seen by every agent."""
    RECIPIENTS = "recipients"
    """Seen by the author and the addressees (a message's recipients, an action's target)."""
    SECRET = "secret"
    """Seen by as few as can see it: a message's sender and recipients, an action's actor."""


class Performative(enum.StrEnum):
    """The speech act a message performs (after FIPA ACL, extended for coercion).

    Content keys the engine reads are listed per performative; other keys are free
    for doctrines to use.
    """

    INFORM = "inform"
    """State a belief or fact."""
    CONSULT = "consult"
    """Ask partners to consult (NATO Art. 4, U.S.-ROK Art. II)."""
    PROPOSE = "propose"
    """Put a collective decision to an alliance: ``alliance``, ``decision`` (what is
    decided, e.g. ``collective_response``) and optionally ``proposal`` (an id)."""
    VOTE = "vote"
    """Consent or object to a proposal: ``proposal`` and ``consent`` (bool)."""
    DEMAND = "demand"
    """Demand an action or concession."""
    OFFER = "offer"
    """Offer a reward or concession; ``value`` its size. In a negotiation (the message's
    ``negotiation``), put ``terms`` on the table."""
    ACCEPT = "accept"
    """Accept an offer or demand (``in_reply_to`` names it); in a negotiation, accept
    the text on the table."""
    REJECT = "reject"
    """Reject an offer or demand; in a negotiation, reject the text on the table (what
    that does is the protocol's rule)."""
    THREATEN = "threaten"
    """Threaten a sanction if a condition holds; with ``antecedent`` and ``consequent``
    it creates a commitment owed by the sender to each recipient."""
    PROMISE = "promise"
    """Promise an action if a condition holds; creates a commitment like a pledge."""
    REQUEST_SUPPORT = "request_support"
    """Ask allies for support or access."""
    PLEDGE = "pledge"
    """Commit publicly: ``antecedent``, ``consequent`` and optional ``deadline`` create a
    commitment owed by the sender to each recipient."""
    RELEASE = "release"
    """As creditor, release the debtor of the commitment ``commitment``."""
    CANCEL = "cancel"
    """As debtor, withdraw from the commitment ``commitment``."""


class ActionKind(enum.StrEnum):
    """What an agent can do to the world."""

    ATTACK = "attack"
    """Attack ``target`` with ``magnitude`` (share of conventional power, 0-1)."""
    NUCLEAR_STRIKE = "nuclear_strike"
    """Use nuclear weapons on ``target``."""
    MOBILIZE = "mobilize"
    """Raise readiness."""
    RESPOND = "respond"
    """Commit forces to defend ``target`` (an ally or oneself)."""
    GRANT_ACCESS = "grant_access"
    """Let ``target`` use bases on one's territory for combat operations."""
    DENY_ACCESS = "deny_access"
    """Refuse ``target`` the use of one's bases."""
    CONCEDE = "concede"
    """Give ``target`` what it demands."""
    WITHDRAW = "withdraw"
    """Pull back forces (end an attack or a deployment)."""
    STAND_DOWN = "stand_down"
    """Stay out of the conflict."""
    ARM = "arm"
    """Keep a threat against ``target`` armed this round: the world carries it out with
    ``magnitude`` as its hazard while its demand is unmet (``params``: ``rung``,
    ``demand``). Usually secret: the hazard is the threatener's private choice."""


def _sorted_ids(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(value))


_VISIBILITY: dict[str, Visibility] = {v.value: v for v in Visibility}
_PERFORMATIVE: dict[str, Performative] = {p.value: p for p in Performative}
_ACTION_KIND: dict[str, ActionKind] = {k.value: k for k in ActionKind}


def _visibility(value: Visibility | str) -> Visibility:
    """Attrs converter: a visibility's name to the member (members pass as they are)."""
    try:
        return _VISIBILITY[value]
    except (KeyError, TypeError):
        return Visibility(value)


def as_performative(value: Performative | str) -> Performative:
    """A performative's name as the member (a member as it is): ``Performative(value)``.

    A table lookup, as it runs for every message made and every ``received`` asked.

    Raises:
        ValueError: No such performative.
    """
    try:
        return _PERFORMATIVE[value]
    except (KeyError, TypeError):
        return Performative(value)


def _action_kind(value: ActionKind | str) -> ActionKind:
    """Attrs converter: an action kind's name to the member (members pass as they are)."""
    try:
        return _ACTION_KIND[value]
    except (KeyError, TypeError):
        return ActionKind(value)


_NO_TERMS: FrozenMap[str, ParamValue] = FrozenMap()


@attrs.frozen
class Message:
    """One message from one agent to one or more others.

    Attributes:
        sender: The sending agent's id; must be the agent that decided it.
        recipients: Recipient ids, sorted, at least one.
        performative: The speech act.
        content: Free key/value content; see :class:`Performative` for keys the engine reads.
        round: The round in which it was sent; it is delivered in the next round.
        conversation: Groups messages of one exchange.
        in_reply_to: The ``id`` of the message answered, if any.
        id: Unique id, ``"<round>:<sender>:<n>"``, set by :meth:`negsim.AgentView.say`.
        visibility: Who observes it (see :class:`Visibility`).
        negotiation: The negotiation it is a move in (an offer, an acceptance, a
            rejection), or ``""``.
        terms: An offer's terms: a value for each issue it settles, by issue name.
    """

    sender: str
    recipients: tuple[str, ...] = attrs.field(converter=_sorted_ids)
    performative: Performative = attrs.field(converter=as_performative)
    content: FrozenMap[str, ParamValue] = attrs.field(factory=FrozenMap, converter=frozen_map)
    round: int = 0
    conversation: str = ""
    in_reply_to: str | None = None
    id: str = ""
    visibility: Visibility = attrs.field(default=Visibility.RECIPIENTS, converter=_visibility)
    negotiation: str = ""
    terms: FrozenMap[str, ParamValue] = attrs.field(default=_NO_TERMS, converter=frozen_map)


@attrs.frozen
class Action:
    """One action an agent takes on the world.

    Attributes:
        actor: The acting agent's id; must be the agent that decided it.
        kind: What is done.
        target: The agent acted on or for, if any.
        magnitude: Size of the action (for attacks a share of conventional power, 0-1).
        round: The round in which it is taken.
        params: Extra detail for the world rules.
        visibility: Who observes it (see :class:`Visibility`).
    """

    actor: str
    kind: ActionKind = attrs.field(converter=_action_kind)
    target: str | None = None
    magnitude: float = attrs.field(default=1.0, converter=float)
    round: int = 0
    params: FrozenMap[str, ParamValue] = attrs.field(factory=FrozenMap, converter=frozen_map)
    visibility: Visibility = attrs.field(default=Visibility.PUBLIC, converter=_visibility)


Move = Message | Action
"""What a doctrine returns from :hook:`negsim_decide`: messages and actions."""
