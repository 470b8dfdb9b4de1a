"""The hub's concession for a reward is a decision (the 2018 exercise suspension).

The ``bilateral`` hub concedes, without consulting its spokes, when the reward offered
outweighs the audience cost of its public pledges and what the concession costs it in
its spokes' fear of abandonment (:data:`negsim_bilateral.CONCESSION`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import negsim
from negsim_bilateral import CONCESSION

KOREA = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "korea_bilateral.toml"


def test_the_price_of_a_concession_by_hand() -> None:
    """Stakes 5 in each of 2 spokes, fear moving 0.3 per act: 3; a public pledge at an
    audience cost of 0.5: 0.5 more. A reward of 3.5 is exactly the price."""
    values = {
        "audience_cost": 0.5,
        "level": 1.0,
        "fear_learning": 0.3,
        "stakes": 5.0,
        "spokes": 2.0,
    }
    assert CONCESSION.value({**values, "reward": 3.5}) == pytest.approx(0.0)
    assert CONCESSION.holds({**values, "reward": 4.0})
    assert not CONCESSION.holds({**values, "reward": 3.0})


def _conceded(budget: float, *extra: str, seeds: int = 30) -> int:
    scenario = negsim.load_scenario(
        KOREA,
        overrides=[
            "agents.DPRK.params.reward_hub=true",
            f"agents.DPRK.params.reward_budget={budget}",
            *extra,
        ],
    )
    return sum(
        "conceded(USA,DPRK)" in negsim.simulate(scenario, seed=s).world.facts for s in range(seeds)
    )


def test_a_reward_below_the_price_buys_nothing_and_one_above_buys_a_concession() -> None:
    """The U.S. in the Korea scenario prices a concession at 3 to 3.5 (its stakes in two
    spokes, and its pledge once made): a reward of 1 never buys one in 30 runs, a
    reward of 10 always does."""
    assert _conceded(1.0) == 0
    assert _conceded(10.0) == 30


def test_a_hub_with_nothing_to_lose_sells_cheap() -> None:
    """With no audience cost and spokes that learn nothing from a concession, the price
    is zero and a reward of 1 buys a concession in every run."""
    free = ("agents.USA.params.fear_learning=0", "agents.USA.params.audience_cost=0")
    assert _conceded(1.0, *free) == 30
