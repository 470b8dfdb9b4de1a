"""Arithmetic expressions: the language of decision rules.

A doctrine states an honour-or-defect rule as an arithmetic expression over named parameters,
such as ``alliance_value + dependence * cost_abandon - p_strike * cost_strike``.
:func:`parse_expression` reads the text into an immutable tree of :class:`Num`, :class:`Sym`,
:class:`Add`, :class:`Mul`, :class:`Neg`, :class:`Div`, :class:`Pow` and :class:`Call` nodes
without evaluating anything; :func:`compile_expression` turns a tree into a fast function of a
mapping of parameter values for the simulation loop; :func:`expression_to_sympy` carries a tree
to sympy for analysis (sympy is imported only then).

The grammar, from the loosest operator to the tightest:

.. code-block:: text

    sum     := product ( ( "+" | "-" ) product )*        n-ary; "a - b" is a + (-b)
    product := unary ( ( "*" | "/" ) unary )*            left-associative; a "*" run is n-ary
    unary   := ( "-" | "+" ) unary | power
    power   := primary ( ( "^" | "**" ) unary )?         right-associative: a^b^c = a^(b^c)
    primary := NUMBER | NAME | FUNCTION "(" sum ( "," sum )* ")" | "(" sum ")"
    NUMBER  := digits with an optional "." and exponent: 3, 0.5, .5, 1e-3, 2.5E+4
    NAME    := [A-Za-z][A-Za-z0-9_]*    except the function names and Python's keywords
    FUNCTION:= min | max                (two or more arguments)
             | exp | log | sqrt         (one argument; log is the natural logarithm)

As in Python, ``-a^2`` is ``-(a^2)`` and ``a^-b`` is ``a^(-b)``. Whitespace between tokens is
ignored. Text longer than 10,000 characters, or nested deeper than 200 levels, is refused.
Every refusal is a :class:`~negsim.errors.PropositionError` whose column points at the offending
character and whose reason says what was found there and what was expected; a call of any
other function (``eval(1)``, ``open(...)``) is refused by name.

``str(expr)`` renders canonical text (``a + b * c - d^2``) that parses back to an equal tree,
with only the parentheses the tree's shape needs. Nothing here evaluates text: there is no
``eval``, ``exec``, Python compilation, ``sympify`` or ``parse_expr``.
"""

from __future__ import annotations

import enum
import functools
import importlib
import keyword
import math
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from operator import itemgetter
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias, cast

import attrs

from negsim.logic._text import (
    CACHE_SIZE,
    DIGITS,
    LETTERS,
    MAX_DEPTH,
    MAX_LENGTH,
    NAME_CHARS,
    SPACE,
    ParseError,
    Token,
    TokenReader,
    cached_parser,
    parse_text,
    scan,
    too_deep,
    unexpected,
)

if TYPE_CHECKING:
    from sympy import Expr as SympyExpr  # type: ignore[import-untyped,unused-ignore]
    from sympy import Symbol  # type: ignore[import-untyped,unused-ignore]

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "RESERVED_NAMES",
    "Add",
    "Call",
    "Div",
    "Evaluator",
    "Expr",
    "Mul",
    "Neg",
    "Num",
    "Pow",
    "Sym",
    "compile_expression",
    "expression_symbols",
    "expression_to_sympy",
    "parse_expression",
]

# MAX_LENGTH and MAX_DEPTH (shared with the proposition parser) are re-exported from _text;
# here a number or name has depth 0, ``-a`` 1, ``-a * b`` 2.

_NOUN = "expression"

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

_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_NUMBER_RE = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

# Binding strength of each node kind, loosest first; used to place parentheses.
_PREC_ADD = 1
_PREC_MUL = 2  # Mul and Div
_PREC_NEG = 3
_PREC_POW = 4
_PREC_ATOM = 5  # Num, Sym and Call


# -- the tree -------------------------------------------------------------------------------


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
    if _NAME_RE.fullmatch(value) is None:
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
    problem = _arity_problem(instance.func, len(value))
    if problem:
        raise ValueError(problem)


def _arity_problem(func: str, count: int) -> str | None:
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


# -- tokens ---------------------------------------------------------------------------------


class _Kind(enum.Enum):
    NUMBER = "number"
    NAME = "name"
    PLUS = "+"
    MINUS = "-"
    STAR = "*"
    SLASH = "/"
    POWER = "^"
    LPAREN = "("
    RPAREN = ")"
    COMMA = ","
    END = "end of text"
    BAD = "bad character"


_SYMBOLS = {
    "**": _Kind.POWER,
    "^": _Kind.POWER,
    "+": _Kind.PLUS,
    "-": _Kind.MINUS,
    "*": _Kind.STAR,
    "/": _Kind.SLASH,
    "(": _Kind.LPAREN,
    ")": _Kind.RPAREN,
    ",": _Kind.COMMA,
}

# Hints for characters a user (or an attacker) is likely to try, keyed by the character.
_HINTS = {
    "_": "names must start with a letter",
    ".": "attribute access is not allowed",
    "'": "quotes are not allowed: an expression holds numbers and parameter names only",
    '"': "quotes are not allowed: an expression holds numbers and parameter names only",
    ";": "an expression is a single formula",
    ":": "an expression is a single formula",
    "=": "a rule is an expression that holds while it is > 0, not an equation",
    "<": "a rule is an expression that holds while it is > 0: write 'b - a' for 'a < b'",
    ">": "a rule is an expression that holds while it is > 0: write 'a - b' for 'a > b'",
    "[": "only parentheses group",
    "{": "only parentheses group",
    "%": "the operators are '+', '-', '*', '/' and '^'",
    "\u2212": "write the ASCII '-' to subtract",
    "\u00d7": "write '*' to multiply",
    "\u00b7": "write '*' to multiply",
}

_EXPECT_OPERAND = "a number, a parameter name, a function call, '-' or '('"
_EXPECT_OPERATOR = "an operator ('+', '-', '*', '/', '^')"

_ADDITIVE = frozenset({_Kind.PLUS, _Kind.MINUS})
_MULTIPLICATIVE = frozenset({_Kind.STAR, _Kind.SLASH})
_SIGNS = _ADDITIVE
_BINARY = _ADDITIVE | _MULTIPLICATIVE
_OPERAND_STARTS = frozenset({_Kind.NAME, _Kind.NUMBER, _Kind.LPAREN})


_Token = Token[_Kind]  # for annotations: build tokens with Token(...), which is faster


def _tokenize(text: str) -> list[_Token]:
    """Split text into tokens, ending with an END token or, at the first bad character, BAD."""
    tokens: list[_Token] = []
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char in SPACE:
            i += 1
            continue
        column = i + 1
        if char in LETTERS:
            end = scan(text, i, NAME_CHARS)
            tokens.append(Token(_Kind.NAME, text[i:end], column))
            i = end
            continue
        if char in DIGITS or (char == "." and i + 1 < n and text[i + 1] in DIGITS):
            match = _NUMBER_RE.match(text, i)
            assert match is not None  # a digit, or '.' and a digit, always starts a number
            end = match.end()
            tokens.append(Token(_Kind.NUMBER, match.group(), column))
            if end < n and (text[end] in NAME_CHARS or text[end] == "."):
                word = _NAME_RE.match(text, end)
                hint = (
                    f"write '{match.group()} * {word.group() if word else text[end]}' to multiply"
                    if text[end] in LETTERS
                    else "a number is digits with an optional '.' and exponent, such as 1.5e-3"
                )
                tokens.append(Token(_Kind.BAD, text[end], end + 1, hint))
                return tokens
            i = end
            continue
        symbol = text[i : i + 2]
        if symbol not in _SYMBOLS:
            symbol = char
        kind = _SYMBOLS.get(symbol)
        if kind is None:
            tokens.append(Token(_Kind.BAD, char, column, _HINTS.get(char)))
            return tokens
        tokens.append(Token(kind, symbol, column))
        i += len(symbol)
    tokens.append(Token(_Kind.END, "", n + 1))
    return tokens


# -- the parser -----------------------------------------------------------------------------

# A parsed operand with its depth (a number or name has depth 0).
_Item = tuple[Expr, int]


def _node(height: int, column: int) -> int:
    """Check the height of a new node: one more than its deepest child."""
    if height > MAX_DEPTH:
        raise too_deep(_NOUN, column)
    return height


class _Parser(TokenReader[_Kind]):
    """Reads the tokens of one expression; raises :class:`ParseError` on the first error.

    It recurses only into parentheses and function arguments (each a level of
    :data:`MAX_DEPTH`, and two stack frames); chains of operators, signs and powers are read
    with loops.
    """

    def __init__(self, text: str) -> None:
        super().__init__(_tokenize(text))

    def parse(self) -> Expr:
        expr, _ = self._sum(0)
        token = self._peek()
        if token.kind is not _Kind.END:
            expected = f"{_EXPECT_OPERATOR} or the end of the expression"
            if token.kind is _Kind.RPAREN:
                expected += " (this ')' has no '(' to close)"
            raise self._unexpected(token, expected)
        return expr

    @staticmethod
    def _unexpected(token: _Token, expected: str) -> ParseError:
        hint = token.hint
        if token.kind is _Kind.NAME and token.text in keyword.kwlist:
            hint = f"{token.text!r} is a Python keyword, not part of the expression language"
        elif token.kind in _OPERAND_STARTS and expected.startswith(_EXPECT_OPERATOR):
            hint = "write '*' to multiply"
        return unexpected(token, expected, hint)

    # -- grammar ------------------------------------------------------------------------

    def _sum(self, depth: int) -> _Item:
        """Read ``operand (binary-operator operand)*`` up to a token that ends the group.

        Each operand is ``sign* primary (('^' | '**') sign* primary)*``; the operands and
        the binary operators between them are read into flat lists and grouped by precedence
        with loops, so each level of parentheses costs two stack frames (this method and
        :meth:`_primary`), whatever the operators.
        """
        operands: list[_Item] = []
        operators: list[_Token] = []
        while True:
            links = [(self._signs(), self._primary(depth))]
            powers: list[_Token] = []
            while self._peek().kind is _Kind.POWER:
                powers.append(self._advance())
                links.append((self._signs(), self._primary(depth)))
            operands.append(_fold_powers(links, powers))
            if self._peek().kind not in _BINARY:
                return _group_sum(operands, operators)
            operators.append(self._advance())

    def _signs(self) -> list[_Token]:
        signs: list[_Token] = []
        while self._peek().kind in _SIGNS:
            signs.append(self._advance())
        return signs

    def _primary(self, depth: int) -> _Item:
        """Read a number, a name, a function call or a parenthesised sum."""
        token = self._advance()
        if token.kind is _Kind.NUMBER:
            value = float(token.text)
            if not math.isfinite(value):
                raise ParseError(token.column, f"the number {token.text!r} is too large")
            return Num(value), 0
        if token.kind is _Kind.LPAREN:
            if depth >= MAX_DEPTH:
                raise too_deep(_NOUN, token.column)
            item = self._sum(depth + 1)
            closer = self._advance()
            if closer.kind is not _Kind.RPAREN:
                raise self._unexpected(
                    closer, f"{_EXPECT_OPERATOR} or ')' to close the '(' at column {token.column}"
                )
            return item
        if token.kind is not _Kind.NAME:
            raise self._unexpected(token, _EXPECT_OPERAND)
        name = token.text
        if self._peek().kind is not _Kind.LPAREN:
            if name in FUNCTIONS:
                raise ParseError(token.column, f"{name!r} is a function; call it as {name}(...)")
            if name in RESERVED_NAMES:
                raise ParseError(
                    token.column, f"{name!r} is a Python keyword and cannot name a parameter"
                )
            return Sym(name), 0
        # A call: NAME '(' sum (',' sum)* ')'.
        if name not in FUNCTIONS:
            raise ParseError(
                token.column,
                f"unknown function {name!r}; the functions are {', '.join(sorted(FUNCTIONS))}",
            )
        open_column = self._advance().column
        if depth >= MAX_DEPTH:
            raise too_deep(_NOUN, open_column)
        args: list[_Item] = []
        while True:
            args.append(self._sum(depth + 1))
            closer = self._advance()
            if closer.kind is _Kind.RPAREN:
                break
            if closer.kind is not _Kind.COMMA:
                raise self._unexpected(
                    closer,
                    f"{_EXPECT_OPERATOR}, ',' or ')' to close the call of {name}() "
                    f"at column {open_column}",
                )
        problem = _arity_problem(name, len(args))
        if problem:
            raise ParseError(token.column, problem)
        height = _node(max(h for _, h in args) + 1, token.column)
        return Call(name, tuple(arg for arg, _ in args)), height


def _apply_signs(signs: list[_Token], item: _Item) -> _Item:
    expr, height = item
    for sign in reversed(signs):
        if sign.kind is _Kind.MINUS:
            height = _node(height + 1, sign.column)
            expr = Neg(expr)
    return expr, height


def _fold_powers(links: list[tuple[list[_Token], _Item]], powers: list[_Token]) -> _Item:
    """Group ``s0 p0 ^ s1 p1 ^ s2 p2`` (signs s, primaries p) from the right.

    As in Python, a sign binds looser than the power to its right and tighter than the one
    to its left: ``-a ^ -b ^ c`` is ``-(a ^ (-(b ^ c)))``.
    """
    signs, item = links[-1]
    result = _apply_signs(signs, item)
    for (signs, (base, base_height)), operator in zip(
        reversed(links[:-1]), reversed(powers), strict=True
    ):
        height = _node(max(base_height, result[1]) + 1, operator.column)
        result = _apply_signs(signs, (Pow(base, result[0]), height))
    return result


def _group_product(items: list[_Item], operators: list[_Token]) -> _Item:
    """Group ``x0 op1 x1 op2 ...`` (``*``, ``/``): a ``*`` run is one Mul, ``/`` folds left."""
    run = [items[0]]
    run_column = 0  # the column of the first '*' of the current run
    for operator, operand in zip(operators, items[1:], strict=True):
        if operator.kind is _Kind.STAR:
            run_column = run_column or operator.column
            run.append(operand)
            continue
        left, left_height = _flush(run, run_column)
        height = _node(max(left_height, operand[1]) + 1, operator.column)
        run, run_column = [(Div(left, operand[0]), height)], 0
    return _flush(run, run_column)


def _flush(run: list[_Item], column: int) -> _Item:
    if len(run) == 1:
        return run[0]
    height = _node(max(h for _, h in run) + 1, column)
    return Mul(tuple(factor for factor, _ in run)), height


def _group_sum(items: list[_Item], operators: list[_Token]) -> _Item:
    """Group a flat list of operands and binary operators: products first, then one sum."""
    terms: list[_Item] = []
    signs: list[_Token | None] = [None]  # the '+' or '-' before each term
    factors, multiplications = [items[0]], []
    for operator, item in zip(operators, items[1:], strict=True):
        if operator.kind in _MULTIPLICATIVE:
            multiplications.append(operator)
            factors.append(item)
            continue
        terms.append(_group_product(factors, multiplications))
        signs.append(operator)
        factors, multiplications = [item], []
    terms.append(_group_product(factors, multiplications))
    if len(terms) == 1:
        return terms[0]
    for index, sign in enumerate(signs):
        if sign is not None and sign.kind is _Kind.MINUS:
            term, height = terms[index]
            terms[index] = Neg(term), _node(height + 1, sign.column)
    first = signs[1]
    assert first is not None
    height = _node(max(h for _, h in terms) + 1, first.column)
    return Add(tuple(term for term, _ in terms)), height


_parse_cached = cached_parser(_NOUN, _EXPECT_OPERAND, lambda text: _Parser(text).parse())


def parse_expression(text: str, *, source: str = "<expression>") -> Expr:
    """Parse arithmetic expression text into a tree, without evaluating anything.

    Results are cached by text (the last 4,096 distinct texts), so parsing the same
    expression again is a dictionary look-up; the trees are immutable and safe to share.

    Args:
        text: The expression, such as ``alliance_value + dependence * cost_abandon -
            p_strike * cost_strike``.
        source: Where the text came from (a file and the path inside it, or a rule's name),
            used only to label errors.

    Returns:
        The expression's tree.

    Raises:
        negsim.errors.PropositionError: The text is empty, longer than 10,000 characters,
            nested deeper than 200 levels, calls an unknown function, or is not an
            expression. The error's column (1-based) points at the offending character, and
            its reason says what was found there and what was expected. For text that is
            too long, the error shows only the start of the text.
        TypeError: ``text`` is not a string.

    Example:
        >>> from negsim.logic import parse_expression
        >>> str(parse_expression("a+b*(c-d)**2"))
        'a + b * (c - d)^2'
    """
    return parse_text(text, source, _NOUN, _parse_cached)


# -- symbols --------------------------------------------------------------------------------


def _children(expr: Expr) -> tuple[Expr, ...]:
    match expr:
        case Add(operands=operands) | Mul(operands=operands):
            return operands
        case Neg(operand=operand):
            return (operand,)
        case Div(left=left, right=right):
            return (left, right)
        case Pow(base=base, exponent=exponent):
            return (base, exponent)
        case Call(args=args):
            return args
        case Num() | Sym():
            return ()
    raise TypeError(f"not an expression: {expr!r}")


@functools.lru_cache(maxsize=CACHE_SIZE)
def _symbols_cached(expr: Expr) -> frozenset[str]:
    names: set[str] = set()
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Sym):
            names.add(node.name)
        else:
            stack.extend(_children(node))
    return frozenset(names)


def expression_symbols(expr: Expr) -> frozenset[str]:
    """Collect the names of the parameters an expression mentions.

    Args:
        expr: The expression.

    Returns:
        The parameter names, such as ``frozenset({"p_strike", "cost_strike"})``; empty for
        an expression built only from numbers.

    Raises:
        TypeError: ``expr`` is not an expression tree (parse text first).
    """
    return _symbols_cached(expr)


# -- compilation ----------------------------------------------------------------------------

#: A compiled expression: takes a mapping of parameter values, returns the expression's value.
Evaluator: TypeAlias = Callable[[Mapping[str, float]], float]

_V: TypeAlias = Mapping[str, float]

# A pair of parameters whose product a sum can compute inline: ``v[a] * v[b]``.
_Pair: TypeAlias = tuple[str, str]


class _Node(NamedTuple):
    """A compiled node, with what a parent needs to inline it instead of calling it."""

    fn: Evaluator  # computes the node's value
    const: float | None = None  # the value, when the node is constant
    name: str | None = None  # the parameter, when the node is a bare parameter
    pair: _Pair | None = None  # the two parameters, when the node is their product
    depth: int = 0  # how many closures deep a call of fn goes (0: inlined by the parent)

    def kind(self) -> tuple[str, Any]:
        """The node's kind for the factories (c, s, p or f) and what they take for it."""
        if self.const is not None:
            return "c", self.const
        if self.name is not None:
            return "s", self.name
        if self.pair is not None:
            return "p", self.pair
        return "f", self.fn


_exp = math.exp
_log = math.log
_sqrt = math.sqrt
_pow = math.pow  # unlike '**', refuses a negative base with a fractional exponent


def _constant(value: float) -> _Node:
    def constant(v: _V) -> float:
        return value

    return _Node(constant, const=value)


def _parameter(name: str) -> _Node:
    # Interned, a name is the very object the keys of most value mappings are (literals and
    # identifiers are interned), so a look-up compares identities instead of characters.
    name = sys.intern(name)
    return _Node(cast(Evaluator, itemgetter(name)), name=name)


def _function(fn: Evaluator, *children: _Node) -> _Node:
    return _Node(fn, depth=1 + max((child.depth for child in children), default=0))


# A chain of n operators compiled to nested closures is n calls deep; beyond this many, a
# chain is evaluated by a loop instead, so that no tree the parser accepts can exhaust the
# stack (the depth then stays under this plus the tree's height, MAX_DEPTH).
_MAX_CALL_DEPTH = 100


# Each factory below builds the closure for one operator and one pair of operand kinds:
# s (a parameter, read inline), c (a constant), p (the product of two parameters, computed
# inline) or f (any other compiled node, called). Writing every combination out by hand keeps
# the closures free of indirection: a sum of products of parameters, the usual decision rule,
# costs one call per term.


def _add_ss(a: str, b: str) -> Evaluator:
    return lambda v: v[a] + v[b]


def _add_sc(a: str, b: float) -> Evaluator:
    return lambda v: v[a] + b


def _add_sf(a: str, b: Evaluator) -> Evaluator:
    return lambda v: v[a] + b(v)


def _add_cs(a: float, b: str) -> Evaluator:
    return lambda v: a + v[b]


def _add_cf(a: float, b: Evaluator) -> Evaluator:
    return lambda v: a + b(v)


def _add_fs(a: Evaluator, b: str) -> Evaluator:
    return lambda v: a(v) + v[b]


def _add_fc(a: Evaluator, b: float) -> Evaluator:
    return lambda v: a(v) + b


def _add_ff(a: Evaluator, b: Evaluator) -> Evaluator:
    return lambda v: a(v) + b(v)


def _add_sp(a: str, b: _Pair) -> Evaluator:
    b0, b1 = b
    return lambda v: v[a] + v[b0] * v[b1]


def _add_ps(a: _Pair, b: str) -> Evaluator:
    a0, a1 = a
    return lambda v: v[a0] * v[a1] + v[b]


def _add_fp(a: Evaluator, b: _Pair) -> Evaluator:
    b0, b1 = b
    return lambda v: a(v) + v[b0] * v[b1]


def _add_pf(a: _Pair, b: Evaluator) -> Evaluator:
    a0, a1 = a
    return lambda v: v[a0] * v[a1] + b(v)


def _add_pp(a: _Pair, b: _Pair) -> Evaluator:
    a0, a1 = a
    b0, b1 = b
    return lambda v: v[a0] * v[a1] + v[b0] * v[b1]


def _add_cp(a: float, b: _Pair) -> Evaluator:
    b0, b1 = b
    return lambda v: a + v[b0] * v[b1]


def _add_pc(a: _Pair, b: float) -> Evaluator:
    a0, a1 = a
    return lambda v: v[a0] * v[a1] + b


def _sub_ss(a: str, b: str) -> Evaluator:
    return lambda v: v[a] - v[b]


def _sub_sc(a: str, b: float) -> Evaluator:
    return lambda v: v[a] - b


def _sub_sf(a: str, b: Evaluator) -> Evaluator:
    return lambda v: v[a] - b(v)


def _sub_cs(a: float, b: str) -> Evaluator:
    return lambda v: a - v[b]


def _sub_cf(a: float, b: Evaluator) -> Evaluator:
    return lambda v: a - b(v)


def _sub_fs(a: Evaluator, b: str) -> Evaluator:
    return lambda v: a(v) - v[b]


def _sub_fc(a: Evaluator, b: float) -> Evaluator:
    return lambda v: a(v) - b


def _sub_ff(a: Evaluator, b: Evaluator) -> Evaluator:
    return lambda v: a(v) - b(v)


def _sub_sp(a: str, b: _Pair) -> Evaluator:
    b0, b1 = b
    return lambda v: v[a] - v[b0] * v[b1]


def _sub_ps(a: _Pair, b: str) -> Evaluator:
    a0, a1 = a
    return lambda v: v[a0] * v[a1] - v[b]


def _sub_fp(a: Evaluator, b: _Pair) -> Evaluator:
    b0, b1 = b
    return lambda v: a(v) - v[b0] * v[b1]


def _sub_pf(a: _Pair, b: Evaluator) -> Evaluator:
    a0, a1 = a
    return lambda v: v[a0] * v[a1] - b(v)


def _sub_pp(a: _Pair, b: _Pair) -> Evaluator:
    a0, a1 = a
    b0, b1 = b
    return lambda v: v[a0] * v[a1] - v[b0] * v[b1]


def _sub_cp(a: float, b: _Pair) -> Evaluator:
    b0, b1 = b
    return lambda v: a - v[b0] * v[b1]


def _sub_pc(a: _Pair, b: float) -> Evaluator:
    a0, a1 = a
    return lambda v: v[a0] * v[a1] - b


def _mul_ss(a: str, b: str) -> Evaluator:
    return lambda v: v[a] * v[b]


def _mul_sc(a: str, b: float) -> Evaluator:
    return lambda v: v[a] * b


def _mul_sf(a: str, b: Evaluator) -> Evaluator:
    return lambda v: v[a] * b(v)


def _mul_cs(a: float, b: str) -> Evaluator:
    return lambda v: a * v[b]


def _mul_cf(a: float, b: Evaluator) -> Evaluator:
    return lambda v: a * b(v)


def _mul_fs(a: Evaluator, b: str) -> Evaluator:
    return lambda v: a(v) * v[b]


def _mul_fc(a: Evaluator, b: float) -> Evaluator:
    return lambda v: a(v) * b


def _mul_ff(a: Evaluator, b: Evaluator) -> Evaluator:
    return lambda v: a(v) * b(v)


def _mul_ps(a: _Pair, b: str) -> Evaluator:
    a0, a1 = a
    return lambda v: v[a0] * v[a1] * v[b]


def _mul_pc(a: _Pair, b: float) -> Evaluator:
    a0, a1 = a
    return lambda v: v[a0] * v[a1] * b


def _div_ss(a: str, b: str) -> Evaluator:
    return lambda v: v[a] / v[b]


def _div_sc(a: str, b: float) -> Evaluator:
    return lambda v: v[a] / b


def _div_sf(a: str, b: Evaluator) -> Evaluator:
    return lambda v: v[a] / b(v)


def _div_cs(a: float, b: str) -> Evaluator:
    return lambda v: a / v[b]


def _div_cf(a: float, b: Evaluator) -> Evaluator:
    return lambda v: a / b(v)


def _div_fs(a: Evaluator, b: str) -> Evaluator:
    return lambda v: a(v) / v[b]


def _div_fc(a: Evaluator, b: float) -> Evaluator:
    return lambda v: a(v) / b


def _div_ff(a: Evaluator, b: Evaluator) -> Evaluator:
    return lambda v: a(v) / b(v)


def _pow_sc(a: str, b: float) -> Evaluator:
    return lambda v: _pow(v[a], b)


def _pow_fc(a: Evaluator, b: float) -> Evaluator:
    return lambda v: _pow(a(v), b)


_Factory: TypeAlias = Callable[[Any, Any], Evaluator]

_FACTORIES: dict[str, _Factory] = {
    "+ss": _add_ss,
    "+sc": _add_sc,
    "+sf": _add_sf,
    "+cs": _add_cs,
    "+cf": _add_cf,
    "+fs": _add_fs,
    "+fc": _add_fc,
    "+ff": _add_ff,
    "+sp": _add_sp,
    "+ps": _add_ps,
    "+fp": _add_fp,
    "+pf": _add_pf,
    "+pp": _add_pp,
    "+cp": _add_cp,
    "+pc": _add_pc,
    "-ss": _sub_ss,
    "-sc": _sub_sc,
    "-sf": _sub_sf,
    "-cs": _sub_cs,
    "-cf": _sub_cf,
    "-fs": _sub_fs,
    "-fc": _sub_fc,
    "-ff": _sub_ff,
    "-sp": _sub_sp,
    "-ps": _sub_ps,
    "-fp": _sub_fp,
    "-pf": _sub_pf,
    "-pp": _sub_pp,
    "-cp": _sub_cp,
    "-pc": _sub_pc,
    "*ss": _mul_ss,
    "*sc": _mul_sc,
    "*sf": _mul_sf,
    "*cs": _mul_cs,
    "*cf": _mul_cf,
    "*fs": _mul_fs,
    "*fc": _mul_fc,
    "*ff": _mul_ff,
    "*ps": _mul_ps,
    "*pc": _mul_pc,
    "/ss": _div_ss,
    "/sc": _div_sc,
    "/sf": _div_sf,
    "/cs": _div_cs,
    "/cf": _div_cf,
    "/fs": _div_fs,
    "/fc": _div_fc,
    "/ff": _div_ff,
    "^sc": _pow_sc,
    "^fc": _pow_fc,
}

_OPERATIONS: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "^": _pow,
}


def _binary(op: str, left: _Node, right: _Node) -> _Node:
    """Compile one binary operation, folding constants and reading parameters inline."""
    if left.const is not None and right.const is not None:
        try:
            return _constant(_OPERATIONS[op](left.const, right.const))
        except (ArithmeticError, ValueError):
            pass  # leave it to fail when evaluated, as it would unfolded
    left_kind, left_arg = left.kind()
    right_kind, right_arg = right.kind()
    if op == "*" and left_kind == right_kind == "s":
        return _Node(_mul_ss(left_arg, right_arg), pair=(left_arg, right_arg), depth=1)
    factory = _FACTORIES.get(op + left_kind + right_kind)
    if factory is None and "p" in left_kind + right_kind:  # no inline form: call the product
        left_kind, left_arg = ("f", left.fn) if left_kind == "p" else (left_kind, left_arg)
        right_kind, right_arg = ("f", right.fn) if right_kind == "p" else (right_kind, right_arg)
        factory = _FACTORIES.get(op + left_kind + right_kind)
    if factory is None:  # no inline form (a power of a non-constant, a failed fold): call both
        operation, left_fn, right_fn = _OPERATIONS[op], left.fn, right.fn
        return _function(lambda v: operation(left_fn(v), right_fn(v)), left, right)
    return _function(factory(left_arg, right_arg), left, right)


def _negate(node: _Node) -> _Node:
    if node.const is not None:
        return _constant(-node.const)
    name, fn = node.name, node.fn
    if name is not None:
        return _function(lambda v: -v[name])
    return _function(lambda v: -fn(v), node)


_UNARY: dict[str, Callable[[float], float]] = {"exp": _exp, "log": _log, "sqrt": _sqrt}


def _unary_call(func: Callable[[float], float], arg: _Node) -> _Node:
    const, name, fn = arg.const, arg.name, arg.fn
    if const is not None:
        try:
            return _constant(func(const))
        except (ArithmeticError, ValueError):
            return _function(lambda v: func(const))
    if name is not None:
        return _function(lambda v: func(v[name]))
    return _function(lambda v: func(fn(v)), arg)


def _extreme(func: Callable[..., float], args: list[_Node]) -> _Node:
    consts = [arg.const for arg in args]
    if all(const is not None for const in consts):
        return _constant(func(consts))
    fns = [arg.fn for arg in args]
    if len(fns) == 2:
        first, second = fns
        return _function(lambda v: func(first(v), second(v)), *args)
    return _function(lambda v: func([fn(v) for fn in fns]), *args)


def _chain(first: _Node, rest: list[tuple[str, _Node]]) -> _Node:
    """Compile ``first op1 x1 op2 x2 ...`` (``+``, ``-`` or ``*``), left to right.

    Nested closures (one per operator) are fastest; a chain that would nest deeper than
    :data:`_MAX_CALL_DEPTH` is evaluated by a loop instead.
    """
    result = first
    for op, operand in rest:
        result = _binary(op, result, operand)
    if result.depth <= _MAX_CALL_DEPTH:
        return result
    start = first.fn
    steps = tuple((op == "-", operand.fn) for op, operand in rest)
    if rest[0][0] == "*":
        factors = tuple(fn for _, fn in steps)

        def product(v: _V) -> float:
            value = start(v)
            for fn in factors:
                value = value * fn(v)
            return value

        return _function(product, first, *(operand for _, operand in rest))

    def total(v: _V) -> float:
        value = start(v)
        for minus, fn in steps:
            value = value - fn(v) if minus else value + fn(v)
        return value

    return _function(total, first, *(operand for _, operand in rest))


def _compile(expr: Expr) -> _Node:
    match expr:
        case Num(value=value):
            return _constant(value)
        case Sym(name=name):
            return _parameter(name)
        case Add(operands=(first, *rest)):
            return _chain(
                _compile(first),
                [
                    ("-", _compile(term.operand))
                    if isinstance(term, Neg)
                    else ("+", _compile(term))
                    for term in rest
                ],
            )
        case Mul(operands=(first, *rest)):
            return _chain(_compile(first), [("*", _compile(factor)) for factor in rest])
        case Neg(operand=operand):
            return _negate(_compile(operand))
        case Div(left=left, right=right):
            return _binary("/", _compile(left), _compile(right))
        case Pow(base=base, exponent=exponent):
            return _binary("^", _compile(base), _compile(exponent))
        case Call(func=func, args=args):
            compiled = [_compile(arg) for arg in args]
            if func in _UNARY:
                return _unary_call(_UNARY[func], compiled[0])
            return _extreme(min if func == "min" else max, compiled)
    raise TypeError(f"not an expression: {expr!r}")


@functools.lru_cache(maxsize=CACHE_SIZE)
def _compile_cached(expr: Expr) -> Evaluator:
    return _compile(expr).fn


def compile_expression(expr: Expr) -> Evaluator:
    """Compile an expression into a fast function of a mapping of parameter values.

    The function is built from plain closures (nothing is evaluated from text) and is cached
    per expression (the last 4,096). Constant subexpressions are folded, parameters are read
    inline (``a + b`` becomes ``lambda v: v["a"] + v["b"]``), and the operations run left to
    right as written, so the result is the float a hand-written lambda would give.

    Evaluation follows Python's float arithmetic, with ``^`` as :func:`math.pow`: a missing
    parameter raises :class:`KeyError` (with the name), division by zero
    :class:`ZeroDivisionError`, ``log``/``sqrt`` of a negative number or a negative number to
    a fractional power :class:`ValueError`, and an overflowing ``exp`` or ``^``
    :class:`OverflowError`.

    Args:
        expr: The expression.

    Returns:
        A function that takes a mapping from parameter names to numbers (extra keys are
        ignored) and returns the expression's value.

    Raises:
        TypeError: ``expr`` is not an expression tree (parse text first).

    Example:
        >>> from negsim.logic import compile_expression, parse_expression
        >>> f = compile_expression(parse_expression("V + D * C - p * S"))
        >>> f({"V": 1.0, "D": 0.5, "C": 2.0, "p": 0.25, "S": 4.0})
        1.0
    """
    return _compile_cached(expr)


# -- sympy ----------------------------------------------------------------------------------


def _sympy() -> ModuleType:
    """Import sympy on first use (it takes most of a second); later calls are a look-up."""
    return importlib.import_module("sympy")


@functools.cache
def _symbol(name: str) -> Symbol:
    return _sympy().Symbol(name)


def _sympy_number(value: float) -> SympyExpr:
    # The shortest decimal that reads back as the float, as an exact rational: 0.1 is 1/10.
    fraction = Fraction(repr(value))
    return _sympy().Rational(fraction.numerator, fraction.denominator)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _to_sympy_cached(expr: Expr) -> SympyExpr:
    sympy = _sympy()

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
                function = {
                    "min": sympy.Min,
                    "max": sympy.Max,
                    "exp": sympy.exp,
                    "log": sympy.log,
                    "sqrt": sympy.sqrt,
                }[func]
                return function(*(convert(arg) for arg in args))
        raise TypeError(f"not an expression: {expr!r}")

    return convert(expr)


def expression_to_sympy(expr: Expr) -> SympyExpr:
    """Convert an expression to a sympy expression, for analysis.

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
    return _to_sympy_cached(expr)
