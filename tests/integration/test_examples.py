"""The example scripts the docs include run as printed."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from tests import _processes as processes

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

pytestmark = pytest.mark.integration


def _run(*args: str, cwd: Path) -> str:
    done = processes.run([sys.executable, *args], cwd=cwd, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_dilemma_script_prints_both_arrangements(tmp_path: Path) -> None:
    out = _run(str(EXAMPLES / "dilemma.py"), "--runs", "5", "--out", "d.csv", cwd=tmp_path)
    lines = [line for line in out.splitlines() if line.startswith(("bilateral", "integrated"))]
    header = (tmp_path / "d.csv").read_text().splitlines()[0]
    assert header.startswith("arrangement,hazard,deterred")
    with (tmp_path / "d.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    hazards = sorted({float(r["hazard"]) for r in rows})
    assert len(hazards) >= 2
    # every hazard for both arrangements, printed and written alike
    assert sorted((r["arrangement"], float(r["hazard"])) for r in rows) == sorted(
        (a, h) for a in ("bilateral", "integrated") for h in hazards
    )
    assert len(lines) == len(rows)
    for r in rows:  # each row: the shares of the outcomes over the runs
        shares = [float(v) for k, v in r.items() if k not in ("arrangement", "hazard")]
        assert sum(shares) == pytest.approx(1.0)


def test_frames_script_tabulates_runs_and_events(tmp_path: Path) -> None:
    out = _run(str(EXAMPLES / "frames.py"), cwd=tmp_path)
    assert "outcome" in out
    assert "messages" in out
    assert (tmp_path / "wedge.jsonl").exists()


def test_baltic_generator_is_in_step_with_the_file(tmp_path: Path) -> None:
    """baltic_nato.toml is what make_baltic.py writes (no hand edits drift)."""
    script = EXAMPLES / "scenarios" / "make_baltic.py"
    copy = tmp_path / "make_baltic.py"
    copy.write_text(script.read_text())
    _run(str(copy), cwd=tmp_path)
    assert (tmp_path / "baltic_nato.toml").read_text() == (
        EXAMPLES / "scenarios" / "baltic_nato.toml"
    ).read_text()


@pytest.mark.parametrize("which", [(), ("--consensus",)], ids=["dilemma", "consensus"])
def test_ablation_script_writes_a_table_with_every_mechanism(
    tmp_path: Path, which: tuple[str, ...]
) -> None:
    """Each mechanism is a row; each cell a difference with an interval around it."""
    _run(str(EXAMPLES / "ablation.py"), "--runs", "4", *which, "--out", "t.md", cwd=tmp_path)
    rows = [r for r in (tmp_path / "t.md").read_text().splitlines() if r.startswith("| ")]
    body = rows[1:]  # the header row first
    assert body[0].startswith("| none (the model as it is) |")
    assert len(body) >= 5
    for row in body:
        for cell in row.strip("|").split("|")[1:]:
            d, interval = cell.split(" [")
            low, high = (float(x) for x in interval.rstrip("] ").split(", "))
            assert low <= float(d) <= high
