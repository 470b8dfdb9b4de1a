"""The HTML report of a run, without a browser: content, escaping, determinism, caps, bad input.

tests/integration/test_report_browser.py opens the same pages in Chromium.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import negsim
from negsim.cli import main
from negsim.model import (
    Commitment,
    CommitmentChanged,
    Message,
    MessageSent,
    Narration,
    OutcomeReached,
    PluginInfo,
    Provenance,
    Result,
    RuleEvaluated,
    WorldState,
)
from negsim.results import LIMIT, SECTIONS, read_jsonl, report_html, write_jsonl

SCENARIOS = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
HOSTILE = "<img src=x onerror=window.__pwned=1>"


class _Page(HTMLParser):
    """Every tag, attribute and piece of text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.ids: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs
        self.ids += [v for k, v in attrs if k == "id" and v]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def run() -> Result:
    scenario = negsim.load_scenario(SCENARIOS / "korea_bilateral.toml")
    return negsim.simulate(scenario, seed=4, ledger=True)


def _hand_made(name: str = HOSTILE, text: str = "</svg><script>alert(1)</script>") -> Result:
    """A small result whose every text field comes from a hostile scenario author."""
    message = Message(name, ["USA", name], "inform", {"note": text}, round=1, id="1:x:0")
    commitment = Commitment(f"c-{name}", name, "USA", "attacked(ROK)", "responds(USA,ROK)")
    events = [
        MessageSent(1, message),
        Narration(1, text, name),
        RuleEvaluated(1, name, f"rule{text}", {"x": 1.0}, 1.0, "x - 0.5", text),
        CommitmentChanged(1, commitment.id, name, "USA", "conditional", "detached"),
        OutcomeReached(1, "deterred", text),
    ]
    provenance = Provenance(
        "0.0", f"scenario {text}", "abc", 7, (f"agents.{name}=1",), (PluginInfo(name, "world"),)
    )
    return Result(
        outcome="deterred",
        reason=text,
        rounds=1,
        events=events,
        commitments=[commitment],
        world=WorldState(),
        metrics={name: 1.0},
        provenance=provenance,
    )


def test_every_section_in_order_with_its_heading(run: Result) -> None:
    page = report_html(run)
    parsed = _parse(page)
    assert [i for i in parsed.ids if i in SECTIONS] == list(SECTIONS)
    for chart in ("timeline-grid", "message-chart", "lifecycle-chart", "network-chart"):
        assert chart in parsed.ids
    assert page.startswith("<!DOCTYPE html>")
    assert "korea-bilateral, seed 4" in page
    assert f">{run.outcome}</span>" in page


def test_self_contained_no_script_no_url(run: Result) -> None:
    page = report_html(run)
    parsed = _parse(page)
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(parsed.tags)
    assert not re.search(r"https?:|//[a-z]|@import|url\((?!#)", page)
    assert not [k for k, _ in parsed.attrs if k.startswith("on") or k == "src"]
    hrefs = [v for k, v in parsed.attrs if k == "href"]
    assert hrefs
    assert all(v is not None and v.startswith("#") for v in hrefs)
    assert "Content-Security-Policy" in page
    assert "default-src 'none'" in page


def test_one_arrow_per_recipient_of_each_message(run: Result) -> None:
    page = report_html(run)
    sent = run.events_of(MessageSent)
    assert 0 < len(sent) < LIMIT
    expected = sum(len(e.message.recipients) for e in sent)  # type: ignore[attr-defined]
    assert page.count('class="arrow"') == expected
    assert page.count('<g class="message">') == len(sent)


def test_same_log_same_bytes(run: Result, tmp_path: Path) -> None:
    log = tmp_path / "run.jsonl"
    write_jsonl(run, log)
    assert _cli("report", str(log))[0] == 0
    first = (tmp_path / "run.html").read_bytes()
    assert _cli("report", str(log), "-o", str(tmp_path / "again.html"))[0] == 0
    assert (tmp_path / "again.html").read_bytes() == first
    assert first.decode("utf-8") == report_html(read_jsonl(log)) == report_html(run)


def test_the_ledger_when_kept_and_a_note_when_not(run: Result) -> None:
    entries = run.events_of(RuleEvaluated)
    assert entries
    page = report_html(run)
    assert "kept no decision ledger" not in page
    held = sum(e.value > 0 for e in entries)  # type: ignore[attr-defined]
    assert page.count('<td class="holds">') == held
    assert page.count('<td class="fails">') == len(entries) - held
    assert "(&lt; " in page or "(&gt; " in page  # where a rule flips in an input
    scenario = negsim.load_scenario(SCENARIOS / "korea_bilateral.toml")
    plain = report_html(negsim.simulate(scenario, seed=4))
    assert "kept no decision ledger" in plain
    assert "--seed 4 --ledger --log" in plain
    assert 'class="holds"' not in plain


def test_every_text_from_the_log_is_escaped() -> None:
    page = report_html(_hand_made())
    parsed = _parse(page)
    assert not {"script", "img"} & set(parsed.tags)
    assert "<img" not in page
    assert "<script" not in page
    assert not [k for k, _ in parsed.attrs if k.startswith("on")]
    text = "".join(parsed.text)
    assert HOSTILE in text  # shown as text, in full, somewhere (the charts shorten ids)
    assert "</svg><script>alert(1)</script>" in text


@given(st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=30))
def test_any_text_reads_back_as_itself(text: str) -> None:
    parsed = _parse(report_html(_hand_made(name="ROK", text=text)))
    assert text in "".join(parsed.text)
    assert "script" not in parsed.tags


def test_long_runs_are_capped_with_a_note() -> None:
    events = [
        MessageSent(1 + i // 10, Message("A", ["B", "C"], "inform", round=1 + i // 10))
        for i in range(120)
    ]
    events += [
        RuleEvaluated(1, "A", "r", {"x": float(i)}, float(i) - 5, "x - 5") for i in range(90)
    ]
    result = Result(
        "deterred", "", 12, [*events, OutcomeReached(12, "deterred", "")], [], WorldState()
    )
    page = report_html(result, limit=25)
    assert page.count('<g class="message">') == 25
    assert page.count('class="arrow"') == 50
    assert "Showing the first 25 of 120 messages: 95 left out" in page
    assert "Showing the first 25 of 90 ledger entries: 65 left out" in page
    assert page.count('<td class="holds">') + page.count('<td class="fails">') == 25
    assert "Showing the first 25 of" not in report_html(result, limit=200)
    with pytest.raises(ValueError, match="'limit' must be >= 1"):
        report_html(result, limit=0)


def test_unchanged_commitments_are_counted_not_drawn(run: Result) -> None:
    page = report_html(run)
    moved = {e.commitment for e in run.events_of(CommitmentChanged)}  # type: ignore[attr-defined]
    still = len(run.commitments) - len(moved)
    assert page.count('<g class="lifecycle">') == len(moved)
    assert f"{still} commitments never left their first state" in page


def test_python_api_writes_the_cli_page(run: Result, tmp_path: Path) -> None:
    negsim.write_report(run, tmp_path / "a.html")
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == report_html(run)


def test_bad_input_one_message_exit_2(tmp_path: Path, run: Result) -> None:
    log = tmp_path / "run.jsonl"
    write_jsonl(run, log)
    lines = log.read_text(encoding="utf-8").splitlines()
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text("\n".join([*lines[:5], lines[5][:40], *lines[6:]]), encoding="utf-8")
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:10]), encoding="utf-8")
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    cases = {
        tmp_path / "missing.jsonl": "No such file",
        SCENARIOS / "korea_bilateral.toml": "line 1: not a negsim log line",
        damaged: "line 6: not a negsim log line",
        cut: "no closing 'result' line",
        binary: "not UTF-8 text",
    }
    for path, why in cases.items():
        code, out = _cli("report", str(path), "-o", str(tmp_path / "out.html"))
        assert code == 2, out
        assert out.startswith("error: cannot read the event log: ")
        assert why in out
        assert str(path) in out
        assert "Traceback" not in out
        assert out.count("\n") == 1
    assert not (tmp_path / "out.html").exists()
    code, out = _cli("report", str(log), "-o", str(log))
    assert code == 2
    assert "would overwrite its log" in out
    code, out = _cli("report", str(log), "--limit", "0")
    assert code == 2


def test_explain_reads_logs_the_same_way(tmp_path: Path) -> None:
    code, out = _cli("explain", str(tmp_path / "missing.jsonl"), "--agent", "JPN")
    code2, out2 = _cli("report", str(tmp_path / "missing.jsonl"))
    assert code == code2 == 2
    assert out == out2


def test_the_network_draws_each_pair_once_furthest_first(run: Result) -> None:
    page = report_html(run)
    pairs = {(c.debtor, c.creditor) for c in run.commitments if c.debtor != c.creditor}
    assert page.count('class="edge"') == len(pairs)
    assert any(c.state == "violated" for c in run.commitments)
    table = page.split("<h3>Commitments by pair</h3>")[1]
    first = re.search(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", table)
    assert first is not None
    assert "violated" in first.group(2)
