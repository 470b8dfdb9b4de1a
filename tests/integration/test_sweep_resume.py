"""Interrupted sweeps resume without losing or duplicating a row.

A sweep runs in a subprocess (its own process group, so its workers die with it),
slowed down after each chunk and writing a part per chunk. Once some parts are on disk
it is killed (SIGKILL) or interrupted (SIGINT, as Ctrl-C). The directory it leaves is
readable; re-running the same sweep runs only the missing runs; the final dataset
holds every run exactly once, with the same values as an uninterrupted sweep.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from negsim.experiments import read_results, sweep
from tests import _processes as processes
from tests.toyplugins import demo_toml

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
GRID = ["agents.DPRK.params.p_attack=0.2,0.8", "agents.ROK.doctrine=chatter,raiser"]
RUNS = 12
TOTAL = 4 * RUNS
SETS = ["scenario.max_rounds=6"]

API_SCRIPT = textwrap.dedent(
    """
    import functools, sys, time
    from negsim.experiments import sweep
    from tests.toyplugins import Raiser, make_registry

    scenario, out, pause = sys.argv[1], sys.argv[2], float(sys.argv[3])
    sweep(
        scenario, grid={grid!r}, runs={runs}, seed=99, overrides={sets!r},
        backend="process", workers=2, chunk_size=4, out=out,
        registry=functools.partial(make_registry, ("raiser", Raiser(when=2))),
        flush_every=0, progress=False, on_chunk=lambda done, total: time.sleep(pause),
    )
    """
).format(grid=GRID, runs=RUNS, sets=SETS)

CLI_SCRIPT = textwrap.dedent(
    """
    import functools, sys, time
    import click
    import negsim.cli._registry
    import negsim.experiments
    from negsim.cli._errors import NegsimGroup
    from negsim.cli._sweep import sweep
    from tests.toyplugins import Raiser, make_registry

    negsim.cli._registry.get_registry = functools.partial(
        make_registry, ("raiser", Raiser(when=2)))
    pause = float(sys.argv.pop(1))
    run_sweep = negsim.experiments.sweep

    def slow_sweep(*args, **kwargs):
        return run_sweep(*args, flush_every=0, on_chunk=lambda d, t: time.sleep(pause),
                         **kwargs)

    negsim.experiments.sweep = slow_sweep

    @click.group(cls=NegsimGroup)
    def main():
        pass

    main.add_command(sweep)
    main()
    """
)


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "demo.toml"
    path.write_text(demo_toml(), encoding="utf-8")
    return path


def reference(scenario_file: Path, tmp_path: Path) -> Any:
    from tests.toyplugins import Raiser, make_registry

    out = tmp_path / "reference.parquet"
    sweep(
        scenario_file,
        grid=GRID,
        runs=RUNS,
        seed=99,
        overrides=SETS,
        backend="serial",
        out=out,
        progress=False,
        registry=lambda: make_registry(("raiser", Raiser(when=2))),
    )
    return by_key(read_results(out))


def by_key(frame: Any) -> Any:
    return frame.sort_values("run_key", kind="stable").reset_index(drop=True)


_STARTED: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _end_every_group() -> Iterator[None]:
    """Whatever a test does, each sweep it started ends with its process group."""
    yield
    while _STARTED:
        processes.end_group(_STARTED.pop())


def start(args: list[str]) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    _STARTED.append(proc)
    return proc


def parts(out: Path) -> list[Path]:
    return sorted(out.glob("part-*")) if out.exists() else []


def stop_after_parts(proc: subprocess.Popen[str], out: Path, n: int, sig: int) -> None:
    deadline = time.monotonic() + 60
    while len(parts(out)) < n:
        assert proc.poll() is None, f"the sweep ended before {n} parts: {proc.communicate()}"
        assert time.monotonic() < deadline, "no parts written"
        time.sleep(0.02)
    if sig == signal.SIGKILL:
        os.killpg(proc.pid, signal.SIGKILL)  # the parent and its workers, at once
    elif sig:
        os.kill(proc.pid, sig)  # Ctrl-C reaches the parent; workers ignore SIGINT


def check_partial(out: Path) -> Any:
    partial = read_results(out)  # readable as it was left
    assert 0 < len(partial) < TOTAL
    assert partial["run_key"].is_unique
    return partial


def test_killed_process_pool_sweep_resumes(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.parquet"
    proc = start(["-c", API_SCRIPT, str(scenario_file), str(out), "0.25"])
    stop_after_parts(proc, out, 3, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    partial = check_partial(out)
    assert (out / "_lock").exists()  # left by the killed sweep; taken over below

    rerun = start(["-c", API_SCRIPT, str(scenario_file), str(out), "0"])
    _stdout, stderr = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, stderr
    final = by_key(read_results(out))
    assert len(final) == TOTAL
    assert final["run_key"].is_unique
    assert final.equals(reference(scenario_file, tmp_path))
    # The rows written before the kill were kept, not run again.
    assert set(partial["run_key"]) < set(final["run_key"])
    assert len(parts(out)) > 3
    assert not (out / "_lock").exists()


def test_workers_end_with_a_killed_parent(scenario_file: Path, tmp_path: Path) -> None:
    # SIGKILL to the parent alone (not its process group): nothing can stop the
    # workers, so they must notice on their own, or wait for work forever.
    import psutil

    out = tmp_path / "results.parquet"
    proc = start(["-c", API_SCRIPT, str(scenario_file), str(out), "0.25"])
    stop_after_parts(proc, out, 1, 0)  # signal 0: only wait for the first part
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert len(workers) >= 2
    proc.kill()
    proc.wait(timeout=30)
    _gone, alive = psutil.wait_procs(workers, timeout=20)
    alive = [w for w in alive if w.status() != psutil.STATUS_ZOMBIE]  # exited, not reaped
    for worker in alive:
        worker.kill()
    assert not alive, f"workers outlived their parent: {alive}"


@pytest.mark.parametrize(
    "sig", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM], ids=["kill", "ctrl-c", "term"]
)
def test_interrupted_cli_sweep_resumes(scenario_file: Path, tmp_path: Path, sig: int) -> None:
    out = tmp_path / "results.csv"
    command = [
        "sweep",
        str(scenario_file),
        *(a for g in GRID for a in ("--grid", g)),
        "--runs",
        str(RUNS),
        "--seed",
        "99",
        "--set",
        SETS[0],
        "--backend",
        "serial",
        "--chunk-size",
        "4",
        "--out",
        str(out),
        "--no-summary",
    ]
    proc = start(["-c", CLI_SCRIPT, "0.25", *command])
    stop_after_parts(proc, out, 2, sig)
    _, stderr = proc.communicate(timeout=30)
    if sig == signal.SIGINT:
        assert proc.returncode == 130, stderr
        assert "interrupted: the finished runs are in" in stderr
        assert not (out / "_lock").exists()
    elif sig == signal.SIGTERM:  # as a batch system ends a job: like Ctrl-C
        assert proc.returncode == 143, stderr
        assert "terminated: the finished runs are in" in stderr
        assert not (out / "_lock").exists()
    else:
        assert proc.returncode == -signal.SIGKILL
    check_partial(out)

    rerun = start(["-c", CLI_SCRIPT, "0", *command])
    _stdout, stderr = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, stderr
    assert "already done" in stderr
    final = by_key(read_results(out))
    expected = reference(scenario_file, tmp_path)
    assert len(final) == TOTAL
    assert final["run_key"].is_unique
    for column in expected.columns:
        assert final[column].equals(expected[column]) or (
            final[column].isna().all() and expected[column].isna().all()
        ), column
