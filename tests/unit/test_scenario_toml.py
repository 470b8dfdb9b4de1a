"""Reading a scenario's TOML with tomli's compiled parser gives what tomllib gives.

:func:`negsim.scenario._toml.loads` parses with tomli when it is installed (the ``fast``
extra, which the test extra installs), falls back to :mod:`tomllib` whenever tomli
refuses a text, and sends any text that could use TOML 1.1 (which tomli 2.4 reads and
the standard library's tomllib does not) to tomllib directly. Held here: the same
values, the same errors, word for word, and the same scenarios.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import negsim
from negsim.scenario import _toml
from negsim.scenario._toml import loads, plainly_toml_1_0
from negsim.testing._toml import scenario_toml
from negsim_collective.synthetic import collective_crisis

SCENARIOS = Path(__file__).resolve().parents[2] / "examples" / "scenarios"

tomli = pytest.importorskip("tomli", reason="tomli (the 'fast' extra) is not installed")


def outcome(parse: Any, text: str) -> tuple[Any, ...]:
    """What ``parse(text)`` gives: its value, or its error's type and message."""
    try:
        return ("value", parse(text))
    except (ValueError, RecursionError) as exc:
        return ("error", type(exc), str(exc))


# TOML 1.1's additions, each in a document that tomli 2.4 reads and tomllib 3.11 refuses.
TOML_1_1 = {
    "hex escape": 'a = "\\x41"\n',
    "escape escape": 'a = "\\e"\n',
    "time without seconds": "a = 07:32\n",
    "date-time without seconds": "a = 1979-05-27T07:32Z\n",
    "inline table over lines": "a = {\n  b = 1\n}\n",
    "inline table with a comment": "a = { b = 1, # one\n c = 2 }\n",
    "trailing comma": "a = { b = 1, }\n",
    "nested table over lines": "a = { b = { c = 1 },\n d = 2 }\n",
    "after a multi-line string": 'a = ["""\nx""", { b = 1,\n c = 2 }]\n',
}


@pytest.mark.parametrize("text", TOML_1_1.values(), ids=TOML_1_1.keys())
def test_toml_1_1_goes_to_tomllib(text: str) -> None:
    assert not plainly_toml_1_0(text)
    assert outcome(lambda t: loads(t, fast=tomli.loads), text) == outcome(tomllib.loads, text)
    assert outcome(tomllib.loads, text)[0] == "error"


VALID_1_0 = {
    "tables and arrays of tables": '[a]\nb = 1\n[[c]]\nd = "x"\n[[c]]\nd = "y"\n',
    "inline tables on one line": 'a = { b = 1, c = { d = "}" }, e = [1, 2,] }\n',
    "an array over lines inside an inline table": "a = { b = [\n1,\n2] }\n",
    "braces in strings and comments": "a = \"{\" # {\nb = '{'\n",
    "escapes": 'a = "\\u0041\\t\\"\\\\"\n',
    "date-times with seconds": "a = 1979-05-27T07:32:00Z\nb = 07:32:00\n",
    "multi-line strings": "a = \"\"\"\n{ x,\n\"\"\"\nb = '''\n}'''\n",
}


@pytest.mark.parametrize("text", VALID_1_0.values(), ids=VALID_1_0.keys())
def test_toml_1_0_reads_the_same(text: str) -> None:
    assert loads(text, fast=tomli.loads) == tomllib.loads(text)


def test_plain_files_are_read_by_tomli() -> None:
    text = scenario_toml(collective_crisis(8))
    assert plainly_toml_1_0(text)
    seen = []

    def fast(t: str) -> dict[str, Any]:
        seen.append(t)
        return dict(tomli.loads(t))

    assert loads(text, fast=fast) == tomllib.loads(text)
    assert seen == [text]


@pytest.mark.parametrize(
    "text",
    [
        "a = 1\na = 2\n",  # a decode error
        "a = [" * 500 + "]" * 500,  # deeper than tomli follows, not tomllib
        "a = " + "[" * 3000 + "]" * 3000,  # deeper than both
        "a = " + "1" * 5000,  # more digits than int() reads
        'a = "unclosed\n',
    ],
    ids=["duplicate key", "nested 500", "nested 3000", "long integer", "unclosed string"],
)
def test_refusals_are_tomllib_s_word_for_word(text: str) -> None:
    assert outcome(lambda t: loads(t, fast=tomli.loads), text) == outcome(tomllib.loads, text)


TOKENS = [
    "a",
    "b",
    " = ",
    "=",
    "{",
    "}",
    "[",
    "]",
    "[[t]]\n",
    "[t]\n",
    '"',
    "'",
    '"""',
    "'''",
    '"x"',
    ",",
    ", ",
    "\n",
    " ",
    "# c",
    "1",
    "2.5",
    "07:32",
    ":00",
    "1979-05-27",
    "T",
    "Z",
    "\\x41",
    "\\e",
    "\\u0041",
    ".",
    "true",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=30).map("".join))
def test_any_text_reads_as_tomllib_reads_it(text: str) -> None:
    assert outcome(lambda t: loads(t, fast=tomli.loads), text) == outcome(tomllib.loads, text)


@st.composite
def inline_tables(draw: st.DrawFn, depth: int = 0) -> str:
    """An inline table, its keys and separators drawn: on one line or over several."""
    space = st.sampled_from(["", " ", "\n", " # c\n"])
    values = ["1", '"s"', "[1,\n2]", "'{'"]
    items = []
    for i in range(draw(st.integers(0, 3))):
        nested = depth < 2 and draw(st.booleans())
        value = draw(inline_tables(depth + 1)) if nested else draw(st.sampled_from(values))
        items.append(f"{draw(space)}k{i} = {value}{draw(space)}")
    comma = draw(st.sampled_from(["", ","]))
    return "{" + ",".join(items) + comma + draw(space) + "}"


@settings(max_examples=300, deadline=None)
@given(st.lists(inline_tables(), min_size=1, max_size=3))
def test_inline_tables_read_as_tomllib_reads_them(tables: list[str]) -> None:
    text = "".join(f"t{i} = {table}\n" for i, table in enumerate(tables))
    assert outcome(lambda t: loads(t, fast=tomli.loads), text) == outcome(tomllib.loads, text)


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.stem)
def test_both_parsers_give_the_same_scenario(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _toml.fast_parser() is not None
    fast = negsim.load_scenario(path)
    monkeypatch.setattr(_toml, "fast_parser", lambda: None)
    assert negsim.load_scenario(path) == fast


@pytest.mark.parametrize("templated", [False, True], ids=["listed", "templated"])
def test_both_parsers_give_the_same_synthetic_crisis(
    templated: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "crisis.toml"
    path.write_text(scenario_toml(collective_crisis(6, templated=templated)), encoding="utf-8")
    fast = negsim.load_scenario(path)
    monkeypatch.setattr(_toml, "fast_parser", lambda: None)
    assert negsim.load_scenario(path) == fast


def test_versions_outside_the_range_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    for version, used in [("2.1.0", False), ("2.2.0", True), ("2.5.0", True), ("3.0.0", False)]:
        _toml.fast_parser.cache_clear()
        monkeypatch.setattr(_toml.importlib.metadata, "version", lambda _, v=version: v)
        assert (_toml.fast_parser() is not None) is used, version
    _toml.fast_parser.cache_clear()
    monkeypatch.undo()
    assert _toml.fast_parser() is tomli.loads


def test_the_extra_asks_for_the_versions_used() -> None:
    config = tomllib.loads((SCENARIOS.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    extras = config["project"]["optional-dependencies"]
    low = ".".join(map(str, _toml._TOMLI_FROM))
    high = ".".join(map(str, _toml._TOMLI_BELOW))
    assert extras["fast"] == [f"tomli>={low},<{high}"]
    assert f"tomli>={low},<{high}" in extras["test"]
