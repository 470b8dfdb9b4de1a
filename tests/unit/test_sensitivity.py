"""Sobol sensitivity analysis over explicit design points (SALib)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from negsim.cli import main

pytest.importorskip("SALib")
pd = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[2]
KOREA = ROOT / "examples" / "scenarios" / "korea_bilateral.toml"
GAIN = "agents.DPRK.params.value_gain=20:60"
COST = "agents.JPN.params.cost_nuclear=20:100"


@pytest.fixture(scope="module")
def deterred() -> object:
    from negsim.experiments import sobol_indices

    # n = 16: 16 x (2 + 2) = 64 points, 20 runs each, seed 0 (deterministic)
    return sobol_indices(
        KOREA, [GAIN, COST], outcome="deterred", n=16, runs=20, seed=0,
        backend="serial", progress=False,
    )  # fmt: skip


def test_design_and_values(deterred: object) -> None:
    assert deterred.points == 64  # type: ignore[attr-defined]
    values = deterred.values  # type: ignore[attr-defined]
    assert len(values) == 64
    assert all(0.0 <= v <= 1.0 for v in values)
    # twenty runs per point: every share is a multiple of 1/20
    assert all(abs(v * 20 - round(v * 20)) < 1e-9 for v in values)
    assert min(values) < 0.3 < 0.6 < max(values)


def test_the_grab_value_drives_deterrence_and_the_strike_cost_barely(deterred: object) -> None:
    """64 points x 20 runs, seed 0, 95% bootstrap intervals.

    A heatmap of the same two parameters shows P(deterred) falling from about 0.7 to
    0.1 as the DPRK's value of the grab rises from 20 to 60, and hardly moving with
    Japan's cost of a nuclear strike: the grab's first-order index is above zero,
    the strike cost's interval holds zero, and the grab's index is the larger.
    """
    t = deterred.table.set_index("parameter")  # type: ignore[attr-defined]
    gain = t.loc["agents.DPRK.params.value_gain"]
    cost = t.loc["agents.JPN.params.cost_nuclear"]
    assert gain["S1_low"] > 0
    assert cost["S1_low"] < 0 < cost["S1_high"]
    assert gain["S1"] > cost["S1"]
    assert (t["S1_low"] <= t["S1"]).all()
    assert (t["S1"] <= t["S1_high"]).all()


def test_runs_are_resumable_in_a_results_directory(tmp_path: Path) -> None:
    from negsim.experiments import sobol_indices

    out = tmp_path / "s.csv"
    first = sobol_indices(KOREA, [GAIN], metric="rounds", n=4, runs=2, seed=1,
                          backend="serial", progress=False, out=out)  # fmt: skip
    again = sobol_indices(KOREA, [GAIN], metric="rounds", n=4, runs=2, seed=1,
                          backend="serial", progress=False, out=out)  # fmt: skip
    assert first.values == again.values


def test_bad_requests_are_refused() -> None:
    from negsim.experiments import SweepError, sobol_indices

    with pytest.raises(SweepError, match="power of 2"):
        sobol_indices(KOREA, [GAIN], outcome="deterred", n=10, backend="serial")
    with pytest.raises(SweepError, match="name one quantity"):
        sobol_indices(KOREA, [GAIN], backend="serial")
    with pytest.raises(SweepError, match="no metric 'nope'; choose from"):
        sobol_indices(KOREA, [GAIN], metric="nope", n=2, runs=1, backend="serial",
                      progress=False)  # fmt: skip


def test_cli_prints_the_indices_and_draws_them(tmp_path: Path) -> None:
    figure = tmp_path / "s.png"
    result = CliRunner().invoke(
        main,
        ["sensitivity", str(KOREA), "--outcome", "deterred", "--bounds", GAIN,
         "--samples", "4", "--runs", "2", "--backend", "serial", "--format", "csv",
         "--plot", str(figure)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "," in line]
    assert lines[0] == "parameter,S1,S1_low,S1_high,ST,ST_low,ST_high"
    assert lines[1].startswith("agents.DPRK.params.value_gain,")
    assert figure.stat().st_size > 0


def test_cli_bad_input_exit_2() -> None:
    runner = CliRunner()
    neither = runner.invoke(main, ["sensitivity", str(KOREA), "--bounds", GAIN])
    assert neither.exit_code == 2
    assert "--outcome OUTCOME or --metric NAME" in neither.output
    flat_bounds = "agents.DPRK.params.value_gain=3:3"
    flat = runner.invoke(
        main, ["sensitivity", str(KOREA), "--bounds", flat_bounds, "--outcome", "deterred"]
    )
    assert flat.exit_code == 2
    assert "LO and HI are equal" in flat.output
    assert "Traceback" not in flat.output
