"""negsim from a script or a notebook: runs and events as pandas DataFrames.

python examples/frames.py
"""

from __future__ import annotations

from pathlib import Path

import negsim
from negsim.results import events_frame, to_frame

SCENARIO = Path(__file__).parent / "scenarios" / "korea_bilateral.toml"


def main() -> None:
    """Run 50 seeds, tabulate outcomes by seed, then look inside one run."""
    scenario = negsim.load_scenario(SCENARIO)
    results = [negsim.simulate(scenario, seed=seed) for seed in range(50)]

    runs = to_frame(results)  # one row per run: scenario, seed, outcome, rounds, metric.*
    print(runs[["seed", "outcome", "rounds", "metric.access_denied"]].head())
    print(runs["outcome"].value_counts(normalize=True).round(2))

    # every event of one run, one row each: kind, round and the event's fields
    wedge = next(r for r in results if r.outcome is negsim.Outcome.WEDGE_SUCCESS)
    events = events_frame(wedge)
    messages = events[events["kind"] == "message"]
    print(
        f"seed {wedge.provenance.seed}: {len(messages)} messages, "
        f"{(events['kind'] == 'commitment').sum()} commitment transitions"
    )

    # the whole run as JSON Lines, and back
    negsim.write_jsonl(wedge, "wedge.jsonl")
    assert negsim.read_jsonl("wedge.jsonl") == wedge


if __name__ == "__main__":
    main()
