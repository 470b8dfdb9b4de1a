"""Propositions by shape: the text with its atoms' arguments taken out, parsed once.

The commitments of a large alliance are a few forms written many times over with other
agent ids: ``responds(M000,M001)``, ``responds(M000,M002)``, ... A proposition's *shape*
is its text with every argument list rewritten as numbered slots (``responds(0,1)``), and
its *arguments* the ids taken out, in the order written. :func:`parse` parses a shape once
(cached) and fills each proposition's arguments into a copy of that tree, which is much
cheaper than tokenising the text again.

Why the result is the parser's own: the pattern below matches an atom's name and argument
list exactly as the tokenizer reads them (a name that is no keyword and starts at a token
boundary, then optional whitespace, ``(``, argument tokens separated by commas, ``)``), so
the shape's tokens are the text's tokens with only the arguments' spelling changed, and the
parser's tree depends on the tokens' kinds alone. Wherever the pattern matches something
the tokenizer reads otherwise (a name inside an argument list, say), both texts are
refused; then the text itself is parsed, so that its error is reported as written. The
slots are digits, which the parser accepts nowhere but in an argument list, so a slot put
anywhere else makes the shape fail to parse too: then, again, the text itself is parsed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from negsim.logic._ast import And, Atom, Const, Equiv, Implies, Not, Or, Prop
from negsim.logic._text import CACHE_SIZE, ParseError

__all__ = ["fill", "parse_by_shape", "shape_of"]

_SPACE = r"[ \t\r\n\f\v]*"  # the parser's whitespace, not Unicode's (\s)
_ARG = r"[A-Za-z0-9][A-Za-z0-9_\-]*"
_ATOM_WITH_ARGS = re.compile(
    r"(?<![A-Za-z0-9_])"  # a name starts at a token boundary
    r"(?!(?:true|false|and|or|not)(?![A-Za-z0-9_]))"  # and is no keyword
    rf"([A-Za-z][A-Za-z0-9_]*){_SPACE}\("
    # the arguments: without whitespace (the common case, split at commas), or with it
    rf"(?:({_ARG}(?:,{_ARG})*)|{_SPACE}({_ARG}(?:{_SPACE},{_SPACE}{_ARG})*){_SPACE})\)"
)
_COMMA = re.compile(rf"{_SPACE},{_SPACE}")


def shape_of(text: str) -> tuple[str, tuple[str, ...]]:
    """Split proposition text into its shape and its atoms' arguments.

    Args:
        text: Proposition text (not checked: the shape of malformed text is as malformed).

    Returns:
        The shape, with each argument list rewritten as numbered slots
        (``attacked(0) & ~denies_access(1,2)``), and the arguments in the order written
        (``("ROK", "JPN", "USA")``).
    """
    pieces = _ATOM_WITH_ARGS.split(text)
    if len(pieces) == 5:  # one atom with arguments: most treaty propositions
        before, name, plain, spaced, after = pieces
        args = plain.split(",") if plain is not None else _COMMA.split(spaced)
        return f"{before}{name}{_slots(0, len(args))}{after}", tuple(args)
    if len(pieces) == 1:
        return text, ()
    out = [pieces[0]]
    found: list[str] = []
    for i in range(1, len(pieces), 4):
        plain, spaced = pieces[i + 1], pieces[i + 2]
        start = len(found)
        found += plain.split(",") if plain is not None else _COMMA.split(spaced)
        out += (pieces[i], _slots(start, len(found)), pieces[i + 3])
    return "".join(out), tuple(found)


@functools.lru_cache(maxsize=256)
def _slots(start: int, end: int) -> str:
    return "(" + ",".join(str(n) for n in range(start, end)) + ")"


def fill(prop: Prop, args: tuple[str, ...]) -> Prop:
    """A copy of a shape's tree with its numbered slots replaced by ``args``.

    Args:
        prop: The tree of a shape (see :func:`shape_of`).
        args: The arguments, in slot order.

    Returns:
        The proposition's tree.
    """
    match prop:
        case Atom(name=name, args=slots):
            return Atom(name, tuple(args[int(s)] for s in slots)) if slots else prop
        case Const():
            return prop
        case Not(operand=operand):
            return Not(fill(operand, args))
        case And(operands=operands):
            return And(tuple(fill(op, args) for op in operands))
        case Or(operands=operands):
            return Or(tuple(fill(op, args) for op in operands))
        case Implies(left=left, right=right):
            return Implies(fill(left, args), fill(right, args))
        case Equiv(left=left, right=right):
            return Equiv(fill(left, args), fill(right, args))
    raise TypeError(f"not a proposition: {prop!r}")  # pragma: no cover


def parse_by_shape(text: str, parse: Callable[[str], Prop]) -> Prop:
    """Parse text through the cached tree of its shape.

    Args:
        text: Proposition text.
        parse: The parser proper (uncached); it raises :class:`ParseError`.

    Returns:
        The same tree ``parse(text)`` returns.

    Raises:
        ParseError: The text is not a proposition (the error ``parse(text)`` raises).
    """
    shape, args = shape_of(text)
    if not args:
        return parse(text)
    try:
        tree = _shape_tree(shape, parse)
    except ParseError:
        return parse(text)  # refused: the error as the text is written
    return fill(tree, args)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _shape_tree(shape: str, parse: Callable[[str], Prop]) -> Prop:
    return parse(shape)
