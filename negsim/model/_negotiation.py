"""Negotiations: the issue space a scenario declares, and a negotiation's state.

A scenario declares each negotiation (:class:`Negotiation`): the protocol plugin that
runs it, its parties, the issues its offers are over, and when it opens and must end.
Offers are messages whose ``terms`` give a value for issues of the negotiation
(:class:`Issue` says which values are valid); the protocol decides whose turn it is
and when a text is agreed (:class:`Session`). An agreement becomes commitments, one per
term that has a debtor, so a negotiated deal is monitored like a treaty.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from negsim.model._frozen import FrozenMap, as_tuple, frozen_map
from negsim.model._values import ParamValue

__all__ = ["Issue", "IssueKind", "Negotiation", "Session", "SessionStatus", "Terms"]

Terms = FrozenMap[str, ParamValue]
"""An offer's terms: a value for each issue it settles, by issue name."""

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _name(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise ValueError(
            f"{attribute.name!r} must be letters, digits or '_', starting with a letter: {value!r}"
        )


class IssueKind(enum.StrEnum):
    """Whether an issue takes one of listed values or any number in a range."""

    DISCRETE = "discrete"
    """One of the issue's ``values``."""
    CONTINUOUS = "continuous"
    """Any number from ``low`` to ``high``."""


@attrs.frozen(cache_hash=True)  # a memo key (issue ranges, utilities): hashed once
class Issue:
    """One issue a negotiation's offers may settle.

    A term on an issue with a ``debtor`` commits the debtor, once agreed, to bring
    about the issue's ``consequent`` (if ``antecedent`` holds): a conditional reward is
    an issue whose antecedent is the condition (``~responds(JPN,USA)``: paid only if
    Japan stands aside).

    Attributes:
        name: The issue's name, as offers' terms spell it (``demand``).
        kind: Discrete or continuous.
        values: The valid values of a discrete issue.
        low: The smallest value of a continuous issue.
        high: The largest value of a continuous issue.
        debtor: The party that delivers the term once agreed (``""``: nobody; the term
            is recorded but creates no commitment).
        antecedent: The condition under which the debtor owes the term.
        consequent: What the debtor owes: a proposition over the world's facts.
        deadline: Rounds after the agreement by which the consequent is due (``None``:
            no deadline).
        cost: What one unit of the term costs its debtor, for doctrines weighing an
            offer (``0``: no cost stated).
        description: What the issue is, for people.
    """

    name: str = attrs.field(validator=_name)
    kind: IssueKind = attrs.field(default=IssueKind.CONTINUOUS, converter=IssueKind)
    values: tuple[ParamValue, ...] = attrs.field(default=(), converter=as_tuple)
    low: float | None = None
    high: float | None = None
    debtor: str = ""
    antecedent: str = "true"
    consequent: str = ""
    deadline: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.ge(1))
    )
    cost: float = 0.0
    description: str = ""

    def __attrs_post_init__(self) -> None:
        if self.kind is IssueKind.DISCRETE and not self.values:
            raise ValueError(f"discrete issue {self.name!r} needs 'values'")
        if self.kind is IssueKind.CONTINUOUS:
            if self.values:
                raise ValueError(
                    f"continuous issue {self.name!r} takes 'low' and 'high', not 'values'"
                )
            if self.low is None or self.high is None or not self.low <= self.high:
                raise ValueError(
                    f"continuous issue {self.name!r} needs 'low' <= 'high': "
                    f"low={self.low!r}, high={self.high!r}"
                )
        if bool(self.debtor) != bool(self.consequent):
            raise ValueError(
                f"issue {self.name!r}: 'debtor' and 'consequent' go together "
                f"(debtor={self.debtor!r}, consequent={self.consequent!r})"
            )

    def check(self, value: object) -> str | None:
        """What is wrong with ``value`` as a term on this issue, or ``None`` if it is valid."""
        if self.kind is IssueKind.DISCRETE:
            if any(
                v == value and isinstance(v, bool) == isinstance(value, bool) for v in self.values
            ):
                return None
            shown = ", ".join(map(repr, self.values))
            return f"{self.name!r} must be one of {shown}: {value!r}"
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            return f"{self.name!r} must be a number: {value!r}"
        low, high = self.low, self.high
        if low is not None and high is not None and not low <= value <= high:
            return f"{self.name!r} must be from {low:g} to {high:g}: {value!r}"
        return None


def _issues(value: Iterable[Issue]) -> tuple[Issue, ...]:
    return tuple(value)


def _distinct_issues(
    instance: Any, attribute: attrs.Attribute[Any], value: tuple[Issue, ...]
) -> None:
    names = [i.name for i in value]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"'issues' declares {', '.join(map(repr, twice))} twice")
    if not value:
        raise ValueError("'issues' must declare at least one issue: ()")


@attrs.frozen
class Negotiation:
    """A negotiation a scenario declares.

    Attributes:
        id: Unique id; offers name it, and the facts ``agreed(<id>)`` and
            ``failed(<id>)`` tell the world how it ended.
        protocol: The protocol plugin that runs it (``alternating_offers``).
        parties: The agents that negotiate, in the protocol's order (for alternating
            offers the first makes the opening offer).
        issues: What offers may settle.
        opens: The round in which it opens (with ``opens_on``: the earliest).
        deadline: The last round in which it can be agreed; unagreed after it, it fails.
        mediator: An agent that proposes texts without being a party (``""``: none);
            for protocols that use one.
        params: The protocol's parameters (checked against its spec, defaults filled in).
        opens_on: A proposition over the world's facts (``""``: none). The negotiation
            then opens in the first round, from ``opens`` on, that starts with it true
            (a crisis opens it, such as ``attacked(ROK)``), and its window moves with
            it: it may be agreed for ``deadline - opens`` rounds after it opens. It
            never opens if the proposition never holds.
    """

    id: str = attrs.field(validator=_name)
    protocol: str
    parties: tuple[str, ...] = attrs.field(converter=as_tuple)
    issues: tuple[Issue, ...] = attrs.field(converter=_issues, validator=_distinct_issues)
    opens: int = attrs.field(default=1, validator=attrs.validators.ge(1))
    deadline: int = attrs.field(default=20, validator=attrs.validators.ge(1))
    mediator: str = ""
    params: FrozenMap[str, ParamValue] = attrs.field(factory=FrozenMap, converter=frozen_map)
    opens_on: str = ""

    @parties.validator
    def _check_parties(self, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
        if len(value) < 2 or len(set(value)) != len(value):
            raise ValueError(f"'parties' must name at least two distinct agents: {list(value)}")

    def __attrs_post_init__(self) -> None:
        if self.deadline < self.opens:
            raise ValueError(f"'deadline' must be >= 'opens' ({self.opens}): {self.deadline}")

    def opened_in(self, round: int) -> Negotiation:
        """The negotiation as it stands once opened in ``round``: its window moved there.

        >>> n = Negotiation("truce", "alternating_offers", ("A", "B"),
        ...                 [Issue("keep", low=0, high=1)], opens=1, deadline=11,
        ...                 opens_on="attacked(B)")
        >>> moved = n.opened_in(5)
        >>> moved.opens, moved.deadline
        (5, 15)
        """
        if round == self.opens:
            return self
        return attrs.evolve(self, opens=round, deadline=round + self.deadline - self.opens)

    def issue(self, name: str) -> Issue:
        """The issue ``name``.

        Raises:
            KeyError: No such issue; the message lists the valid names.
        """
        for issue in self.issues:
            if issue.name == name:
                return issue
        raise KeyError(f"no issue {name!r}; valid: {', '.join(i.name for i in self.issues)}")

    def check_terms(self, terms: Mapping[str, object]) -> list[str]:
        """What is wrong with ``terms`` as an offer in this negotiation (empty: valid)."""
        known = {i.name: i for i in self.issues}
        wrong = []
        if not terms:
            wrong.append("an offer must settle at least one issue")
        for name, value in terms.items():
            issue = known.get(name)
            if issue is None:
                wrong.append(f"no issue {name!r}; valid: {', '.join(known)}")
            elif (problem := issue.check(value)) is not None:
                wrong.append(problem)
        return wrong


class SessionStatus(enum.StrEnum):
    """Where a negotiation stands."""

    PENDING = "pending"
    """Not open yet."""
    OPEN = "open"
    """Open: offers may be made."""
    AGREED = "agreed"
    """A text was agreed (terminal)."""
    FAILED = "failed"
    """It ended without agreement (terminal)."""


@attrs.frozen
class Session:
    """A negotiation as it stands in a round: what its parties see of it.

    Attributes:
        negotiation: The negotiation as declared.
        status: Where it stands.
        turn: The agents who may move now (all parties and the mediator when empty).
        text: The terms on the table (the standing offer, or the single text).
        author: Who put the text on the table (``""``: nobody yet).
        accepted: The parties that have accepted the text on the table.
        agreement: The agreed terms, once agreed.
        note: The protocol's last word on it (why it failed, what it waits for).
    """

    negotiation: Negotiation
    status: SessionStatus = attrs.field(default=SessionStatus.PENDING, converter=SessionStatus)
    turn: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)
    text: Terms = attrs.field(factory=FrozenMap, converter=frozen_map)
    author: str = ""
    accepted: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)
    agreement: Terms | None = None
    note: str = ""

    @property
    def id(self) -> str:
        """The negotiation's id."""
        return self.negotiation.id

    @property
    def closed(self) -> bool:
        """Whether it has ended (agreed or failed)."""
        return self.status in (SessionStatus.AGREED, SessionStatus.FAILED)

    def may_move(self, agent: str) -> bool:
        """Whether ``agent`` may make a move in it now."""
        if self.status is not SessionStatus.OPEN:
            return False
        if self.turn:
            return agent in self.turn
        return agent in self.negotiation.parties or agent == self.negotiation.mediator
