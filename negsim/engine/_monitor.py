"""The commitment monitor: lifecycles updated against the world, round by round.

Commitments are indexed by the atoms of their antecedent and consequent, so a round
re-examines only the commitments whose atoms changed, plus those whose deadline or
expiry falls due: the cost follows what happens, not how many commitments exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet

import attrs

from negsim.logic import atoms, compile_predicate, parse
from negsim.model import Commitment, CommitmentChanged, CommitmentState, Event

__all__ = ["CommitmentMonitor"]

Predicate = Callable[[AbstractSet[str]], bool]
_S = CommitmentState


class CommitmentMonitor:
    """Tracks every commitment of a run.

    Args:
        commitments: The standing commitments at the start.
    """

    def __init__(self, commitments: Iterable[Commitment] = ()) -> None:
        self.current: dict[str, Commitment] = {}
        self._predicates: dict[str, tuple[Predicate, Predicate]] = {}
        self._by_atom: defaultdict[str, set[str]] = defaultdict(set)
        self._by_agent: defaultdict[str, set[str]] = defaultdict(set)
        self._views: dict[str, tuple[Commitment, ...]] = {}
        self._due: defaultdict[int, set[str]] = defaultdict(set)
        self._fresh: set[str] = set()
        for c in commitments:
            self.add(c)

    def add(self, commitment: Commitment) -> None:
        """Start tracking ``commitment``; it is examined at the next :meth:`update`.

        Raises:
            negsim.errors.PropositionError: Its antecedent or consequent does not parse.
        """
        ante, cons = parse(commitment.antecedent), parse(commitment.consequent)
        cid = commitment.id
        self.current[cid] = commitment
        self._predicates[cid] = (compile_predicate(ante), compile_predicate(cons))
        for atom in atoms(ante) | atoms(cons):
            self._by_atom[atom].add(cid)
        for agent in (commitment.debtor, commitment.creditor):
            self._by_agent[agent].add(cid)
            self._views.pop(agent, None)
        if commitment.expires is not None:
            self._due[commitment.expires + 1].add(cid)
        self._fresh.add(cid)

    def of(self, agent: str) -> tuple[Commitment, ...]:
        """The commitments ``agent`` is debtor or creditor of, sorted by id (cached)."""
        view = self._views.get(agent)
        if view is None:
            view = tuple(self.current[c] for c in sorted(self._by_agent.get(agent, ())))
            self._views[agent] = view
        return view

    def update(self, facts: AbstractSet[str], changed: AbstractSet[str], round: int) -> list[Event]:
        """Move lifecycles forward against ``facts`` after ``round``.

        Args:
            facts: The facts now true.
            changed: The facts that changed this round.
            round: The round just adjudicated.

        Returns:
            A :class:`~negsim.model.CommitmentChanged` event per transition, by id.
        """
        candidates = self._fresh | self._due.pop(round, set())
        self._fresh = set()
        by_atom = self._by_atom
        for atom in changed:
            ids = by_atom.get(atom)
            if ids:
                candidates |= ids
        events: list[Event] = []
        for cid in sorted(candidates):
            c = self.current[cid]
            new = self._next(c, facts, round)
            while new is not c.state:  # at most twice: detached, then violated (deadline 0)
                c = self._set(c, new, round, events)
                new = self._next(c, facts, round)
        return events

    def _next(self, c: Commitment, facts: AbstractSet[str], round: int) -> CommitmentState:
        if c.state.terminal:
            return c.state
        ante, cons = self._predicates[c.id]
        if c.state is _S.CONDITIONAL:
            if c.expires is not None and round > c.expires:
                return _S.EXPIRED
            if not ante(facts):
                return _S.CONDITIONAL
            return _S.DISCHARGED if cons(facts) and not c.standing else _S.DETACHED
        # detached
        if c.standing:
            return _S.DETACHED if cons(facts) else _S.VIOLATED
        if cons(facts):
            return _S.DISCHARGED
        detached_at = c.detached_at if c.detached_at is not None else round
        if c.deadline is not None and round - detached_at >= c.deadline:
            return _S.VIOLATED
        return _S.DETACHED

    def _set(
        self, c: Commitment, new: CommitmentState, round: int, events: list[Event]
    ) -> Commitment:
        if new is _S.DETACHED:
            updated = attrs.evolve(c, state=new, detached_at=round)
            if c.deadline:
                self._due[round + c.deadline].add(c.id)
        else:
            updated = attrs.evolve(c, state=new)
        self.current[c.id] = updated
        self._views.pop(c.debtor, None)
        self._views.pop(c.creditor, None)
        events.append(
            CommitmentChanged(
                round=round,
                commitment=c.id,
                debtor=c.debtor,
                creditor=c.creditor,
                old=c.state,
                new=new,
            )
        )
        return updated

    def end(self, cid: str, new: CommitmentState, round: int) -> list[Event]:
        """Cancel or release commitment ``cid`` (no-op when it is already terminal)."""
        c = self.current[cid]
        if c.state.terminal:
            return []
        events: list[Event] = []
        self._set(c, new, round, events)
        return events

    def all(self) -> tuple[Commitment, ...]:
        """Every commitment in its current state, sorted by id."""
        return tuple(self.current[c] for c in sorted(self.current))
