"""The sweep store under hostile conditions: concurrent sweeps, damaged parts, bad disks.

A second sweep on a locked directory is refused naming the holder; a damaged part is
set aside, named, and its runs run again (never counted as done); a file-system error
is a :class:`SweepError` (exit code 2) naming the path, and the parts already written
stay; a sweep that plans too many runs is refused before it makes them.
"""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest

import negsim
from negsim.experiments import SweepError, read_results, sweep
from negsim.experiments._store import ResultStore
from tests.hostile import faults
from tests.hostile._support import assert_clean_failure, negsim_cli, run_module
from tests.toyplugins import demo_toml, make_registry

GRID = ["agents.DPRK.params.p_attack=0.1,0.5,0.9"]
KINDS = {"param.x": "float"}


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "demo.toml"
    path.write_text(demo_toml(), encoding="utf-8")
    return path


def small(path: Path, out: Path, **kw: object) -> negsim.experiments.SweepReport:
    args: dict[str, object] = {
        "grid": GRID,
        "runs": 4,
        "seed": 5,
        "overrides": ["scenario.max_rounds=4"],
        "backend": "serial",
        "registry": make_registry,
        "out": out,
        "progress": False,
        "part_rows": 4,  # several parts
        "chunk_size": 4,
    }
    args.update(kw)
    return sweep(path, **args)  # type: ignore[arg-type]


def by_key(frame):
    return frame.sort_values("run_key").reset_index(drop=True)


# -- the lock ------------------------------------------------------------------------------


def test_a_second_store_on_a_locked_directory_is_refused_naming_the_holder(tmp_path):
    out = tmp_path / "r.csv"
    first = ResultStore(out, KINDS)
    first.open({"negsim_sweep": 1})
    try:
        with pytest.raises(
            SweepError, match=rf"being written by another sweep \(pid {os.getpid()}"
        ):
            ResultStore(out, KINDS).open({"negsim_sweep": 1})
    finally:
        first.close()
    second = ResultStore(out, KINDS)
    second.open({"negsim_sweep": 1})  # free once the first is closed
    second.close()


def test_racing_stores_never_both_hold_the_lock(tmp_path):
    for trial in range(20):
        out = tmp_path / f"r{trial}.csv"
        stores = [ResultStore(out, KINDS) for _ in range(4)]
        won: list[ResultStore] = []
        refused: list[BaseException] = []
        barrier = threading.Barrier(len(stores))

        def take(
            store: ResultStore,
            barrier: threading.Barrier = barrier,
            won: list[ResultStore] = won,
            refused: list[BaseException] = refused,
        ) -> None:
            barrier.wait()
            try:
                store.open({"negsim_sweep": 1})
                won.append(store)
            except SweepError as exc:
                refused.append(exc)

        threads = [threading.Thread(target=take, args=(s,)) for s in stores]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert len(won) == 1, (trial, refused)
        assert len(refused) == 3
        assert all("another sweep" in str(e) or "not a negsim" in str(e) for e in refused)
        won[0].close()


def test_a_lock_that_is_a_directory_is_refused(scenario_file, tmp_path):
    out = tmp_path / "r.csv"
    small(scenario_file, out, runs=1)
    (out / "_lock").mkdir()
    with pytest.raises(SweepError, match=r"_lock is a directory, not negsim's lock file"):
        small(scenario_file, out, runs=1)


# -- damaged parts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "damage",
    ["cut mid-row", "cut inside the last field", "a field missing", "garbage", "empty"],
)
def test_a_damaged_csv_part_is_set_aside_and_its_runs_run_again(scenario_file, tmp_path, damage):
    out = tmp_path / "r.csv"
    reference = by_key(read_results(small(scenario_file, tmp_path / "ref.csv").out))
    small(scenario_file, out)
    part = sorted(out.glob("part-*.csv"))[-1]
    text = part.read_text(encoding="utf-8")
    if damage == "cut mid-row":
        text = text[: len(text) - 40]
    elif damage == "cut inside the last field":
        text = text.rstrip("\r\n")[:-3]
    elif damage == "a field missing":
        lines = text.splitlines(keepends=True)
        lines[1] = lines[1].split(",", 1)[1]
        text = "".join(lines)
    elif damage == "garbage":
        text = "\x00\x01 not a csv \n"
    else:
        text = ""
    part.write_text(text, encoding="utf-8")
    report = small(scenario_file, out)
    assert len(report.set_aside) == 1
    name, why = report.set_aside[0]
    assert name.endswith(f"damaged-{part.name}")
    assert why
    assert Path(name).exists()  # kept for whoever wants to look
    assert report.ran > 0
    final = by_key(read_results(out))
    assert final["run_key"].is_unique
    assert final.drop(columns=["negsim_version"]).equals(reference.drop(columns=["negsim_version"]))


def test_a_damaged_parquet_part_is_set_aside(scenario_file, tmp_path):
    out = tmp_path / "r.parquet"
    small(scenario_file, out)
    part = sorted(out.glob("part-*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:50])
    report = small(scenario_file, out)
    assert [Path(n).name for n, _ in report.set_aside] == [f"damaged-{part.name}"]
    assert len(read_results(out)) == 12


def test_leftover_temporary_files_are_removed_on_resume(scenario_file, tmp_path):
    out = tmp_path / "r.csv"
    small(scenario_file, out, runs=1)
    for name in (".part-00009.csv.x1y2.tmp", "._sweep.json.z9.tmp"):
        (out / name).write_text("half written")
    small(scenario_file, out, runs=1)
    assert not list(out.glob(".*tmp"))


# -- file-system errors --------------------------------------------------------------------


def test_an_out_below_a_file_is_a_sweep_error(scenario_file, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SweepError, match=r"cannot write .*file.*: Not a directory"):
        small(scenario_file, blocker / "r.csv")


@pytest.mark.parametrize(
    ("code", "advice"), [(errno.ENOSPC, "the disk is full"), (errno.EROFS, "read-only")]
)
def test_a_write_that_fails_keeps_the_parts_already_written(
    scenario_file, tmp_path, monkeypatch, code, advice
):
    out = tmp_path / "r.csv"
    real = os.replace
    calls = {"n": 0}

    def failing_replace(src, dst):
        if Path(dst).name.startswith("part-"):
            calls["n"] += 1
            if calls["n"] == 2:
                raise OSError(code, os.strerror(code), str(dst))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(SweepError, match=advice) as info:
        small(scenario_file, out)
    assert "the parts already written are kept" in str(info.value)
    monkeypatch.setattr(os, "replace", real)
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith("_")) == [
        "part-00000.csv"
    ]  # the temporary file of the failed part is gone
    assert len(read_results(out)) == 4
    assert small(scenario_file, out).skipped == 4  # resumed from what was kept


def test_cli_unwritable_out_and_locked_out_exit_2(scenario_file, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = negsim_cli("sweep", scenario_file, "--out", blocker / "r.csv", "--backend", "serial")
    # the installed plugins do not hold the toy doctrines: a scenario error, exit 2 too
    assert done.code == 2
    assert "Traceback" not in done.err
    out = tmp_path / "r.csv"
    out.mkdir()
    (out / "_sweep.json").write_text("{}")
    (out / "_lock").mkdir()
    done = run_module(
        "tests.hostile.faults",
        "sweep",
        _faults_file(tmp_path),
        "--out",
        out,
        "--backend",
        "serial",
        "--runs",
        "2",
        "--overwrite",
    )
    assert_clean_failure(done, 2, "_lock is a directory")


def _faults_file(tmp_path: Path) -> Path:
    path = tmp_path / "faults.toml"
    path.write_text(faults.scenario_toml(), encoding="utf-8")
    return path


# -- the sweep's size ----------------------------------------------------------------------


def test_a_sweep_planning_too_many_runs_is_refused_before_making_them(scenario_file, tmp_path):
    with pytest.raises(SweepError, match=r"plans 1,000,000,000,000 runs .* sweep_runs="):
        small(
            scenario_file,
            tmp_path / "r.csv",
            grid=["agents.DPRK.params.p_attack=0:1:1000000000000"],
            runs=1,
        )
    with pytest.raises(SweepError, match=r"plans 40 runs \(2 x 20 runs\)"):
        small(
            scenario_file,
            tmp_path / "r.csv",
            grid=["agents.DPRK.params.p_attack=0,1"],
            runs=20,
            limits=negsim.Limits(sweep_runs=39),
        )
    with pytest.raises(SweepError, match=r"plans 2,000,000 runs"):
        small(
            scenario_file,
            tmp_path / "r.csv",
            grid=None,
            samples=10**6,
            bounds=["agents.DPRK.params.p_attack=0:1"],
            runs=2,
            limits=negsim.Limits(sweep_runs=10**6),
        )
    assert not (tmp_path / "r.csv").exists()


def test_cli_huge_grid_exits_2_at_once(tmp_path):
    done = run_module(
        "tests.hostile.faults",
        "sweep",
        _faults_file(tmp_path),
        "--grid",
        "scenario.seed=0:1:1000000000000",
        "--out",
        tmp_path / "r.csv",
        timeout=30,
    )
    assert_clean_failure(done, 2, "plans 1,000,000,000,000 runs", "--limit sweep_runs=N")


# -- runs over their time limit in a process pool -------------------------------------------


def test_a_hung_plugin_in_a_pool_worker_becomes_an_error_row(tmp_path):
    out = tmp_path / "r.csv"
    report = sweep(
        _faults_file(tmp_path),
        grid=["agents.A.doctrine=sleeps,scripted"],
        runs=2,
        backend="process",
        workers=2,
        registry=faults.registry,
        out=out,
        progress=False,
        limits=negsim.Limits(decision_seconds=1),
    )
    assert report.errors == 2
    rows = read_results(out)
    failed = rows[rows["error"].notna()]
    assert set(failed["param.agents.A.doctrine"]) == {"sleeps"}
    assert (
        failed["error"]
        .str.startswith(
            "TimeLimitError: one hook call took longer than decision_seconds=1 s in round 2 "
            "(plugin 'sleeps' in negsim_decide for agent 'A')"
        )
        .all()
    )


def test_a_long_numeric_grid_is_checked_by_its_ends_not_point_by_point(
    scenario_file, tmp_path, monkeypatch
):
    from negsim.experiments import _sweep

    seen: list[tuple[str, int]] = []
    real = _sweep._Checker.__call__

    def spy(self, path, values):
        values = list(values)
        seen.append((path, len(values)))
        return real(self, path, values)

    monkeypatch.setattr(_sweep._Checker, "__call__", spy)
    report = small(
        scenario_file,
        tmp_path / "r.csv",
        grid=["agents.DPRK.params.p_attack=0:1:50", "agents.ROK.doctrine=chatter,scripted"],
        runs=1,
    )
    assert report.ran == 100
    assert seen == [("agents.DPRK.params.p_attack", 2), ("agents.ROK.doctrine", 2)]


def test_a_grid_value_negsim_cannot_read_is_refused(scenario_file, tmp_path):
    with pytest.raises(SweepError, match=r"--grid scenario.seed: a value negsim cannot read"):
        small(scenario_file, tmp_path / "r.csv", grid=[f"scenario.seed=1,{'9' * 5000}"])


def test_reading_results_with_a_cut_csv_part_is_an_error_not_a_wrong_value(scenario_file, tmp_path):
    out = tmp_path / "r.csv"
    small(scenario_file, out)
    part = sorted(out.glob("part-*.csv"))[-1]
    part.write_text(part.read_text(encoding="utf-8").rstrip("\r\n")[:-2], encoding="utf-8")
    with pytest.raises(SweepError, match=rf"{part.name} cannot be read: its last row is cut"):
        read_results(out)
