"""Satisfiability of conjunctions of named parts, with verdicts cached by part names.

Every question the analysis asks is "is there a world where all of these hold?", where
"these" are parts, each a :class:`Part`: a :class:`Kind` and a name.

==========================  =======================================================
``antecedent(<id>)``         the antecedent of commitment ``<id>`` (``true`` once
                             detached)
``consequent(<id>)``         its consequent
``honour(<id>)``             honouring it: antecedent ``>>`` consequent
``exclusion(<i>)``           the world's exclusion number ``<i>``
``Solver.prop(p)``           any other proposition (the ``given`` of an entailment, ...)
``detached(<id>)``           ``aux_detached(<n>) >> antecedent``, with an auxiliary
                             atom, so that "some antecedent outside this set holds"
                             stays a single clause
``Solver.block(ids)``        such a clause
==========================  =======================================================

A part prints as ``<kind>:<name>`` (``A:art5``), the spelling of the debug output.

The auxiliary atoms are ordinary atoms of :mod:`negsim.logic`, numbered in the order the
commitments first need one (a commitment id may hold characters an atom's argument may
not, such as the ``/`` of a pledge's id). Their name, ``aux_detached``, is changed to one no
atom of the commitments, exclusions or ``P`` parts uses if one does (``aux_detached1``,
...), and they are left out of every model.

A verdict (a model, or ``None`` for "unsatisfiable") is cached under the frozenset of
the keys, never under the proposition, which is built only on a cache miss and only when
the parts are not all conjunctions of literals (those are decided in Python by checking
that no atom is both required and forbidden). The rest go to
:func:`negsim.logic.satisfiable` as one conjunction of the parts' propositions; this
module never touches sympy itself (:mod:`negsim.logic` imports it on the first such
question).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple, TypeVar

from negsim.analysis._formulas import Entry, Exclusion
from negsim.logic import And, Atom, Const, Implies, Not, Or, Prop, atoms, evaluate, satisfiable

__all__ = [
    "Kind",
    "Model",
    "Part",
    "Solver",
    "antecedent",
    "consequent",
    "detached",
    "exclusion",
    "honour",
]


class Kind(enum.StrEnum):
    """What a :class:`Part` stands for (its value is the one-letter debug spelling)."""

    ANTECEDENT = "A"
    CONSEQUENT = "Q"
    HONOUR = "H"
    EXCLUSION = "X"
    PROP = "P"
    DETACHED = "D"
    BLOCK = "B"


class Part(NamedTuple):
    """One named part of a question: its kind and the name of what it refers to.

    Attributes:
        kind: What the part stands for.
        name: A commitment id, an exclusion's index, a proposition's canonical text or
            a block's number.
    """

    kind: Kind
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


def antecedent(commitment_id: str) -> Part:
    """The part "the antecedent of ``commitment_id`` holds"."""
    return Part(Kind.ANTECEDENT, commitment_id)


def consequent(commitment_id: str) -> Part:
    """The part "the consequent of ``commitment_id`` holds"."""
    return Part(Kind.CONSEQUENT, commitment_id)


def honour(commitment_id: str) -> Part:
    """The part "``commitment_id`` is honoured" (antecedent ``>>`` consequent)."""
    return Part(Kind.HONOUR, commitment_id)


def exclusion(index: int) -> Part:
    """The part "the world's exclusion number ``index`` holds"."""
    return Part(Kind.EXCLUSION, str(index))


def detached(commitment_id: str) -> Part:
    """The part "the auxiliary atom of ``commitment_id`` implies its antecedent"."""
    return Part(Kind.DETACHED, commitment_id)


#: A world: truth values by atom key (atoms not listed are free; read them as false).
Model = dict[str, bool]

_T = TypeVar("_T")
_MISSING = object()
_TRUE = Const(True)
_FALSE = Const(False)
_AUX = "aux_detached"
_Literals = tuple[frozenset[str], frozenset[str]]
_CONTRADICTION: _Literals = (frozenset({"\0"}), frozenset({"\0"}))


def _literals(prop: Prop) -> _Literals | None:
    """The atoms a conjunction of literals requires and forbids; None for other shapes."""
    match prop:
        case Atom():
            return frozenset({prop.key}), frozenset()
        case Not(operand=Atom() as atom):
            return frozenset(), frozenset({atom.key})
        case Const(value=value):
            return (frozenset(), frozenset()) if value else _CONTRADICTION
        case And(operands=operands):
            pos: set[str] = set()
            neg: set[str] = set()
            for operand in operands:
                lits = _literals(operand)
                if lits is None:
                    return None
                pos |= lits[0]
                neg |= lits[1]
            return frozenset(pos), frozenset(neg)
    return None


class Solver:
    """Decides conjunctions of named parts over one set of commitments and exclusions.

    Args:
        entries: The commitments.
        exclusions: The world's exclusions.
    """

    def __init__(self, entries: Iterable[Entry], exclusions: Iterable[Exclusion]) -> None:
        self.entries = {e.id: e for e in entries}
        self.exclusions = {str(x.index): x for x in exclusions}
        self._props: dict[Part, Prop] = {}
        self._blocks: dict[Part, tuple[str, ...]] = {}
        self._literal_cache: dict[Part, _Literals | None] = {}
        self._formula_cache: dict[Part, Prop] = {}
        self._aux_name: str | None = None  # chosen when a D or B part is first needed
        self._aux_atoms: dict[str, Atom] = {}
        self._verdicts: dict[frozenset[Part], Model | None] = {}
        #: How many questions went to :func:`negsim.logic.satisfiable` (sympy); the rest
        #: were cached or decided in Python.
        self.sympy_calls = 0

    # -- naming parts ------------------------------------------------------------------

    def prop(self, prop: Prop) -> Part:
        """Name an arbitrary proposition as a part.

        Args:
            prop: The proposition.

        Returns:
            Its part, named by the proposition's canonical text.
        """
        key = Part(Kind.PROP, str(prop))
        self._props[key] = prop
        if self._aux_name is not None and self._aux_name in _names(atoms(prop)):
            # The auxiliary atoms must differ from every real one: rename them. Cached
            # verdicts stay right, since auxiliary atoms never appear in a model.
            self._aux_name = None
            self._aux_atoms.clear()
            self._formula_cache.clear()
        return key

    def block(self, outside: Sequence[str]) -> Part:
        """Name the clause "the antecedent of one of these commitments holds".

        Use it with the :func:`detached` parts of the same commitments.

        Args:
            outside: Commitment ids.

        Returns:
            Its part, numbered in the order blocks are made.
        """
        key = Part(Kind.BLOCK, str(len(self._blocks)))
        self._blocks[key] = tuple(outside)
        return key

    def _prop_of(self, key: Part) -> Prop | None:
        kind, name = key
        if kind is Kind.ANTECEDENT:
            return self.entries[name].antecedent
        if kind is Kind.CONSEQUENT:
            return self.entries[name].consequent
        if kind is Kind.HONOUR:
            entry = self.entries[name]
            if entry.antecedent == _TRUE:
                return entry.consequent
            return Implies(entry.antecedent, entry.consequent)
        if kind is Kind.EXCLUSION:
            return self.exclusions[name].prop
        if kind is Kind.PROP:
            return self._props[key]
        return None  # D and B: only for the SAT solver, with auxiliary atoms

    def _literals(self, key: Part) -> _Literals | None:
        found = self._literal_cache.get(key, _MISSING)
        if found is _MISSING:
            prop = self._prop_of(key)
            found = None if prop is None else _literals(prop)
            self._literal_cache[key] = found
        return found  # type: ignore[return-value]

    def _aux(self, commitment_id: str) -> Atom:
        """The auxiliary atom of a commitment, ``aux_detached(<n>)``."""
        found = self._aux_atoms.get(commitment_id)
        if found is None:
            if self._aux_name is None:
                self._aux_name = self._fresh_name()
            number = str(len(self._aux_atoms))
            found = self._aux_atoms[commitment_id] = Atom(self._aux_name, (number,))
        return found

    def _fresh_name(self) -> str:
        """An atom name that no commitment, exclusion or ``P`` part uses."""
        taken = _names(
            set().union(
                *(e.atoms for e in self.entries.values()),
                *(x.atoms for x in self.exclusions.values()),
                *(atoms(p) for p in self._props.values()),
            )
        )
        name, n = _AUX, 0
        while name in taken:
            n += 1
            name = f"{_AUX}{n}"
        return name

    def _formula(self, key: Part) -> Prop:
        """The proposition a part stands for, auxiliary atoms included."""
        found = self._formula_cache.get(key)
        if found is None:
            kind, name = key
            if kind is Kind.DETACHED:
                found = Implies(self._aux(name), self.entries[name].antecedent)
            elif kind is Kind.BLOCK:
                found = _disjunction([self._aux(i) for i in self._blocks[key]])
            else:
                prop = self._prop_of(key)
                assert prop is not None
                found = prop
            self._formula_cache[key] = found
        return found

    # -- deciding ----------------------------------------------------------------------

    def solve(self, parts: Iterable[Part]) -> Model | None:
        """Find a world where every part holds.

        Args:
            parts: The parts.

        Returns:
            A model (atom key -> truth value, over the atoms the parts mention; treat the
            others as false), or ``None`` when no world satisfies them all. The model is
            shared with the cache: do not change it.
        """
        key = parts if isinstance(parts, frozenset) else frozenset(parts)
        found = self._verdicts.get(key, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[return-value]
        result = self._solve_literals(key)
        if result is _MISSING:
            result = self._solve_sympy(key)
        self._verdicts[key] = result  # type: ignore[assignment]
        return result  # type: ignore[return-value]

    def _solve_literals(self, parts: frozenset[Part]) -> Model | object | None:
        pos: set[str] = set()
        neg: set[str] = set()
        for part in parts:
            lits = self._literals(part)
            if lits is None:
                return _MISSING
            pos |= lits[0]
            neg |= lits[1]
        if not pos.isdisjoint(neg):
            return None
        return {key: key in pos for key in sorted(pos | neg)}

    def _solve_sympy(self, parts: frozenset[Part]) -> Model | None:
        self.sympy_calls += 1
        formulas = [self._formula(part) for part in sorted(parts)]
        model = satisfiable(formulas[0] if len(formulas) == 1 else And(formulas))
        if model is None or self._aux_name is None:
            return model
        aux = self._aux_name + "("
        return {key: value for key, value in model.items() if not key.startswith(aux)}

    def simplest(self, parts: Iterable[Part], model: Model) -> Model:
        """A model of the parts with as few atoms true as a greedy pass can make.

        Each true atom is made false in turn and stays false if every part still holds,
        so a witness shows what the question forces rather than the solver's whims.

        Args:
            parts: Antecedent, consequent, honour, exclusion or proposition parts.
            model: A model of them, from :meth:`solve`.

        Returns:
            A new model over the same atoms.
        """
        props = [self._prop_of(part) for part in parts]
        if any(prop is None for prop in props):
            return dict(model)
        facts = {key for key, value in model.items() if value}
        for key in sorted(facts):
            facts.discard(key)
            if not all(evaluate(prop, facts) for prop in props if prop is not None):
                facts.add(key)
        return {key: key in facts for key in model}

    def minimal(
        self, items: Sequence[_T], parts: Callable[[Sequence[_T]], Iterable[Part]]
    ) -> tuple[_T, ...]:
        """Shrink an unsatisfiable set of items to a minimal one (QuickXplain).

        The result is minimal: dropping any one of its items makes it satisfiable. It is
        found by splitting the items in halves (Junker's QuickXplain, AAAI 2004), so a
        small core among many items costs a few dozen questions, not one per item; items
        early in the list are preferred, so put the ones a result should rather contain
        first.

        Args:
            items: The items, such as commitment ids; ``parts(items)`` must be
                unsatisfiable.
            parts: The part keys that a selection of items stands for (any fixed parts
                included).

        Returns:
            The items kept, in their original order.
        """

        def unsat(selection: Sequence[_T]) -> bool:
            return self.solve(parts(selection)) is None

        def explain(base: list[_T], changed: bool, candidates: list[_T]) -> list[_T]:
            if changed and unsat(base):
                return []
            if len(candidates) == 1:
                return candidates
            half = len(candidates) // 2
            first, second = candidates[:half], candidates[half:]
            kept_second = explain(base + first, True, second)
            kept_first = explain(base + kept_second, bool(kept_second), first)
            return kept_first + kept_second

        if not items or unsat([]):
            return ()
        kept = set(explain([], False, list(items)))
        return tuple(i for i in items if i in kept)


def _disjunction(props: Sequence[Prop]) -> Prop:
    """``p | q | ...``; one proposition stands alone, and the empty disjunction is false."""
    if len(props) >= 2:
        return Or(props)
    return props[0] if props else _FALSE


def _names(keys: Iterable[str]) -> set[str]:
    """The atom names of atom keys: ``attacked`` of ``attacked(ROK)``."""
    return {key.partition("(")[0] for key in keys}
