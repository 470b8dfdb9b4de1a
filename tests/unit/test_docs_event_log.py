"""The event-log reference page documents every line, event type and field the code writes.

docs/reference/event-log.md is parsed: each event type is a section labelled
``(event-<kind>)=`` whose table lists its fields in the first column (``message.sender``
for a key of a nested object, ``provenance.plugins[].name`` for the objects of an
array). The fields the code has are read from the attrs classes, and checked against
what :func:`negsim.results.dumps_lines` really writes for real runs, so a field added,
renamed or removed in the code fails here until the page says so.
"""

from __future__ import annotations

import json
import re
import types
import typing
from pathlib import Path
from typing import Any

import attrs
import pytest

import negsim
from negsim.model import (
    EVENT_TYPES,
    Commitment,
    Event,
    FrozenMap,
    PluginInfo,
    Provenance,
    WorldState,
)
from negsim.results import FORMAT, dumps_lines, event_to_dict

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "event-log.md"
COMMON = {"type", "kind", "round"}
SCENARIOS = ("korea_integrated.toml", "korea_bilateral.toml", "baltic_nato.toml")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"

_LABEL = re.compile(r"^\((?P<label>[\w-]+)\)=\s*$")
_HEADING = re.compile(r"^#+ ")
_ROW = re.compile(r"^\|\s*`(?P<field>[^`]+)`\s*\|")


def _sections() -> dict[str, list[str]]:
    """The page's lines under each label (``event-message``) and each ``##`` heading."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    labelled = False  # a label was the last line: the heading after it opens its section
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        label = _LABEL.match(line)
        if label:
            current = sections.setdefault(label["label"], [])
        elif _HEADING.match(line):
            if not labelled:
                current = []
            if line.startswith("## "):
                sections[line[3:].strip()] = current
        current.append(line)
        if line.strip():
            labelled = bool(label)
    return sections


def _documented(section: str) -> set[str]:
    """The fields in the first column of the tables of one section."""
    lines = _sections().get(section)
    assert lines is not None, f"{PAGE.name} has no section {section!r}"
    return {m["field"] for line in lines if (m := _ROW.match(line)) and m["field"] != "field"}


def _attrs_class(tp: Any) -> type | None:
    """The attrs class that a field's type holds (unwrapping ``X | None``), if any."""
    if isinstance(tp, type) and attrs.has(tp):
        return tp
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        found = [a for a in typing.get_args(tp) if isinstance(a, type) and attrs.has(a)]
        return found[0] if len(found) == 1 else None
    return None


def _array_of_attrs(tp: Any) -> type | None:
    """The attrs class of a ``tuple[X, ...]`` field, if it is one."""
    if typing.get_origin(tp) is tuple:
        args = typing.get_args(tp)
        return _attrs_class(args[0]) if args else None
    return None


def _fields(cls: type, prefix: str = "") -> set[str]:
    """Every field of attrs class ``cls`` as the page names it, nested objects included."""
    hints = typing.get_type_hints(cls)
    names: set[str] = set()
    for field in attrs.fields(cls):
        name = f"{prefix}{field.name}"
        names.add(name)
        tp = hints[field.name]
        nested = _attrs_class(tp)
        if nested is not None:
            names |= _fields(nested, f"{name}.")
        elif (item := _array_of_attrs(tp)) is not None:
            names |= _fields(item, f"{name}[].")
    return names


def _free_maps(cls: type, prefix: str = "") -> set[str]:
    """The fields of ``cls`` (nested too) that hold free keys: FrozenMaps."""
    hints = typing.get_type_hints(cls)
    found: set[str] = set()
    for field in attrs.fields(cls):
        tp = hints[field.name]
        name = f"{prefix}{field.name}"
        if tp is FrozenMap or typing.get_origin(tp) is FrozenMap:
            found.add(name)
        elif (nested := _attrs_class(tp)) is not None:
            found |= _free_maps(nested, f"{name}.")
        elif (item := _array_of_attrs(tp)) is not None:
            found |= _free_maps(item, f"{name}[].")
    return found


def _flatten(data: dict[str, Any], free: set[str], prefix: str = "") -> set[str]:
    """The key paths of serialised data, not descending into free-key objects."""
    names: set[str] = set()
    for key, value in data.items():
        name = f"{prefix}{key}"
        names.add(name)
        if name in free:
            continue
        if isinstance(value, dict):
            names |= _flatten(value, free, f"{name}.")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                names |= _flatten(item, free, f"{name}[].")
    return names


@pytest.fixture(scope="module")
def logs() -> list[list[dict[str, Any]]]:
    """The parsed lines of the logs of a few real runs."""
    runs = []
    for name in SCENARIOS:
        scenario = negsim.load_scenario(EXAMPLES / name)
        for seed in (1, 3):
            result = negsim.simulate(scenario, seed=seed)
            runs.append([json.loads(line) for line in dumps_lines(result)])
    return runs


def test_every_event_type_has_a_section() -> None:
    labels = {label for label in _sections() if label.startswith("event-")}
    documented = {label.removeprefix("event-") for label in labels}
    assert documented == set(EVENT_TYPES), (
        f"event types in the code but not on the page: {sorted(set(EVENT_TYPES) - documented)}; "
        f"on the page but not in the code: {sorted(documented - set(EVENT_TYPES))}"
    )


def test_the_fields_every_event_has_are_documented() -> None:
    assert _documented("Event lines") == COMMON
    assert {f.name for f in attrs.fields(Event)} | {"type", "kind"} == COMMON


@pytest.mark.parametrize("kind", sorted(EVENT_TYPES))
def test_every_field_of_every_event_type_is_documented(kind: str) -> None:
    in_code = _fields(EVENT_TYPES[kind]) - COMMON
    on_page = _documented(f"event-{kind}")
    assert in_code == on_page, (
        f"{kind}: fields in the code but not on the page: {sorted(in_code - on_page)}; "
        f"on the page but not in the code: {sorted(on_page - in_code)}"
    )


def test_the_header_line_is_documented() -> None:
    in_code = {"type", "format", "provenance"} | _fields(Provenance, "provenance.")
    assert _documented("log-header") == in_code
    assert _fields(PluginInfo, "provenance.plugins[].") <= in_code


def test_the_result_line_is_documented(logs: list[list[dict[str, Any]]]) -> None:
    written = {key for log in logs for key in log[-1]}
    world = _fields(WorldState, "world.")
    assert _documented("log-result") == written | world


def test_the_page_documents_the_current_format() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert f">>> FORMAT\n{FORMAT}\n" in text
    assert f'{{"format":{FORMAT},' in text


def test_what_is_written_is_what_is_documented(logs: list[list[dict[str, Any]]]) -> None:
    """The serialised keys of real logs are exactly the documented fields."""
    provenance_free = {f"provenance.{f}" for f in _free_maps(Provenance)}
    seen_kinds: set[str] = set()
    for log in logs:
        header, *events, _ = log
        assert header["format"] == FORMAT
        assert _flatten(header, provenance_free) <= _documented("log-header")
        for event in events:
            kind = event["kind"]
            seen_kinds.add(kind)
            free = _free_maps(EVENT_TYPES[kind])
            written = _flatten(event, free) - COMMON
            assert written == _documented(f"event-{kind}"), kind
    assert len(seen_kinds) >= 8, sorted(seen_kinds)


def test_an_event_written_by_hand_round_trips_with_the_documented_fields() -> None:
    """Events the sample runs may not produce (a rejected move, a decision)."""
    from negsim.model import DecisionReached, MoveRejected
    from negsim.results import event_from_dict

    for event in (
        MoveRejected(2, "ROK", "bilateral", "hosts-target", "ROK hosts no forces of 'JPN'"),
        DecisionReached(5, "NATO", "turkey", "collective_response", ["TUR", "USA"], "consensus"),
    ):
        data = event_to_dict(event)
        assert event_from_dict(data) == event
        assert set(data) - COMMON == _documented(f"event-{event.kind}")


def test_commitments_in_the_result_line_have_the_commitment_fields() -> None:
    fields = {f.name for f in attrs.fields(Commitment)}
    documented = {
        f.removeprefix("commitment.")
        for f in _documented("event-commitment_created")
        if f.startswith("commitment.")
    }
    assert fields == documented
