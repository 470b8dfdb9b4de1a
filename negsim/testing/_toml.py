"""Scenario data as TOML text, to print a counterexample as a file a user can run."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["scenario_toml"]

_TABLES = ("scenario", "world")
_ARRAYS = ("agents", "alliances", "commitments", "commitment_templates", "negotiations")


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        text = repr(v)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(v, str):
        escaped = (
            v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        )
        escaped = "".join(c if " " <= c != "\x7f" else f"\\u{ord(c):04x}" for c in escaped)
        return f'"{escaped}"'
    if isinstance(v, Mapping):
        items = [(k, x) for k, x in v.items() if x is not None]
        if not items:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in items) + " }"
    if isinstance(v, Sequence):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} {v!r} as TOML")


def _key(k: object) -> str:
    text = str(k)
    if text and all(c.isalnum() or c in "_-" for c in text):
        return text
    return _value(text)


def scenario_toml(data: Mapping[str, Any]) -> str:
    """Render scenario data (as :func:`negsim.scenario.scenario_from_dict` takes it) as TOML.

    Tables become ``[scenario]`` and ``[world]`` sections, the arrays of tables
    ``[[agents]]``, ``[[alliances]]``, ``[[commitments]]``, ``[[commitment_templates]]``
    and ``[[negotiations]]``;
    nested tables (a negotiation's issues among them) are written inline. TOML has no
    null: keys whose value is ``None`` (a default) are left out. :func:`tomllib.loads`
    reads the text back to equal data otherwise.
    """
    out: list[str] = []
    for section in _TABLES:
        table = data.get(section)
        if not isinstance(table, Mapping) or not table:
            continue
        out.append(f"[{section}]")
        out.extend(f"{_key(k)} = {_value(v)}" for k, v in table.items() if v is not None)
        out.append("")
    for section in _ARRAYS:
        items = data.get(section) or ()
        for item in items:
            out.append(f"[[{section}]]")
            out.extend(f"{_key(k)} = {_value(v)}" for k, v in item.items() if v is not None)
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
