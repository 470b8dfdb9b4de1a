"""Tests of results: JSONL round trips, byte-identical logs, tidy rows and frames."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest

import negsim
from negsim.errors import ScenarioFileError
from negsim.logic import Rule
from negsim.model import EVENT_TYPES, Result
from negsim.results import dumps_lines, event_from_dict, event_to_dict, to_frame, to_rows
from negsim_protocols import alternating
from tests import _processes as processes
from tests.toyplugins import Scripted, agent, demo_data, demo_jsonl, demo_toml, make_registry
from tests.toyplugins import make_scenario as _make_scenario

ROOT = Path(__file__).resolve().parents[2]


_WARY = Rule("wary", "resolve - threat", "A holds firm while its resolve exceeds the threat", "")
"""A rule the kitchen sink's agent A decides by, for the decision ledger's event."""


def kitchen_sink() -> Result:
    """A short run whose log holds every event type."""
    script = {
        ("A", 1): lambda v: [
            *([] if _WARY.holds({"threat": 0.5, "resolve": 2.0}) else [v.act("stand_down")]),
            v.say("B", "pledge", antecedent="attacked(B)", consequent="responds(A,B)", deadline=1),
            v.say(["B", "C"], "propose", alliance="X", proposal="px"),
            v.say("A", "inform"),  # rejected: self as recipient
        ],
        ("B", 1): lambda v: [
            v.say(
                "A",
                "inform",
                flag=True,
                count=3,
                share=0.25,
                note="é ünïcode ✓",
                conversation="talks",
            ),
            v.say("C", "propose", alliance="Y", proposal="py", decision="consult"),
        ],
        ("C", 1): lambda v: [v.act("attack", "B", 0.5, axis="north")],
        ("A", 2): lambda v: [
            v.act("respond", "B"),
            v.say("B", "accept", in_reply_to="1:B:0"),
            v.offer("deal", share=0.5),
        ],
        ("B", 2): lambda v: [v.say("A", "vote", proposal="px", consent=True)],
        ("B", 3): lambda v: [v.accept("deal")],
        ("C", 2): lambda v: [
            v.say("A", "vote", proposal="px", consent=True),
            v.say("B", "vote", proposal="py", consent=False),
        ],
    }
    scripted = Scripted(script, honour={"t": True})
    registry = make_registry(("alternating_offers", alternating), script=scripted)
    scenario = _make_scenario(
        registry,
        [agent("A"), agent("B"), agent("C")],
        alliances=[
            {
                "id": "X",
                "name": "x",
                "kind": "collective",
                "members": ["A", "B", "C"],
                "decision_rule": "consensus",
                "decision_deadline": 2,
            },
            {
                "id": "Y",
                "name": "y",
                "kind": "bilateral",
                "members": ["B", "C"],
                "decision_rule": "majority",
            },
        ],
        commitments=[
            {
                "id": "t",
                "debtor": "A",
                "creditor": "B",
                "antecedent": "attacked(B)",
                "consequent": "responds(A,B)",
                "deadline": 2,
                "expires": 9,
            }
        ],
        facts=["alert(A)", "alert(B)", "alert(C)"],
        stop_round=3,
        negotiations=[
            {
                "id": "deal",
                "protocol": "alternating_offers",
                "parties": ["A", "B"],
                "opens": 2,
                "issues": [
                    {
                        "name": "share",
                        "low": 0.0,
                        "high": 1.0,
                        "debtor": "A",
                        "consequent": "paid(A,B)",
                    }
                ],
            }
        ],
    )
    return negsim.simulate(scenario, seed=2, registry=registry, ledger=True)


@pytest.fixture(scope="module")
def sink() -> Result:
    return kitchen_sink()


def test_kitchen_sink_has_every_event_type(sink):
    assert {e.kind for e in sink.events} == set(EVENT_TYPES)


def test_jsonl_round_trip_through_a_text_buffer(sink):
    buf = io.StringIO()
    negsim.write_jsonl(sink, buf)
    back = negsim.read_jsonl(buf.getvalue().splitlines())
    assert back == sink
    assert back.events == sink.events
    assert [type(e) for e in back.events] == [type(e) for e in sink.events]
    assert back.provenance == sink.provenance


def test_jsonl_round_trip_through_a_file(sink, tmp_path):
    path = tmp_path / "run.jsonl"
    negsim.write_jsonl(sink, path)
    assert negsim.read_jsonl(path) == sink
    assert negsim.read_jsonl(str(path)) == sink
    raw = path.read_bytes()
    assert b"\r\n" not in raw
    assert raw.endswith(b"\n")
    assert "é ünïcode ✓".encode() in raw


def test_jsonl_layout(sink):
    lines = list(dumps_lines(sink))
    records = [json.loads(line) for line in lines]
    assert records[0]["type"] == "header"
    assert records[0]["format"] == negsim.results.FORMAT
    assert records[0]["provenance"]["seed"] == 2
    assert [r["type"] for r in records[1:-1]] == ["event"] * len(sink.events)
    assert records[-1]["type"] == "result"
    assert records[-1]["outcome"] == "settlement"
    for line in lines:  # sorted keys, fixed separators
        assert line == json.dumps(
            json.loads(line), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )


@pytest.mark.parametrize("kind", sorted(EVENT_TYPES))
def test_each_event_type_round_trips_alone(sink, kind):
    event = next(e for e in sink.events if e.kind == kind)
    data = json.loads(json.dumps(event_to_dict(event)))
    assert data["kind"] == kind
    assert event_from_dict(data) == event


def test_result_without_provenance_round_trips(sink):
    import attrs

    bare = attrs.evolve(sink, provenance=None)
    assert negsim.read_jsonl(list(dumps_lines(bare))) == bare


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"type": "header", "format": 1}', "not json"], "line 2"),
        (['{"type": "header", "format": 1}', '{"type": "gossip"}'], "line 2"),
        (['{"type": "header", "format": 1}', '{"type": "event", "kind": "nope"}'], "line 2"),
        (['{"type": "header", "format": 1}'], "no closing 'result' line"),
    ],
)
def test_read_jsonl_refuses_a_broken_log(lines, message):
    with pytest.raises(ScenarioFileError, match=message):
        negsim.read_jsonl(lines)


def test_read_jsonl_missing_file(tmp_path):
    with pytest.raises(ScenarioFileError, match="cannot read"):
        negsim.read_jsonl(tmp_path / "nope.jsonl")


# -- byte-identical logs ------------------------------------------------------------------------


def test_same_scenario_and_seed_give_identical_bytes():
    first = demo_jsonl(7)
    assert first == demo_jsonl(7)
    assert first != demo_jsonl(8)  # the seed matters, so equality above means something
    assert len(first.splitlines()) > 100


def test_agent_order_in_the_file_does_not_change_the_log(tmp_path):
    forward = tmp_path / "forward.toml"
    backward = tmp_path / "backward.toml"
    forward.write_text(demo_toml(), encoding="utf-8")
    backward.write_text(demo_toml(reverse=True), encoding="utf-8")
    assert forward.read_text() != backward.read_text()
    log = demo_jsonl(7, path=forward)
    assert demo_jsonl(7, path=backward) == log
    assert log == demo_jsonl(7)


_SUBPROCESS = """
import sys
from tests.toyplugins import demo_jsonl
path = sys.argv[1] if len(sys.argv) > 1 else None
sys.stdout.write(demo_jsonl(7, path=path))
"""


def _jsonl_in_subprocess(hashseed: str, *args: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    proc = processes.run(
        [sys.executable, "-c", _SUBPROCESS, *args],
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_identical_bytes_across_processes_and_hash_seeds(tmp_path):
    backward = tmp_path / "backward.toml"
    backward.write_text(demo_toml(reverse=True), encoding="utf-8")
    expected = demo_jsonl(7)
    logs = {seed: _jsonl_in_subprocess(seed) for seed in ("0", "1", "4242", "random")}
    logs["reversed-file"] = _jsonl_in_subprocess("977", str(backward))
    for name, log in logs.items():
        assert log == expected, f"PYTHONHASHSEED={name} gave a different log"


# -- rows and frames ----------------------------------------------------------------------------


def _results():
    registry = make_registry()
    scenario = negsim.scenario.scenario_from_dict(demo_data(), registry=registry)
    return [negsim.simulate(scenario, seed=s, registry=registry) for s in (1, 2, 3)]


def test_to_rows_one_flat_row_per_run():
    results = _results()
    rows = to_rows(results)
    assert len(rows) == 3
    for row, result in zip(rows, results, strict=True):
        assert row["scenario"] == "demo"
        assert row["seed"] == result.provenance.seed
        assert row["outcome"] == str(result.outcome)
        assert row["rounds"] == result.rounds
        assert row["reason"] == result.reason
        assert row["overrides"] == ""
        assert {k[len("metric.") :]: v for k, v in row.items() if k.startswith("metric.")} == dict(
            result.metrics
        )
        assert all(isinstance(v, (str, int, float)) for v in row.values())
    assert [r["seed"] for r in rows] == [1, 2, 3]
    assert negsim.to_rows([]) == []


def test_to_frame_shape():
    import pandas as pd

    results = _results()
    frame = to_frame(results)
    rows = to_rows(results)
    assert isinstance(frame, pd.DataFrame)
    assert frame.shape == (3, len(rows[0]))
    assert list(frame.columns) == list(rows[0])
    assert frame["seed"].tolist() == [1, 2, 3]
    assert frame["metric.rounds"].tolist() == [float(r.rounds) for r in results]


def test_events_frame_has_one_row_per_event(sink):

    frame = negsim.results.events_frame(sink)
    assert len(frame) == len(sink.events)
    assert frame["kind"].tolist() == [e.kind for e in sink.events]
    assert frame["round"].tolist() == [e.round for e in sink.events]
