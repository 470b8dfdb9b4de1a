"""The syntax tree of the proposition language.

Every node is a frozen, hashable attrs class, so a proposition can key a cache. ``str(prop)``
renders canonical text (``attacked(ROK) & ~denies_access(JPN,USA)``) that :func:`parse` reads
back to an equal tree, with only the parentheses the tree's shape needs.

The classes validate their fields but never parse: text becomes a tree only through
:func:`negsim.logic.parse`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypeAlias

import attrs

__all__ = [
    "RESERVED_WORDS",
    "And",
    "Atom",
    "Const",
    "Equiv",
    "Implies",
    "Not",
    "Or",
    "Prop",
]

#: Words that are operators or constants, and so cannot name an atom.
RESERVED_WORDS = frozenset({"true", "false", "and", "or", "not"})

_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_ARG_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*")

# Binding strength of each node kind, loosest first; used to place parentheses.
_PREC_EQUIV = 1
_PREC_IMPLIES = 2
_PREC_OR = 3
_PREC_AND = 4
_PREC_NOT = 5
_PREC_ATOM = 6


def _check_name(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"'{attribute.name}' must be a str: {value!r}")
    if _NAME_RE.fullmatch(value) is None:
        raise ValueError(
            f"'{attribute.name}' must be an atom name (a letter, then letters, digits or '_'): "
            f"{value!r}"
        )
    if value in RESERVED_WORDS:
        raise ValueError(
            f"'{attribute.name}' must not be a reserved word "
            f"({', '.join(sorted(RESERVED_WORDS))}): {value!r}"
        )


def _check_args(
    instance: object, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[object, ...]
) -> None:
    for arg in value:
        if not isinstance(arg, str):
            raise TypeError(f"'{attribute.name}' must hold str agent ids: {arg!r}")
        if _ARG_RE.fullmatch(arg) is None:
            raise ValueError(
                f"'{attribute.name}' must hold agent ids (a letter or digit, then letters, "
                f"digits, '_' or '-'): {arg!r}"
            )


def _check_prop(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, _NODE_TYPES):
        raise TypeError(f"'{attribute.name}' must be a proposition node: {value!r}")


def _check_operands(
    instance: object, attribute: attrs.Attribute[tuple[Prop, ...]], value: tuple[Prop, ...]
) -> None:
    if len(value) < 2:
        raise ValueError(f"'{attribute.name}' must hold at least 2 propositions: {len(value)}")
    for operand in value:
        _check_prop(instance, attribute, operand)


def _to_str_tuple(items: Iterable[str]) -> tuple[str, ...]:
    if isinstance(items, str):  # a lone string would split into letters
        raise TypeError(f"'args' must be a sequence of agent ids, not a string: {items!r}")
    return tuple(items)


def _to_prop_tuple(items: Iterable[Prop]) -> tuple[Prop, ...]:
    return tuple(items)


@attrs.frozen(cache_hash=True)
class Atom:
    """An atomic fact, true when its :attr:`key` is among the world's true facts.

    Attributes:
        name: The predicate, such as ``attacked``: a letter, then letters, digits or ``_``;
            not one of the reserved words ``true``, ``false``, ``and``, ``or``, ``not``.
        args: The arguments, usually agent ids such as ``ROK`` or ``US-ROK``; may be empty.
    """

    name: str = attrs.field(validator=_check_name)
    args: tuple[str, ...] = attrs.field(default=(), converter=_to_str_tuple, validator=_check_args)

    @property
    def key(self) -> str:
        """The canonical text of the fact: ``name(A,B)``, or ``name`` without arguments."""
        return f"{self.name}({','.join(self.args)})" if self.args else self.name

    def __str__(self) -> str:
        return self.key


@attrs.frozen(cache_hash=True)
class Const:
    """A truth constant, written ``true`` or ``false``.

    Attributes:
        value: The constant's truth value.
    """

    value: bool = attrs.field(validator=attrs.validators.instance_of(bool))

    def __str__(self) -> str:
        return render(self)


@attrs.frozen(cache_hash=True)
class Not:
    """Negation, written ``~p`` (or ``!p``, ``not p``).

    Attributes:
        operand: The negated proposition.
    """

    operand: Prop = attrs.field(validator=_check_prop)

    def __str__(self) -> str:
        return render(self)


@attrs.frozen(cache_hash=True)
class And:
    """Conjunction of two or more propositions, written ``p & q & r`` (or ``and``).

    A chain of ``&`` parses to one flat node; ``p & (q & r)`` keeps its nested shape.

    Attributes:
        operands: The conjuncts, at least two, in the order written.
    """

    operands: tuple[Prop, ...] = attrs.field(converter=_to_prop_tuple, validator=_check_operands)

    def __str__(self) -> str:
        return render(self)


@attrs.frozen(cache_hash=True)
class Or:
    """Disjunction of two or more propositions, written ``p | q | r`` (or ``or``).

    A chain of ``|`` parses to one flat node; ``p | (q | r)`` keeps its nested shape.

    Attributes:
        operands: The disjuncts, at least two, in the order written.
    """

    operands: tuple[Prop, ...] = attrs.field(converter=_to_prop_tuple, validator=_check_operands)

    def __str__(self) -> str:
        return render(self)


@attrs.frozen(cache_hash=True)
class Implies:
    """Implication, written ``p >> q`` or ``p -> q``; ``a >> b >> c`` is ``a >> (b >> c)``.

    Attributes:
        left: The antecedent.
        right: The consequent.
    """

    left: Prop = attrs.field(validator=_check_prop)
    right: Prop = attrs.field(validator=_check_prop)

    def __str__(self) -> str:
        return render(self)


@attrs.frozen(cache_hash=True)
class Equiv:
    """Equivalence, written ``p <-> q``; ``a <-> b <-> c`` is ``(a <-> b) <-> c``.

    Attributes:
        left: The left side.
        right: The right side.
    """

    left: Prop = attrs.field(validator=_check_prop)
    right: Prop = attrs.field(validator=_check_prop)

    def __str__(self) -> str:
        return render(self)


#: Any proposition: the union of the node classes.
Prop: TypeAlias = Atom | Const | Not | And | Or | Implies | Equiv

_NODE_TYPES = (Atom, Const, Not, And, Or, Implies, Equiv)


def _precedence(prop: Prop) -> int:
    if isinstance(prop, Equiv):
        return _PREC_EQUIV
    if isinstance(prop, Implies):
        return _PREC_IMPLIES
    if isinstance(prop, Or):
        return _PREC_OR
    if isinstance(prop, And):
        return _PREC_AND
    if isinstance(prop, Not):
        return _PREC_NOT
    return _PREC_ATOM


def _wrap(prop: Prop, parens: bool) -> str:
    text = render(prop)
    return f"({text})" if parens else text


def render(prop: Prop) -> str:
    """Render a proposition as canonical text that parses back to an equal tree.

    Operators are written ``~``, ``&``, ``|``, ``>>`` and ``<->``, binary ones with a space
    on each side, and parentheses appear only where the tree's shape needs them: around a
    looser operand, around a nested ``&`` in ``&`` (or ``|`` in ``|``), around an implication
    on the left of ``>>``, and around an equivalence on the right of ``<->``.

    Args:
        prop: The proposition to render.

    Returns:
        The canonical text.
    """
    match prop:
        case Atom():
            return prop.key
        case Const(value=value):
            return "true" if value else "false"
        case Not(operand=operand):
            return "~" + _wrap(operand, _precedence(operand) < _PREC_NOT)
        case And(operands=operands):
            return " & ".join(_wrap(op, _precedence(op) <= _PREC_AND) for op in operands)
        case Or(operands=operands):
            return " | ".join(_wrap(op, _precedence(op) <= _PREC_OR) for op in operands)
        case Implies(left=left, right=right):
            return (
                f"{_wrap(left, _precedence(left) <= _PREC_IMPLIES)} >> "
                f"{_wrap(right, _precedence(right) < _PREC_IMPLIES)}"
            )
        case Equiv(left=left, right=right):
            return (
                f"{_wrap(left, _precedence(left) < _PREC_EQUIV)} <-> "
                f"{_wrap(right, _precedence(right) <= _PREC_EQUIV)}"
            )
    raise TypeError(f"not a proposition: {prop!r}")  # pragma: no cover
