"""Consistency, reachable violations and entailment of a set of commitments.

The definitions (documented for users on :func:`check_consistency`,
:func:`reachable_violations` and :func:`entails`, and in the how-to "Check a scenario's
commitments"):

* a set S of commitments is **jointly honourable** when some world allowed by the
  exclusions E has every antecedent of S and every consequent of S true:
  ``E & A_S & Q_S`` is satisfiable;
* S is a **conflict** when its antecedents can all hold together (``E & A_S`` is
  satisfiable) but S is not jointly honourable; a set of commitments is **consistent**
  when no subset of it is a conflict. Equivalently: in every world allowed by E, the
  commitments detached there can all be discharged together;
* S is a **reachable violation** when ``E & A_S`` is satisfiable but ``E & Q_S`` is not:
  once all of S has detached, its consequents cannot all hold in any world, however the
  world moves on, so one of them will be violated;
* ``obliged`` **follows** from ``given`` when ``E & given & H & ~obliged`` is
  unsatisfiable, H being "every commitment is honoured" (``antecedent >> consequent``
  for each).

Every question is answered group by group (:func:`~negsim.analysis._formulas.groups`);
groups with the same shape are decided once and the verdict renamed.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping, Sequence

import attrs

from negsim.analysis._formulas import (
    Entry,
    Exclusion,
    Group,
    entries_of,
    exclusions_of,
    groups,
    shape,
    subgroups,
)
from negsim.analysis._results import (
    CommitmentFormula,
    Conflict,
    Consistency,
    Entailment,
    NeverTogether,
    Violation,
    world_text,
)
from negsim.analysis._solver import (
    Model,
    Part,
    Solver,
    antecedent,
    consequent,
    detached,
    exclusion,
    honour,
)
from negsim.errors import Problem, ScenarioError
from negsim.logic import Atom, Const, Not, Prop, atoms, evaluate, parse
from negsim.model import Commitment, CommitmentState

__all__ = [
    "DEFAULT_BUDGET",
    "Analysis",
    "check_consistency",
    "entails",
    "minimal_conflict",
    "reachable_violations",
]

DEFAULT_BUDGET = 2000
"""How many candidate sets the search for violations of three or more commitments may
examine per group before it stops (and says so)."""

_LIMIT = 10_000
"""At most this many violations or never-together pairs are reported per group."""


# -- a group's verdicts, in its own ids, atoms and exclusion indexes ---------------------------


@attrs.frozen
class _Clash:
    ids: tuple[str, ...]
    exclusions: tuple[int, ...]
    world: Model


@attrs.frozen
class _GroupResult:
    conflict: _Clash | None
    never: tuple[tuple[str, ...], ...]
    violations: tuple[_Clash, ...]
    complete: bool


def _rename_world(world: Model, atom_map: Mapping[str, str]) -> Model:
    return dict(sorted((atom_map.get(k, k), v) for k, v in world.items()))


def _rename(
    result: _GroupResult,
    id_map: Mapping[str, str],
    atom_map: Mapping[str, str],
    x_map: Mapping[int, int],
) -> _GroupResult:
    def clash(c: _Clash) -> _Clash:
        return _Clash(
            tuple(sorted(id_map[i] for i in c.ids)),
            tuple(sorted(x_map[x] for x in c.exclusions)),
            _rename_world(c.world, atom_map),
        )

    return _GroupResult(
        None if result.conflict is None else clash(result.conflict),
        tuple(tuple(sorted(id_map[i] for i in n)) for n in result.never),
        tuple(clash(v) for v in result.violations),
        result.complete,
    )


# -- the analysis ----------------------------------------------------------------------------


class Analysis:
    """The commitment analyses over one set of commitments and exclusions, sharing caches.

    Args:
        commitments: The commitments; only conditional and detached ones bind (a detached
            commitment's antecedent is taken as ``true``).
        exclusions: Propositions that hold in every world (text or trees).
        budget: How many candidate sets the search for violations of three or more
            commitments may examine per group.

    Raises:
        negsim.errors.ScenarioError: A proposition does not parse, two commitments share an
            id, or the exclusions contradict each other.
    """

    def __init__(
        self,
        commitments: Iterable[Commitment],
        exclusions: Iterable[str | Prop] = (),
        *,
        budget: int = DEFAULT_BUDGET,
    ) -> None:
        self.entries = entries_of(commitments)
        self.exclusions = exclusions_of(exclusions)
        self.budget = budget
        self.solver = Solver(self.entries, self.exclusions)
        self.groups, self.loose = groups(self.entries, self.exclusions)
        self._by_id = self.solver.entries  # the same table: id -> entry
        self._by_shape: dict[str, tuple[Group, tuple[str, ...], _GroupResult]] = {}
        self._results: list[_GroupResult] | None = None
        self._check_exclusions(self.loose)

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def _x(exclusions: Iterable[Exclusion]) -> list[Part]:
        return [exclusion(x.index) for x in exclusions]

    def _check_exclusions(self, exclusions: Sequence[Exclusion]) -> None:
        keys = self._x(exclusions)
        if not keys or self.solver.solve(keys) is not None:
            return
        core = self.solver.minimal(keys, lambda sel: sel)
        texts = [self.solver.exclusions[k.name].text for k in core]
        which = ", ".join(f"exclusions[{k.name}] {t!r}" for k, t in zip(core, texts, strict=True))
        raise ScenarioError(
            "world.exclusions",
            [
                Problem(
                    "",
                    f"the exclusions cannot all hold in any world: {which} contradict "
                    "each other; every check would be vacuous. Fix or remove one of them.",
                )
            ],
        )

    def _reps(self, entries: Sequence[Entry], side: str) -> dict[Prop, list[Entry]]:
        """Commitments grouped by one side's proposition (first id represents each)."""
        out: dict[Prop, list[Entry]] = {}
        for e in entries:
            out.setdefault(e.antecedent if side == "A" else e.consequent, []).append(e)
        return out

    def _minimal_exclusions(self, xs: Sequence[Part], fixed: Sequence[Part]) -> tuple[int, ...]:
        """The exclusions (a minimal subset of ``xs``) that ``fixed`` needs to be unsatisfiable."""
        if not xs:
            return ()
        core = self.solver.minimal(list(xs), lambda sel: [*fixed, *sel])
        return tuple(int(k.name) for k in core)

    # -- group by group --------------------------------------------------------------------

    def _group_results(self) -> list[_GroupResult]:
        if self._results is None:
            self._results = [self._group(g) for g in self.groups]
        return self._results

    def _group(self, group: Group) -> _GroupResult:
        key, order = shape(group)
        known = self._by_shape.get(key)
        if known is not None:
            template, template_order, result = known
            if result.conflict is None and not result.never and not result.violations:
                return result  # it names no commitment, atom or exclusion: nothing to rename
            return _rename(
                result,
                dict(zip(template.ids, group.ids, strict=True)),
                dict(zip(template_order, order, strict=True)),
                {
                    a.index: b.index
                    for a, b in zip(template.exclusions, group.exclusions, strict=True)
                },
            )
        self._check_exclusions(group.exclusions)
        conflict = self._conflict(group)
        never = self._never_together(group)
        violations, complete = self._violations(group)
        result = _GroupResult(conflict, never, violations, complete)
        self._by_shape[key] = (group, order, result)
        return result

    # consistency

    def _conflict(self, group: Group) -> _Clash | None:
        solve = self.solver.solve
        xs = self._x(group.exclusions)
        ids = list(group.ids)

        def detach(sel: Sequence[str]) -> list[Part]:
            return [*xs, *(antecedent(i) for i in sel)]

        def honour_all(sel: Sequence[str]) -> list[Part]:
            return [*detach(sel), *(consequent(i) for i in sel)]

        if solve(honour_all(ids)) is not None:
            return None
        if solve(detach(ids)) is not None:
            return self._clash(xs, self.solver.minimal(ids, honour_all))
        # Not all antecedents can hold together: look, world by world, for a set of
        # commitments detached together that cannot all be discharged.
        parts = [*xs, *(detached(i) for i in ids)]
        while (world := solve(parts)) is not None:
            facts = {k for k, v in world.items() if v}
            together = [i for i in ids if evaluate(self._by_id[i].antecedent, facts)]
            for i in ids:  # grow to a maximal set together together
                if i not in together and solve(detach([*together, i])) is not None:
                    together.append(i)
            together.sort()
            if solve(honour_all(together)) is None:
                return self._clash(xs, self.solver.minimal(together, honour_all))
            outside = [i for i in ids if i not in together]
            if not outside:  # pragma: no cover - all antecedents together were unsatisfiable
                return None
            parts.append(self.solver.block(outside))
        return None

    def _clash(self, xs: Sequence[Part], ids: Sequence[str]) -> _Clash:
        fixed = [*(antecedent(i) for i in ids), *(consequent(i) for i in ids)]
        world = self._world([*xs, *(antecedent(i) for i in ids)])
        assert world is not None
        needed = self._minimal_exclusions(xs, fixed)
        return _Clash(tuple(sorted(ids)), needed, self._shown(world, ids, needed))

    def _shown(self, world: Model, ids: Iterable[str], exclusions: Iterable[int]) -> Model:
        """The world restricted to the atoms of the commitments and exclusions in question."""
        keys = set().union(
            *(self._by_id[i].atoms for i in ids),
            *(self.solver.exclusions[str(x)].atoms for x in exclusions),
        )
        return {k: v for k, v in world.items() if k in keys}

    def _world(self, parts: Sequence[Part]) -> Model | None:
        """The simplest world where all the parts hold (few atoms true), or None."""
        model = self.solver.solve(parts)
        return None if model is None else self.solver.simplest(parts, model)

    def _never_together(self, group: Group) -> tuple[tuple[str, ...], ...]:
        solve = self.solver.solve
        xs = self._x(group.exclusions)
        out: list[tuple[str, ...]] = []
        impossible: set[Prop] = set()
        for prop, es in self._reps(group.entries, "A").items():
            if solve([*xs, antecedent(es[0].id)]) is None:
                impossible.add(prop)
                out.extend((e.id,) for e in es)
        for sub in subgroups(group.entries, group.exclusions, side="antecedent"):
            reps = [(p, es) for p, es in self._reps(sub, "A").items() if p not in impossible]
            for (_, es1), (_, es2) in itertools.combinations(reps, 2):
                if solve([*xs, antecedent(es1[0].id), antecedent(es2[0].id)]) is None:
                    out.extend(tuple(sorted((a.id, b.id))) for a in es1 for b in es2)
                    if len(out) > _LIMIT:
                        return tuple(sorted(out)[:_LIMIT])
        return tuple(sorted(set(out)))

    # reachable violations

    def _violations(self, group: Group) -> tuple[tuple[_Clash, ...], bool]:
        solve = self.solver.solve
        xs = self._x(group.exclusions)
        out: list[_Clash] = []

        def clash(entries: Sequence[Entry], qs: Sequence[Part]) -> None:
            world = self._world([*xs, *(antecedent(e.id) for e in entries)])
            if world is not None:
                ids = tuple(sorted(e.id for e in entries))
                needed = self._minimal_exclusions(xs, qs)
                out.append(_Clash(ids, needed, self._shown(world, ids, needed)))

        by_consequent = self._reps(group.entries, "Q")
        impossible: set[Prop] = set()
        for prop, es in by_consequent.items():
            q = consequent(es[0].id)
            if solve([*xs, q]) is None:
                impossible.add(prop)
                for e in es:
                    clash([e], [q])
        complete = True
        for sub in subgroups(group.entries, group.exclusions, side="consequent"):
            reps = {p: es for p, es in self._reps(sub, "Q").items() if p not in impossible}
            rep_of = {es[0].id: es for es in reps.values()}
            pairs: list[frozenset[str]] = []
            for es1, es2 in itertools.combinations(reps.values(), 2):
                qs = [consequent(es1[0].id), consequent(es2[0].id)]
                if solve([*xs, *qs]) is None:
                    pairs.append(frozenset((es1[0].id, es2[0].id)))
                    for a, b in itertools.product(es1, es2):
                        if len(out) < _LIMIT:
                            clash([a, b], qs)
            if len(reps) < 3:
                continue
            larger, done = self._larger(xs, list(rep_of), pairs)
            complete &= done
            for core in larger:
                qs = [consequent(i) for i in sorted(core)]
                for chosen in itertools.product(*(rep_of[i] for i in sorted(core))):
                    if len(out) >= _LIMIT:
                        break
                    clash(list(chosen), qs)
        return tuple(sorted(out, key=lambda c: (len(c.ids), c.ids))), complete

    def _larger(
        self, xs: Sequence[Part], reps: Sequence[str], known: Sequence[frozenset[str]]
    ) -> tuple[list[frozenset[str]], bool]:
        """Minimal incompatible sets of three or more consequents (Reiter's hitting-set tree)."""

        def parts(sel: Iterable[str]) -> list[Part]:
            return [*xs, *(consequent(i) for i in sel)]

        if self.solver.solve(parts(reps)) is not None:
            return [], True
        found = list(known)
        new: list[frozenset[str]] = []
        closed: list[frozenset[str]] = []
        seen: set[frozenset[str]] = set()
        stack: list[frozenset[str]] = [frozenset()]
        while stack:
            removed = stack.pop()
            if removed in seen or any(c <= removed for c in closed):
                continue
            seen.add(removed)
            if len(seen) > self.budget:
                return new, False
            label = next((m for m in found if not m & removed), None)
            if label is None:
                rest = [r for r in reps if r not in removed]
                if self.solver.solve(parts(rest)) is not None:
                    closed.append(removed)
                    continue
                label = frozenset(self.solver.minimal(rest, parts))
                found.append(label)
                if len(label) >= 3:
                    new.append(label)
            stack.extend(removed | {r} for r in sorted(label, reverse=True))
        return new, True

    # -- public answers ------------------------------------------------------------------

    def formulas(self) -> tuple[CommitmentFormula, ...]:
        """The analysed commitments as formulas, sorted by id."""
        shared = functools.lru_cache(maxsize=4096)(str)  # often shared: ``attacked(EST)``
        states = {state: str(state) for state in CommitmentState}

        def text(prop: Prop) -> str:
            return prop.key if type(prop) is Atom else shared(prop)  # an atom's is its key

        return tuple(
            CommitmentFormula(
                id=e.id,
                debtor=e.commitment.debtor,
                creditor=e.commitment.creditor,
                antecedent=text(e.antecedent),
                consequent=text(e.consequent),
                source=e.commitment.source,
                state=states[e.commitment.state],
            )
            for e in self.entries
        )

    def consistency(self) -> Consistency:
        """Decide consistency; see :func:`check_consistency`."""
        results = self._group_results()
        conflicts = [self._conflict_result(r.conflict) for r in results if r.conflict]
        never = sorted({n for r in results for n in r.never})
        return Consistency(
            consistent=not conflicts,
            conflicts=conflicts,
            never_together=[self._never_result(n) for n in never],
            commitments=len(self.entries),
            groups=len(self.groups),
            distinct_groups=len(self._by_shape),
        )

    def violations(self) -> tuple[tuple[Violation, ...], bool]:
        """Find reachable violations; see :func:`reachable_violations`.

        Returns:
            The violations, and whether the search for larger sets was complete.
        """
        results = self._group_results()
        clashes = sorted(
            (v for r in results for v in r.violations), key=lambda c: (len(c.ids), c.ids)
        )
        return (
            tuple(self._violation_result(c) for c in clashes),
            all(r.complete for r in results),
        )

    # -- explanations --------------------------------------------------------------------

    def _owes(self, e: Entry) -> str:
        c = e.commitment
        return f"{e.id} ({c.debtor} owes {c.creditor}) requires {e.consequent}"

    def _excl_text(self, indexes: Sequence[int]) -> str:
        if not indexes:
            return ""
        texts = [self.solver.exclusions[str(i)].text for i in indexes]
        noun = "exclusion" if len(texts) == 1 else "exclusions"
        return f" given the {noun} {'; '.join(texts)}"

    def _detach_text(self, entries: Sequence[Entry], world: Model) -> str:
        keys = set().union(*(atoms(e.antecedent) for e in entries))
        shown = {k: v for k, v in world.items() if k in keys}
        if not shown:
            return "they are owed unconditionally"
        return f"e.g. when {world_text(shown)}"

    def _conflict_result(self, clash: _Clash) -> Conflict:
        es = [self._by_id[i] for i in clash.ids]
        who = es[0].id if len(es) == 1 else f"{', '.join(e.id for e in es[:-1])} and {es[-1].id}"
        if len(es) == 1:
            e = es[0]
            text = (
                f"{who} cannot be honoured once it detaches "
                f"({self._detach_text(es, clash.world)}): {e.commitment.debtor} then owes "
                f"{e.commitment.creditor} {e.consequent}, which cannot hold while "
                f"{e.antecedent} does{self._excl_text(clash.exclusions)}."
            )
        else:
            text = (
                f"{who} cannot {'both' if len(es) == 2 else 'all'} be honoured: they can "
                "detach together "
                f"({self._detach_text(es, clash.world)}), and then "
                f"{'; '.join(self._owes(e) for e in es)}; no world"
                f"{self._excl_text(clash.exclusions)} has all of that. Without any one of "
                "them the rest can be honoured."
            )
        return Conflict(
            commitments=clash.ids,
            exclusions=[self.solver.exclusions[str(i)].text for i in clash.exclusions],
            world=clash.world,
            explanation=text,
        )

    def _violation_result(self, clash: _Clash) -> Violation:
        es = [self._by_id[i] for i in clash.ids]
        detach = self._detach_text(es, clash.world)
        excl = self._excl_text(clash.exclusions)
        if len(es) == 1:
            text = (
                f"{self._owes(es[0])}, which can never hold{excl}; it detaches ({detach}) "
                "and will then be violated."
            )
        else:
            names = f"{', '.join(e.id for e in es[:-1])} and {es[-1].id}"
            both = "both" if len(es) == 2 else "all"
            text = (
                f"{names} can {both} detach ({detach}), and then "
                f"{'; '.join(self._owes(e) for e in es)}: these cannot {both} hold together"
                f"{excl}, so at least one will be violated."
            )
        return Violation(
            commitments=clash.ids,
            exclusions=[self.solver.exclusions[str(i)].text for i in clash.exclusions],
            world=clash.world,
            explanation=text,
        )

    def _never_result(self, ids: tuple[str, ...]) -> NeverTogether:
        es = [self._by_id[i] for i in ids]
        if len(es) == 1:
            text = f"{es[0].id} never detaches: its antecedent {es[0].antecedent} cannot hold."
        else:
            a, b = es
            text = (
                f"{a.id} and {b.id} never detach together: their antecedents "
                f"{a.antecedent} and {b.antecedent} cannot both hold."
            )
        return NeverTogether(commitments=ids, explanation=text)

    # -- entailment ----------------------------------------------------------------------

    def entails(
        self, given: str | Prop, obliged: str | Prop, debtor: str | None = None
    ) -> Entailment:
        """Decide an entailment; see :func:`entails`."""
        given_p = parse(given, source="given") if isinstance(given, str) else given
        obliged_p = parse(obliged, source="obliged") if isinstance(obliged, str) else obliged
        focus = atoms(given_p) | atoms(obliged_p)
        relevant = [
            g
            for g in self.groups
            if focus & set().union(*(e.atoms for e in g.entries), *(x.atoms for x in g.exclusions))
        ]
        ids = sorted(i for g in relevant for i in g.ids)
        for g in relevant:
            self._check_exclusions(g.exclusions)
        xs = self._x([*(x for g in relevant for x in g.exclusions), *self.loose])
        g_key = self.solver.prop(given_p)
        n_key = self.solver.prop(Not(obliged_p))
        solve = self.solver.solve

        def honour_all(sel: Iterable[str]) -> list[Part]:
            return [honour(i) for i in sel]

        known = set().union(*(e.atoms for e in self.entries), *(x.atoms for x in self.exclusions))
        unknown = sorted(focus - known)
        note = (
            f" (Note: {', '.join(unknown)} appear{'s' if len(unknown) == 1 else ''} in no "
            "commitment or exclusion.)"
            if unknown
            else ""
        )
        shown = focus | set().union(*(self._by_id[i].atoms for i in ids))

        def result(verdict: bool, text: str, **kw: object) -> Entailment:
            return Entailment(
                verdict=verdict,
                given=str(given_p),
                obliged=str(obliged_p),
                debtor=debtor,
                explanation=text + note,
                **kw,  # type: ignore[arg-type]
            )

        base = [*xs, g_key]
        if solve([*base, *honour_all(ids)]) is None:
            why = self.solver.minimal(ids, lambda sel: [*base, *honour_all(sel)])
            return result(
                True,
                f"Vacuously: {given_p} cannot hold while every commitment is honoured"
                f"{self._because_text(why)}, so every proposition 'follows'.",
                witness=None,
                because=why,
                vacuous=True,
            )
        counter = self._world([*base, n_key, *honour_all(ids)])
        if counter is not None:
            world = {k: v for k, v in counter.items() if k in shown}
            return result(
                False,
                f"No: {obliged_p} does not follow. In this world allowed by the exclusions "
                f"{given_p} holds, every commitment is honoured, and {obliged_p} fails: "
                f"{world_text(world)}.",
                witness=world,
                because=(),
            )
        theirs = [
            i for i in ids if debtor is not None and self._by_id[i].commitment.debtor != debtor
        ]
        mine = [i for i in ids if i not in theirs]
        because = self.solver.minimal(
            [*mine, *theirs], lambda sel: [*base, n_key, *honour_all(sel)]
        )
        because = tuple(sorted(because))
        if debtor is not None and solve([*base, n_key, *honour_all(theirs)]) is None:
            source = self._because_text(because) if because else " from the exclusions alone"
            return result(
                False,
                f"No: {obliged_p} does follow from {given_p}, but not because of any "
                f"commitment of {debtor}: it follows{source}.",
                witness=None,
                because=because,
            )
        whom = f" {debtor} is obliged:" if debtor is not None else ""
        source = (
            self._because_text(because)
            if because
            else f" from the exclusions and {given_p} alone, whatever the commitments"
        )
        return result(
            True,
            f"Yes:{whom} whenever {given_p} holds and every commitment is honoured, "
            f"{obliged_p} holds. It follows{source}.",
            witness=None,
            because=because,
        )

    def _because_text(self, ids: Sequence[str]) -> str:
        if not ids:
            return ""
        parts = []
        for i in ids:
            e = self._by_id[i]
            when = "unconditionally" if e.antecedent == Const(True) else f"once {e.antecedent}"
            parts.append(
                f"{i} ({e.commitment.debtor} owes {e.commitment.creditor} {e.consequent} {when})"
            )
        return f" from {'; '.join(parts)}"


# -- the functions ---------------------------------------------------------------------------


def check_consistency(
    commitments: Iterable[Commitment], exclusions: Iterable[str | Prop] = ()
) -> Consistency:
    """Decide whether a set of commitments can be honoured together.

    A set S of commitments is *jointly honourable* when some world allowed by the
    exclusions E has all of S's antecedents and all of S's consequents true
    (``E & A_S & Q_S`` is satisfiable): when they have all detached at once, they can
    all be discharged. A *conflict* is a set whose antecedents can all hold together
    (``E & A_S`` is satisfiable) but which is not jointly honourable. The commitments are
    *consistent* when no subset is a conflict; equivalently, in every world the
    exclusions allow, the commitments detached there can all be discharged together.

    Commitments whose antecedents can never hold together are not in conflict, however
    their consequents clash (the Kishi-Herter consultation gate applies "other than under
    Art. V", so it never detaches together with Art. V); such pairs are reported in
    :attr:`~negsim.analysis.Consistency.never_together`.

    Only conditional and detached commitments bind; a detached commitment's antecedent
    is taken as ``true`` (its consequent is owed now). The commitments are split into
    independent groups connected by shared atoms; for each group with a conflict one
    minimal conflict is reported (deletion-based: no proper subset conflicts, though a
    smaller conflict may exist elsewhere in the group), with the world in which they clash
    and the exclusions the clash needs.

    Args:
        commitments: The commitments (an agent's, an alliance's, a scenario's).
        exclusions: Propositions that hold in every world, as text or trees.

    Returns:
        The verdict.

    Raises:
        negsim.errors.ScenarioError: A proposition does not parse, or the exclusions
            contradict each other.

    Example:
        >>> from negsim.model import Commitment
        >>> grant = Commitment("art6", "JPN", "USA", "true", "~denies_access(JPN,USA)")
        >>> pledge = Commitment("neutral", "JPN", "DPRK", "threatened(JPN)",
        ...                     "denies_access(JPN,USA)")
        >>> verdict = check_consistency([grant, pledge])
        >>> verdict.consistent, verdict.conflict.commitments
        (False, ('art6', 'neutral'))
        >>> dict(verdict.conflict.world)
        {'threatened(JPN)': True}
    """
    return Analysis(commitments, exclusions).consistency()


def minimal_conflict(
    commitments: Iterable[Commitment], exclusions: Iterable[str | Prop] = ()
) -> Conflict | None:
    """Find one minimal conflicting subset of the commitments, if there is one.

    See :func:`check_consistency` for what a conflict is.

    Args:
        commitments: The commitments.
        exclusions: Propositions that hold in every world.

    Returns:
        The first group's minimal conflict, or ``None`` when the commitments are consistent.

    Raises:
        negsim.errors.ScenarioError: A proposition does not parse, or the exclusions
            contradict each other.
    """
    return Analysis(commitments, exclusions).consistency().conflict


def reachable_violations(
    commitments: Iterable[Commitment],
    exclusions: Iterable[str | Prop] = (),
    *,
    budget: int = DEFAULT_BUDGET,
) -> tuple[Violation, ...]:
    """Find sets of commitments that can all detach, after which one must be violated.

    A set S is a reachable violation when some world allowed by the exclusions E detaches
    all of S (``E & A_S`` is satisfiable) while S's consequents cannot all hold in any
    world (``E & Q_S`` is unsatisfiable), and no proper subset of S is such a set. Unlike
    a conflict, this does not assume the antecedents still hold when the consequents are
    due: once detached, the debts stand however the world moves on.

    Single commitments whose consequent can never hold come first, then pairs, searched
    only among commitments whose consequents are connected by shared atoms (directly or
    through exclusions), then larger sets, searched within such connected groups only,
    up to ``budget`` candidate sets per group. For each violation, a witnessing world in
    which all of them have detached is given. When several commitments owe the same
    consequent, each combination of them that can detach together is reported.

    Args:
        commitments: The commitments.
        exclusions: Propositions that hold in every world.
        budget: How many candidate sets the search for sets of three or more may examine per
            group.

    Returns:
        The violations, by size, then ids.

    Raises:
        negsim.errors.ScenarioError: A proposition does not parse, or the exclusions
            contradict each other.

    Example:
        >>> from negsim.model import Commitment
        >>> grant = Commitment("grant", "JPN", "USA", "attacked(ROK)", "grants_access(JPN,USA)")
        >>> deny = Commitment("deny", "JPN", "DPRK", "threatened(JPN)", "denies_access(JPN,USA)")
        >>> exclusion = "~(grants_access(JPN,USA) & denies_access(JPN,USA))"
        >>> [v.commitments for v in reachable_violations([grant, deny], [exclusion])]
        [('deny', 'grant')]
    """
    return Analysis(commitments, exclusions, budget=budget).violations()[0]


def entails(
    commitments: Iterable[Commitment],
    exclusions: Iterable[str | Prop] = (),
    *,
    given: str | Prop = "true",
    obliged: str | Prop,
    debtor: str | None = None,
) -> Entailment:
    """Decide whether honouring the commitments obliges ``obliged`` once ``given`` holds.

    ``obliged`` follows when it holds in every world allowed by the exclusions E in which
    ``given`` holds and every commitment is honoured (``antecedent >> consequent``): when
    ``E & given & H & ~obliged`` is unsatisfiable. Only the commitments connected to the
    atoms of ``given`` and ``obliged`` (by shared atoms, directly or through exclusions)
    can bear on the answer, and only they are used.

    When it follows, :attr:`~negsim.analysis.Entailment.because` is a minimal set of
    commitments from which it follows; when it does not, the
    :attr:`~negsim.analysis.Entailment.witness` is a counter-world. With a ``debtor``, the
    question is whether *that state* is obliged: the verdict is true only when ``obliged``
    follows and would not follow without the debtor's own commitments.

    Args:
        commitments: The commitments.
        exclusions: Propositions that hold in every world.
        given: The condition, such as ``attacked(ROK)``.
        obliged: The proposition asked about, such as ``grants_access(JPN,USA)``.
        debtor: The state asked about, or ``None`` for "is it obliged at all".

    Returns:
        The answer, with a counter-world or the commitments it rests on.

    Raises:
        negsim.errors.ScenarioError: A proposition does not parse, or the exclusions
            contradict each other.

    Example:
        >>> from negsim.model import Commitment
        >>> art3 = Commitment("art3", "USA", "ROK", "attacked(ROK)", "responds(USA,ROK)")
        >>> entails([art3], given="attacked(ROK)", obliged="responds(USA,ROK)").because
        ('art3',)
        >>> entails([art3], given="attacked(JPN)", obliged="responds(USA,ROK)").verdict
        False
    """
    return Analysis(commitments, exclusions).entails(given, obliged, debtor)
