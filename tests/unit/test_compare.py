"""Paired comparison of two designs: the statistics, the Python API and ``negsim compare``."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from negsim.cli import main
from negsim.experiments import (
    compare,
    compare_results,
    mcnemar_exact,
    newcombe_paired_interval,
    newcombe_unpaired_interval,
    sweep,
)

pd = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[2]
BILATERAL = ROOT / "examples" / "scenarios" / "korea_bilateral.toml"
INTEGRATED = ROOT / "examples" / "scenarios" / "korea_integrated.toml"


@pytest.mark.parametrize(("a", "b"), [(0, 0), (2, 10), (10, 2), (7, 8), (0, 25), (40, 61)])
def test_mcnemar_exact_is_scipys_exact_binomial_test(a: int, b: int) -> None:
    stats = pytest.importorskip("scipy.stats")
    expected = 1.0 if a + b == 0 else stats.binomtest(a, a + b, 0.5).pvalue
    assert mcnemar_exact(a, b) == pytest.approx(expected, rel=1e-12)


def test_mcnemar_exact_for_many_discordant_runs() -> None:
    assert mcnemar_exact(5000, 5000) == 1.0
    assert 0 < mcnemar_exact(4800, 5200) < 1e-4


def test_unpaired_interval_reproduces_newcombes_example() -> None:
    # Newcombe (1998, unpaired), method 10 on 56/70 against 48/80: 0.0524 to 0.3339.
    low, high = newcombe_unpaired_interval(56, 70, 48, 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


def test_paired_interval_without_correlation_is_the_unpaired_one() -> None:
    # ad - bc = 0 gives phi = 0: the paired interval is the hybrid score interval.
    both, only_a, only_b, neither = 10, 10, 20, 20
    paired = newcombe_paired_interval(both, only_a, only_b, neither)
    unpaired = newcombe_unpaired_interval(both + only_a, 60, both + only_b, 60)
    assert paired == pytest.approx(unpaired)


def test_paired_interval_is_antisymmetric_and_holds_the_estimate() -> None:
    low, high = newcombe_paired_interval(30, 4, 12, 54)
    back_low, back_high = newcombe_paired_interval(30, 12, 4, 54)
    assert (back_low, back_high) == pytest.approx((-high, -low))
    assert low < (4 - 12) / 100 < high
    assert math.isnan(newcombe_paired_interval(0, 0, 0, 0)[0])


def test_positive_correlation_narrows_the_paired_interval() -> None:
    # the same margins (50/100 and 40/100), concordant runs in place of discordant ones
    loose = newcombe_paired_interval(20, 30, 20, 30)
    tight = newcombe_paired_interval(40, 10, 0, 50)
    assert tight[1] - tight[0] < loose[1] - loose[0]


@pytest.fixture(scope="module")
def korea() -> object:
    """The two Korea flagships on the same 200 seeds."""
    return compare(BILATERAL, INTEGRATED, runs=200, seed=0, backend="serial", progress=False)


def test_korea_flagships_pair_on_the_same_seeds(korea: object) -> None:
    from negsim.experiments import Comparison

    assert isinstance(korea, Comparison)
    assert (korea.a, korea.b) == ("korea-bilateral", "korea-integrated")
    assert len(korea.pairs) == 200
    assert korea.pairs["seed"].is_unique
    table = korea.table.set_index("outcome")
    assert (table["n"] == 200).all()
    assert (table["both"] + table["only_a"] + table["only_b"] + table["neither"] == 200).all()
    assert table["p_a"].sum() == pytest.approx(1.0)


def test_korea_paired_intervals_are_narrower_than_unpaired(korea: object) -> None:
    """n = 200 pairs, seed 0: common random numbers correlate the designs' outcomes.

    Every outcome whose 2x2 table shows positive correlation beyond Newcombe's n/2
    adjustment gets a strictly narrower paired interval; the deterrence outcome's is
    less than three quarters as wide. (A rare outcome the two designs reach on
    different seeds is negatively correlated and gets a slightly wider one.)
    """
    t = korea.table  # type: ignore[attr-defined]
    paired = t["high"] - t["low"]
    unpaired = t["unpaired_high"] - t["unpaired_low"]
    correlated = t["both"] * t["neither"] - t["only_a"] * t["only_b"] > 200 / 2
    assert correlated.sum() >= 3, t
    assert (paired[correlated] < unpaired[correlated]).all(), t
    deterred = t.set_index("outcome").loc["deterred"]
    width = deterred["high"] - deterred["low"]
    assert width < 0.75 * (deterred["unpaired_high"] - deterred["unpaired_low"])


def test_discordant_runs_are_the_seeds_to_inspect(korea: object) -> None:
    rows = korea.discordant("deterred")  # type: ignore[attr-defined]
    deterred = korea.table.set_index("outcome").loc["deterred"]  # type: ignore[attr-defined]
    assert len(rows) == deterred["only_a"] + deterred["only_b"]
    assert ((rows["outcome_a"] == "deterred") != (rows["outcome_b"] == "deterred")).all()
    import negsim

    first = rows.iloc[0]
    rerun = negsim.simulate(negsim.load_scenario(BILATERAL), seed=int(first["seed"]))
    assert str(rerun.outcome) == first["outcome_a"]


def test_compare_results_pairs_two_sweeps(tmp_path: Path) -> None:
    a = sweep(BILATERAL, runs=30, seed=4, backend="serial", progress=False, out=tmp_path / "a.csv")
    b = sweep(INTEGRATED, runs=30, seed=4, backend="serial", progress=False, out=tmp_path / "b.csv")
    direct = compare(BILATERAL, INTEGRATED, runs=30, seed=4, backend="serial", progress=False)
    from_files = compare_results(a.out, b.out)
    pd.testing.assert_frame_equal(from_files.table, direct.table)


def test_compare_results_refuses_unpaired_sets(tmp_path: Path) -> None:
    from negsim.experiments import SweepError

    a = sweep(BILATERAL, runs=5, seed=1, backend="serial", progress=False).frame()
    b = sweep(INTEGRATED, runs=5, seed=2, backend="serial", progress=False).frame()
    with pytest.raises(SweepError, match="share no run"):
        compare_results(a, b)


def test_cli_compare_prints_both_intervals_and_discordant_seeds() -> None:
    result = CliRunner().invoke(
        main,
        ["compare", str(BILATERAL), str(INTEGRATED), "--runs", "40", "--backend", "serial"],
    )
    assert result.exit_code == 0, result.output
    assert "paired 95%" in result.output
    assert "unpaired 95%" in result.output
    assert "McNemar p" in result.output
    assert "discordant runs: seed " in result.output


def test_cli_compare_csv() -> None:
    result = CliRunner().invoke(
        main,
        ["compare", str(BILATERAL), str(INTEGRATED), "--runs", "10", "--backend", "serial",
         "--format", "csv", "--outcome", "deterred"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split(",")[:5] == ["outcome", "n", "p_a", "p_b", "diff"]
    assert len(lines) == 2
    assert lines[1].startswith("deterred,10,")


def test_cli_compare_mixed_inputs_exit_2(tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    sweep(BILATERAL, runs=2, backend="serial", progress=False, out=results)
    result = CliRunner().invoke(main, ["compare", str(BILATERAL), str(results)])
    assert result.exit_code == 2
    assert "must both be scenario files" in result.output
    assert "Traceback" not in result.output


def test_cli_compare_unknown_outcome_exit_2() -> None:
    result = CliRunner().invoke(
        main,
        ["compare", str(BILATERAL), str(INTEGRATED), "--runs", "3", "--backend", "serial",
         "--outcome", "victory"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "no outcome 'victory'; choose from" in result.output
