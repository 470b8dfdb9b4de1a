"""A safe, hand-written parser for the arithmetic-expression language of decision rules.

:func:`parse_expression` reads text such as ``alliance_value + dependence * cost_abandon -
p_strike * cost_strike`` into a tree of :mod:`negsim.logic._arith_ast` nodes, without
evaluating anything. The grammar, from the loosest operator to the tightest:

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
other function (``eval(1)``, ``open(...)``) is refused by name. The limits, the character
classes, the error reasons and the cached front door are shared with the proposition parser
(:mod:`negsim.logic._text`). Nothing here evaluates text: there is no ``eval``, ``exec``,
``compile``, ``sympify`` or ``parse_expr``.
"""

from __future__ import annotations

import enum
import keyword
import math
import re

from negsim.logic._arith_ast import (
    FUNCTIONS,
    NAME_RE,
    RESERVED_NAMES,
    Add,
    Call,
    Div,
    Expr,
    Mul,
    Neg,
    Num,
    Pow,
    Sym,
    arity_problem,
)
from negsim.logic._text import (
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

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "parse_expression"]

# MAX_LENGTH and MAX_DEPTH (shared with the proposition parser) are re-exported from _text;
# here a number or name has depth 0, ``-a`` 1, ``-a * b`` 2.

_NOUN = "expression"

_NUMBER_RE = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

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
                word = NAME_RE.match(text, end)
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
        problem = arity_problem(name, len(args))
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
