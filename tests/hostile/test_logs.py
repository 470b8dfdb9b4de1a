"""Event logs: every string a run holds reads back equal, whatever its characters.

JSON may hold U+0085 (NEL), U+2028 and U+2029 raw, but line-oriented readers
(:meth:`str.splitlines` among them) split lines there; a lone surrogate cannot be
encoded as UTF-8 at all. The writer escapes them, the reader splits on newlines only.
"""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import negsim
from negsim.model import MessageSent
from negsim.results import dumps_lines, read_jsonl, write_jsonl
from negsim.scenario import scenario_from_dict
from tests.hostile import faults

REGISTRY = faults.registry()
TRICKY = ["\u2028", "\u2029", "\x85", "\x1c\x1d\x1e", "\x0b\x0c\r", "a\nb", "\ud800", "\U0001f600"]


def run_saying(text: str) -> negsim.Result:
    """A run whose scenario, agent, commitment and messages all hold ``text``."""
    data = tomllib.loads(faults.scenario_toml("says", max_rounds=3))
    data["scenario"]["name"] = text
    data["scenario"]["description"] = text
    data["agents"][1]["name"] = text
    data["commitments"] = [
        {"id": "c1", "debtor": "A", "creditor": "B", "consequent": "attacked(B)", "source": text}
    ]
    scenario = scenario_from_dict(data, registry=REGISTRY)
    faults.Says.TEXT = text
    try:
        return negsim.Simulation(scenario, registry=REGISTRY).run()
    finally:
        faults.Says.TEXT = ""


def round_trip(result: negsim.Result, tmp: Path) -> negsim.Result:
    path = tmp / "run.jsonl"
    write_jsonl(result, path)
    return read_jsonl(path)


@pytest.mark.parametrize("text", TRICKY)
def test_line_separators_and_surrogates_round_trip(tmp_path, text):
    result = run_saying(text)
    back = round_trip(result, tmp_path)
    assert back == result
    said = [e.message.content["text"] for e in back.events if isinstance(e, MessageSent)]
    assert said == [text, text]
    for line in dumps_lines(result):  # one physical line each, whoever splits them
        assert line.splitlines() == [line]


ANY_CHARACTER = st.one_of(
    st.sampled_from("\u2028\u2029\x85\ud800\udfff\x1c\r\n"),  # the rare ones, often
    st.characters(exclude_categories=()),  # surrogates included
)


@given(text=st.text(ANY_CHARACTER, max_size=40))
def test_any_text_round_trips(tmp_path_factory, text):
    result = run_saying(text)
    assert round_trip(result, tmp_path_factory.mktemp("log")) == result


@given(key=st.text(ANY_CHARACTER, min_size=1, max_size=10), value=st.text(ANY_CHARACTER))
def test_any_content_key_and_value_round_trip_through_lines(key, value):
    result = run_saying("x")
    sent = next(e for e in result.events if isinstance(e, MessageSent))
    changed = attrs.evolve(sent, message=attrs.evolve(sent.message, content={key: value}))
    result = attrs.evolve(result, events=(changed,))
    buffer = io.StringIO()
    write_jsonl(result, buffer)
    assert read_jsonl(buffer.getvalue().split("\n")) == result
