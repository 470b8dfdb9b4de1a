"""A safe, hand-written parser for the proposition language.

The text is split into tokens by :func:`_tokenize`, then read by a recursive-descent parser
that recurses only into parentheses: within one pair of parentheses the operands and binary
operators are read as a flat list and grouped by precedence with loops. So the parser's own
stack depth grows with the parenthesis depth alone, which is capped at :data:`MAX_DEPTH`, and a
long chain such as ``a >> b >> ... >> z`` cannot overflow it. Nothing here evaluates the text:
there is no ``eval``, ``exec``, ``compile``, ``sympify`` or ``ast``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable

from negsim.logic._ast import RESERVED_WORDS, And, Atom, Const, Equiv, Implies, Not, Or, Prop
from negsim.logic._shape import parse_by_shape, shape_of
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

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "parse", "parse_shape", "plain_atom"]

# MAX_LENGTH and MAX_DEPTH (shared with the expression parser) are re-exported from _text;
# here an atom or constant has depth 0, ``~a`` 1, ``~a & b`` 2.

_NOUN = "proposition"

_ARG_START = LETTERS | DIGITS
_ARG_CHARS = NAME_CHARS | {"-"}

_EXPECT_OPERAND = "an atom name, '~', '(', 'true' or 'false'"
_EXPECT_OPERATOR = "an operator ('&', '|', '>>', '->', '<->')"
_EXPECT_ARG = "an argument (an agent id such as 'ROK')"


class _Kind(enum.Enum):
    NAME = "name"
    ARG = "argument"
    TRUE = "true"
    FALSE = "false"
    NOT = "~"
    AND = "&"
    OR = "|"
    IMPLIES = ">>"
    EQUIV = "<->"
    LPAREN = "("
    ARGS_OPEN = "( of arguments"
    RPAREN = ")"
    COMMA = ","
    END = "end of text"
    BAD = "bad character"


_KEYWORDS = {
    "true": _Kind.TRUE,
    "false": _Kind.FALSE,
    "not": _Kind.NOT,
    "and": _Kind.AND,
    "or": _Kind.OR,
}

_SYMBOLS = {
    "~": _Kind.NOT,
    "!": _Kind.NOT,
    "&": _Kind.AND,
    "|": _Kind.OR,
    ">>": _Kind.IMPLIES,
    "->": _Kind.IMPLIES,
    "<->": _Kind.EQUIV,
    "(": _Kind.LPAREN,
    ")": _Kind.RPAREN,
    ",": _Kind.COMMA,
}

# Hints for characters a user is likely to try, keyed by the character.
_HINTS = {
    "_": "names must start with a letter",
    "=": "write '<->' for equivalence",
    ">": "write '>>' or '->' for implication",
    "-": "write '->' for implication",
    "<": "write '<->' for equivalence",
}


_Token = Token[_Kind]  # for annotations: build tokens with Token(...), which is faster


def _tokenize(text: str) -> list[_Token]:
    """Split text into tokens, ending with an END token or, at the first bad character, BAD.

    After a name, a ``(`` opens an argument list, inside which the tokens are arguments,
    commas and the closing ``)``.
    """
    tokens: list[_Token] = []
    in_args = False
    after_name = False
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char in SPACE:
            i += 1
            continue
        column = i + 1
        if in_args:
            if char in _ARG_START:
                end = scan(text, i, _ARG_CHARS)
                tokens.append(Token(_Kind.ARG, text[i:end], column))
                i = end
                continue
            if char in ",)":
                tokens.append(Token(_SYMBOLS[char], char, column))
                in_args = char == ","
                i += 1
                continue
            tokens.append(Token(_Kind.BAD, char, column))
            return tokens
        if char in LETTERS:
            end = scan(text, i, NAME_CHARS)
            word = text[i:end]
            kind = _KEYWORDS.get(word, _Kind.NAME)
            tokens.append(Token(kind, word, column))
            after_name = kind is _Kind.NAME
            i = end
            continue
        for symbol in (text[i : i + 3], text[i : i + 2], char):
            kind_or_none = _SYMBOLS.get(symbol)
            if kind_or_none is not None:
                break
        else:
            tokens.append(Token(_Kind.BAD, char, column))
            return tokens
        if kind_or_none is _Kind.LPAREN and after_name:
            kind_or_none = _Kind.ARGS_OPEN
            in_args = True
        tokens.append(Token(kind_or_none, symbol, column))
        after_name = False
        i += len(symbol)
    tokens.append(Token(_Kind.END, "", n + 1))
    return tokens


_BINARY = frozenset({_Kind.AND, _Kind.OR, _Kind.IMPLIES, _Kind.EQUIV})

# A parsed operand with its depth (an atom has depth 0).
_Item = tuple[Prop, int]


class _Parser(TokenReader[_Kind]):
    """Reads the tokens of one proposition; raises :class:`ParseError` on the first error."""

    def __init__(self, text: str) -> None:
        super().__init__(_tokenize(text))

    def parse(self) -> Prop:
        prop, _ = self._group(0, None)
        return prop

    @staticmethod
    def _unexpected(token: _Token, expected: str) -> ParseError:
        hint = _HINTS.get(token.text) if token.kind is _Kind.BAD else None
        if token.kind is _Kind.BAD and token.text in DIGITS:
            hint = "names must start with a letter"
        return unexpected(token, expected, hint)

    # -- grammar ------------------------------------------------------------------------

    def _group(self, depth: int, open_column: int | None) -> _Item:
        """Read ``operand (binary-operator operand)*`` up to ``)`` or the end of the text."""
        items = [self._operand(depth)]
        operators: list[_Token] = []
        while self._peek().kind in _BINARY:
            operators.append(self._advance())
            items.append(self._operand(depth))
        token = self._peek()
        if open_column is None:
            if token.kind is not _Kind.END:
                expected = f"{_EXPECT_OPERATOR} or the end of the proposition"
                if token.kind is _Kind.RPAREN:
                    expected += " (this ')' has no '(' to close)"
                raise self._unexpected(token, expected)
        else:
            if token.kind is not _Kind.RPAREN:
                raise self._unexpected(
                    token, f"{_EXPECT_OPERATOR} or ')' to close the '(' at column {open_column}"
                )
            self._advance()
        return _group_by_precedence(items, operators)

    def _operand(self, depth: int) -> _Item:
        """Read ``('~' | '!' | 'not')* (atom | 'true' | 'false' | '(' group ')')``."""
        negations: list[int] = []
        while self._peek().kind is _Kind.NOT:
            negations.append(self._advance().column)
        token = self._advance()
        prop: Prop
        if token.kind is _Kind.NAME:
            prop, height = self._atom(token), 0
        elif token.kind is _Kind.TRUE:
            prop, height = Const(True), 0
        elif token.kind is _Kind.FALSE:
            prop, height = Const(False), 0
        elif token.kind is _Kind.LPAREN:
            if depth >= MAX_DEPTH:
                raise too_deep(_NOUN, token.column)
            prop, height = self._group(depth + 1, token.column)
        else:
            raise self._unexpected(token, _EXPECT_OPERAND)
        for column in reversed(negations):
            height += 1
            if height > MAX_DEPTH:
                raise too_deep(_NOUN, column)
            prop = Not(prop)
        return prop, height

    def _atom(self, name: _Token) -> Atom:
        """Read the optional ``'(' ARG (',' ARG)* ')'`` after an atom's name."""
        if self._peek().kind is not _Kind.ARGS_OPEN:
            return Atom(name.text)
        open_column = self._advance().column
        args: list[str] = []
        while True:
            token = self._advance()
            if token.kind is not _Kind.ARG:
                raise self._unexpected(token, _EXPECT_ARG)
            args.append(token.text)
            token = self._advance()
            if token.kind is _Kind.RPAREN:
                return Atom(name.text, tuple(args))
            if token.kind is not _Kind.COMMA:
                raise self._unexpected(
                    token, f"',' or ')' to close the '(' at column {open_column}"
                )


def _split(
    items: list[_Item], operators: list[_Token], kind: _Kind
) -> tuple[list[tuple[list[_Item], list[_Token]]], list[_Token]]:
    """Split an operand/operator list at each operator of one kind."""
    parts: list[tuple[list[_Item], list[_Token]]] = [([items[0]], [])]
    splits: list[_Token] = []
    for operator, item in zip(operators, items[1:], strict=True):
        if operator.kind is kind:
            splits.append(operator)
            parts.append(([item], []))
        else:
            parts[-1][1].append(operator)
            parts[-1][0].append(item)
    return parts, splits


def _nary(
    items: list[_Item],
    operators: list[_Token],
    kind: _Kind,
    make: Callable[[tuple[Prop, ...]], Prop],
    inner: Callable[[list[_Item], list[_Token]], _Item],
) -> _Item:
    """Group a flat list at one n-ary operator (``&`` or ``|``), the tighter ones by inner."""
    parts, splits = _split(items, operators, kind)
    operands = [inner(part_items, part_operators) for part_items, part_operators in parts]
    if not splits:
        return operands[0]
    height = max(h for _, h in operands) + 1
    if height > MAX_DEPTH:
        raise too_deep(_NOUN, splits[0].column)
    return make(tuple(p for p, _ in operands)), height


def _combine(kind: _Kind, left: _Item, right: _Item, column: int) -> _Item:
    height = max(left[1], right[1]) + 1
    if height > MAX_DEPTH:
        raise too_deep(_NOUN, column)
    node = Implies(left[0], right[0]) if kind is _Kind.IMPLIES else Equiv(left[0], right[0])
    return node, height


def _group_and(items: list[_Item], operators: list[_Token]) -> _Item:
    # Only '&' is left at this level: every operand is already a unary operand.
    return _nary(items, operators, _Kind.AND, And, lambda its, _: its[0])


def _group_or(items: list[_Item], operators: list[_Token]) -> _Item:
    return _nary(items, operators, _Kind.OR, Or, _group_and)


def _group_implies(items: list[_Item], operators: list[_Token]) -> _Item:
    parts, splits = _split(items, operators, _Kind.IMPLIES)
    result = _group_or(*parts[-1])
    # Right-associative: fold from the right.
    for (part_items, part_operators), operator in zip(
        reversed(parts[:-1]), reversed(splits), strict=True
    ):
        result = _combine(
            _Kind.IMPLIES, _group_or(part_items, part_operators), result, operator.column
        )
    return result


def _group_by_precedence(items: list[_Item], operators: list[_Token]) -> _Item:
    """Build the tree of one parenthesised group from its operands and binary operators.

    ``<->`` binds loosest (left-associative), then ``>>`` (right-associative), ``|`` and
    ``&`` (both n-ary, so a chain becomes one flat node).
    """
    parts, splits = _split(items, operators, _Kind.EQUIV)
    result = _group_implies(*parts[0])
    for (part_items, part_operators), operator in zip(parts[1:], splits, strict=True):
        result = _combine(
            _Kind.EQUIV, result, _group_implies(part_items, part_operators), operator.column
        )
    return result


def _parse_plain(text: str) -> Prop:
    return _Parser(text).parse()


# A text not in the cache is parsed through its shape (negsim.logic._shape): a large
# alliance's commitments are a few shapes written with many agent ids.
_parse_cached = cached_parser(
    _NOUN, _EXPECT_OPERAND, lambda text: parse_by_shape(text, _parse_plain)
)


def parse(text: str, *, source: str = "<proposition>") -> Prop:
    """Parse proposition text into a tree, without evaluating anything.

    Results are cached by text (the last 4,096 distinct texts), so parsing the same
    proposition again is a dictionary look-up; the trees are immutable and safe to share.
    A text not in that cache is parsed through its shape (see :func:`parse_shape`): each
    shape is parsed once, and the text's arguments are filled into a copy of its tree.

    Args:
        text: The proposition, such as ``attacked(ROK) & ~denies_access(JPN, USA)``.
        source: Where the text came from (a file and the path inside it), used only to
            label errors.

    Returns:
        The proposition's tree.

    Raises:
        negsim.errors.PropositionError: The text is empty, longer than 10,000 characters,
            nested deeper than 200 levels, or not a proposition. The error's
            column (1-based) points at the offending character, and its reason says what
            was found there and what was expected. For text that is too long, the error
            shows only the start of the text.
        TypeError: ``text`` is not a string.
    """
    return parse_text(text, source, _NOUN, _parse_cached)


def parse_shape(text: str) -> tuple[Prop, tuple[str, ...]] | None:
    """Parse a proposition's shape: its text with the atoms' arguments as numbered slots.

    The commitments of a large alliance share a few shapes (``responds(0,1)``), so
    checking many propositions by their shapes parses each shape once (cached) and builds
    no tree per proposition. The text is a proposition exactly when its shape is one (and
    it is not too long); :func:`parse` would return the shape's tree with the slots
    filled in.

    Args:
        text: Proposition text.

    Returns:
        The shape's tree (its atoms' arguments are the slot numbers ``"0"``, ``"1"``,
        ...), and the arguments in the order written; ``None`` when the text is not a
        proposition (:func:`parse` says why).

    Example:
        >>> from negsim.logic import parse_shape
        >>> tree, args = parse_shape("attacked(ROK) & ~denies_access(JPN, USA)")
        >>> str(tree), args
        ('attacked(0) & ~denies_access(1,2)', ('ROK', 'JPN', 'USA'))
        >>> parse_shape("attacked(ROK) &") is None
        True
    """
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        return None
    shape, args = shape_of(text)
    try:
        return _parse_cached(shape), args
    except (ParseError, RecursionError):
        return None


# One atom written without whitespace: a name, then optionally its arguments in parentheses,
# as the tokenizer reads a name and argument tokens (the atom's own validators say the same).
_PLAIN_ATOM = re.compile(
    r"([A-Za-z][A-Za-z0-9_]*)(?:\(([A-Za-z0-9][A-Za-z0-9_\-]*(?:,[A-Za-z0-9][A-Za-z0-9_\-]*)*)\))?"
)


def plain_atom(text: str) -> tuple[str, tuple[str, ...]] | None:
    """Read a proposition that is one atom written without whitespace, without the parser.

    Most treaty propositions are one atom (``attacked(ROK)``, ``responds(USA,ROK)``), and
    a large alliance has hundreds of thousands of distinct ones, which :func:`parse`'s
    cache cannot hold. For such text this is what :func:`parse` returns, as parts, read
    with one regular expression; for any other text it is ``None`` (then
    :func:`parse` or :func:`parse_shape` reads it).

    Args:
        text: Proposition text.

    Returns:
        The atom's name and arguments (``Atom(*parts)`` is the tree :func:`parse`
        returns), or ``None`` when ``text`` is not one atom written without whitespace
        within the 10,000 characters a proposition may have.

    Example:
        >>> from negsim.logic import plain_atom
        >>> plain_atom("responds(USA,ROK)")
        ('responds', ('USA', 'ROK'))
        >>> plain_atom("responds(USA, ROK)") is None, plain_atom("true") is None
        (True, True)
    """
    if len(text) > MAX_LENGTH:
        return None
    match = _PLAIN_ATOM.fullmatch(text)
    if match is None or match[1] in RESERVED_WORDS:
        return None
    return match[1], tuple(match[2].split(",")) if match[2] else ()
