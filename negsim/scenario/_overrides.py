"""Overrides: set any value of a scenario file by a dotted path.

``agents.JPN.params.korea_minute=true`` sets one agent's parameter. Tables in arrays
(``agents``, ``alliances``, ``commitments``) are addressed by their ``id``. Values are
read as TOML literals (``0.4``, ``true``, ``"text"``, ``[1, 2]``); anything that is not a
TOML literal is taken as a string.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from negsim.errors import OverrideError, Problem, ScenarioError

__all__ = ["Override", "apply_overrides_to_data", "parse_override"]

Override = tuple[str, Any]
"""A parsed override: ``(dotted path, value)``."""

_FREE_TABLES = ("params", "variables", "forces_hosted")
"""Tables where an override may add a key the file does not set (checked later against
the plugin's parameter specs)."""


def parse_override(text: str) -> Override:
    """Parse ``PATH=VALUE``.

    Raises:
        OverrideError: No ``=`` or an empty path.
        ScenarioError: A value negsim cannot read (an integer over Python's 4,300-digit
            limit, arrays nested too deeply).
    """
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise OverrideError(
            "--set",
            [Problem(text, "expected PATH=VALUE, e.g. agents.JPN.params.korea_minute=true")],
        )
    raw = raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    except (ValueError, RecursionError):  # tomllib's int() over the digit limit; nesting
        raise ScenarioError(
            "--set",
            [
                Problem(
                    path,
                    "a value negsim cannot read (an integer with more than 4,300 digits, "
                    "or arrays nested too deeply); expected a number, boolean or string",
                )
            ],
        ) from None
    return path, value


def apply_overrides_to_data(
    data: dict[str, Any],
    overrides: Iterable[Override | str],
    source: str,
    fields: Mapping[str, Sequence[str]] | None = None,
) -> list[str]:
    """Apply overrides in place to scenario file data.

    Args:
        data: Scenario file data, changed in place.
        overrides: ``"PATH=VALUE"`` strings or ``(path, value)`` pairs.
        source: The file name, for error messages.
        fields: The keys each kind of table may hold (``scenario``, ``agents``,
            ``capabilities``...): an override may add one the file leaves out.

    Returns:
        The overrides applied, as canonical ``path=value`` strings.

    Raises:
        OverrideError: Paths that do not exist, all listed at once.
    """
    problems: list[Problem] = []
    applied: list[str] = []
    for item in overrides:
        path, value = parse_override(item) if isinstance(item, str) else item
        problem = _set(data, path.split("."), value, fields or {})
        if problem is None:
            applied.append(f"{path}={_literal(value)}")
        else:
            problems.append(Problem(f"--set {path}", problem))
    if problems:
        raise OverrideError(source, problems)
    return applied


def _literal(value: Any) -> str:
    """``value`` as a TOML literal, so a recorded override reads back as the same value.

    Example:
        >>> [_literal(v) for v in (True, 0.5, "ROK", [1, 2])]
        ['true', '0.5', '"ROK"', '[1, 2]']
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return str(value)


def _table_kind(here: list[str]) -> str:
    if len(here) == 1:
        return here[0]
    if len(here) == 2 and here[0] in (
        "agents",
        "alliances",
        "commitments",
        "commitment_templates",
    ):
        return here[0]
    return here[-1] if here else ""


def _set(
    node: Any, parts: Sequence[str], value: Any, fields: Mapping[str, Sequence[str]]
) -> str | None:
    here: list[str] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = ".".join(here) or "the file"
        if isinstance(node, list):  # an array of tables, addressed by id (or a type's name)
            ids = [str(t.get("id", t.get("name"))) for t in node if isinstance(t, dict)]
            match = [t for t in node if isinstance(t, dict) and t.get("id", t.get("name")) == part]
            if not match:
                return f"no {part!r} in {where}; known: {', '.join(ids) or '(none)'}"
            if last:
                return f"{where}.{part} is a table; name one of its keys"
            node = match[0]
        elif isinstance(node, dict):
            if part in _FREE_TABLES and part not in node and i == len(parts) - 2:
                node[part] = {}  # the file leaves the table to its defaults
            known = fields.get(_table_kind(here), ())
            if part in known and part not in node and not last:
                node[part] = {}  # a table the file leaves to its defaults
            free = last and ((bool(here) and here[-1] in _FREE_TABLES) or part in known)
            if part not in node and not free:
                keys = ", ".join(sorted(node)) or "(none)"
                return f"no key {part!r} in {where}; valid: {keys}"
            if last:
                if isinstance(node.get(part), (dict, list)):
                    return f"{where}.{part} is a table; name one of its keys"
                node[part] = value
                return None
            node = node[part]
        else:
            return f"{where} is a value, not a table"
        here.append(part)
    return "empty path"
