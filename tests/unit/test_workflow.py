"""The research workflow's small fixes: provenance of variants, frames, reprs, progress."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import negsim
from negsim.experiments import _sweep

ROOT = Path(__file__).resolve().parents[2]
KOREA = ROOT / "examples" / "scenarios" / "korea_bilateral.toml"
BALTIC = ROOT / "examples" / "scenarios" / "baltic_nato.toml"


@pytest.fixture(scope="module")
def korea() -> negsim.Scenario:
    return negsim.load_scenario(KOREA)


def test_variant_keeps_its_overrides_in_provenance(korea: negsim.Scenario) -> None:
    variant = negsim.apply_overrides(korea, ["agents.JPN.params.cost_nuclear=30.0"])
    again = negsim.apply_overrides(variant, [("agents.JPN.params.korea_minute", True)])
    result = negsim.simulate(again, seed=1, overrides=['agents.DPRK.params.targets="ROK"'])
    assert result.provenance is not None
    assert result.provenance.overrides == (
        "agents.JPN.params.cost_nuclear=30.0",
        "agents.JPN.params.korea_minute=true",
        'agents.DPRK.params.targets="ROK"',
    )
    # the recorded overrides rebuild the same run
    rebuilt = negsim.simulate(korea, seed=1, overrides=result.provenance.overrides)
    assert rebuilt.events == result.events


def test_overrides_do_not_change_equality(korea: negsim.Scenario) -> None:
    same = negsim.apply_overrides(korea, ["scenario.max_rounds=20"])
    assert same.overrides == ("scenario.max_rounds=20",)
    assert same == korea


def test_frame_has_short_parameter_columns_and_na(korea: negsim.Scenario) -> None:
    from negsim.results import to_frame

    pd = pytest.importorskip("pandas")
    runs = [
        negsim.simulate(korea, seed=s, overrides=[f"agents.JPN.params.cost_nuclear={c}"])
        for s in range(12)
        for c in (20.0, 90.0)
    ]
    runs.append(negsim.simulate(korea, seed=99))
    frame = to_frame(runs)
    assert list(frame.columns[:3]) == ["scenario", "seed", "cost_nuclear"]
    assert frame["cost_nuclear"].iloc[:24].tolist() == [20.0, 90.0] * 12
    assert pd.isna(frame["cost_nuclear"].iloc[24])
    # a run without an attack has no attack_round: NA, never a sentinel such as -1
    no_attack = frame["metric.attack_size"] == 0
    assert no_attack.any(), "the 25 runs should include one without an attack"
    assert frame.loc[no_attack, "metric.attack_round"].isna().all()
    assert (frame.loc[~no_attack, "metric.attack_round"] >= 1).all()


def test_short_names_keep_clashing_paths_whole() -> None:
    from negsim.results import short_names

    names = short_names(["a.JPN.cost", "a.USA.cost", "b.seed", "b.stakes"])
    assert names == {
        "a.JPN.cost": "a.JPN.cost",
        "a.USA.cost": "a.USA.cost",
        "b.seed": "b.seed",
        "b.stakes": "stakes",
    }


def test_reprs_are_short(korea: negsim.Scenario) -> None:
    baltic = negsim.load_scenario(BALTIC)
    assert len(repr(baltic)) < 300
    assert repr(baltic).startswith("negsim.Scenario(name='baltic-nato'")
    assert "33 in all" in repr(baltic)
    result = negsim.simulate(korea, seed=1)
    assert repr(result).startswith("negsim.Result(outcome=")
    assert len(repr(result)) < 200
    html = baltic._repr_html_()
    assert html.startswith("<table>")
    assert "baltic-nato" in html
    assert "<table>" in result._repr_html_()


def test_sweep_report_repr_is_short() -> None:
    pytest.importorskip("pandas")
    report = negsim.experiments.sweep(KOREA, runs=3, backend="serial", progress=False)
    assert repr(report).startswith("negsim.experiments.SweepReport(")
    assert len(repr(report)) < 300
    assert "<table>" in report._repr_html_()


def test_progress_rate_is_the_average_from_the_first_update() -> None:
    """A resumed sweep of 1,000 runs, 10 more done in 2 s: 5 runs/s, not thousands."""
    times = iter([100.0, 100.0, 102.0])
    with _sweep._Progress(True, 2000, 1000, clock=lambda: next(times)) as bar:
        bar.advance(10, 0)
        task = bar._progress.tasks[0]
        assert task.fields["rate"].strip() == "5.0 runs/s"
        assert task.fields["eta"] == "0:03:18"  # 990 runs at 5 runs/s


def test_progress_fields_before_any_run() -> None:
    assert _sweep.progress_fields(0, 0.0, 10) == ("  -- runs/s", "-:--:--")
    rate, _ = _sweep.progress_fields(3, 1.5, 0)
    assert math.isclose(float(rate.split()[0]), 2.0)


def test_summary_of_several_result_sets(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from negsim.cli import main

    pytest.importorskip("pandas")
    integrated = KOREA.with_name("korea_integrated.toml")
    for name, file in (("a.csv", KOREA), ("b.csv", integrated)):
        negsim.experiments.sweep(
            file,
            grid=["agents.DPRK.params.value_gain=20,60"],
            runs=4,
            backend="serial",
            progress=False,
            out=tmp_path / name,
        )
    result = CliRunner().invoke(
        main,
        ["summary", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "--format", "csv"],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("results,param.agents.DPRK.params.value_gain,outcome,")
    sets = {line.split(",")[0] for line in lines[1:]}
    assert sets == {str(tmp_path / "a.csv"), str(tmp_path / "b.csv")}
    # each result set and value: 4 runs
    assert all(line.split(",")[4] == "4" for line in lines[1:])


def test_the_digest_is_of_the_content_not_of_how_it_was_made(korea: negsim.Scenario) -> None:
    from negsim.engine import scenario_digest

    same = negsim.apply_overrides(korea, ["scenario.max_rounds=20"])
    assert same.overrides
    assert scenario_digest(same) == scenario_digest(korea)
    other = negsim.apply_overrides(korea, ["scenario.max_rounds=19"])
    assert scenario_digest(other) != scenario_digest(korea)
