"""The HTML report in a real browser: headless Chromium, driven through Playwright.

Needs the ``browser`` extra (``pip install -e ".[test,browser]"``) and Chromium at
``/usr/bin/chromium`` (Debian: ``apt-get install chromium``; another path through
``NEGSIM_CHROMIUM``). Without them these tests skip, saying what is missing, unless
``NEGSIM_REQUIRE_BROWSER=1`` is set (CI sets it): then a missing browser fails the run.

The screenshots of two charts, made from a stored log of a flagship run
(``tests/data/korea_bilateral_seed4.jsonl``, so a change to a doctrine does not move
them), are compared with the reference PNGs beside it (``tests/data/report-*.png``).
After an intended change to the report's drawing, write new references with
``NEGSIM_UPDATE_SCREENSHOTS=1`` and look at them before committing.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import negsim
from negsim.cli import main
from negsim.model import (
    Commitment,
    Message,
    MessageSent,
    Narration,
    OutcomeReached,
    Result,
    RuleEvaluated,
    WorldState,
)
from negsim.results import LIMIT, SECTIONS, read_jsonl, write_jsonl

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parents[1] / "data"
SCENARIOS = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
CHROMIUM = Path(os.environ.get("NEGSIM_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_ENV = "NEGSIM_REQUIRE_BROWSER"
UPDATE_ENV = "NEGSIM_UPDATE_SCREENSHOTS"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--font-render-hinting=none",
]
VIEWPORT = {"width": 1200, "height": 900}
MEAN_TOLERANCE = 1.0
"""The largest mean absolute difference per pixel (grey levels, 0-255) from a reference."""
STRONG_TOLERANCE = 0.002
"""The largest share of pixels that may differ from the reference by more than 48 levels."""


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def _need_browser() -> None:
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("the playwright package (pip install -e '.[browser]')")
    if not CHROMIUM.is_file():
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium, or set NEGSIM_CHROMIUM)")
    if missing:
        reason = "the browser test needs " + " and ".join(missing)
        if _flag(REQUIRE_ENV):
            pytest.fail(f"{reason}; {REQUIRE_ENV} is set, so this is a failure, not a skip")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Visit:
    """A page opened from a file, with every console error, page error, dialog and request."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url, wait_until="load")

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def close(self) -> None:
        self.context.close()


def _cli(*args: str) -> None:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output


def test_a_flagship_run_reads_in_chromium(browser: Any, tmp_path: Path) -> None:
    log, page_file = tmp_path / "run.jsonl", tmp_path / "run.html"
    scenario = str(SCENARIOS / "korea_bilateral.toml")
    _cli("run", scenario, "--seed", "4", "--ledger", "--log", str(log), "-q")
    _cli("report", str(log), "-o", str(page_file))
    result = read_jsonl(log)
    visit = Visit(browser, page_file)
    page = visit.page
    try:
        for section in SECTIONS:
            assert page.locator(f"section#{section} > h2").is_visible(), section
        for chart in ("timeline-grid", "message-chart", "lifecycle-chart", "network-chart"):
            box = page.locator(f"#{chart}").bounding_box()
            assert box is not None, chart
            assert box["width"] > 100, chart
            assert box["height"] > 50, chart
        sent = [e for e in result.events if isinstance(e, MessageSent)]
        assert 0 < len(sent) < LIMIT  # all drawn
        arrows = page.locator("#message-chart .arrow")
        assert arrows.count() == sum(len(e.message.recipients) for e in sent)
        first = arrows.first.bounding_box()
        assert first is not None
        assert first["width"] > 20
        # The ledger opens on a click, one row per entry.
        entries = [e for e in result.events if isinstance(e, RuleEvaluated)]
        verdicts = page.locator("details.ledger td.holds, details.ledger td.fails")
        assert verdicts.count() == len(entries)
        assert not verdicts.first.is_visible()
        page.locator("details.ledger > summary").first.click()
        assert verdicts.first.is_visible()
        assert page.locator("#outcome").inner_text() == str(result.outcome)
        assert visit.problems == []
        assert visit.requests == [visit.url]  # nothing but the file itself
    finally:
        visit.close()


def _difference(shot: Path, reference: Path) -> tuple[float, float]:
    from PIL import Image, ImageChops, ImageStat

    with Image.open(shot) as a, Image.open(reference) as b:
        assert a.size == b.size, f"{shot.name} is {a.size}, the reference {b.size}"
        diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).convert("L")
    mean = ImageStat.Stat(diff).mean[0]
    strong = sum(diff.histogram()[49:]) / (diff.width * diff.height)
    return mean, strong


def _shifted(path: Path, out: Path, dx: int) -> Path:
    from PIL import Image, ImageChops

    with Image.open(path) as image:
        ImageChops.offset(image.convert("RGB"), dx, 0).save(out)
    return out


@pytest.mark.parametrize("chart", ["timeline-grid", "message-chart"])
def test_the_charts_look_as_they_did(browser: Any, tmp_path: Path, chart: str) -> None:
    page_file = tmp_path / "report.html"
    negsim.write_report(DATA / "korea_bilateral_seed4.jsonl", page_file)
    visit = Visit(browser, page_file)
    shot = tmp_path / f"{chart}.png"
    try:
        visit.page.locator(f"#{chart}").screenshot(path=str(shot), animations="disabled")
        assert visit.problems == []
    finally:
        visit.close()
    reference = DATA / f"report-{chart}.png"
    if _flag(UPDATE_ENV):
        reference.write_bytes(shot.read_bytes())
        pytest.skip(f"wrote {reference}: look at it before committing")
    assert reference.is_file(), f"no reference {reference}: run with {UPDATE_ENV}=1"
    mean, strong = _difference(shot, reference)
    why = (
        f"{chart} differs from its reference: mean {mean:.2f} levels (at most "
        f"{MEAN_TOLERANCE}), {strong:.2%} of pixels by more than 48 (at most "
        f"{STRONG_TOLERANCE:.1%}); if the change is intended, run with {UPDATE_ENV}=1"
    )
    assert mean < MEAN_TOLERANCE, why
    assert strong < STRONG_TOLERANCE, why
    # The tolerance catches a small change: the same picture moved by 3 pixels fails it.
    moved = _difference(_shifted(shot, tmp_path / "moved.png", 3), reference)
    assert moved[0] >= MEAN_TOLERANCE or moved[1] >= STRONG_TOLERANCE, moved


HOSTILE = "<img src=x onerror=window.__pwned=1;alert(1)>"


def test_hostile_names_are_shown_not_run(browser: Any, tmp_path: Path) -> None:
    script = "</svg></section><script>window.__pwned=2;alert(2)</script>"
    message = Message(HOSTILE, ["USA"], "inform", {"note": script}, round=1, id="1:x:0")
    commitment = Commitment(script, HOSTILE, "USA", "attacked(ROK)", "responds(USA,ROK)")
    events = [
        MessageSent(1, message),
        Narration(1, script, HOSTILE),
        RuleEvaluated(1, HOSTILE, "r", {"x": 1.0}, 0.5, "x - 0.5", script),
        OutcomeReached(1, "deterred", script),
    ]
    result = Result("deterred", script, 1, events, [commitment], WorldState())
    log, page_file = tmp_path / "hostile.jsonl", tmp_path / "hostile.html"
    write_jsonl(result, log)
    _cli("report", str(log), "-o", str(page_file))
    visit = Visit(browser, page_file)
    try:
        page = visit.page
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        assert page.evaluate("window.__pwned") is None
        assert page.evaluate("document.querySelectorAll('img, script').length") == 0
        text = page.evaluate("document.body.textContent")
        assert HOSTILE in text
        assert script in text
        assert visit.problems == []
        assert visit.requests == [visit.url]
    finally:
        visit.close()
