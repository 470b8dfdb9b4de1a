"""Turning propositions into fast Python predicates over a set of true facts.

A world's boolean facts are given as a set of atom keys (``{"attacked(ROK)", "war"}``): an
atom is true exactly when its key is in the set. :func:`compile_predicate` builds a tree of
plain closures once per proposition (cached), folding constants and checking the atoms of a
conjunction or disjunction with one set operation, so a check in the simulation loop costs about as
much as hand-written Python. :func:`evaluate` is the slow, obviously correct reference.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from typing import TypeAlias

from negsim.logic._ast import And, Atom, Const, Equiv, Implies, Not, Or, Prop

__all__ = ["Predicate", "atoms", "compile_predicate", "evaluate"]

#: A compiled proposition: takes the set of true fact keys, returns the proposition's truth.
Predicate: TypeAlias = Callable[[AbstractSet[str]], bool]

_CACHE_SIZE = 4096

# A predicate, and its value when the proposition is constant (None when it depends on facts).
_Compiled: TypeAlias = tuple[Predicate, bool | None]


def _always_true(facts: AbstractSet[str]) -> bool:
    return True


def _always_false(facts: AbstractSet[str]) -> bool:
    return False


_TRUE: _Compiled = (_always_true, True)
_FALSE: _Compiled = (_always_false, False)


def _constant(value: bool) -> _Compiled:
    return _TRUE if value else _FALSE


def _holds(key: str) -> _Compiled:
    def holds(facts: AbstractSet[str]) -> bool:
        return key in facts

    return holds, None


def _absent(key: str) -> _Compiled:
    def absent(facts: AbstractSet[str]) -> bool:
        return key not in facts

    return absent, None


def _negate(compiled: _Compiled) -> _Compiled:
    inner, const = compiled
    if const is not None:
        return _constant(not const)

    def negation(facts: AbstractSet[str]) -> bool:
        return not inner(facts)

    return negation, None


def _all_of(predicates: list[Predicate]) -> Predicate:
    """One predicate that holds when every one of a non-empty list holds, in order."""
    if len(predicates) == 1:
        return predicates[0]
    middle = len(predicates) // 2
    first, second = _all_of(predicates[:middle]), _all_of(predicates[middle:])

    def both(facts: AbstractSet[str]) -> bool:
        return first(facts) and second(facts)

    return both


def _any_of(predicates: list[Predicate]) -> Predicate:
    """One predicate that holds when any one of a non-empty list holds, in order."""
    if len(predicates) == 1:
        return predicates[0]
    middle = len(predicates) // 2
    first, second = _any_of(predicates[:middle]), _any_of(predicates[middle:])

    def either(facts: AbstractSet[str]) -> bool:
        return first(facts) or second(facts)

    return either


def _all_present(keys: frozenset[str]) -> Predicate:
    def all_present(facts: AbstractSet[str]) -> bool:
        return keys <= facts

    return all_present


def _all_absent(keys: frozenset[str]) -> Predicate:
    def all_absent(facts: AbstractSet[str]) -> bool:
        return keys.isdisjoint(facts)

    return all_absent


def _any_present(keys: frozenset[str]) -> Predicate:
    def any_present(facts: AbstractSet[str]) -> bool:
        return not keys.isdisjoint(facts)

    return any_present


def _any_absent(keys: frozenset[str]) -> Predicate:
    def any_absent(facts: AbstractSet[str]) -> bool:
        return not keys <= facts

    return any_absent


def _junction(operands: tuple[Prop, ...], *, conjunction: bool) -> _Compiled:
    """Compile an ``And`` (conjunction) or an ``Or`` (disjunction).

    Plain and negated atoms are checked together with one set operation each; constants
    are folded (``false`` decides a conjunction, ``true`` a disjunction, the other is
    dropped), and so is an atom that appears both plain and negated (``a & ~a``).
    """
    absorbing = not conjunction  # the constant that decides the whole node
    positive: set[str] = set()
    negative: set[str] = set()
    others: list[Predicate] = []
    for operand in operands:
        if isinstance(operand, Atom):
            positive.add(operand.key)
        elif isinstance(operand, Not) and isinstance(operand.operand, Atom):
            negative.add(operand.operand.key)
        else:
            predicate, const = _compile(operand)
            if const is None:
                others.append(predicate)
            elif const is absorbing:
                return _constant(absorbing)
    if positive & negative:
        return _constant(absorbing)
    checks: list[Predicate] = []
    if len(positive) == 1:
        checks.append(_holds(next(iter(positive)))[0])
    elif positive:
        keys = frozenset(positive)
        checks.append(_all_present(keys) if conjunction else _any_present(keys))
    if len(negative) == 1:
        checks.append(_absent(next(iter(negative)))[0])
    elif negative:
        keys = frozenset(negative)
        checks.append(_all_absent(keys) if conjunction else _any_absent(keys))
    checks += others
    if not checks:
        return _constant(not absorbing)
    return (_all_of(checks) if conjunction else _any_of(checks)), None


def _implication(left: _Compiled, right: _Compiled) -> _Compiled:
    antecedent, left_const = left
    consequent, right_const = right
    if left_const is False or right_const is True:
        return _TRUE
    if left_const is True:
        return right
    if right_const is False:
        return _negate(left)

    def implication(facts: AbstractSet[str]) -> bool:
        return not antecedent(facts) or consequent(facts)

    return implication, None


def _equivalence(left: _Compiled, right: _Compiled) -> _Compiled:
    left_predicate, left_const = left
    right_predicate, right_const = right
    if left_const is not None:
        return right if left_const else _negate(right)
    if right_const is not None:
        return left if right_const else _negate(left)

    def equivalence(facts: AbstractSet[str]) -> bool:
        return left_predicate(facts) == right_predicate(facts)

    return equivalence, None


def _compile(prop: Prop) -> _Compiled:
    match prop:
        case Atom():
            return _holds(prop.key)
        case Const(value=value):
            return _constant(value)
        case Not(operand=Atom() as atom):
            return _absent(atom.key)
        case Not(operand=operand):
            return _negate(_compile(operand))
        case And(operands=operands):
            return _junction(operands, conjunction=True)
        case Or(operands=operands):
            return _junction(operands, conjunction=False)
        case Implies(left=left, right=right):
            return _implication(_compile(left), _compile(right))
        case Equiv(left=left, right=right):
            return _equivalence(_compile(left), _compile(right))
    raise TypeError(f"not a proposition: {prop!r}")


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _compile_cached(prop: Prop) -> Predicate:
    predicate, _ = _compile(prop)
    return predicate


def compile_predicate(prop: Prop) -> Predicate:
    """Compile a proposition into a predicate over the set of true fact keys.

    The predicate is built from plain closures (nothing is evaluated from text) and is
    cached per proposition (the last 4,096), so compiling a scenario's propositions once and
    calling the predicates in the loop is cheap. Constants are folded, so ``a & false``
    compiles to a function that returns False without looking at the facts.

    Args:
        prop: The proposition.

    Returns:
        A function that takes the set of keys of the facts that hold (as in
        :attr:`Atom.key`) and returns whether the proposition holds; it agrees with
        :func:`evaluate` on every set.

    Example:
        >>> from negsim.logic import compile_predicate, parse
        >>> holds = compile_predicate(parse("attacked(ROK) & ~denies_access(JPN, USA)"))
        >>> holds({"attacked(ROK)"})
        True
        >>> holds({"attacked(ROK)", "denies_access(JPN,USA)"})
        False
    """
    return _compile_cached(prop)


def evaluate(prop: Prop, facts: AbstractSet[str]) -> bool:
    """Evaluate a proposition directly: the simple reference for :func:`compile_predicate`.

    Args:
        prop: The proposition.
        facts: The keys of the facts that hold (as in :attr:`Atom.key`); every other atom
            is false.

    Returns:
        Whether the proposition holds.
    """
    match prop:
        case Atom():
            return prop.key in facts
        case Const(value=value):
            return value
        case Not(operand=operand):
            return not evaluate(operand, facts)
        case And(operands=operands):
            return all(evaluate(operand, facts) for operand in operands)
        case Or(operands=operands):
            return any(evaluate(operand, facts) for operand in operands)
        case Implies(left=left, right=right):
            return not evaluate(left, facts) or evaluate(right, facts)
        case Equiv(left=left, right=right):
            return evaluate(left, facts) == evaluate(right, facts)
    raise TypeError(f"not a proposition: {prop!r}")


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _atoms_cached(prop: Prop) -> frozenset[str]:
    keys: set[str] = set()
    stack: list[Prop] = [prop]
    while stack:
        node = stack.pop()
        match node:
            case Atom():
                keys.add(node.key)
            case Not(operand=operand):
                stack.append(operand)
            case And(operands=operands) | Or(operands=operands):
                stack.extend(operands)
            case Implies(left=left, right=right) | Equiv(left=left, right=right):
                stack.append(left)
                stack.append(right)
    return frozenset(keys)


def atoms(prop: Prop) -> frozenset[str]:
    """Collect the keys of the atoms a proposition mentions.

    Args:
        prop: The proposition.

    Returns:
        The atom keys (as in :attr:`Atom.key`), such as ``frozenset({"attacked(ROK)"})``;
        empty for a proposition built only from constants.
    """
    return _atoms_cached(prop)
