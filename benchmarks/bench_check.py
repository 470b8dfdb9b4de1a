"""Time ``negsim check`` on the flagship scenarios and on synthetic collective alliances.

Run from the repository root::

    python benchmarks/bench_check.py            # flagships, then 128 and 512 members
    python benchmarks/bench_check.py 64 256     # other synthetic sizes

For each scenario it prints the time to load it (flagships only), to decide consistency
and reachable violations of its commitments (``commitments``), to answer one entailment
question (``entailment``), and to report the agents' decision rules with their thresholds
(``rules``). The synthetic scenarios are built in memory: n members deciding by consensus
under the ``collective`` doctrine, with one Art. 5 commitment per ordered pair (n(n-1)
commitments), plus one rear-area host per ten members whose access grant is excluded from
coexisting with a denial, so some groups are not just conjunctions of literals.
Timings are wall-clock seconds on this machine; nothing here is asserted.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

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


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [128, 512])
