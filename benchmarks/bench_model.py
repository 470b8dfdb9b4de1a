"""The model's cost, before and after a change to it, measured in one run.

    python benchmarks/bench_model.py --before b4e47a4 [--runs 200] [--repeats 5]

Checks the revision ``--before`` out into a temporary git worktree and, alternating
between it and this tree so both see the same machine, runs in a child process of each:
the flagships' runs per second on one core (``negsim.simulate``), and the same runs in
each tree's own bare loop (``benchmarks/run.py``'s ``bare_run``: the doctrine and
world-rule functions called directly, no hook dispatch, validation, event log or
commitment monitor). Prints a Markdown table of medians and the after/before ratios.
The bare loop runs each tree's own rules, so the overhead column compares each engine
with the model it runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("korea_bilateral", "korea_integrated", "baltic_nato")

CHILD = r"""
import json, sys, time
sys.path[:0] = [ROOT + "/benchmarks"]
import negsim
assert negsim.__file__.startswith(ROOT), "imports " + negsim.__file__ + ", not " + ROOT
from run import bare_run
out = {}
for name in NAMES:
    scenario = negsim.load_scenario(ROOT + "/examples/scenarios/" + name + ".toml")
    negsim.simulate(scenario, seed=0)
    start = time.perf_counter()
    for s in range(RUNS):
        negsim.simulate(scenario, seed=s)
    full = time.perf_counter() - start
    start = time.perf_counter()
    for s in range(RUNS):
        bare_run(scenario, s)
    bare = time.perf_counter() - start
    out[name] = [RUNS / full, full / bare]
print(json.dumps(out))
"""


def measure(tree: Path, runs: int) -> dict[str, list[float]]:
    """One child process in ``tree``: {scenario: [runs per second, overhead]}."""
    code = CHILD.replace("ROOT", repr(str(tree))).replace("NAMES", repr(SCENARIOS))
    code = code.replace("RUNS", str(runs))
    env = {"PYTHONPATH": f"{tree}:{tree / 'plugins'}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tree,  # "-c" puts the working directory first on the path: it must be the tree
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"the benchmark failed in {tree}:\n{done.stderr}")
    result: dict[str, list[float]] = json.loads(done.stdout)
    return result


def main(argv: list[str] | None = None) -> None:
    """Measure both trees, alternating, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="git revision of the old model")
    parser.add_argument("--runs", type=int, default=200, help="runs per scenario per repeat")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "before"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), args.before],
            check=True,
            capture_output=True,
        )
        try:
            samples: dict[str, list[dict[str, list[float]]]] = {"before": [], "after": []}
            for _ in range(args.repeats):
                samples["before"].append(measure(old, args.runs))
                samples["after"].append(measure(ROOT, args.runs))
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False
            )
    print(f"Model before ({args.before}) and after, {args.runs} runs x {args.repeats} repeats,")
    print("alternating; medians.\n")
    print(
        "| scenario | runs/s before | runs/s after | after/before | overhead before | "
        "overhead after |"
    )
    print("|---|---|---|---|---|---|")
    for name in SCENARIOS:
        rate = {k: statistics.median(s[name][0] for s in v) for k, v in samples.items()}
        over = {k: statistics.median(s[name][1] for s in v) for k, v in samples.items()}
        print(
            f"| {name} | {rate['before']:.0f} | {rate['after']:.0f} | "
            f"{rate['after'] / rate['before']:.2f}x | {over['before']:.2f}x | "
            f"{over['after']:.2f}x |"
        )


if __name__ == "__main__":
    main()
