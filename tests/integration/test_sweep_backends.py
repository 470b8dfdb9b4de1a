"""The same sweep on every backend gives identical rows.

Serial, a local process pool (fork and forkserver workers, several chunk sizes) and
Dask distributed (negsim's ``LocalCluster`` of two worker processes, started here) run one
sweep of the toy demo scenario, failing runs included; sorted by run key, their rows
are identical. The Dask workers build their registry from a pickled factory
(``tests.toyplugins``); a last test runs the flagship Korea scenario through
``negsim sweep --scheduler`` so the workers load the installed plugins from their
entry points.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

import negsim.experiments._backends
from negsim.cli._errors import NegsimGroup
from negsim.cli._sweep import sweep as sweep_command
from negsim.experiments import DASK_CONFIG, SweepError, local_cluster, read_results, sweep
from tests.toyplugins import Dies, Raiser, demo_toml, make_registry

pytestmark = pytest.mark.integration

REGISTRY = functools.partial(make_registry, ("raiser", Raiser(when=2)))
EXITING = functools.partial(make_registry, ("exiter", Dies(when=1)))
ROOT = Path(__file__).resolve().parents[2]
KOREA = ROOT / "examples" / "scenarios" / "korea_bilateral.toml"

DEFINITION: dict[str, Any] = {
    "grid": ["agents.DPRK.params.p_attack=0:1:3", "agents.ROK.doctrine=chatter,raiser"],
    "samples": 2,
    "bounds": ["agents.JPN.params.p_talk=0.2:0.9"],
    "runs": 3,
    "seed": 2024,
    "overrides": ["scenario.max_rounds=6"],
    "registry": REGISTRY,
    "progress": False,
}
TOTAL = 3 * 2 * 2 * 3


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "demo.toml"
    path.write_text(demo_toml(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(scenario_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("serial") / "serial.parquet"
    report = sweep(scenario_file, backend="serial", out=out, **DEFINITION)
    assert (report.ran, report.errors) == (TOTAL, TOTAL // 2)
    return by_key(read_results(out))


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with local_cluster(2) as local:
        yield local


def by_key(frame: Any) -> Any:
    return frame.sort_values("run_key", kind="stable").reset_index(drop=True)


@pytest.mark.parametrize(
    ("start_method", "chunk_size"), [("fork", 1), ("forkserver", 5), (None, None)]
)
def test_process_pool_matches_serial(
    scenario_file: Path,
    tmp_path: Path,
    reference: Any,
    start_method: str | None,
    chunk_size: int | None,
) -> None:
    out = tmp_path / "process.parquet"
    done: list[int] = []
    report = sweep(
        scenario_file,
        backend="process",
        workers=2,
        chunk_size=chunk_size,
        start_method=start_method,
        out=out,
        on_chunk=lambda ran, total: done.append(ran),
        **DEFINITION,
    )
    assert (report.ran, report.workers) == (TOTAL, 2)
    assert by_key(read_results(out)).equals(reference)
    sizes = sorted(b - a for a, b in zip([0, *done], done, strict=False))
    if chunk_size is None:
        # 36 runs, two workers: chunks of ceil(36 / 16) = 3 runs, then a quarter of
        # what is left once that is less than 12, down to one run
        assert sizes == sorted([3] * 10 + [2, 1, 1, 1, 1])
    else:  # as asked: 36 of 1, or 7 of 5 and the one left
        tail = [TOTAL % chunk_size] if TOTAL % chunk_size else []
        assert sizes == sorted([chunk_size] * (TOTAL // chunk_size) + tail)


def test_dask_matches_serial(
    scenario_file: Path, tmp_path: Path, reference: Any, cluster: Any
) -> None:
    out = tmp_path / "dask.parquet"
    report = sweep(
        scenario_file,
        backend="dask",
        scheduler=cluster.scheduler_address,
        chunk_size=4,
        out=out,
        **DEFINITION,
    )
    assert (report.ran, report.workers) == (TOTAL, 2)
    assert by_key(read_results(out)).equals(reference)
    # An existing Client works too, and resuming on another backend adds nothing.
    import distributed

    with distributed.Client(cluster, set_as_default=False) as client:
        again = sweep(scenario_file, backend="dask", scheduler=client, out=out, **DEFINITION)
    assert (again.ran, again.skipped) == (0, TOTAL)


def _settings(dask_worker: Any) -> tuple[bool, dict[str, Any]]:
    import dask

    return "profile" in dask_worker.periodic_callbacks, {k: dask.config.get(k) for k in DASK_CONFIG}


def test_negsims_local_cluster_runs_its_workers_with_its_settings(cluster: Any) -> None:
    """Dask's profiler is off in the workers, and its monitors wake them less often."""
    import distributed

    with distributed.Client(cluster, set_as_default=False) as client:
        settings = client.run(_settings)
    assert len(settings) == 2
    assert all(s == (False, DASK_CONFIG) for s in settings.values()), settings


def test_dask_local_cluster_of_its_own(
    scenario_file: Path, tmp_path: Path, reference: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[int | None] = []

    def spy(workers: int | None = None, **kwargs: Any) -> Any:
        started.append(workers)
        return local_cluster(workers, **kwargs)

    monkeypatch.setattr(negsim.experiments._backends, "local_cluster", spy)
    out = tmp_path / "dask.csv"
    report = sweep(scenario_file, backend="dask", workers=2, out=out, **DEFINITION)
    assert report.ran == TOTAL
    assert started == [2]  # negsim's LocalCluster, with its settings
    rows = by_key(read_results(out))
    assert rows["run_key"].equals(reference["run_key"])
    assert rows["seed"].equals(reference["seed"])
    assert rows["outcome"].equals(reference["outcome"])
    assert rows["metric.messages"].equals(reference["metric.messages"])


def test_a_lost_chunk_is_reported_and_resumed(scenario_file: Path, tmp_path: Path) -> None:
    """A chunk fails outside any run's error handling (its worker dies): it is lost and
    reported; the other rows are written, and a new call retries only it."""
    out = tmp_path / "lost.parquet"
    definition = {
        **DEFINITION,
        "grid": ["agents.ROK.doctrine=chatter,exiter"],
        "samples": None,
        "bounds": None,
        "registry": EXITING,
        "runs": 4,
    }
    with pytest.raises(SweepError, match="lost 1 chunk") as info:
        sweep(scenario_file, backend="process", workers=1, chunk_size=4, out=out, **definition)
    assert info.value.lost == 4
    assert len(read_results(out)) == 4
    # Resumed, only the lost runs are left; when every chunk fails, the sweep stops at once.
    with pytest.raises(SweepError, match="could not run the first chunk: BrokenProcessPool"):
        sweep(scenario_file, backend="process", workers=1, out=out, **definition)
    assert len(read_results(out)) == 4
    # A new directory whose sweep wrote no row is not left behind.
    fresh = tmp_path / "fresh.parquet"
    definition["grid"] = ["agents.ROK.doctrine=exiter"]
    with pytest.raises(SweepError, match="could not run the first chunk: BrokenProcessPool"):
        sweep(scenario_file, backend="process", workers=1, out=fresh, **definition)
    assert not fresh.exists()


def test_cli_on_a_dask_scheduler_with_installed_plugins(tmp_path: Path, cluster: Any) -> None:
    @click.group(cls=NegsimGroup)
    def group() -> None:
        pass

    group.add_command(sweep_command)
    common = [
        str(KOREA),
        "--grid",
        "agents.DPRK.params.execution_cost=0.5,4.0",  # what carrying out a threat costs it
        "--runs",
        "4",
        "--seed",
        "3",
        "--quiet",
        "--no-summary",
    ]
    runner = CliRunner()
    serial = runner.invoke(
        group, ["sweep", *common, "--backend", "serial", "--out", str(tmp_path / "s.parquet")]
    )
    assert serial.exit_code == 0, serial.output
    dask = runner.invoke(
        group,
        [
            "sweep",
            *common,
            "--scheduler",
            cluster.scheduler_address,
            "--out",
            str(tmp_path / "d.parquet"),
        ],
    )
    assert dask.exit_code == 0, dask.output
    a = by_key(read_results(tmp_path / "s.parquet"))
    b = by_key(read_results(tmp_path / "d.parquet"))
    assert a.equals(b)
    assert a["error"].isna().all()
    assert a["plugins"].str.contains("crisis=negsim").all()


def test_an_unreachable_scheduler_is_an_error(
    scenario_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import distributed

    class NoClient:  # Dask's client would retry a refused connection for 30 s
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("the refused address reached Dask's Client")

    monkeypatch.setattr(distributed, "Client", NoClient)
    out = tmp_path / "r.parquet"
    refused = re.escape("scheduler at 'tcp://127.0.0.1:1': Connection refused")
    with pytest.raises(SweepError, match=refused):
        sweep(scenario_file, backend="dask", scheduler="tcp://127.0.0.1:1", out=out, **DEFINITION)
    assert not out.exists()  # a sweep that wrote no row leaves nothing behind
