"""Sweeps over explicit design points (a table of rows)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from negsim.cli import main
from negsim.experiments import SweepError, sweep
from negsim.experiments._params import make_design

pd = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[2]
KOREA = ROOT / "examples" / "scenarios" / "korea_bilateral.toml"
GAIN = "agents.DPRK.params.value_gain"
ROUNDS = "agents.JPN.params.consultation_rounds"


def test_each_row_is_one_point_in_order_typed_like_the_scenario() -> None:
    points = pd.DataFrame({GAIN: [20.0, 40.5, 60.0], ROUNDS: [0.6, 1.2, 2.9]})
    report = sweep(KOREA, points=points, runs=2, backend="serial", progress=False)
    frame = report.frame()
    assert report.total == 6
    assert frame["point"].tolist() == [0, 0, 1, 1, 2, 2]
    assert frame[f"param.{GAIN}"].tolist() == [20.0, 20.0, 40.5, 40.5, 60.0, 60.0]
    # consultation_rounds is an integer in the scenario: rounded to the nearest
    assert frame[f"param.{ROUNDS}"].tolist() == [1, 1, 1, 1, 3, 3]


def test_rows_and_mappings_and_csv_make_the_same_sweep(tmp_path: Path) -> None:
    rows = [{GAIN: 20.0}, {GAIN: 60.0}]
    csv = tmp_path / "points.csv"
    csv.write_text(f"{GAIN}\n20\n60\n", encoding="utf-8")
    frames = [
        sweep(KOREA, points=p, runs=3, backend="serial", progress=False).frame()
        for p in (rows, {GAIN: [20.0, 60.0]}, csv)
    ]
    for other in frames[1:]:
        assert other["run_key"].tolist() == frames[0]["run_key"].tolist()
        assert other["outcome"].tolist() == frames[0]["outcome"].tolist()


def test_design_points_resume(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    points = {GAIN: [20.0, 30.0, 60.0]}
    first = sweep(KOREA, points=points, runs=2, backend="serial", progress=False, out=out)
    again = sweep(KOREA, points=points, runs=2, backend="serial", progress=False, out=out)
    assert (first.ran, again.ran, again.skipped) == (6, 0, 6)
    with pytest.raises(SweepError, match="different sweep"):
        sweep(KOREA, points={GAIN: [20.0]}, runs=2, backend="serial", progress=False, out=out)


def test_bad_design_points_are_refused() -> None:
    with pytest.raises(SweepError, match="different lengths"):
        make_design({"a": [1.0, 2.0], "b": [1.0]})
    with pytest.raises(SweepError, match="different types"):
        make_design({"a": [1.0, "x"]})
    with pytest.raises(SweepError, match="does not set every path"):
        sweep(KOREA, points=[{GAIN: 1.0}, {ROUNDS: 1}], backend="serial", progress=False)


def test_cli_points_file_and_a_bad_path(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(f"{GAIN},agents.JPN.params.korea_minute\n20,true\n60,false\n", "utf-8")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        main,
        ["sweep", str(KOREA), "--points", str(good), "--runs", "3", "--backend", "serial",
         "--out", str(out), "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "value_gain" in result.output
    assert "korea_minute" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("agents.DPRK.params.nope\n1\n", "utf-8")
    result = CliRunner().invoke(
        main, ["sweep", str(KOREA), "--points", str(bad), "--out", str(tmp_path / "b.csv")]
    )
    assert result.exit_code == 2
    assert "design point agents.DPRK.params.nope" in result.output
    assert "Traceback" not in result.output


def test_a_repeated_design_point_runs_again_with_its_own_keys() -> None:
    report = sweep(KOREA, points={ROUNDS: [1.2, 0.9, 3.0]}, runs=2, backend="serial",
                   progress=False)  # fmt: skip
    frame = report.frame()
    assert report.total == 6
    assert frame["run_key"].is_unique
    assert frame[f"param.{ROUNDS}"].tolist() == [1, 1, 1, 1, 3, 3]
    assert frame["run_key"].iloc[0] == f"{ROUNDS}=1;point=0;replicate=0"
