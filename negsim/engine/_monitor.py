"""The commitment monitor: lifecycles updated against the world, round by round.

Commitments are indexed by the atoms of their antecedent and consequent, so a round
re-examines only the commitments whose atoms changed, plus those whose deadline or
expiry falls due: the cost follows what happens, not how many commitments exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet

import attrs

from negsim.logic import atoms, compile_predicate, parse
from negsim.model import Commitment, CommitmentChanged, CommitmentState, Event, Scenario

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
        self._by_atom: dict[str, set[str]] = {}
        self._by_agent: dict[str, set[str]] = {}
        self._base: dict[str, set[str]] = {}  # a template's index sets, shared until written
        self._views: dict[str, tuple[Commitment, ...]] = {}
        self._slots: dict[str, dict[str, int]] = {}  # each view's positions, by id
        self._shares_predicates = False  # a clone shares its template's until add()
        self._clone_base: dict[str, set[str]] | None = None  # a template's, for its clones
        self._due: defaultdict[int, set[str]] = defaultdict(set)
        self._fresh: set[str] = set()
        self._order: list[str] | None = None
        for c in commitments:
            self.add(c)

    @classmethod
    def for_scenario(cls, scenario: Scenario) -> tuple[CommitmentMonitor, list[Event]]:
        """A monitor of ``scenario``'s commitments after the opening update, and its events.

        The compiled predicates, the indexes and the opening update are worked out once
        per content (the commitments and the opening facts) and shared, copy on write,
        by the runs of every scenario with that content: the points of a sweep over
        parameters, the scenario a worker rebuilds for each chunk.
        """
        cached = _TEMPLATES.get(id(scenario))
        if cached is None or cached[0] is not scenario:
            key = (scenario.commitments, scenario.world.facts)
            shared = _BY_CONTENT.get(key)
            if shared is None:
                template = cls(scenario.commitments)
                events = template.update(scenario.world.facts, scenario.world.facts, 0)
                if len(_BY_CONTENT) >= 16:
                    _BY_CONTENT.clear()
                shared = _BY_CONTENT[key] = (template, events)
            template = shared[0]
            for agent in scenario.agents:
                template.of(agent.id)  # build the views once, for every run to share
            if len(_TEMPLATES) >= 16:
                _TEMPLATES.clear()
            cached = _TEMPLATES[id(scenario)] = (scenario, template, shared[1])
        return cached[1]._clone(), list(cached[2])

    def _clone(self) -> CommitmentMonitor:
        other = CommitmentMonitor()
        other.current = dict(self.current)
        other._predicates = self._predicates
        other._shares_predicates = True
        other._by_atom = dict(self._by_atom)
        other._by_agent = dict(self._by_agent)
        if self._clone_base is None:  # the template's indexes do not change once cloned
            by_agent = {f"agent:{a}": s for a, s in self._by_agent.items()}
            self._clone_base = {**self._by_atom, **by_agent}
        other._base = self._clone_base
        other._views = dict(self._views)
        other._slots = dict(self._slots)
        other._due = defaultdict(set, {k: set(v) for k, v in self._due.items()})
        other._fresh = set(self._fresh)
        other._order = self._order
        return other

    def _own(self, index: dict[str, set[str]], key: str, shared_key: str) -> set[str]:
        """The set at ``index[key]``, copied first if a template shares it."""
        ids = index.get(key)
        if ids is None:
            ids = index[key] = set()
        elif ids is self._base.get(shared_key):
            ids = index[key] = set(ids)
        return ids

    def add(self, commitment: Commitment) -> None:
        """Start tracking ``commitment``; it is examined at the next :meth:`update`.

        Raises:
            negsim.errors.PropositionError: Its antecedent or consequent does not parse.
        """
        ante, ante_atoms = _compiled(commitment.antecedent)
        cons, cons_atoms = _compiled(commitment.consequent)
        cid = commitment.id
        self.current[cid] = commitment
        if self._shares_predicates:
            self._predicates = dict(self._predicates)
            self._shares_predicates = False
        self._predicates[cid] = (ante, cons)
        for atom in ante_atoms | cons_atoms:
            self._own(self._by_atom, atom, atom).add(cid)
        for agent in (commitment.debtor, commitment.creditor):
            self._own(self._by_agent, agent, f"agent:{agent}").add(cid)
            self._views.pop(agent, None)
            self._slots.pop(agent, None)
        self._order = None
        if commitment.expires is not None:
            self._due[commitment.expires + 1].add(cid)
        self._fresh.add(cid)

    def of(self, agent: str) -> tuple[Commitment, ...]:
        """The commitments ``agent`` is debtor or creditor of, sorted by id (cached).

        Built once per agent; a commitment's change replaces it in place (:meth:`_set`).
        """
        view = self._views.get(agent)
        if view is None:
            ids = sorted(self._by_agent.get(agent, ()))
            view = tuple(self.current[c] for c in ids)
            self._views[agent] = view
            self._slots[agent] = {c: i for i, c in enumerate(ids)}
        return view

    @property
    def built(self) -> Mapping[str, tuple[Commitment, ...]]:
        """The agents' commitments as :meth:`of` gives them, for the agents built so far.

        Every agent's, at the start of a run from a scenario's template; an agent's
        entry is gone from when a commitment of its is added until :meth:`of` builds it
        again. The round loop reads this, and calls :meth:`of` for an agent not in it.
        """
        return self._views

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
            updated = _moved(c, new, round)
            if c.deadline:
                self._due[round + c.deadline].add(c.id)
        else:
            updated = _moved(c, new, c.detached_at)
        self.current[c.id] = updated
        for agent in (c.debtor, c.creditor):
            view = self._views.get(agent)
            if view is not None:  # the agent's view, with the commitment replaced
                i = self._slots[agent][c.id]
                self._views[agent] = (*view[:i], updated, *view[i + 1 :])
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
        if self._order is None:
            self._order = sorted(self.current)
        return tuple(map(self.current.__getitem__, self._order))


def _compiled(text: str) -> tuple[Predicate, frozenset[str]]:
    """The predicate of proposition ``text`` and its atoms, by text (cached).

    Raises:
        negsim.errors.PropositionError: The text does not parse.
    """
    hit = _COMPILED.get(text)
    if hit is None:
        prop = parse(text)
        hit = (compile_predicate(prop), atoms(prop))
        if len(_COMPILED) >= 4096:
            _COMPILED.clear()
        _COMPILED[text] = hit
    return hit


_COMPILED: dict[str, tuple[Predicate, frozenset[str]]] = {}
"""Predicates and atoms by proposition text: a pledge's text recurs run after run."""


def _moved(c: Commitment, state: CommitmentState, detached_at: int | None) -> Commitment:
    """``c`` in ``state``: :func:`attrs.evolve`, by the constructor for a plain commitment."""
    if type(c) is not Commitment:
        return attrs.evolve(c, state=state, detached_at=detached_at)
    return Commitment(
        c.id,
        c.debtor,
        c.creditor,
        c.antecedent,
        c.consequent,
        c.deadline,
        c.expires,
        c.source,
        c.standing,
        state,
        detached_at,
    )


_TEMPLATES: dict[int, tuple[Scenario, CommitmentMonitor, list[Event]]] = {}
"""Monitors after the opening update, by scenario identity (the scenario is kept alive
alongside, so an id is never reused while cached)."""

_BY_CONTENT: dict[
    tuple[tuple[Commitment, ...], frozenset[str]], tuple[CommitmentMonitor, list[Event]]
] = {}
"""The same, by content: the scenario's commitments and its opening facts."""
