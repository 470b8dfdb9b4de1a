"""A serial sweep's live memory stays flat as the number of runs grows.

Run from the repository root::

    python benchmarks/bench_memory.py                 # 1,000 against 10,000 runs
    python benchmarks/bench_memory.py --runs 100 2000 # other sizes

A sweep streams its rows to disk in parts, so the memory it holds should not grow with
the number of runs. This script runs the Korea flagship (integrated alliance) as a
serial sweep at two sizes and samples live Python memory (``tracemalloc``, after a
garbage collection, so free lists do not count) after every chunk of runs. It prints
the peak of each size and their ratio, measured in this one run; the target is a ratio
below 1.15 (ten times the runs, about the same memory), and the script exits with 1
when it is missed. Nothing here measures time.

The doctrines and the engine keep bounded caches of what runs of a scenario share (a
few MB for the Korea flagship); they fill over the first few hundred runs, so the
default sizes start at 1,000 runs, past that (50 against 500 runs measures the caches
filling: 0.57 MB against 3.2 MB).
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import tracemalloc
from pathlib import Path

import negsim.experiments

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "examples" / "scenarios" / "korea_integrated.toml"
TARGET = 1.15


def peak(runs: int, out: Path) -> int:
    """The largest live memory (bytes) seen after any chunk of a ``runs``-run sweep."""
    samples: list[int] = []

    def measure(done: int, total: int) -> None:
        gc.collect()
        samples.append(tracemalloc.get_traced_memory()[0])

    gc.collect()
    tracemalloc.start()
    try:
        negsim.experiments.sweep(
            SCENARIO,
            grid=["agents.JPN.params.cost_nuclear=60"],
            runs=runs,
            seed=11,
            backend="serial",
            out=out,
            progress=False,
            part_rows=20,
            flush_every=1e9,
            chunk_size=25,
            on_chunk=measure,
        )
    finally:
        tracemalloc.stop()
    return max(samples)


def main(argv: list[str] | None = None) -> int:
    """Measure, print the figures and the ratio; 1 if the ratio misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", nargs=2, type=int, default=(1000, 10000), metavar=("SMALL", "LARGE")
    )
    args = parser.parse_args(argv)
    small_runs, large_runs = args.runs
    with tempfile.TemporaryDirectory() as tmp:
        peak(20, Path(tmp) / "warm.parquet")  # imports and relays, outside the measurement
        small = peak(small_runs, Path(tmp) / "small.parquet")
        large = peak(large_runs, Path(tmp) / "large.parquet")
    ratio = large / small
    print("| runs | peak live memory |\n|---:|---:|")
    print(f"| {small_runs} | {small / 1e6:.2f} MB |\n| {large_runs} | {large / 1e6:.2f} MB |")
    verdict = "met" if ratio < TARGET else "MISSED"
    print(f"\nratio {large_runs}/{small_runs} runs: {ratio:.3f} (target < {TARGET}: {verdict})")
    return 0 if ratio < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
