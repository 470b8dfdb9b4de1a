"""Time ``negsim check``: in the library, and as a whole process before and after a change.

Run from the repository root::

    python benchmarks/bench_check.py            # flagships, then 128 and 512 members
    python benchmarks/bench_check.py 64 256     # other synthetic sizes
    python benchmarks/bench_check.py --before a81e8d3 [--sizes 32 512] [--repeats 3]

Without ``--before``, for each scenario it prints the time to load it (flagships only),
to decide consistency and reachable violations of its commitments (``commitments``), to
answer one entailment question (``entailment``), and to report the agents' decision
rules with their thresholds (``rules``). The synthetic scenarios are built in memory: n
members deciding by consensus under the ``collective`` doctrine, with one Art. 5
commitment per ordered pair (n(n-1) commitments), plus one rear-area host per ten
members whose access grant is excluded from coexisting with a denial, so some groups are
not just conjunctions of literals.

With ``--before REV``, it times ``negsim check FILE`` as a whole process, as a user runs
it, on the collective crisis of :func:`negsim_collective.synthetic.collective_crisis`
with each of ``--sizes`` members: the revision ``REV`` (checked out into a temporary git
worktree) and this tree, alternating so that both see the same machine, on the file that
lists every Art. 5 commitment (50 MB at 512 members), and this tree also on the file that
declares them as one ``[[commitment_templates]]`` table. For each process it takes the
wall time, the CPU time (user + system, steadier than wall time on a shared machine) and
the peak resident memory, and checks that every output is the same (but for the file
name on the first line). Prints a Markdown table of medians and after/before ratios, and
which TOML parser this tree used: tomli when the ``fast`` extra is installed in the Python
that runs this script, else tomllib (the listed file then reads about 5 s slower).

Timings are seconds on this machine; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple, TypeVar

import negsim
from negsim.analysis import thresholds
from negsim.analysis._commitments import Analysis
from negsim.model import Agent, Alliance, Commitment, Scenario
from negsim.plugins import default_registry

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIPS = ("korea_bilateral", "korea_integrated", "baltic_nato")

T = TypeVar("T")


def timed(function: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def synthetic(members: int) -> Scenario:
    """A collective alliance of ``members`` states with pairwise Art. 5 commitments."""
    registry = default_registry()
    defaults = registry.spec("collective").defaults
    ids = [f"M{i:04d}" for i in range(members)]
    agents = [Agent(id=i, name=i, doctrine="collective", params=defaults) for i in ids]
    commitments = [
        Commitment(
            id=f"art5-{d}-{c}",
            debtor=d,
            creditor=c,
            antecedent=f"attacked({c})",
            consequent=f"responds({d},{c})",
            deadline=5,
            source="Art. 5 (synthetic)",
        )
        for d in ids
        for c in ids
        if d != c
    ]
    hosts = ids[::10]
    commitments += [
        Commitment(
            id=f"grant-{h}",
            debtor=h,
            creditor=ids[-1],
            antecedent="true",
            consequent=f"~denies_access({h},{ids[-1]})",
            source="host grant (synthetic)",
        )
        for h in hosts
    ]
    exclusions = [f"~(grants_access({h},{ids[-1]}) & denies_access({h},{ids[-1]}))" for h in hosts]
    alliance = Alliance(
        id="ALL", name="synthetic", kind="collective", members=ids, decision_rule="consensus"
    )
    return Scenario(
        name=f"synthetic-{members}",
        agents=agents,
        alliances=[alliance],
        commitments=commitments,
        exclusions=exclusions,
    )


def bench(name: str, scenario: Scenario, load: float | None) -> None:
    first = scenario.agents[0].id
    target = next(a.id for a in scenario.agents if a.id != first)
    analysis, t_build = timed(lambda: Analysis(scenario.commitments, scenario.exclusions))
    (consistency, (violations, _)), t_comm = timed(
        lambda: (analysis.consistency(), analysis.violations())
    )
    _, t_ent = timed(lambda: analysis.entails(f"attacked({target})", f"responds({first},{target})"))
    _, t_rules = timed(lambda: thresholds(scenario))
    loaded = "" if load is None else f"load {load:6.2f}s  "
    print(
        f"{name:18s} {len(scenario.commitments):7d} commitments  {loaded}"
        f"commitments {t_build + t_comm:6.2f}s  entailment {t_ent:6.2f}s  "
        f"rules {t_rules:6.2f}s   [{consistency.groups} groups, "
        f"{consistency.distinct_groups} distinct, consistent={consistency.consistent}, "
        f"{len(violations)} violations, {analysis.solver.sympy_calls} sympy calls]",
        flush=True,
    )


def main(sizes: list[int]) -> None:
    import sympy  # noqa: F401 - import it up front so that no timing includes it

    default_registry()
    for name in FLAGSHIPS:
        path = ROOT / "examples" / "scenarios" / f"{name}.toml"
        scenario, t_load = timed(lambda path=path: negsim.load_scenario(path))
        bench(name, scenario, t_load)
    for n in sizes:
        scenario = synthetic(n)
        bench(f"synthetic-{n}", scenario, None)


# -- whole processes, before and after ------------------------------------------------


class Run(NamedTuple):
    """One ``negsim check`` process: wall and CPU seconds, peak RSS in MB, its output."""

    wall: float
    cpu: float
    rss: float
    output: str


def check_process(tree: Path, path: Path) -> Run:
    """Run ``negsim check path`` with the code of ``tree``; exit 0 or 3 (a conflict) only."""
    env = {"PYTHONPATH": f"{tree}:{tree / 'plugins'}", "PATH": os.environ.get("PATH", "")}
    start = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-m", "negsim", "check", str(path)],
        cwd=tree,  # "-m" puts the working directory first on the path: it must be the tree
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        output, errors = child.communicate()
        wall = time.perf_counter() - start
    if child.returncode not in (0, 3):
        raise SystemExit(f"negsim check {path} failed in {tree}:\n{errors}")
    return Run(wall, 0.0, 0.0, output)


def measured(tree: Path, path: Path) -> Run:
    """:func:`check_process` from a fresh helper, whose only child is the check.

    The helper reads the check's CPU time and peak RSS from ``RUSAGE_CHILDREN``, which
    sums (and takes the maximum) over every child a process has waited for.
    """
    code = (
        "import json, resource, sys; sys.path.insert(0, sys.argv[1]);"
        "from bench_check import check_process;"
        "from pathlib import Path;"
        "run = check_process(Path(sys.argv[2]), Path(sys.argv[3]));"
        "use = resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(json.dumps([run.wall, use.ru_utime + use.ru_stime, use.ru_maxrss / 1024,"
        " run.output]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent), str(tree), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    wall, cpu, rss, output = json.loads(done.stdout)
    return Run(wall, cpu, rss, output)


def write_files(folder: Path, sizes: list[int]) -> dict[tuple[int, str], Path]:
    """The collective crisis of each size, as a listing file and as a templated file."""
    from negsim.testing._toml import scenario_toml
    from negsim_collective.synthetic import collective_crisis

    files = {}
    for n in sizes:
        for form, templated in (("listed", False), ("templated", True)):
            path = folder / f"collective-{n}-{form}.toml"
            path.write_text(scenario_toml(collective_crisis(n, templated=templated)))
            files[n, form] = path
    return files


def compare(before: str, sizes: list[int], repeats: int) -> None:
    """Time both trees, alternating, and print the table."""
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "before"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), before],
            check=True,
            capture_output=True,
        )
        try:
            for tree in (old, ROOT):
                _assert_imports_from(tree)
            files = write_files(Path(tmp), sizes)
            cases = [(n, "before", old, files[n, "listed"]) for n in sizes]
            cases += [(n, "after", ROOT, files[n, "listed"]) for n in sizes]
            cases += [(n, "templated", ROOT, files[n, "templated"]) for n in sizes]
            runs: dict[tuple[int, str], list[Run]] = {(n, k): [] for n, k, _, _ in cases}
            for _ in range(repeats):
                for n, kind, tree, path in sorted(cases, key=lambda c: c[0]):
                    runs[n, kind].append(measured(tree, path))
            sizes_mb = {k: p.stat().st_size / 1e6 for k, p in files.items()}
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=False
            )
    print(
        f"`negsim check` as a whole process, before ({before}) and after; {repeats} repeats, "
        "alternating; medians. CPU = user + system seconds.\n"
    )
    print(
        "| members | file | file size | wall (s) | CPU (s) | peak RSS (MB) | wall, after/before "
        "| CPU, after/before | same output |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for n in sizes:
        base = runs[n, "before"]
        reference = _body(base[0].output)
        for kind, label, form in (
            ("before", "before: listed", "listed"),
            ("after", "after: listed", "listed"),
            ("templated", "after: templated", "templated"),
        ):
            rs = runs[n, kind]
            wall = statistics.median(r.wall for r in rs)
            cpu = statistics.median(r.cpu for r in rs)
            rss = statistics.median(r.rss for r in rs)
            ratio_wall = wall / statistics.median(r.wall for r in base)
            ratio_cpu = cpu / statistics.median(r.cpu for r in base)
            same = all(_body(r.output) == reference for r in rs)
            print(
                f"| {n} | {label} | {sizes_mb[n, form]:.2f} MB | {wall:.2f} | {cpu:.2f} | "
                f"{rss:.0f} | {ratio_wall:.2f}x | {ratio_cpu:.2f}x | {'yes' if same else 'NO'} |"
            )
    load = os.getloadavg()
    print(f"\nLoad average at the end (1, 5, 15 min): {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}.")
    print(f"TOML parser after: {_toml_parser(ROOT)}.")


def _toml_parser(tree: Path) -> str:
    """Which parser ``tree``'s loader uses here: tomli (the ``fast`` extra) or tomllib."""
    env = {"PYTHONPATH": f"{tree}:{tree / 'plugins'}", "PATH": os.environ.get("PATH", "")}
    code = (
        "import importlib.metadata as m; from negsim.scenario import _toml;"
        "print(f'tomli {m.version(\"tomli\")} (the fast extra)' if _toml.fast_parser()"
        " else 'tomllib')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tree, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _assert_imports_from(tree: Path) -> None:
    """Make sure a process set up as :func:`check_process` sets it up runs ``tree``'s code."""
    env = {"PYTHONPATH": f"{tree}:{tree / 'plugins'}", "PATH": os.environ.get("PATH", "")}
    code = "import negsim, negsim_collective; print(negsim.__file__, negsim_collective.__file__)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tree, env=env, capture_output=True, text=True, check=True
    )
    files = [Path(f).resolve() for f in done.stdout.split()]
    if not all(f.is_relative_to(tree.resolve()) for f in files):
        raise SystemExit(f"a process meant to run {tree} imports {files}")


def _body(output: str) -> str:
    """A report without its first line, which names the file."""
    return output.split("\n", 1)[1]


if __name__ == "__main__":
    if "--before" in sys.argv:
        parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
        parser.add_argument("--before", required=True, help="git revision to compare with")
        parser.add_argument("--sizes", type=int, nargs="+", default=[32, 512])
        parser.add_argument("--repeats", type=int, default=3)
        args = parser.parse_args()
        compare(args.before, args.sizes, args.repeats)
    else:
        main([int(a) for a in sys.argv[1:]] or [128, 512])
