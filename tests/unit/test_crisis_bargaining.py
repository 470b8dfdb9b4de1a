"""Bargaining in war and the record of honouring: the armistice rules, the attacker's
demand, and what the challenger learns from a helper that stays away."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import negsim
import negsim_wedge as wedge
from negsim.crisis import ARMISTICE, best_keep, nominal_view
from negsim.model import AgentView

SCENARIOS = Path(__file__).resolve().parents[2] / "examples" / "scenarios"

shares = st.floats(0.0, 1.0)
weights = st.floats(0.01, 1.0)


@given(st.lists(st.tuples(shares, weights), min_size=1, max_size=8), st.floats(0.1, 100))
def test_the_best_demand_is_a_threshold_and_beats_any_other(
    types: list[tuple[float, float]], gain: float
) -> None:
    war = -gain  # a refusal costs as much as the whole objective is worth
    keep, value = best_keep(types, gain=gain, war=war)
    assert keep in {k for k, _ in types}

    def worth(x: float) -> float:
        return sum(p * (x * gain if k >= x else war) for k, p in types)

    assert value == pytest.approx(worth(keep))
    for k, _ in types:
        assert worth(k) <= value + 1e-9


def test_a_sure_defender_is_asked_exactly_its_threshold() -> None:
    assert best_keep([(0.35, 1.0)], gain=8.0, war=1.0) == (0.35, pytest.approx(2.8))


@pytest.mark.parametrize(
    ("keep", "p_stand", "cost", "accepts"),
    [
        (0.3, 0.2, 2.0, True),  # 0.3 < 0.2 + 2/10
        (0.5, 0.2, 2.0, False),  # 0.5 > 0.4: it fights on
        (0.5, 0.6, 0.0, True),  # less than the war would take from it
    ],
)
def test_the_defender_accepts_below_its_war_value_plus_its_cost(
    keep: float, p_stand: float, cost: float, accepts: bool
) -> None:
    values = {"cost_war": cost, "p_stand": p_stand, "keep": keep, "ground_value": 10.0}
    assert ARMISTICE.holds(values) is accepts


def _war_day(learn: bool, day: int, *facts: str) -> tuple[float, float]:
    """The DPRK's belief that the U.S. honours before and after watching ``day`` days of
    war in which the U.S. (of high cost of war: it never comes) stays away.

    The DPRK reckons the U.S.'s cost of war at 8, so that it is unsure: the low-stakes
    types of its prior would not come (at the file's estimate of 2 every type comes,
    and an absence cannot teach it anything).
    """
    overrides = [
        "agents.USA.params.cost_war=100",
        "agents.DPRK.params.est_cost_war=8",
        f"agents.DPRK.params.learn_from_absence={str(learn).lower()}",
    ]
    scenario = negsim.load_scenario(SCENARIOS / "korea_bilateral.toml", overrides=overrides)
    start = nominal_view(scenario.agent("DPRK"), scenario)
    state = wedge.Challenger()
    wedge._size_up(start, state)
    plan = wedge.Plan("ROK", 0.5, 0.5, 0.1, {}, 1.0, round=1)
    world = attrs.evolve(
        start.world, facts=frozenset({"attacked(ROK)", "attacking(DPRK,ROK)", *facts})
    )
    view: AgentView = attrs.evolve(start, round=1 + day, world=world, state=state)

    def honours() -> float:
        p_win = wedge._coalition_wins(view, "ROK", 0.5)
        return wedge._p_honour(view, state, "USA", "ROK", 0.5, p_win)

    before = honours()
    wedge._watch_who_comes(view, state, plan)
    return before, honours()


def test_a_helper_that_stays_away_past_its_due_day_is_believed_less_likely_to_come() -> None:
    before, after = _war_day(True, 3)
    assert 0.0 < after < before < 1.0


@pytest.mark.parametrize(
    ("learn", "day", "facts"),
    [
        (False, 3, ()),  # learning switched off
        (True, 1, ()),  # not yet due (the hub is expected after a day)
        (True, 3, ("responds(USA,ROK)",)),  # it came
    ],
)
def test_nothing_is_learned_without_an_absence_past_due(
    learn: bool, day: int, facts: tuple[str, ...]
) -> None:
    before, after = _war_day(learn, day, *facts)
    assert after == before
