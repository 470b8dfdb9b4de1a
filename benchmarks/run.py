"""negsim's benchmark suite: one command, one markdown report.

    python benchmarks/run.py [--quick] [--skip-sweeps] [--out report.md]

Every figure is a median over repeats, shown with its min and max; every comparison is
a ratio of figures measured in this same run, on this machine. Timings are never
asserted in the test suite: these machines are shared and noisy.

Sections: (1) framework overhead against a bare loop, (2) throughput, (3) scaling with
the number of members and rounds, (4) commitment analysis (bench_check.py), (5) sweeps
(bench_sweep.py), (6) start-up of whole processes, (7) decision rules, generated code
against closures (bench_rules.py), (8) a sweep's live memory as runs grow
(bench_memory.py), (9) negsim against its peers, Axelrod, NegMAS and Mesa
(bench_peers.py; skipped with a note when the optional extra ``bench`` is not
installed).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import attrs

import negsim
import negsim_bilateral
import negsim_collective
import negsim_crisis
import negsim_wedge
from negsim.engine import AllianceDesk, public_info, stream
from negsim.model import AgentView, Message, Outcome, Performative, Scenario
from negsim.scenario import scenario_from_dict
from negsim_collective.synthetic import collective_crisis

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "examples" / "scenarios"
DOCTRINES = {"collective": negsim_collective, "bilateral": negsim_bilateral, "wedge": negsim_wedge}


def measure(fn: Callable[[], object], repeats: int) -> tuple[float, float, float]:
    """Median, min and max wall time of ``fn`` over ``repeats`` calls (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def fmt(t: tuple[float, float, float], scale: float = 1.0, unit: str = "s") -> str:
    """``median (min-max) unit``, scaled."""
    med, lo, hi = (x * scale for x in t)
    return f"{med:.3g} {unit} ({lo:.3g}-{hi:.3g})"


# -- (1) the bare loop ------------------------------------------------------------------


def bare_run(scenario: Scenario, seed: int) -> Outcome | None:
    """The same doctrine and world-rule functions, called directly: no hook dispatch, no
    validation, no event log, no commitment monitor. Returns the outcome."""
    public = public_info(scenario)
    rngs = {a.id: stream(seed, "agent", a.id) for a in scenario.agents}
    states = {
        a.id: DOCTRINES[a.doctrine].negsim_agent_start(agent=a, rng=rngs[a.id])
        for a in scenario.agents
    }
    world_rng = stream(seed, "world")
    desk = AllianceDesk(scenario.alliances)
    world = scenario.world
    sent: list[Message] = []
    for t in range(1, scenario.max_rounds + 1):
        now = attrs.evolve(world, round=t)
        inboxes: defaultdict[str, list[Message]] = defaultdict(list)
        for m in sent:
            for r in m.recipients:
                inboxes[r].append(m)
        messages, actions = [], []
        for agent in scenario.agents:
            view = AgentView(
                agent=agent,
                round=t,
                world=now,
                inbox=tuple(inboxes.get(agent.id, ())),
                commitments=(),
                proposals=desk.open_for(agent.id),
                public=public,
                state=states[agent.id],
                rng=rngs[agent.id],
            )
            for move in DOCTRINES[agent.doctrine].negsim_decide(view=view):
                (messages if isinstance(move, Message) else actions).append(move)
        adj = negsim_crisis.negsim_adjudicate(
            world=now,
            actions=tuple(actions),
            messages=tuple(messages),
            scenario=scenario,
            rng=world_rng,
        )
        for m in messages:
            if m.performative in (Performative.PROPOSE, Performative.VOTE):
                desk.record(m)
        _, decided = desk.tally(t)
        world = attrs.evolve(adj.world, round=t, facts=adj.world.facts | frozenset(decided))
        sent = messages
        verdict = negsim_crisis.negsim_classify_outcome(
            world=world, scenario=scenario, final=t >= scenario.max_rounds
        )
        if verdict is not None:
            return verdict[0]
    return None


def overhead(runs: int, repeats: int) -> list[str]:
    rows = [
        "| scenario | negsim.simulate | bare loop | ratio | same outcomes |",
        "|---|---|---|---|---|",
    ]
    for name in ("korea_integrated", "korea_bilateral", "baltic_nato"):
        scenario = negsim.load_scenario(SCENARIOS / f"{name}.toml")
        full = measure(
            lambda sc=scenario: [negsim.simulate(sc, seed=s) for s in range(runs)], repeats
        )
        bare = measure(lambda sc=scenario: [bare_run(sc, s) for s in range(runs)], repeats)
        same = all(
            negsim.simulate(scenario, seed=s).outcome == bare_run(scenario, s) for s in range(runs)
        )
        rows.append(
            f"| {name} ({runs} runs) | {fmt(full)} | {fmt(bare)} | "
            f"{full[0] / bare[0]:.2f}x | {'yes' if same else 'NO'} |"
        )
    return rows


# -- (2) throughput ---------------------------------------------------------------------


def throughput(runs: int, repeats: int) -> list[str]:
    rows = ["| scenario | agents | runs/s (one core) | agent-decisions/s |", "|---|---|---|---|"]
    for name in ("korea_bilateral", "korea_integrated", "baltic_nato"):
        scenario = negsim.load_scenario(SCENARIOS / f"{name}.toml")
        rounds = sum(negsim.simulate(scenario, seed=s).rounds for s in range(runs))
        t = measure(lambda sc=scenario: [negsim.simulate(sc, seed=s) for s in range(runs)], repeats)
        n = len(scenario.agents)
        rows.append(
            f"| {name} | {n} | {runs / t[0]:.0f} ({runs / t[2]:.0f}-{runs / t[1]:.0f}) | "
            f"{rounds * n / t[0]:,.0f} |"
        )
    return rows


# -- (3) scaling ------------------------------------------------------------------------


def scaling(sizes: list[int], rounds_list: list[int], repeats: int) -> list[str]:
    """Time per agent-round in a synthetic collective crisis that lasts exactly R rounds:
    the challenger threatens the rear-area host in round 1 (so consultation messages go
    to every member) and never attacks."""
    head = "| members | " + " | ".join(f"{r} rounds (us/agent-round)" for r in rounds_list) + " |"
    rows = [head, "|---|" + "---|" * len(rounds_list)]
    base: float | None = None
    last: float | None = None
    for n in sizes:
        cells = []
        for r in rounds_list:
            data = collective_crisis(
                n,
                pairwise=False,
                max_rounds=r,
                challenger={"patience": 10000, "status_quo": 1000.0},
            )
            scenario = scenario_from_dict(data)
            t = measure(lambda sc=scenario: negsim.simulate(sc, seed=1), repeats)
            per = t[0] / ((n + 1) * r) * 1e6
            cells.append(
                f"{per:.2f} ({t[1] / ((n + 1) * r) * 1e6:.2f}-{t[2] / ((n + 1) * r) * 1e6:.2f})"
            )
            if r == rounds_list[-1]:
                base = per if base is None else base
                last = per
        rows.append(f"| {n} | " + " | ".join(cells) + " |")
    if base and last:
        rows.append("")
        rows.append(
            f"Ratio of time per agent-round, {sizes[-1]} vs {sizes[0]} members at "
            f"{rounds_list[-1]} rounds: **{last / base:.2f}x** (target <= 1.5x)."
        )
    return rows


# -- (6) start-up -----------------------------------------------------------------------


def startup(repeats: int) -> list[str]:
    exe = [sys.executable, "-m", "negsim.cli"]
    smallest = str(SCENARIOS / "korea_bilateral.toml")
    rows = ["| command | wall time |", "|---|---|"]
    for label, cmd in (
        ("negsim --help", [*exe, "--help"]),
        ("negsim run korea_bilateral.toml -q", [*exe, "run", smallest, "-q"]),
        ("python -c 'import negsim'", [sys.executable, "-c", "import negsim"]),
        ("python -c 'pass' (interpreter alone)", [sys.executable, "-c", "pass"]),
    ):
        t = measure(lambda c=cmd: subprocess.run(c, check=True, capture_output=True), repeats)
        rows.append(f"| `{label}` | {fmt(t, 1000, 'ms')} |")
    return rows


def external(script: str, args: list[str], *, skip_status: int | None = None) -> list[str]:
    """Run a sibling benchmark script and include its report.

    A script that exits with ``skip_status`` (what it needs is not installed) is
    skipped, with its one-line message as the section's note.
    """
    path = Path(__file__).with_name(script)
    if not path.exists():
        return [f"({script} is not present)"]
    done = subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True)
    if skip_status is not None and done.returncode == skip_status:
        return [f"Skipped: {done.stderr.strip()}"]
    if done.returncode:
        return [f"({script} failed: {done.stderr.strip().splitlines()[-1:]})"]
    return done.stdout.rstrip().splitlines()


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}; {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"negsim {negsim.__version__}; {platform.system()} {platform.release()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="negsim benchmarks")
    parser.add_argument("--quick", action="store_true", help="fewer runs and repeats")
    parser.add_argument("--skip-sweeps", action="store_true", help="leave out section 5")
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    args = parser.parse_args()
    runs, repeats = (50, 3) if args.quick else (200, 5)
    sizes = [8, 32, 128, 512]
    rounds = [10, 50] if args.quick else [10, 50, 200]
    report = ["# negsim benchmarks", "", f"Machine: {machine()}", ""]
    sections: list[tuple[str, Callable[[], list[str]]]] = [
        ("1. Framework overhead (full simulate vs bare loop)", lambda: overhead(runs, repeats)),
        ("2. Throughput", lambda: throughput(runs, repeats)),
        ("3. Scaling", lambda: scaling(sizes, rounds, 3 if not args.quick else 1)),
        ("4. Commitment analysis (negsim check)", lambda: external("bench_check.py", [])),
    ]
    if not args.skip_sweeps:
        sweep_args = ["--quick"] if args.quick else []
        sections.append(("5. Sweeps", lambda: external("bench_sweep.py", sweep_args)))
    sections.append(("6. Start-up (whole processes)", lambda: startup(repeats)))
    sections.append(("7. Decision rules", lambda: external("bench_rules.py", [])))
    sections.append(("8. Sweep memory", lambda: external("bench_memory.py", [])))
    peer_args = ["--quick"] if args.quick else []
    sections.append(("9. Peers", lambda: external("bench_peers.py", peer_args, skip_status=2)))
    for title, fn in sections:
        print(f"running: {title}", file=sys.stderr)
        report += [f"## {title}", "", *fn(), ""]
    text = "\n".join(report)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
