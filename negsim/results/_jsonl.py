"""Results as JSON Lines: a header with provenance, one line per event, a closing result.

The format, line by line::

    {"type": "header", "format": 2, "provenance": {...}}
    {"type": "event", "kind": "message", "round": 1, ...}     (one per event, in order)
    {"type": "result", "outcome": "...", "reason": "...", "rounds": N,
     "commitments": [...], "world": {...}, "metrics": {...}}

Keys are sorted and separators fixed, so the same run always writes the same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from negsim.converters import converter
from negsim.errors import ScenarioFileError
from negsim.model import (
    EVENT_TYPES,
    Commitment,
    Event,
    Provenance,
    Result,
    WorldState,
)

__all__ = ["FORMAT", "dumps_lines", "event_from_dict", "event_to_dict", "read_jsonl", "write_jsonl"]

FORMAT = 2
"""The JSONL format version written in the header.

Format 2 added each message's and action's ``visibility``, a message's ``negotiation``
and ``terms``, and the ``honour``, ``negotiation_opened`` and ``negotiation_ended``
events; a format-1 log reads as if every message was seen by its recipients and every
action by all."""


def _default(value: object) -> object:
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


_UNSAFE = re.compile("[\x85\u2028\u2029\ud800-\udfff]")
"""Characters written as ``\\uXXXX`` escapes although JSON allows them raw: the line
separators that :meth:`str.splitlines` and many tools split on (NEL, LS, PS), and lone
surrogates, which UTF-8 cannot encode. JSON's own escaping covers the rest."""


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _dumps(obj: Any) -> str:
    text = json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    )
    return _UNSAFE.sub(_escape, text)


def event_to_dict(event: Event) -> dict[str, Any]:
    """An event as a JSON-ready dict, tagged with its ``kind``."""
    data: dict[str, Any] = converter.unstructure(event)
    data["kind"] = event.kind
    return data


def event_from_dict(data: dict[str, Any]) -> Event:
    """The inverse of :func:`event_to_dict`.

    Raises:
        KeyError: An unknown ``kind``.
    """
    data = dict(data)
    cls = EVENT_TYPES[data.pop("kind")]
    data.pop("type", None)
    return converter.structure(data, cls)


def dumps_lines(result: Result) -> Iterator[str]:
    """The JSONL lines of ``result`` (without newlines)."""
    header = {"type": "header", "format": FORMAT}
    if result.provenance is not None:
        header["provenance"] = converter.unstructure(result.provenance)
    yield _dumps(header)
    for event in result.events:
        yield _dumps({"type": "event", **event_to_dict(event)})
    yield _dumps(
        {
            "type": "result",
            "outcome": str(result.outcome),
            "reason": result.reason,
            "rounds": result.rounds,
            "commitments": [converter.unstructure(c) for c in result.commitments],
            "world": converter.unstructure(result.world),
            "metrics": dict(result.metrics),
        }
    )


def write_jsonl(result: Result, path: str | Path | IO[str]) -> None:
    """Write ``result`` as JSON Lines to a path or an open text file.

    Every string reads back equal with :func:`read_jsonl`, whatever its characters.

    Raises:
        TypeError: A value in the result is not JSON data (a world plugin put an
            object in an event); nothing is written to a path then.
    """
    if isinstance(path, (str, Path)):
        lines = list(dumps_lines(result))  # fails before the file is touched
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            for line in lines:
                fh.write(line)
                fh.write("\n")
    else:
        _write(result, path)


def _write(result: Result, fh: IO[str]) -> None:
    for line in dumps_lines(result):
        fh.write(line)
        fh.write("\n")


def read_jsonl(path: str | Path | Iterable[str]) -> Result:
    """Read a log written by :func:`write_jsonl`; the result equals the one written.

    Raises:
        negsim.errors.ScenarioFileError: Missing file, not UTF-8 text, or not a negsim log
            (with the line).
    """
    name = str(path) if isinstance(path, (str, Path)) else "<lines>"
    try:
        lines = (
            Path(path).read_text(encoding="utf-8").split("\n")
            if isinstance(path, (str, Path))
            else list(path)
        )
    except OSError as exc:
        raise ScenarioFileError(name, [f"cannot read: {exc}"]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioFileError(
            name, [f"not UTF-8 text (byte {exc.start}): not a negsim log"]
        ) from None
    provenance = None
    events: list[Event] = []
    closing: dict[str, Any] | None = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            kind = data.get("type")
            if kind == "header":
                if "provenance" in data:
                    provenance = converter.structure(data["provenance"], Provenance)
            elif kind == "event":
                events.append(event_from_dict(data))
            elif kind == "result":
                closing = data
            else:
                raise ValueError(f"unknown line type {kind!r}")
        except Exception as exc:
            raise ScenarioFileError(
                name, [f"line {number}: not a negsim log line: {exc}"]
            ) from None
    if closing is None:
        raise ScenarioFileError(name, ["no closing 'result' line: the log is incomplete"])
    return Result(
        outcome=closing["outcome"],
        reason=closing["reason"],
        rounds=closing["rounds"],
        events=events,
        commitments=[converter.structure(c, Commitment) for c in closing["commitments"]],
        world=converter.structure(closing["world"], WorldState),
        metrics=closing["metrics"],
        provenance=provenance,
    )
