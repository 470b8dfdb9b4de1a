"""The trilateralism dilemma: bilateral vs integrated alliances as the nuclear threat
against the rear-area host (Japan) grows more credible.

Runs both Korea flagship scenarios over a range of DPRK threat credibilities and prints
outcome frequencies, so the crossover is visible: integration deters better while
Japan cannot be coerced, and collapses more completely once it can.

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
CREDIBILITIES = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]


def outcome_table(runs: int) -> list[dict[str, object]]:
    """One row per (arrangement, credibility): the share of each outcome over ``runs`` seeds."""
    rows: list[dict[str, object]] = []
    for arrangement, file in ARRANGEMENTS.items():
        base = negsim.load_scenario(HERE / "scenarios" / file)
        for credibility in CREDIBILITIES:
            scenario = negsim.apply_overrides(
                base, [f"agents.DPRK.params.threat_credibility={credibility}"]
            )
            counts = Counter(negsim.simulate(scenario, seed=s).outcome for s in range(runs))
            row: dict[str, object] = {"arrangement": arrangement, "credibility": credibility}
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
    print(f"{'arrangement':<11} {'cred':>4} " + " ".join(f"{o[:13]:>13}" for o in shown))
    for row in rows:
        cells = " ".join(f"{row[o]:>13.2f}" for o in shown)
        print(f"{row['arrangement']:<11} {row['credibility']:>4.1f} {cells}")
    if args.out:
        with args.out.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
