"""Conversion of propositions and arithmetic expressions to and from sympy, and satisfiability.

sympy does the analysis (satisfiability, simplification, entailment, solving decision rules
for their thresholds); the simulation loop never needs it. Other layers never touch sympy
themselves: they build propositions and ask :func:`satisfiable`, or ask a
:class:`~negsim.logic.Rule` for its threshold. sympy takes most of a second to import, so
it is imported on first use by :func:`import_sympy`, the one place in :mod:`negsim.logic`
that imports it, never when :mod:`negsim.logic` is imported. Propositions and expressions
only ever reach sympy as trees built here: no text is handed to ``sympify`` or
``parse_expr``.
"""

from __future__ import annotations

import functools
import importlib
import itertools
from fractions import Fraction
from types import ModuleType
from typing import TYPE_CHECKING

from negsim.errors import PropositionError
from negsim.logic._arith_ast import Add, Call, Div, Expr, Mul, Neg, Num, Pow, Sym
from negsim.logic._ast import And, Atom, Const, Equiv, Implies, Not, Or, Prop
from negsim.logic._compile import atoms
from negsim.logic._parser import parse
from negsim.logic._text import CACHE_SIZE

if TYPE_CHECKING:
    from sympy import Expr as SympyExpr  # type: ignore[import-untyped,unused-ignore]
    from sympy import Symbol  # type: ignore[import-untyped,unused-ignore]
    from sympy.logic.boolalg import Boolean  # type: ignore[import-untyped,unused-ignore]

__all__ = ["expression_to_sympy", "from_sympy", "import_sympy", "satisfiable", "to_sympy"]


def import_sympy() -> ModuleType:
    """Import sympy on first use (it takes most of a second); later calls are a look-up.

    Every use of sympy in :mod:`negsim.logic` goes through this function, so that importing
    the package never imports sympy.

    Returns:
        The ``sympy`` module.
    """
    return importlib.import_module("sympy")


@functools.cache
def _symbol(name: str) -> Symbol:
    """The plain ``sympy.Symbol`` of an atom key or a parameter name, the same every time."""
    return import_sympy().Symbol(name)


def to_sympy(prop: Prop) -> Boolean:
    """Convert a proposition to a sympy boolean expression.

    Each atom becomes a ``sympy.Symbol`` named by the atom's key (``attacked(ROK)``), the
    same object every time; ``true`` and ``false`` become ``sympy.true`` and
    ``sympy.false``. sympy may simplify on construction (it
    flattens nested conjunctions, for example), so the result is logically equivalent to the
    proposition but not always the same shape.

    Args:
        prop: The proposition.

    Returns:
        The equivalent sympy expression, built from ``And``, ``Or``, ``Not``, ``Implies``
        and ``Equivalent``.
    """
    sympy = import_sympy()

    def convert(prop: Prop) -> Boolean:
        match prop:
            case Atom():
                return _symbol(prop.key)
            case Const(value=value):
                return sympy.true if value else sympy.false
            case Not(operand=operand):
                return sympy.Not(convert(operand))
            case And(operands=operands):
                return sympy.And(*(convert(operand) for operand in operands))
            case Or(operands=operands):
                return sympy.Or(*(convert(operand) for operand in operands))
            case Implies(left=left, right=right):
                return sympy.Implies(convert(left), convert(right))
            case Equiv(left=left, right=right):
                return sympy.Equivalent(convert(left), convert(right))
        raise TypeError(f"not a proposition: {prop!r}")

    return convert(prop)


def _atom(name: str) -> Atom:
    prop: Prop | None
    try:
        prop = parse(name, source="<sympy symbol>")
    except PropositionError:
        prop = None
    if not isinstance(prop, Atom):
        raise ValueError(
            f"sympy symbol {name!r} is not an atom key such as 'attacked(ROK)' or 'war'"
        )
    return prop


def from_sympy(expr: Boolean) -> Prop:
    """Convert a sympy boolean expression back to a proposition, to explain a result.

    Symbols become atoms by parsing their names as atom keys (``attacked(ROK)``), so the
    inverse of :func:`to_sympy` holds up to logical equivalence: sympy reorders and
    flattens operands. ``Equivalent`` with more than two arguments becomes a conjunction of
    pairwise equivalences, and other boolean functions (``Xor``, ``ITE``, ``Nand``, ...)
    are first rewritten in negation normal form.

    Args:
        expr: A sympy boolean expression over symbols named by atom keys; Python's
            ``True`` and ``False`` are accepted too.

    Returns:
        An equivalent proposition.

    Raises:
        ValueError: A symbol's name is not an atom key.
        TypeError: The expression is not boolean (a number or a relation, for example).
    """
    sympy = import_sympy()
    boolalg = sympy.logic.boolalg

    if isinstance(expr, bool | boolalg.BooleanTrue | boolalg.BooleanFalse):
        return Const(bool(expr))
    if isinstance(expr, sympy.Symbol):
        return _atom(expr.name)
    if not isinstance(expr, boolalg.BooleanFunction):
        raise TypeError(f"not a sympy boolean expression: {expr!r} ({type(expr).__name__})")
    args: tuple[Boolean, ...] = expr.args
    if isinstance(expr, sympy.Not):
        return Not(from_sympy(args[0]))
    if isinstance(expr, sympy.And):
        return And(tuple(from_sympy(arg) for arg in args))
    if isinstance(expr, sympy.Or):
        return Or(tuple(from_sympy(arg) for arg in args))
    if isinstance(expr, sympy.Implies):
        return Implies(from_sympy(args[0]), from_sympy(args[1]))
    if isinstance(expr, sympy.Equivalent):
        sides = [from_sympy(arg) for arg in args]
        if len(sides) == 2:
            return Equiv(sides[0], sides[1])
        return And(tuple(Equiv(a, b) for a, b in itertools.pairwise(sides)))
    return from_sympy(expr.to_nnf(simplify=False))


@functools.lru_cache(maxsize=CACHE_SIZE)
def _converted(prop: Prop) -> Boolean:
    """:func:`to_sympy`, remembered: the conjuncts of successive questions repeat."""
    return to_sympy(prop)


def satisfiable(prop: Prop) -> dict[str, bool] | None:
    """Find a world in which a proposition holds, with sympy's satisfiability checker.

    The proposition goes to sympy as a tree (:func:`to_sympy`), never as text. The
    conjuncts of a conjunction are converted one by one and the conversions remembered
    (up to 4,096 of them), so a sequence of questions that share conjuncts, such as the
    commitment analysis asks, converts each only once. The answer itself is not cached:
    callers that ask the same question again should keep the verdict under a cheap key of
    their own.

    Args:
        prop: The proposition.

    Returns:
        A model: a truth value for every atom of the proposition, by atom key
        (``attacked(ROK)``), sorted by key, under which the proposition is true; atoms
        that do not matter (sympy simplified them away, as in ``a >> a``) are given
        ``False``. ``None`` when no world satisfies the proposition.

    Example:
        >>> from negsim.logic import parse, satisfiable
        >>> satisfiable(parse("attacked(ROK) & ~denies_access(JPN,USA)"))
        {'attacked(ROK)': True, 'denies_access(JPN,USA)': False}
        >>> satisfiable(parse("grants_access(JPN,USA) & ~grants_access(JPN,USA)")) is None
        True
        >>> satisfiable(parse("true"))
        {}
    """
    sympy = import_sympy()
    conjuncts = prop.operands if isinstance(prop, And) else (prop,)
    model = sympy.logic.inference.satisfiable(sympy.And(*(_converted(c) for c in conjuncts)))
    if model is False:
        return None
    values = {
        symbol.name: bool(value)
        for symbol, value in model.items()
        if isinstance(symbol, sympy.Symbol)
    }
    keys = frozenset().union(*(atoms(c) for c in conjuncts))
    return {key: values.get(key, False) for key in sorted(keys)}


# -- arithmetic expressions -----------------------------------------------------------------


def _sympy_number(value: float) -> SympyExpr:
    # The shortest decimal that reads back as the float, as an exact rational: 0.1 is 1/10.
    fraction = Fraction(repr(value))
    return import_sympy().Rational(fraction.numerator, fraction.denominator)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _expression_cached(expr: Expr) -> SympyExpr:
    sympy = import_sympy()
    functions = {
        "min": sympy.Min,
        "max": sympy.Max,
        "exp": sympy.exp,
        "log": sympy.log,
        "sqrt": sympy.sqrt,
    }

    def convert(expr: Expr) -> SympyExpr:
        match expr:
            case Num(value=value):
                return _sympy_number(value)
            case Sym(name=name):
                return _symbol(name)
            case Add(operands=operands):
                return sympy.Add(*(convert(op) for op in operands))
            case Mul(operands=operands):
                return sympy.Mul(*(convert(op) for op in operands))
            case Neg(operand=operand):
                return -convert(operand)
            case Div(left=left, right=right):
                return convert(left) / convert(right)
            case Pow(base=base, exponent=exponent):
                return sympy.Pow(convert(base), convert(exponent))
            case Call(func=func, args=args):
                return functions[func](*(convert(arg) for arg in args))
        raise TypeError(f"not an expression: {expr!r}")

    return convert(expr)


def expression_to_sympy(expr: Expr) -> SympyExpr:
    """Convert an arithmetic expression to a sympy expression, for analysis.

    Each parameter becomes a plain ``sympy.Symbol`` of its name (the same object every
    time); numbers become exact rationals of the decimal they are written as (``0.1`` is
    ``1/10``); ``min`` and ``max`` become ``Min`` and ``Max``, ``log`` the natural
    logarithm. sympy simplifies on construction, so the result is equal in value to the
    expression but not always the same shape. The conversion is cached per expression, and
    sympy is imported on the first call, never when :mod:`negsim.logic` is imported.

    Args:
        expr: The expression.

    Returns:
        The equivalent sympy expression.

    Raises:
        TypeError: ``expr`` is not an expression tree (parse text first).
    """
    return _expression_cached(expr)
