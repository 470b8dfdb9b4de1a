r"""Reading a scenario file's TOML: the standard library's parser, or tomli's compiled one.

:mod:`tomllib` is the standard library's copy of `tomli <https://github.com/hukkin/tomli>`_,
in pure Python: it reads a 47 MB scenario (a 512-member alliance with every pairwise
commitment listed) in about 8 s. tomli's own wheels are compiled with mypyc and read
the same file in about 2.3 s. So when tomli is installed (``pip install negsim[fast]``),
:func:`loads` parses with it, on two terms that keep every result the one
:mod:`tomllib` alone gives:

- **Refusals are tomllib's.** When tomli refuses a text (a decode error, nesting it
  will not follow, an integer too long to read), :func:`loads` parses the text again
  with :mod:`tomllib`, so that the error, or the value, is exactly the one it gives.
- **TOML 1.0, as tomllib reads it.** tomli 2.4 and later read TOML 1.1, which the
  :mod:`tomllib` of Python 3.11 to 3.14 refuses. A text that could use any of its
  additions goes to :mod:`tomllib` directly (:func:`plainly_toml_1_0`): the ``\x``
  and ``\e`` escapes, times without seconds, and inline tables over several lines or
  with a trailing comma. The test is by text and errs towards tomllib: a large file
  passes it when its inline tables each sit on one line (as :mod:`negsim.testing`
  writes them).

tomli is used from version 2.2 (its first compiled wheels) and below 3: a later TOML
version would add syntax that :func:`plainly_toml_1_0` does not know.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import re
import tomllib
from collections.abc import Callable
from typing import Any

__all__ = ["fast_parser", "loads", "plainly_toml_1_0"]

_Parser = Callable[[str], dict[str, Any]]

_TOMLI_FROM, _TOMLI_BELOW = (2, 2), (3,)
"""The tomli versions :func:`loads` uses (the ``fast`` extra asks for the same)."""


def loads(text: str, *, fast: _Parser | None = None) -> dict[str, Any]:
    """Parse TOML text as :func:`tomllib.loads` does, faster where tomli is installed.

    Args:
        text: The TOML document.
        fast: The parser to try first; :func:`fast_parser` when ``None``.

    Returns:
        The document's tables, as :func:`tomllib.loads` returns them.

    Raises:
        tomllib.TOMLDecodeError: The text is not TOML (tomllib's own error).
        RecursionError: Arrays or tables nested deeper than tomllib follows.
        ValueError: An integer longer than Python reads
            (:func:`sys.get_int_max_str_digits`).
    """
    parser = fast_parser() if fast is None else fast
    if parser is not None and plainly_toml_1_0(text):
        try:
            return parser(text)
        except (ValueError, RecursionError):  # refused: tomllib says why, as it would alone
            pass
    return tomllib.loads(text)


@functools.cache
def fast_parser() -> _Parser | None:
    """The ``loads`` of tomli when a version that :func:`loads` uses is installed.

    Returns:
        ``tomli.loads``, or ``None`` when tomli is not installed or its version is
        outside the range above.
    """
    try:
        version = importlib.metadata.version("tomli")
        module = importlib.import_module("tomli")
    except (ImportError, importlib.metadata.PackageNotFoundError):
        return None
    numbers = tuple(int(part) for part in re.findall(r"\d+", version)[:3])
    if not _TOMLI_FROM <= numbers < _TOMLI_BELOW:
        return None
    parser: _Parser = module.loads
    return parser


_NEW_ESCAPE = re.compile(r"\\[xe]")
r"""A backslash before ``x`` or ``e``: TOML 1.1's new escapes ``\xHH`` and ``\e``."""

_TIME = re.compile(r":(?<=[0-9]:)[0-9]")
"""Digit, colon, digit: part of any time (TOML 1.1 makes a time's seconds optional).

Written colon first, so that the search skips ahead to each colon."""

_BRACE = re.compile(r"[{}]")
_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*')
"""A one-line basic or literal string, or a comment."""

_TRAILING_COMMA = re.compile(r",[ \t]*\}")


def plainly_toml_1_0(text: str) -> bool:
    r"""Whether ``text`` cannot use TOML 1.1's additions to TOML 1.0.

    TOML 1.1 adds the escapes ``\xHH`` and ``\e``, times without seconds, and inline
    tables that span lines (with comments) or end with a comma. ``text`` passes when it
    holds no backslash followed by ``x`` or ``e``, no digit, colon, digit (part of
    every time), and every line that holds an opening brace closes, on that line, each
    inline table it opens, without a comma before the closing brace, and holds no three
    quotes in a row (``'''`` or the double kind). Strings and comments are read as
    TOML reads them; a line that starts inside a multi-line string fails the test (the
    string's closing quotes are on it), so reading line by line never hides a brace.
    Errs towards ``False``: then the text is parsed by :mod:`tomllib`, which decides.

    Args:
        text: A TOML document.

    Returns:
        ``True`` when no TOML 1.1 addition can be in ``text``.
    """
    if _NEW_ESCAPE.search(text) or _TIME.search(text):
        return False
    brace = text.find("{")
    while brace >= 0:
        start = text.rfind("\n", 0, brace) + 1
        end = text.find("\n", brace)
        if end < 0:
            return _closes_its_tables(text[start:])
        if not _closes_its_tables(text[start:end]):
            return False
        brace = text.find("{", end)
    return True


def _closes_its_tables(line: str) -> bool:
    """Whether a line closes every inline table it opens, without a trailing comma."""
    if '"""' in line or "'''" in line:
        return False
    bare = _STRING_OR_COMMENT.sub("", line)
    if '"' in bare or "'" in bare or _TRAILING_COMMA.search(bare):
        return False
    depth = 0
    for brace in _BRACE.findall(bare):
        depth += 1 if brace == "{" else -1
        if depth < 0:
            return False
    return depth == 0
