"""The syntax tree of the arithmetic-expression language: the language of decision rules.

A doctrine states an honour-or-defect rule as an arithmetic expression over named parameters,
such as ``alliance_value + dependence * cost_abandon - p_strike * cost_strike``. The expression
is an immutable tree of :class:`Num`, :class:`Sym`, :class:`Add`, :class:`Mul`, :class:`Neg`,
:class:`Div`, :class:`Pow` and :class:`Call` nodes. Every node is a frozen, hashable attrs
class, so an expression can key a cache. ``str(expr)`` renders canonical text (``a + b * c -
d^2``) that :func:`negsim.logic.parse_expression` reads back to an equal tree, with only the
parentheses the tree's shape needs (:func:`render`).

The classes validate their fields but never parse: text becomes a tree only through
:func:`negsim.logic.parse_expression` (:mod:`negsim.logic._arith_parser`).
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

import attrs

__all__ = [
    "FUNCTIONS",
    "NAME_RE",
    "RESERVED_NAMES",
    "Add",
    "Call",
    "Div",
    "Expr",
    "Mul",
    "Neg",
    "Num",
    "Pow",
    "Sym",
    "arity_problem",
    "render",
]

#: The functions an expression may call, with their least and greatest number of arguments
#: (``None``: no upper bound).
FUNCTIONS: Mapping[str, tuple[int, int | None]] = {
    "exp": (1, 1),
    "log": (1, 1),
    "max": (2, None),
    "min": (2, None),
    "sqrt": (1, 1),
}

#: Words that cannot name a parameter: the function names and Python's keywords.
RESERVED_NAMES = frozenset(FUNCTIONS) | frozenset(keyword.kwlist)

#: A parameter or function name: a letter, then letters, digits or ``_``.
NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")

# Binding strength of each node kind, loosest first; used to place parentheses.
_PREC_ADD = 1
_PREC_MUL = 2  # Mul and Div
_PREC_NEG = 3
_PREC_POW = 4
_PREC_ATOM = 5  # Num, Sym and Call


def _to_number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"'value' must be an int or float: {value!r}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"'value' is too large for a float: {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(
            f"'value' must be a finite number >= 0 (write Neg(Num(x)) for -x): {value!r}"
        )
    return number + 0.0  # -0.0 becomes 0.0


def _check_name(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"'{attribute.name}' must be a str: {value!r}")
    if NAME_RE.fullmatch(value) is None:
        raise ValueError(
            f"'{attribute.name}' must be a parameter name (a letter, then letters, digits "
            f"or '_'): {value!r}"
        )
    if value in RESERVED_NAMES:
        raise ValueError(
            f"'{attribute.name}' must not be a function name or a Python keyword: {value!r}"
        )


def _check_expr(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, _NODE_TYPES):
        raise TypeError(f"'{attribute.name}' must be an expression node: {value!r}")


def _check_operands(
    instance: object, attribute: attrs.Attribute[tuple[Expr, ...]], value: tuple[Expr, ...]
) -> None:
    if len(value) < 2:
        raise ValueError(f"'{attribute.name}' must hold at least 2 expressions: {len(value)}")
    for operand in value:
        _check_expr(instance, attribute, operand)


def _check_function(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in FUNCTIONS:
        raise ValueError(
            f"'{attribute.name}' must be one of {', '.join(sorted(FUNCTIONS))}: {value!r}"
        )


def _check_args(
    instance: Call, attribute: attrs.Attribute[tuple[Expr, ...]], value: tuple[Expr, ...]
) -> None:
    for arg in value:
        _check_expr(instance, attribute, arg)
    problem = arity_problem(instance.func, len(value))
    if problem:
        raise ValueError(problem)


def arity_problem(func: str, count: int) -> str | None:
    """Tell what is wrong with calling a function with some number of arguments.

    Args:
        func: The function, a key of :data:`FUNCTIONS`.
        count: The number of arguments.

    Returns:
        The reason the call is refused (``"exp() takes exactly 1 argument, got 2"``), or
        None when the count is right.
    """
    least, most = FUNCTIONS[func]
    if least == most and count != least:
        return f"{func}() takes exactly {least} argument{'s' * (least != 1)}, got {count}"
    if count < least:
        return f"{func}() takes at least {least} arguments, got {count}"
    if most is not None and count > most:  # pragma: no cover - no such function yet
        return f"{func}() takes at most {most} arguments, got {count}"
    return None


def _to_expr_tuple(items: Iterable[Expr]) -> tuple[Expr, ...]:
    return tuple(items)


@attrs.frozen(cache_hash=True)
class Num:
    """A number, written ``3``, ``0.5`` or ``1e-3``.

    Attributes:
        value: The number, a finite float ``>= 0`` (an int is converted); a negative number
            is ``Neg(Num(x))``, as the text ``-x`` parses.
    """

    value: float = attrs.field(converter=_to_number)

    def __str__(self) -> str:
        return render(self)


@attrs.frozen(cache_hash=True)
class Sym:
    """A parameter, looked up by name in the values an expression is evaluated with.

    Attributes:
        name: The parameter's name: a letter, then letters, digits or ``_``; not a function
            name (``min``, ``max``, ``exp``, ``log``, ``sqrt``) or a Python keyword.
    """

    name: str = attrs.field(validator=_check_name)

    def __str__(self) -> str:
        return self.name


@attrs.frozen(cache_hash=True)
class Add:
    """A sum of two or more terms, written ``a + b - c`` (the ``- c`` is the term ``Neg(c)``).

    A chain of ``+`` and ``-`` parses to one flat node; ``a + (b + c)`` keeps its nested shape.

    Attributes:
        operands: The terms, at least two, in the order written.
    """

    operands: tuple[Expr, ...] = attrs.field(converter=_to_expr_tuple, validator=_check_operands)

    def __str__(self) -> str:
        return render(self)


@attrs.frozen(cache_hash=True)
class Mul:
    """A product of two or more factors, written ``a * b * c``.

    A run of ``*`` parses to one flat node; ``a * (b * c)`` keeps its nested shape.

    Attributes:
        operands: The factors, at least two, in the order written.
    """

    operands: tuple[Expr, ...] = attrs.field(converter=_to_expr_tuple, validator=_check_operands)

    def __str__(self) -> str:
        return render(self)


@attrs.frozen(cache_hash=True)
class Neg:
    """Negation, written ``-a``.

    Attributes:
        operand: The negated expression.
    """

    operand: Expr = attrs.field(validator=_check_expr)

    def __str__(self) -> str:
        return render(self)


@attrs.frozen(cache_hash=True)
class Div:
    """A quotient, written ``a / b``; ``a / b / c`` is ``(a / b) / c``.

    Attributes:
        left: The dividend.
        right: The divisor.
    """

    left: Expr = attrs.field(validator=_check_expr)
    right: Expr = attrs.field(validator=_check_expr)

    def __str__(self) -> str:
        return render(self)


@attrs.frozen(cache_hash=True)
class Pow:
    """A power, written ``a ^ b`` or ``a ** b``; ``a ^ b ^ c`` is ``a ^ (b ^ c)``.

    Attributes:
        base: The base.
        exponent: The exponent.
    """

    base: Expr = attrs.field(validator=_check_expr)
    exponent: Expr = attrs.field(validator=_check_expr)

    def __str__(self) -> str:
        return render(self)


@attrs.frozen(cache_hash=True)
class Call:
    """A call of one of the built-in functions, such as ``min(a, b)`` or ``exp(-k * t)``.

    Attributes:
        func: The function: ``min`` or ``max`` (two or more arguments), ``exp``, ``log`` (the
            natural logarithm) or ``sqrt`` (one argument).
        args: The arguments, in order.
    """

    func: str = attrs.field(validator=_check_function)
    args: tuple[Expr, ...] = attrs.field(converter=_to_expr_tuple, validator=_check_args)

    def __str__(self) -> str:
        return render(self)


#: Any arithmetic expression: the union of the node classes.
Expr: TypeAlias = Num | Sym | Add | Mul | Neg | Div | Pow | Call

_NODE_TYPES = (Num, Sym, Add, Mul, Neg, Div, Pow, Call)


def _precedence(expr: Expr) -> int:
    if isinstance(expr, Add):
        return _PREC_ADD
    if isinstance(expr, Mul | Div):
        return _PREC_MUL
    if isinstance(expr, Neg):
        return _PREC_NEG
    if isinstance(expr, Pow):
        return _PREC_POW
    return _PREC_ATOM


def _wrap(expr: Expr, parens: bool) -> str:
    text = render(expr)
    return f"({text})" if parens else text


def _number_text(value: float) -> str:
    if value.is_integer() and value < 1e16:
        return str(int(value))
    return repr(value)


def render(expr: Expr) -> str:
    """Render an expression as canonical text that parses back to an equal tree.

    Operators are written ``+``, ``-``, ``*`` and ``/`` with a space on each side and ``^``
    without; a :class:`Neg` term of a sum is written as subtraction. Parentheses appear only
    where the tree's shape needs them: around a looser operand, around a nested sum or
    product that would otherwise merge with its parent, around the right side of ``/``, and
    around the base of a power unless it is a number, name or call.

    Args:
        expr: The expression to render.

    Returns:
        The canonical text.
    """
    match expr:
        case Num(value=value):
            return _number_text(value)
        case Sym(name=name):
            return name
        case Call(func=func, args=args):
            return f"{func}({', '.join(render(arg) for arg in args)})"
        case Neg(operand=operand):
            return "-" + _wrap(operand, _precedence(operand) < _PREC_NEG)
        case Pow(base=base, exponent=exponent):
            return (
                f"{_wrap(base, _precedence(base) <= _PREC_POW)}^"
                f"{_wrap(exponent, _precedence(exponent) < _PREC_NEG)}"
            )
        case Div(left=left, right=right):
            return (
                f"{_wrap(left, _precedence(left) < _PREC_MUL)} / "
                f"{_wrap(right, _precedence(right) <= _PREC_MUL)}"
            )
        case Mul(operands=(first, *rest)):
            parts = [_wrap(first, _precedence(first) < _PREC_MUL or isinstance(first, Mul))]
            parts += [_wrap(op, _precedence(op) <= _PREC_MUL) for op in rest]
            return " * ".join(parts)
        case Add(operands=(first, *rest)):
            text = _wrap(first, _precedence(first) <= _PREC_ADD)
            for op in rest:
                if isinstance(op, Neg):
                    text += " - " + _wrap(op.operand, _precedence(op.operand) <= _PREC_ADD)
                else:
                    text += " + " + _wrap(op, _precedence(op) <= _PREC_ADD)
            return text
    raise TypeError(f"not an expression: {expr!r}")
