"""Unit tests of negsim.experiments: grids, samples, keys and seeds, the results store,
summaries, the serial sweep, and the ``sweep``/``summary``/``plot`` commands.

Sweeps run on ``tests.toyplugins``' demo scenario (chatter doctrines, toy world rules)
written to ``tmp_path``; ``REGISTRY`` (a module-level factory, so worker processes can
build it too) adds a "raiser" doctrine whose runs fail in round 2.
"""

from __future__ import annotations

import functools
import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import negsim
import negsim.cli._registry
from negsim.cli._errors import NegsimGroup
from negsim.cli._plot import plot, plot_timeline
from negsim.cli._sweep import summary
from negsim.cli._sweep import sweep as sweep_command
from negsim.engine import derive_seed
from negsim.experiments import (
    Bound,
    Parameter,
    Plan,
    Sample,
    SweepError,
    parse_bounds,
    parse_grid,
    read_results,
    resolve_column,
    run_key,
    sample_points,
    summarize,
    sweep,
    wilson_interval,
)
from negsim.experiments._plan import chunked
from tests import _processes as processes
from tests.toyplugins import Raiser, demo_toml, make_registry

REGISTRY = functools.partial(make_registry, ("raiser", Raiser(when=2)))
P_ATTACK = "agents.DPRK.params.p_attack"
DOCTRINE = "agents.ROK.doctrine"
FAST = ["scenario.max_rounds=5"]


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "demo.toml"
    path.write_text(demo_toml(), encoding="utf-8")
    return path


def small_sweep(
    path: Path, out: Path | None = None, **kw: object
) -> negsim.experiments.SweepReport:
    args: dict[str, object] = {
        "grid": [f"{P_ATTACK}=0.2,0.8", f"{DOCTRINE}=chatter,raiser"],
        "runs": 3,
        "seed": 11,
        "overrides": FAST,
        "backend": "serial",
        "registry": REGISTRY,
        "out": out,
        "progress": False,
    }
    args.update(kw)
    return sweep(path, **args)  # type: ignore[arg-type]


# -- grids and samples ------------------------------------------------------------------


def test_range_is_inclusive_and_clean() -> None:
    p = parse_grid("agents.DPRK.params.threat_credibility=0:1:11")
    assert p.values == (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
    assert p.kind == "float"
    assert p.column == "param.agents.DPRK.params.threat_credibility"
    assert parse_grid("x=0.1:0.5:5").values == (0.1, 0.2, 0.3, 0.4, 0.5)
    assert parse_grid("x=2:2:1").values == (2.0,)


def test_range_follows_an_integer_parameter() -> None:
    assert parse_grid("x=1:5:5", current=3) == Parameter("x", (1, 2, 3, 4, 5), "int")
    assert parse_grid("x=1:5:5", current=3.0).kind == "float"
    assert parse_grid("x=0:1:3", current=3).values == (0.0, 0.5, 1.0)  # not whole: floats


def test_lists_of_literals() -> None:
    assert parse_grid("x=0.1, 0.5,1").values == (0.1, 0.5, 1.0)
    assert parse_grid("x=1,2,3").values == (1, 2, 3)
    assert parse_grid("x=1,2", current=0.5).values == (1.0, 2.0)
    assert parse_grid("x=true,false") == Parameter("x", (True, False), "bool")
    assert parse_grid("x=a:b").values == ("a:b",)  # colons, but not numbers: a string
    assert parse_grid('x="10:30"').values == ("10:30",)  # numbers quoted: a string
    assert parse_grid('x=bilateral,"collective", "a,b"').values == (
        "bilateral",
        "collective",
        "a,b",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x", "expected PATH=SPEC"),
        ("=1,2", "expected PATH=SPEC"),
        ("x=0:1:0", "at least 1"),
        ("x=a:1:3", "not a number"),
        ("x=0:1:z", "whole number"),
        ("x=1,1", "listed twice"),
        ("x=1,true", "different types"),
        ("x=1,,2", "empty value"),
        ("x=0:0:3", "repeats"),
        ("x=0:1", "a range has three parts, lo:hi:n"),
        ("x=0:1:3:4", "a range has three parts"),
    ],
)
def test_bad_grids(text: str, message: str) -> None:
    with pytest.raises(SweepError, match=message):
        parse_grid(text)


def test_bounds() -> None:
    assert parse_bounds("x=0:0.5") == Bound("x", 0.0, 0.5, "float")
    assert parse_bounds("x=-2:3", current=1) == Bound("x", -2.0, 3.0, "int")
    for bad in ("x=1:0", "x=0", "x=a:b"):
        with pytest.raises(SweepError):
            parse_bounds(bad)
    with pytest.raises(SweepError, match="whole numbers"):
        parse_bounds("x=0.5:3", current=1)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 40),
    seed=st.integers(0, 2**32),
    lo=st.floats(-10, 10),
    width=st.floats(0.001, 10),
)
def test_latin_hypercube_puts_one_point_in_each_stratum(
    n: int, seed: int, lo: float, width: float
) -> None:
    sample = Sample(n, (Bound("a", lo, lo + width), Bound("b", 0.0, 1.0)), "lhs")
    points = sample_points(sample, seed)
    assert points == sample_points(sample, seed)
    assert len(points) == n
    for dim, bound in enumerate(sample.bounds):
        values = [float(p[dim]) for p in points]
        assert all(bound.low <= v <= bound.high for v in values)
        strata = sorted(
            min(n - 1, int((v - bound.low) / (bound.high - bound.low) * n)) for v in values
        )
        assert strata == list(range(n))


def test_samples_are_seeded_and_typed() -> None:
    sample = Sample(50, (Bound("k", 1, 4, "int"), Bound("u", 0, 1)), "uniform")
    a, b = sample_points(sample, 1), sample_points(sample, 2)
    assert a != b
    assert {p[0] for p in a} == {1, 2, 3, 4}
    assert all(isinstance(p[0], int) and isinstance(p[1], float) for p in a)
    with pytest.raises(SweepError):
        Sample(0, (Bound("u", 0, 1),))
    with pytest.raises(SweepError):
        Sample(3, (Bound("u", 0, 1),), "sobol")  # type: ignore[arg-type]


# -- keys and seeds ----------------------------------------------------------------------


def test_run_keys_are_canonical_and_seed_the_runs() -> None:
    assert (
        run_key(["b", "a"], [0.5, "x"], 2)
        == run_key(["a", "b"], ["x", 0.5], 2)
        == ('a="x";b=0.5;replicate=2')
    )
    assert run_key([], [], 0) == "replicate=0"
    plan = Plan((Parameter("p", (0.1, 0.2)), Parameter("q", (True, False), "bool")), None, 3, 9)
    runs = list(plan)
    assert len(runs) == len(plan) == 12
    assert [r.replicate for r in runs[:4]] == [0, 1, 2, 0]
    assert runs[0].values == (0.1, True)
    assert runs[3].values == (0.1, False)
    assert len({r.key for r in runs}) == 12
    assert all(r.seed == derive_seed(9, "run", r.key) for r in runs)
    done = {runs[0].key, runs[5].key}
    assert [r.key for r in plan.remaining(done)] == [r.key for r in runs if r.key not in done]


def test_fixed_chunks_keep_their_size() -> None:
    chunks = list(chunked(range(250), 100))
    assert [len(c) for c in chunks] == [100, 100, 50]
    assert [x for c in chunks for x in c] == list(range(250))


def test_chunks_shrink_towards_the_end() -> None:
    # 2,000 runs of at most 100 for two workers: full chunks until 400 runs are left,
    # then each takes a quarter of what is left, down to a tenth of the full size.
    sizes = [len(c) for c in chunked(range(2000), 100, total=2000, workers=2)]
    assert sizes == [100] * 17 + [75, 57, 42, 32, 24, 18, 13, 10, 10, 10, 9]


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(0, 3000),
    size=st.integers(1, 150),
    workers=st.integers(1, 16),
)
def test_tapered_chunks_cover_every_run_in_order(n: int, size: int, workers: int) -> None:
    chunks = list(chunked(range(n), size, total=n, workers=workers))
    assert [x for c in chunks for x in c] == list(range(n))
    smallest = max(1, size // 10)
    left = n
    for chunk in chunks:
        # never above the full size or a 1/(2 workers) share of what is left, unless
        # that share is below the smallest size; only the last chunk may be short of it
        assert 0 < len(chunk) <= min(size, max(smallest, math.ceil(left / (2 * workers))))
        assert len(chunk) >= min(smallest, left)
        left -= len(chunk)
    sizes = [len(c) for c in chunks]
    assert sizes == sorted(sizes, reverse=True)


def test_a_sample_crossed_with_a_grid() -> None:
    plan = Plan((Parameter("g", (1, 2), "int"),), Sample(4, (Bound("u", 0, 1),)), 2, 3)
    assert plan.paths == ("g", "u")
    assert plan.columns == ("param.g", "param.u")
    assert plan.n_points == 8
    assert len(list(plan)) == 16


# -- Wilson intervals and summaries ------------------------------------------------------


def test_wilson_interval() -> None:
    low, high = wilson_interval(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == 1.0
    assert all(math.isnan(v) for v in wilson_interval(0, 0))
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(1, 2, confidence=1.0)


@given(n=st.integers(1, 500), data=st.data(), confidence=st.floats(0.5, 0.999))
def test_wilson_interval_contains_the_estimate(
    n: int, data: st.DataObject, confidence: float
) -> None:
    k = data.draw(st.integers(0, n))
    low, high = wilson_interval(k, n, confidence)
    assert 0.0 <= low <= k / n + 1e-12
    assert k / n - 1e-12 <= high <= 1.0


def frame_of(rows: list[tuple[float, str | None, str | None]]) -> object:
    import pandas as pd

    return pd.DataFrame(rows, columns=["param.agents.X.params.t", "outcome", "error"])


def test_summarize_counts_proportions_and_failures() -> None:
    frame = frame_of(
        [
            (0.0, "deterred", None),
            (0.0, "deterred", None),
            (0.0, None, "PluginCallError: boom"),
            (1.0, "escalation", None),
            (1.0, "deterred", None),
        ]
    )
    table = summarize(frame)  # type: ignore[arg-type]
    assert list(table.columns) == [
        "param.agents.X.params.t",
        "outcome",
        "count",
        "n",
        "p",
        "low",
        "high",
        "errors",
    ]
    rows = {(r[0], r[1]): r[2:] for r in table.itertuples(index=False)}
    assert rows[(0.0, "deterred")][:2] == (2, 2)
    assert rows[(0.0, "deterred")][2] == 1.0
    assert rows[(0.0, "escalation")][:2] == (0, 2)  # zero-filled
    assert rows[(0.0, "deterred")][-1] == 1  # the failed run counted apart
    assert rows[(1.0, "escalation")][2] == 0.5
    overall = summarize(frame, by=[])  # type: ignore[arg-type]
    assert list(overall["outcome"]) == ["deterred", "escalation"]
    assert list(overall["n"]) == [4, 4]
    only = summarize(frame, by=["t"], outcomes=["escalation"])  # type: ignore[arg-type]
    assert list(only["outcome"]) == ["escalation", "escalation"]


def test_resolve_column() -> None:
    cols = ["param.agents.X.params.t", "param.agents.Y.params.t", "param.world.params.k", "outcome"]
    assert resolve_column(cols, "outcome") == "outcome"
    assert resolve_column(cols, "world.params.k") == "param.world.params.k"
    assert resolve_column(cols, "k") == "param.world.params.k"
    with pytest.raises(SweepError, match="several"):
        resolve_column(cols, "t")
    with pytest.raises(SweepError, match="no column 'zz'"):
        resolve_column(cols, "zz")


# -- the serial sweep ------------------------------------------------------------------


def test_serial_sweep_rows(scenario_file: Path) -> None:
    report = small_sweep(scenario_file)
    assert (report.total, report.ran, report.skipped, report.complete) == (12, 12, 0, True)
    assert report.errors == 6  # ROK's doctrine "raiser" fails in round 2
    frame = report.frame()
    assert list(frame.columns[:4]) == ["run_key", "point", f"param.{P_ATTACK}", f"param.{DOCTRINE}"]
    assert frame["run_key"].is_unique
    assert all(frame["seed"] == [derive_seed(11, "run", k) for k in frame["run_key"]])
    failed = frame[frame[f"param.{DOCTRINE}"] == "raiser"]
    assert failed["outcome"].isna().all()
    assert (failed["rounds"] == 2).all()
    assert failed["error"].str.startswith("PluginCallError: plugin 'raiser'").all()
    ok = frame[frame[f"param.{DOCTRINE}"] == "chatter"]
    assert ok["error"].isna().all()
    assert (ok["outcome"] == "unresolved").all()
    assert (ok["metric.rounds"] == 5).all()
    assert set(ok["plugins"]) == {"chatter=in-process; toy=in-process"}
    assert ok["scenario"].eq("demo").all()
    assert ok["negsim_version"].eq(negsim.__version__).all()
    # Different points, different scenarios; the same point, the same scenario.
    assert ok.groupby("point")["scenario_digest"].nunique().eq(1).all()
    assert ok["scenario_digest"].nunique() == 2


def test_a_run_equals_simulate_with_its_seed(scenario_file: Path) -> None:
    frame = small_sweep(scenario_file, grid=[f"{P_ATTACK}=0.8"], runs=2).frame()
    registry = REGISTRY()
    base = negsim.load_scenario(scenario_file, registry=registry)
    for row in frame.to_dict("records"):
        result = negsim.simulate(
            base, seed=int(row["seed"]), registry=registry, overrides=[*FAST, f"{P_ATTACK}=0.8"]
        )
        assert (str(result.outcome), result.rounds) == (row["outcome"], row["rounds"])
        assert result.metrics["messages"] == row["metric.messages"]
        assert result.provenance is not None
        assert result.provenance.scenario_digest == row["scenario_digest"]


def test_results_resume_and_survive_stale_files(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    first = small_sweep(scenario_file, out, part_rows=4, flush_every=1e9, chunk_size=4)
    parts = sorted(p.name for p in out.glob("part-*.parquet"))
    assert parts == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    assert not (out / "_lock").exists()
    (out / ".part-00003.parquet.tmp").write_bytes(b"half a file")  # a killed writer
    again = small_sweep(scenario_file, out)
    assert (again.ran, again.skipped) == (0, 12)
    assert not list(out.glob(".part-*"))
    assert read_results(out).equals(first.frame())
    # Delete one part: exactly its runs are run again, into a new part.
    (out / "part-00001.parquet").unlink()
    third = small_sweep(scenario_file, out)
    assert (third.ran, third.skipped) == (4, 8)
    assert (out / "part-00003.parquet").exists()
    assert read_results(out).equals(first.frame())


def test_csv_results_match_parquet(scenario_file: Path, tmp_path: Path) -> None:
    a = small_sweep(scenario_file, tmp_path / "r.parquet").frame()
    b = small_sweep(scenario_file, tmp_path / "r.csv").frame()
    assert sorted(p.name for p in (tmp_path / "r.csv").iterdir()) == [
        "_sweep.json",
        "part-00000.csv",
    ]
    for column in ("run_key", "seed", "outcome", "rounds", f"param.{P_ATTACK}", "metric.messages"):
        assert a[column].equals(b[column]), column
    assert (a["error"].isna() == b["error"].isna()).all()


def test_parquet_parts_hold_every_value_exactly(tmp_path: Path) -> None:
    from negsim.experiments._store import ResultStore

    kinds = {"param.a.b": "float", "param.a.n": "int", "param.a.on": "bool", "param.a.s": "str"}
    common = {"outcome": "deterred", "rounds": 3, "reason": "r", "error": None}
    rows = [
        {"run_key": "k0", "point": 0, "replicate": 0, "seed": 2**64 - 1, "param.a.b": 0.1 + 0.2,
         "param.a.n": -(2**63), "param.a.on": True, "param.a.s": "Seoul — 서울 \"q\"\n",
         "metric.x": math.nan, "metric.y": math.inf, **common},
        {"run_key": "k1", "point": 1, "replicate": 0, "seed": 0, "param.a.b": -0.0,
         "param.a.n": 2**63 - 1, "param.a.on": False, "param.a.s": "",
         "metric.x": -math.inf, **common, "outcome": None, "error": "ValueError: x"},
    ]  # fmt: skip
    store = ResultStore(tmp_path / "r.parquet", kinds)
    store.open({"negsim_sweep": 1, "param_kinds": kinds})
    store.write(rows)
    store.close()
    import pyarrow.parquet as pq

    back = pq.read_table(tmp_path / "r.parquet" / "part-00000.parquet").to_pylist()
    assert back[1]["metric.y"] is None  # a metric the row lacks is null
    for got, want in zip(back, rows, strict=True):
        assert set(want) <= set(got)
        for key, value in want.items():
            if isinstance(value, float) and math.isnan(value):
                assert math.isnan(got[key]), key
            else:
                assert got[key] == value, key
                assert type(got[key]) is type(value), key
    assert math.copysign(1.0, back[1]["param.a.b"]) == -1.0  # -0.0 stays negative


def test_writing_parquet_does_not_import_pandas(scenario_file: Path, tmp_path: Path) -> None:
    # pandas would cost the parent a few hundred ms of CPU that the workers need.
    code = (
        "import sys\n"
        "from tests.unit.test_sweep import small_sweep\n"
        f"small_sweep(__import__('pathlib').Path({str(scenario_file)!r}), "
        f"__import__('pathlib').Path({str(tmp_path / 'r.parquet')!r}))\n"
        "assert 'pandas' not in sys.modules, 'pandas was imported'\n"
    )
    processes.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])
    assert len(read_results(tmp_path / "r.parquet")) == 12


def test_in_memory_frame_matches_disk(scenario_file: Path, tmp_path: Path) -> None:
    assert (
        small_sweep(scenario_file)
        .frame()
        .equals(small_sweep(scenario_file, tmp_path / "r.parquet").frame())
    )


def test_a_different_sweep_is_refused_then_overwritten(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    small_sweep(scenario_file, out)
    with pytest.raises(SweepError, match=r"different sweep .*differs in: .*runs"):
        small_sweep(scenario_file, out, runs=4)
    report = small_sweep(scenario_file, out, runs=4, overwrite=True)
    assert (report.ran, len(read_results(out))) == (16, 16)


def test_outputs_that_are_not_sweeps_are_refused(scenario_file: Path, tmp_path: Path) -> None:
    with pytest.raises(SweepError, match="parquet or"):
        small_sweep(scenario_file, tmp_path / "r.txt")
    other = tmp_path / "other.parquet"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(SweepError, match="not a negsim sweep"):
        small_sweep(scenario_file, other, overwrite=True)
    assert (other / "notes.txt").exists()


def test_a_running_sweep_holds_the_lock(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    small_sweep(scenario_file, out, runs=1)
    import socket

    # a holder that locks _lock as a sweep does (flock), records itself, and waits
    code = (
        "import fcntl, json, os, socket, sys, time\n"
        "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "os.write(fd, json.dumps({'pid': os.getpid(), 'host': socket.gethostname()}).encode())\n"
        "print('locked', flush=True)\n"
        "time.sleep(30)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(out / "_lock")],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "locked\n"
        host = socket.gethostname()
        with pytest.raises(
            SweepError, match=f"another sweep \\(pid {holder.pid} on host {host}\\)"
        ):
            small_sweep(scenario_file, out, runs=1)
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()
    assert small_sweep(scenario_file, out, runs=1).skipped == 4  # a dead holder's lock


def test_sweep_definition_errors(scenario_file: Path) -> None:
    with pytest.raises(negsim.ScenarioError, match=r"--grid agents\.DPRK\.params\.p_attack=1\.5"):
        small_sweep(scenario_file, grid=[f"{P_ATTACK}=0.5,1.5"])
    with pytest.raises(negsim.OverrideError, match=r"--grid agents\.ZZZ") as info:
        small_sweep(scenario_file, grid=["agents.ZZZ.params.x=1,2"])
    assert "--set" not in str(info.value)  # named as the grid, not as an override
    with pytest.raises(SweepError, match="both swept and fixed"):
        small_sweep(scenario_file, overrides=[f"{P_ATTACK}=0.1"])
    with pytest.raises(SweepError, match="swept twice"):
        small_sweep(scenario_file, grid={P_ATTACK: [0.1]}, samples=2, bounds={P_ATTACK: (0, 1)})
    with pytest.raises(SweepError, match="picklable factory"):
        small_sweep(scenario_file, registry=REGISTRY(), backend="process")
    with pytest.raises(SweepError, match="unknown backend"):
        small_sweep(scenario_file, backend="threads")
    with pytest.raises(SweepError, match="bounds need"):
        small_sweep(scenario_file, bounds=[f"{P_ATTACK}=0:1"])


def test_samples_and_mapping_grids(scenario_file: Path) -> None:
    report = small_sweep(
        scenario_file,
        grid={DOCTRINE: ["chatter"]},
        samples=5,
        bounds={P_ATTACK: (0.0, 1.0), "scenario.max_rounds": "3:6"},
        overrides=[],
        runs=1,
    )
    frame = report.frame()
    assert report.total == 5
    assert frame["param.scenario.max_rounds"].between(3, 6).all()
    assert str(frame["param.scenario.max_rounds"].dtype) == "Int64"  # an integer parameter
    assert (frame["rounds"] == frame["param.scenario.max_rounds"]).all()


def test_a_registry_instance_works_serially(scenario_file: Path) -> None:
    report = small_sweep(scenario_file, registry=REGISTRY())
    assert report.ran == 12


def test_a_scenario_object_sweeps_like_its_file(scenario_file: Path) -> None:
    registry = REGISTRY()
    scenario = negsim.load_scenario(scenario_file, registry=registry)
    a = small_sweep(scenario_file).frame()
    b = small_sweep(scenario, registry=registry).frame()  # type: ignore[arg-type]
    assert a.drop(columns=["scenario"]).equals(b.drop(columns=["scenario"]))


# -- commands ------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> click.Group:
    monkeypatch.setattr(negsim.cli._registry, "get_registry", REGISTRY)

    @click.group(cls=NegsimGroup)
    def group() -> None:
        pass

    for command in (sweep_command, summary, plot, plot_timeline):
        group.add_command(command)
    return group


def invoke(group: click.Group, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(group, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_sweep_command(cli: click.Group, scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    args = [
        "sweep",
        scenario_file,
        "--grid",
        f"{P_ATTACK}=0.2,0.8",
        "--grid",
        f"{DOCTRINE}=chatter,raiser",
        "--runs",
        "3",
        "--seed",
        "11",
        "--set",
        FAST[0],
        "--backend",
        "serial",
        "--out",
        out,
    ]
    code, stdout, stderr = invoke(cli, *args)
    assert code == 0, stderr
    assert "12 runs, 6 failed in" in stderr
    assert f"results in {out}" in stderr
    assert "p_attack" in stdout
    assert "doctrine" in stdout
    assert "unresolved" in stdout
    assert "1.00 [0.44, 1.00]" in stdout  # 3 of 3, 95% Wilson
    assert read_results(out).equals(small_sweep(scenario_file).frame())
    code, _, stderr = invoke(cli, *args)
    assert code == 0
    assert "0 runs in" in stderr
    assert "(12 already done)" in stderr
    code, stdout, _ = invoke(cli, "sweep", "--summary-only", out, "--by", "doctrine")
    assert code == 0
    assert "chatter" in stdout
    assert "p_attack" not in stdout


def test_summary_command_formats(cli: click.Group, scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    small_sweep(scenario_file, out)
    code, stdout, _ = invoke(cli, "summary", out, "--format", "csv", "--by", "doctrine")
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0] == f"param.{DOCTRINE},outcome,count,n,p,low,high,errors"
    assert lines[1].startswith("chatter,unresolved,6,6,1.0,")
    assert lines[2].startswith("raiser,unresolved,0,0,")
    code, stdout, _ = invoke(cli, "summary", out, "--format", "json", "--by", "p_attack")
    records = json.loads(stdout)
    assert [r["errors"] for r in records] == [3, 3]
    assert records[0]["n"] == 3
    code, _, stderr = invoke(cli, "summary", out, "--by", "nope")
    assert code == 2
    assert "no column 'nope'" in stderr


def test_sweep_command_errors(cli: click.Group, scenario_file: Path, tmp_path: Path) -> None:
    code, _, stderr = invoke(cli, "sweep", scenario_file, "--grid", "x=0:1")
    assert code == 2
    assert "--out is required" in stderr
    out = tmp_path / "r.parquet"
    code, _, stderr = invoke(
        cli,
        "sweep",
        scenario_file,
        "--grid",
        f"{P_ATTACK}=0:1:0",
        "--out",
        out,
        "--backend",
        "serial",
    )
    assert code == 2
    assert "n must be at least 1" in stderr
    code, _, stderr = invoke(
        cli,
        "sweep",
        scenario_file,
        "--grid",
        f"{P_ATTACK}=0:2:3",
        "--out",
        out,
        "--backend",
        "serial",
    )
    assert code == 2
    assert f"--grid {P_ATTACK}=2.0" in stderr
    assert "must be <= 1" in stderr
    code, _, stderr = invoke(cli, "sweep", scenario_file, "--sample", "3", "--out", out)
    assert code == 2
    assert "--sample needs at least one --bounds" in stderr
    code, _, stderr = invoke(
        cli,
        "sweep",
        scenario_file,
        "--scheduler",
        "tcp://x:1",
        "--backend",
        "process",
        "--out",
        out,
    )
    assert code == 2
    assert "--scheduler needs --backend dask" in stderr


def test_plot_commands(cli: click.Group, scenario_file: Path, tmp_path: Path) -> None:

    out = tmp_path / "r.parquet"
    small_sweep(scenario_file, out, grid=[f"{P_ATTACK}=0:1:3", f"{DOCTRINE}=chatter,raiser"])
    fig = tmp_path / "fig.svg"
    code, _, stderr = invoke(cli, "plot", out, "--x", "p_attack", "--by", "doctrine", "-o", fig)
    assert code == 0, stderr
    svg = fig.read_text()
    assert "unresolved, doctrine=chatter" in svg
    assert "p_attack" in svg
    code, _, stderr = invoke(cli, "plot", out, "--x", "nope", "-o", fig)
    assert code == 2
    assert "no column 'nope'" in stderr
    code, _, stderr = invoke(cli, "plot", out, "--x", "p_attack", "-o", tmp_path / "f.gif")
    assert code == 2
    assert ".png, *.svg or *.pdf" in stderr
    code, _, stderr = invoke(cli, "plot", out, "--x", "p_attack", "--outcome", "nope", "-o", fig)
    assert code == 2  # not a flat line at 0 for a misspelt outcome
    assert "no outcome 'nope'; choose from deterred, fait_accompli" in stderr
    for name in ("--out", "--output"):  # as `negsim sweep --out`, or the longer name
        path = tmp_path / f"fig{name}.png"
        code, _, stderr = invoke(cli, "plot", out, "--x", "p_attack", name, path)
        assert code == 0, stderr
        assert path.read_bytes().startswith(b"\x89PNG")

    registry = REGISTRY()
    scenario = negsim.load_scenario(scenario_file, registry=registry)
    log = tmp_path / "run.jsonl"
    negsim.write_jsonl(negsim.simulate(scenario, seed=3, registry=registry, overrides=FAST), log)
    chart = tmp_path / "run.svg"
    code, _, stderr = invoke(cli, "plot-timeline", log, "-o", chart)
    assert code == 0, stderr
    svg = chart.read_text()
    for text in ("DPRK", "ROK", "round 1", "outcome: unresolved", "demo, seed 3"):
        assert text in svg, text
    assert (tmp_path / "run.png").exists() is False
    code, _, stderr = invoke(cli, "plot-timeline", log, "--out", tmp_path / "run.png")
    assert code == 0
    assert (tmp_path / "run.png").stat().st_size > 10_000


def test_imports_stay_lazy() -> None:
    code = (
        "import sys, negsim, negsim.experiments, negsim.plotting, negsim.cli._sweep, "
        "negsim.cli._plot\n"
        "heavy = [m for m in ('pandas', 'pyarrow', 'dask', 'distributed', 'matplotlib') "
        "if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    processes.run([sys.executable, "-c", code], check=True, env={**os.environ})
