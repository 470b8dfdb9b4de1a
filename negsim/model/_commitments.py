"""Conditional commitments and their lifecycle (Singh 1999)."""

from __future__ import annotations

import enum

import attrs

__all__ = ["TRANSITIONS", "Commitment", "CommitmentState"]


class CommitmentState(enum.StrEnum):
    """Where a commitment is in its lifecycle.

    ``conditional -> detached -> discharged | violated``, ``conditional -> expired``,
    and ``cancelled`` (by the debtor) or ``released`` (by the creditor) from either
    active state. The last five are terminal.
    """

    CONDITIONAL = "conditional"
    """Its antecedent has not held yet."""
    DETACHED = "detached"
    """Its antecedent held: the debtor now owes the consequent."""
    DISCHARGED = "discharged"
    """The consequent held while detached (or together with the antecedent)."""
    VIOLATED = "violated"
    """The deadline passed after detaching without the consequent holding."""
    EXPIRED = "expired"
    """The commitment lapsed (``expires`` round) before its antecedent held."""
    CANCELLED = "cancelled"
    """The debtor withdrew."""
    RELEASED = "released"
    """The creditor let the debtor go."""

    @property
    def terminal(self) -> bool:
        """Whether no further transition is possible."""
        return self not in (CommitmentState.CONDITIONAL, CommitmentState.DETACHED)


_S = CommitmentState


_STATES: dict[str, CommitmentState] = {s.value: s for s in CommitmentState}


def as_state(value: CommitmentState | str) -> CommitmentState:
    """Attrs converter: a lifecycle state's name to the member (members pass as they are)."""
    try:
        return _STATES[value]
    except (KeyError, TypeError):
        return CommitmentState(value)


TRANSITIONS: dict[CommitmentState, frozenset[CommitmentState]] = {
    _S.CONDITIONAL: frozenset({_S.DETACHED, _S.DISCHARGED, _S.EXPIRED, _S.CANCELLED, _S.RELEASED}),
    _S.DETACHED: frozenset({_S.DISCHARGED, _S.VIOLATED, _S.CANCELLED, _S.RELEASED}),
    _S.DISCHARGED: frozenset(),
    _S.VIOLATED: frozenset(),
    _S.EXPIRED: frozenset(),
    _S.CANCELLED: frozenset(),
    _S.RELEASED: frozenset(),
}
"""The lifecycle machine: the states each state may move to.

``conditional -> discharged`` is the case where antecedent and consequent hold in the
same round (detaching and discharging at once).
"""


@attrs.frozen
class Commitment:
    """C(debtor, creditor, antecedent, consequent, deadline).

    Antecedent and consequent are proposition text (see :mod:`negsim.logic`); the
    engine compiles them once per scenario.

    Attributes:
        id: Unique id (``us-rok-art3``, or ``<message id>/<creditor>`` for pledges).
        debtor: Who owes.
        creditor: To whom.
        antecedent: When the commitment detaches.
        consequent: What the debtor then owes.
        deadline: Rounds after detaching by which the consequent must hold; ``None``
            for no deadline (never violated, stays detached).
        expires: Round after which a still-conditional commitment lapses; ``None`` for never.
        source: Where it comes from: a treaty article or a message id.
        standing: A standing (maintenance) obligation, such as a basing grant: once
            detached it is never discharged; it stays detached while the consequent
            holds and is violated in the first round it does not. ``deadline`` is
            ignored.
        state: Lifecycle state.
        detached_at: The round it detached, once it has.
    """

    id: str
    debtor: str
    creditor: str
    antecedent: str = "true"
    consequent: str = "true"
    deadline: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.ge(0))
    )
    expires: int | None = None
    source: str = ""
    standing: bool = False
    state: CommitmentState = attrs.field(default=CommitmentState.CONDITIONAL, converter=as_state)
    detached_at: int | None = None
