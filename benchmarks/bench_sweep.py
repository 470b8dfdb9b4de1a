"""Sweeps: speed-up of the process pool and Dask over serial, and memory as runs grow.

Run from the repository root::

    python benchmarks/bench_sweep.py            # 2,000 runs on each backend
    python benchmarks/bench_sweep.py --big      # ... and 20,000 runs: memory, speed-up
    python benchmarks/bench_sweep.py --quick    # 400 runs (for benchmarks/run.py --quick)

The sweep is a flagship Korea scenario (korea_bilateral.toml, the fastest run and so
the hardest to speed up; ``--scenario`` picks another) over
``agents.JPN.params.cost_nuclear=0:120:10`` with N/10 runs per point, written to a
Parquet results directory. Each case runs in a fresh Python process, so imports and
peak memory do not carry over between cases; the time is the ``sweep()`` call alone
(the process pool's start-up included). For Dask the ``LocalCluster`` (2 worker
processes; the one a dask sweep starts, :func:`negsim.experiments.local_cluster`, or
one with Dask's default settings with ``--dask-defaults``) is started first and its
start-up (workers importing negsim and its plugins included) is shown apart, as a
cluster is usually started once for many sweeps.

Times come from cases that run alone: nothing else runs in their process, so the
process pool starts its workers by ``fork``, as it does from a script or the CLI (a
process with other threads, such as a notebook kernel, uses ``forkserver``; see
``--start-method``). Memory comes from separate cases, one per backend and size: the
case's own peak RSS (``VmHWM``, exact) plus the peak of the summed RSS of its worker
processes, which this script samples from outside every 20 ms (psutil). Their sum is
an upper bound on the memory the sweep held at once. Each timed case runs
``--repeat`` times, the backends interleaved; times are medians with their range,
speed-ups ratios of medians, all from one run of this script. The rows of every case
are checked to be identical. The load average before and after is printed: other
processes on the machine slow the parallel cases most. The CPU time of each case
(its process and its workers, during the ``sweep()`` call) is steadier than its wall
time on a loaded machine; a parallel case's CPU time above the serial one's is what
running in parallel costs. Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "examples" / "scenarios" / "korea_bilateral.toml"
GRID = "agents.JPN.params.cost_nuclear=0:120:10"
POINTS = 10
WORKERS = 2


class PeakRSS:
    """Samples the summed RSS of a process's descendants from outside; keeps the peak.

    Args:
        pid: The process to watch.
        interval: Seconds between samples.
    """

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        import psutil

        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _sample(self) -> None:
        import psutil

        with contextlib.suppress(psutil.Error):  # the case just exited
            workers = 0
            for child in self.root.children(recursive=True):
                with contextlib.suppress(psutil.Error):  # a worker that just exited
                    workers += child.memory_info().rss
            self.peak = max(self.peak, workers)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def case(
    backend: str,
    runs: int,
    out: str,
    scenario: Path,
    start_method: str | None,
    dask_defaults: bool = False,
) -> dict[str, Any]:
    """One sweep in this process; returns its figures."""
    from negsim.experiments import sweep
    from negsim.experiments._backends import default_start_method

    result: dict[str, Any] = {"backend": backend, "runs": runs}
    scheduler = None
    cluster = client = None
    if backend == "dask":
        from distributed import Client, LocalCluster

        start = time.perf_counter()
        if dask_defaults:
            cluster = LocalCluster(
                n_workers=WORKERS,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                silence_logs=40,
            )
        else:  # the cluster sweep(backend="dask") starts
            from negsim.experiments import local_cluster

            cluster = local_cluster(WORKERS)
        client = Client(cluster, set_as_default=False)
        client.wait_for_workers(WORKERS)
        # Workers import negsim and discover the installed plugins once per cluster.
        client.run(exec, "from negsim.plugins import default_registry; default_registry()")
        result["startup"] = time.perf_counter() - start
        scheduler = client
    elif backend == "process":
        result["start_method"] = start_method or default_start_method()
    cpu = _cpu_seconds()
    start = time.perf_counter()
    report = sweep(
        scenario,
        grid=[GRID],
        runs=runs // POINTS,
        seed=1,
        backend=backend,
        workers=None if backend == "serial" else WORKERS,
        scheduler=scheduler,
        out=out,
        progress=False,
        start_method=start_method,
    )
    result["seconds"] = time.perf_counter() - start
    result["cpu"] = _cpu_seconds() - cpu
    if client is not None:
        client.close()
        cluster.close()
    result.update(
        workers=1 if backend == "serial" else WORKERS,
        ran=report.ran,
        errors=report.errors,
        parent_peak_mb=_own_peak_mb(),
    )
    return result


def _cpu_seconds() -> float:
    """CPU time of this process and its descendants: those still running (the Dask
    workers) and those ended and waited for (the pool's workers, at its shutdown)."""
    import psutil

    me = psutil.Process()
    total = sum(me.cpu_times()[:4])  # user, system, and of waited-for children
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += sum(child.cpu_times()[:2])
    return total


def _own_peak_mb() -> float:
    """This process's peak RSS: VmHWM, which exec resets (``ru_maxrss`` would carry
    over the peak of the process that forked this one)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(
    backend: str, runs: int, out: Path, args: argparse.Namespace, memory: bool = False
) -> dict[str, Any]:
    """A case in a fresh interpreter; with ``memory``, its process tree is sampled."""
    command = [sys.executable, __file__, "--case", backend, "--runs", str(runs)]
    command += ["--out", str(out), "--scenario", str(args.scenario)]
    if args.start_method:
        command += ["--start-method", args.start_method]
    if args.dask_defaults:
        command += ["--dask-defaults"]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    ) as proc:
        sampler = PeakRSS(proc.pid) if memory else contextlib.nullcontext()
        with sampler:
            stdout, stderr = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"{backend} x {runs} failed:\n{stderr}")
    result = dict(json.loads(stdout.strip().splitlines()[-1]))
    if isinstance(sampler, PeakRSS):
        workers = sampler.peak / 2**20
        result.update(workers_peak_mb=workers, peak_mb=result["parent_peak_mb"] + workers)
    return result


def differences(paths: list[Path]) -> list[str]:
    """The columns in which each results table differs from the first one."""
    from negsim.experiments import read_results

    frames = [read_results(p).sort_values("run_key").reset_index(drop=True) for p in paths]
    out = []
    for path, frame in zip(paths[1:], frames[1:], strict=True):
        cols = [
            c
            for c in frames[0].columns
            if c not in frame.columns or not frame[c].equals(frames[0][c])
        ]
        if cols or len(frame.columns) != len(frames[0].columns):
            out.append(f"{path.stem}: {', '.join(cols) or 'columns'}")
    return out


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000, help="runs per sweep (default 2000)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="times each timed case runs, each in a fresh process (default 3)",
    )
    parser.add_argument(
        "--big",
        action="store_true",
        help="also 10x the runs on every backend, once each: memory and speed-up",
    )
    parser.add_argument("--quick", action="store_true", help="400 runs, once each, no --big")
    parser.add_argument(
        "--scenario",
        type=Path,
        default=SCENARIO,
        help=f"the scenario swept (default {SCENARIO.relative_to(ROOT)})",
    )
    parser.add_argument(
        "--start-method",
        choices=("fork", "forkserver", "spawn"),
        help="the process pool's start method (default: what sweep() chooses)",
    )
    parser.add_argument(
        "--dask-defaults",
        action="store_true",
        help="start the Dask LocalCluster with Dask's default settings rather than "
        "negsim's (negsim.experiments.local_cluster)",
    )
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        result = case(
            args.case, args.runs, args.out, args.scenario, args.start_method, args.dask_defaults
        )
        print(json.dumps(result))
        return
    runs = 400 if args.quick else args.runs
    repeat = 1 if args.quick else max(1, args.repeat)
    cpus = len(os.sched_getaffinity(0))
    load = os.getloadavg()[0]
    print(
        f"Sweep of {args.scenario.name} over `{GRID}`, {runs // POINTS} runs per point; "
        f"{cpus} cores; {WORKERS} workers; each timed case {repeat}x in a fresh process: "
        "median [min-max]; memory from one more case per backend, sampled."
    )
    print()
    backends = ("serial", "process", "dask")
    with tempfile.TemporaryDirectory() as tmp:
        results: dict[str, list[dict[str, Any]]] = {b: [] for b in backends}
        paths = []
        for i in range(repeat):
            for backend in backends:  # interleaved, so a burst of load hits every backend
                out = Path(tmp) / f"{backend}-{runs}-{i}.parquet"
                results[backend].append(run_case(backend, runs, out, args))
                paths.append(out)
        sampled: dict[str, dict[str, Any]] = {}
        for backend in backends:
            out = Path(tmp) / f"{backend}-{runs}-memory.parquet"
            sampled[backend] = run_case(backend, runs, out, args, memory=True)
            paths.append(out)
        differ = differences(paths)
        serial = _median([r["seconds"] for r in results["serial"]])
        print(
            "| backend | workers | runs | time (s) | runs/s | speed-up vs serial "
            "| CPU, parent + workers (s) | peak RSS, parent + workers (MB) |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for backend in backends:
            rs = results[backend]
            times = [r["seconds"] for r in rs]
            t = _median(times)
            cpu = [r["cpu"] for r in rs]
            print(
                f"| {backend} | {rs[0]['workers']} | {rs[0]['ran']} | {t:.2f} "
                f"[{min(times):.2f}-{max(times):.2f}] | {rs[0]['ran'] / t:.0f} "
                f"| {serial / t:.2f}x | {_median(cpu):.2f} [{min(cpu):.2f}-{max(cpu):.2f}] "
                f"| {sampled[backend]['peak_mb']:.0f} |"
            )
        startup = _median([r["startup"] for r in results["dask"]])
        dask = _median([r["seconds"] for r in results["dask"]])
        print()
        print(
            f"Process pool start method: {results['process'][0]['start_method']}. "
            f"Dask LocalCluster: {'Dask' if args.dask_defaults else 'negsim'}'s settings; "
            f"its start-up, workers importing negsim and plugins included "
            f"(not in the time above): {startup:.2f} s; speed-up including it: "
            f"{serial / (dask + startup):.2f}x. Rows identical on every backend and "
            f"repeat: {'yes' if not differ else 'NO (' + '; '.join(differ) + ')'}. "
            f"Load average before the cases: {load:.2f}, after: {os.getloadavg()[0]:.2f}."
        )
        if args.big and not args.quick:
            big = runs * 10
            print()
            print(
                f"Once each, sampled: {big} runs (times include the sampler's share of "
                f"the CPU), against the sampled {runs}-run cases."
            )
            print()
            print(
                f"| backend | runs | time (s) | speed-up vs serial | peak RSS, parent + workers "
                f"(MB) | workers' peak (MB) | parent's peak (MB) | peak RSS: ratio to "
                f"{runs} runs |"
            )
            print("|---|---:|---:|---:|---:|---:|---:|---:|")
            large: dict[str, dict[str, Any]] = {}
            for backend in backends:
                out = Path(tmp) / f"{backend}-{big}.parquet"
                large[backend] = run_case(backend, big, out, args, memory=True)
            for backend in backends:
                small = sampled[backend]
                for r, base in (
                    (small, sampled["serial"]["seconds"]),
                    (large[backend], large["serial"]["seconds"]),
                ):
                    print(
                        f"| {backend} | {r['ran']} | {r['seconds']:.1f} "
                        f"| {base / r['seconds']:.2f}x | {r['peak_mb']:.0f} "
                        f"| {r['workers_peak_mb']:.0f} | {r['parent_peak_mb']:.0f} "
                        f"| {r['peak_mb'] / small['peak_mb']:.2f}x |"
                    )


if __name__ == "__main__":
    main()
