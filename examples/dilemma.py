"""The trilateralism dilemma: bilateral vs integrated alliances as the DPRK arms its
threat against the rear-area host (Japan) with a higher hazard.

Runs both Korea flagship scenarios over the daily hazards the DPRK may arm its threat
with (0: a threat never carried out) and prints outcome frequencies, so the crossover
is visible: integration deters better while Japan cannot be coerced, and collapses
more completely once it can. The DPRK is tempted (``value_gain = 70``) and Japan known
to be resolute, as in the validation suite's test of the integration gain.

    python examples/dilemma.py [--runs 200] [--out dilemma.csv]
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

import negsim

HERE = Path(__file__).parent
ARRANGEMENTS = {"bilateral": "korea_bilateral.toml", "integrated": "korea_integrated.toml"}
HAZARDS = [0.0, 0.01, 0.03, 0.1, 0.3]
SETTINGS = [
    "agents.DPRK.params.value_gain=70",
    "agents.JPN.prior.types.resolute.probability=1.0",
    "agents.JPN.prior.types.middling.probability=0.0",
    "agents.JPN.prior.types.wavering.probability=0.0",
]


def outcome_table(runs: int) -> list[dict[str, object]]:
    """One row per (arrangement, hazard): the share of each outcome over ``runs`` seeds."""
    rows: list[dict[str, object]] = []
    for arrangement, file in ARRANGEMENTS.items():
        base = negsim.load_scenario(HERE / "scenarios" / file)
        for hazard in HAZARDS:
            scenario = negsim.apply_overrides(
                base, [*SETTINGS, f'agents.DPRK.params.hazards="{hazard}"']
            )
            counts = Counter(negsim.simulate(scenario, seed=s).outcome for s in range(runs))
            row: dict[str, object] = {"arrangement": arrangement, "hazard": hazard}
            row.update({str(o): counts[o] / runs for o in negsim.Outcome})
            rows.append(row)
    return rows


def main() -> None:
    """Print the table (and write it as CSV with ``--out``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="seeded runs per cell")
    parser.add_argument("--out", type=Path, help="also write the table as CSV")
    args = parser.parse_args()
    rows = outcome_table(args.runs)
    shown = ["deterred", "fait_accompli", "wedge_success", "collective_response", "escalation"]
    print(f"{'arrangement':<11} {'hazard':>6} " + " ".join(f"{o[:13]:>13}" for o in shown))
    for row in rows:
        cells = " ".join(f"{row[o]:>13.2f}" for o in shown)
        print(f"{row['arrangement']:<11} {row['hazard']:>6.2f} {cells}")
    if args.out:
        with args.out.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
