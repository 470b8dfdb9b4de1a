"""Scaffolding shared by the hand-written parsers of :mod:`negsim.logic`.

The proposition parser (:mod:`negsim.logic._parser`) and the arithmetic-expression parser
(:mod:`negsim.logic._arith_parser`) read different languages but refuse text the same way: the same
length and depth limits, the same character classes, the same "unexpected ...; expected ..."
reasons, and the same front door that checks the text, parses it through a cache and reports
every failure as a :class:`~negsim.errors.PropositionError`. Each error message names the
language (``noun``: "proposition" or "expression"). Nothing here evaluates text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Generic, TypeVar

import attrs

from negsim.errors import PropositionError

#: The longest text accepted, in characters.
MAX_LENGTH = 10_000

#: The deepest nesting accepted: parentheses inside each other, and operators inside each other.
MAX_DEPTH = 200

#: The size of each cache of parsed texts (and of compiled or converted trees).
CACHE_SIZE = 4096

_WHITESPACE = " \t\r\n\f\v"

LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
DIGITS = frozenset("0123456789")
NAME_CHARS = LETTERS | DIGITS | {"_"}
SPACE = frozenset(_WHITESPACE)

K = TypeVar("K")
T = TypeVar("T")


@attrs.frozen
class Token(Generic[K]):
    """One token of a parser's text; ``kind`` is that parser's own enumeration."""

    kind: K
    text: str  # empty only for the token that ends the text
    column: int  # 1-based
    hint: str | None = None

    def describe(self) -> str:
        if not self.text:
            return "end of text"
        return repr(self.text)


class TokenReader(Generic[K]):
    """Steps through a list of tokens that ends with an end-of-text token."""

    def __init__(self, tokens: list[Token[K]]) -> None:
        self._tokens = tokens
        self._pos = 0

    def _peek(self) -> Token[K]:
        return self._tokens[self._pos]

    def _advance(self) -> Token[K]:
        token = self._tokens[self._pos]
        self._pos += 1
        return token


class ParseError(Exception):
    """A parse failure before the text and source are attached."""

    def __init__(self, column: int, reason: str) -> None:
        super().__init__(column, reason)
        self.column = column
        self.reason = reason


def scan(text: str, start: int, chars: frozenset[str]) -> int:
    """Return the end of the run of ``chars`` that follows the character at ``start``."""
    end = start + 1
    while end < len(text) and text[end] in chars:
        end += 1
    return end


def unexpected(token: Token[K], expected: str, hint: str | None) -> ParseError:
    """The error for a token that is not what the grammar expects there."""
    reason = f"unexpected {token.describe()}; expected {expected}"
    if hint:
        reason += f" ({hint})"
    return ParseError(token.column, reason)


def too_deep(noun: str, column: int) -> ParseError:
    """The error for nesting deeper than :data:`MAX_DEPTH`."""
    return ParseError(column, f"the {noun} is nested deeper than {MAX_DEPTH} levels")


def excerpt(text: str, width: int = 60) -> str:
    """The text, or only its start if it is longer than ``width`` characters."""
    return text if len(text) <= width else f"{text[:width]}... ({len(text)} characters)"


def cached_parser(noun: str, expected: str, parse: Callable[[str], T]) -> Callable[[str], T]:
    """Wrap ``parse`` in a cache that also refuses blank text; it raises :class:`ParseError`."""

    @functools.lru_cache(maxsize=CACHE_SIZE)
    def parse_cached(text: str) -> T:
        if not text.strip(_WHITESPACE):
            raise ParseError(1, f"the {noun} is empty; expected {expected}")
        return parse(text)

    return parse_cached


def parse_text(text: str, source: str, noun: str, parse_cached: Callable[[str], T]) -> T:
    """Check and parse text, reporting every failure as a :class:`PropositionError`."""
    if not isinstance(text, str):
        article = "an" if noun[0] in "aeiou" else "a"
        raise TypeError(f"{article} {noun} must be a str, not {type(text).__name__}: {text!r}")
    if len(text) > MAX_LENGTH:
        raise PropositionError(
            excerpt(text),
            1,
            f"the {noun} is {len(text)} characters long; the limit is {MAX_LENGTH}",
            source=source,
        )
    try:
        return parse_cached(text)
    except ParseError as failure:
        raise PropositionError(text, failure.column, failure.reason, source=source) from None
    except RecursionError:  # only when called with little stack left; the depth cap avoids it
        raise PropositionError(
            text, 1, f"the {noun} is nested too deeply to parse here", source=source
        ) from None
