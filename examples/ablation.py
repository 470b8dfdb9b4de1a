"""Ablation of the trilateralism dilemma and of slow consensus: which mechanisms carry them.

The dilemma has two sides, each the difference between the integrated and the
bilateral Korea scenario under the same settings:

* **the integration gain**: with a Japan known to be resolute and no coercion, how
  much more often the integrated alliance deters the DPRK (share of runs deterred);
* **the seam**: with Japan coerced and the DPRK attacking, how much more often the
  defence fails under integration (fait accompli or wedge success).

Each row switches one mechanism off (the overrides shown) in both arrangements and
reports both differences with 95% Newcombe intervals over the same seeds. A mechanism
carries a side when switching it off shrinks that side's difference.

With ``--consensus`` it makes the second table: how much more often a grab stands
(fait accompli or wedge) against a consensus alliance of 16 members than of 4, each
with the same spread of threat perceptions, with each mechanism of slow consensus off
in turn.

With ``--abstention`` it makes the third table: on the integrated Korea scenario, what
letting one member of three abstain (``abstention_share = 0.34``) changes against
letting none, with each mechanism off in turn: how often the alliance decides and how
often the wedge succeeds with the DPRK attacking in every run, and how often the DPRK
is deterred when it chooses (it counts on a refusing member abstaining).

Prints a Markdown table; the docs include its output (``docs/explanation/_ablation.md``,
``_ablation_consensus.md`` and ``_ablation_abstention.md``).

    python examples/ablation.py [--runs 200] [--consensus | --abstention] [--out table.md]
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import negsim
from negsim.model import Outcome, Result
from negsim.scenario import scenario_from_dict
from negsim_collective.synthetic import collective_crisis

HERE = Path(__file__).parent / "scenarios"
TEMPTED = ("agents.DPRK.params.value_gain=70",)
GAIN = (
    *TEMPTED,
    "agents.DPRK.params.coerce=false",
    "agents.JPN.prior.types.resolute.probability=1.0",
    "agents.JPN.prior.types.middling.probability=0.0",
    "agents.JPN.prior.types.wavering.probability=0.0",
)
SEAM = (*TEMPTED, "agents.DPRK.prior.mean=-60")

MECHANISMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("none (the model as it is)", ()),
    ("integration multiplier", ("world.params.integration_multiplier=1.0",)),
    ("Japan's forces join", ("agents.JPN.capabilities.conventional=0",)),
    ("the U.S. waits for consensus", ("agents.USA.params.act_alone_after=1",)),
    ("threats carried out (hazard)", ('agents.DPRK.params.hazards="0"',)),
    ("Japan can be hurt", ("agents.JPN.params.cost_strike=0", "agents.JPN.params.cost_nuclear=0")),
    ("audience costs", ("agents.JPN.params.audience_cost=0", "agents.USA.params.audience_cost=0")),
    ("tripwire", ("world.params.tripwire_risk=0",)),
    ("consolidation", ("world.params.entrenchment=0",)),
)
"""Each mechanism, and the overrides that switch it off (where a parameter belongs to
one arrangement's doctrine only, it is applied where the doctrine has it)."""


def _wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def newcombe(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float, float]:
    """Difference ``k1/n1 - k2/n2`` with its 95% Newcombe (hybrid Wilson) interval."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = _wilson(k1, n1)
    l2, u2 = _wilson(k2, n2)
    d = p1 - p2
    return d, d - math.hypot(p1 - l1, u2 - p2), d + math.hypot(u1 - p1, p2 - l2)


def _count(file: str, overrides: Sequence[str], runs: int, event: Callable[[Result], bool]) -> int:
    scenario = negsim.load_scenario(HERE / file)
    known = {a.id: set(a.params) for a in scenario.agents}
    usable = [o for o in overrides if _applies(o, known)]
    scenario = negsim.apply_overrides(scenario, usable)
    return sum(event(negsim.simulate(scenario, seed=s)) for s in range(runs))


def _applies(override: str, params: dict[str, set[str]]) -> bool:
    parts = override.split("=")[0].split(".")
    if parts[0] == "agents" and parts[2] == "params":
        return parts[3] in params.get(parts[1], set())
    return True


def _side(
    settings: Sequence[str], off: Sequence[str], runs: int, event: Callable[[Result], bool]
) -> str:
    both = [*settings, *off]
    k_i = _count("korea_integrated.toml", both, runs, event)
    k_b = _count("korea_bilateral.toml", both, runs, event)
    d, low, high = newcombe(k_i, runs, k_b, runs)
    return f"{d:+.3f} [{low:+.3f}, {high:+.3f}]"


def table(runs: int) -> str:
    """The ablation table as Markdown."""

    def deterred(r: Result) -> bool:
        return r.outcome is Outcome.DETERRED

    def failed(r: Result) -> bool:
        return r.outcome in (Outcome.FAIT_ACCOMPLI, Outcome.WEDGE_SUCCESS)

    lines = [
        "| mechanism switched off | integration gain (deterred, I - B) "
        "| seam (defence failed, I - B) |",
        "|---|---|---|",
    ]
    for name, off in MECHANISMS:
        gain = _side(GAIN, off, runs, deterred)
        seam = _side(SEAM, off, runs, failed)
        lines.append(f"| {name} | {gain} | {seam} |")
    lines.append("")
    lines.append(
        f"{runs} runs per arm, seeds 0-{runs - 1} in every arm; 95% Newcombe intervals. "
        "Made by `python examples/ablation.py`."
    )
    return "\n".join(lines) + "\n"


CONSENSUS: tuple[tuple[str, dict[str, Any], dict[str, Any]], ...] = (
    ("none (the model as it is)", {}, {}),
    ("deliberation takes time", {"max_deliberation": 0}, {}),
    ("paces differ run to run", {"noise": 0.0}, {}),
    ("threat perceptions differ", {"threat_perception": 0.6}, {}),
    ("reinforcements travel", {}, {"distances": [0.0]}),
)
"""Each mechanism of slow consensus, and the member parameters and generator arguments
that switch it off."""


def _consensus_share(members: int, member: dict[str, Any], extra: dict[str, Any], runs: int) -> int:
    data = collective_crisis(
        members,
        perceptions=[0.9, 0.3, 0.6],
        challenger={"status_quo": -60.0, "coerce": False},
        **extra,
    )
    for agent in data["agents"][1:]:
        agent["params"].update(member)
    scenario = scenario_from_dict(data)
    return sum(
        negsim.simulate(scenario, seed=s).outcome in (Outcome.FAIT_ACCOMPLI, Outcome.WEDGE_SUCCESS)
        for s in range(runs)
    )


def consensus_table(runs: int) -> str:
    """The ablation of slow consensus as Markdown."""
    lines = [
        "| mechanism switched off | grab stands, 16 vs 4 members |",
        "|---|---|",
    ]
    for name, member, extra in CONSENSUS:
        k16 = _consensus_share(16, member, extra, runs)
        k4 = _consensus_share(4, member, extra, runs)
        d, low, high = newcombe(k16, runs, k4, runs)
        lines.append(f"| {name} | {d:+.3f} [{low:+.3f}, {high:+.3f}] |")
    lines.append("")
    lines.append(
        f"{runs} runs per arm, seeds 0-{runs - 1} in every arm; 95% Newcombe intervals. "
        "Made by `python examples/ablation.py --consensus`."
    )
    return "\n".join(lines) + "\n"


ABSTENTION: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("none (the model as it is)", ()),
    (
        "pressure on a blocker",
        (
            *(
                f"agents.{a}.params.{p}=0"
                for a in ("USA", "ROK", "JPN")
                for p in ("isolation_cost", "reassurance")
            ),
            "agents.DPRK.params.est_isolation=0",
        ),
    ),
    ("audience costs", tuple(f"agents.{a}.params.audience_cost=0" for a in ("USA", "ROK", "JPN"))),
    ("threats carried out (hazard)", ('agents.DPRK.params.hazards="0"',)),
)
"""Each mechanism of constructive abstention, and the overrides that switch it off."""

ABSTAIN = ("alliances.TRI.abstention_share=0.34",)


def _abstention_effect(
    settings: Sequence[str], off: Sequence[str], runs: int, event: Callable[[Result], bool]
) -> str:
    k_on = _count("korea_integrated.toml", [*settings, *off, *ABSTAIN], runs, event)
    k_off = _count("korea_integrated.toml", [*settings, *off], runs, event)
    d, low, high = newcombe(k_on, runs, k_off, runs)
    return f"{d:+.3f} [{low:+.3f}, {high:+.3f}]"


def abstention_table(runs: int) -> str:
    """The ablation of constructive abstention as Markdown."""

    def decided(r: Result) -> bool:
        return any(e.kind == "decision" for e in r.events)

    def wedged(r: Result) -> bool:
        return r.outcome is Outcome.WEDGE_SUCCESS

    def deterred(r: Result) -> bool:
        return r.outcome is Outcome.DETERRED

    attacks = ("agents.DPRK.prior.mean=-60",)
    lines = [
        "| mechanism switched off | alliance decided (attacks) | wedge succeeded (attacks) "
        "| deterred (DPRK chooses) |",
        "|---|---|---|---|",
    ]
    for name, off in ABSTENTION:
        cells = (
            _abstention_effect(attacks, off, runs, decided),
            _abstention_effect(attacks, off, runs, wedged),
            _abstention_effect((), off, runs, deterred),
        )
        lines.append(f"| {name} | {' | '.join(cells)} |")
    lines.append("")
    lines.append(
        f"Each cell: abstention allowed minus barred; {runs} runs per arm, seeds "
        f"0-{runs - 1} in every arm; 95% Newcombe intervals. Made by "
        "`python examples/ablation.py --abstention`."
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Print the table, or write it to ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--consensus", action="store_true", help="the slow-consensus table")
    which.add_argument("--abstention", action="store_true", help="the abstention table")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.consensus:
        text = consensus_table(args.runs)
    elif args.abstention:
        text = abstention_table(args.runs)
    else:
        text = table(args.runs)
    if args.out:
        args.out.write_text(text)
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
