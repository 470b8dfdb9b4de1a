"""An ally's learning about an attacker's resolve, and a host's bluff: the closed forms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from negsim.crisis import BLUFF, SUPPORT, Standing

unit = st.floats(0.01, 0.99)


@given(prior=unit, evidence=unit, days=st.integers(0, 20))
def test_resolve_follows_bayes_rule_over_days_of_resistance(
    prior: float, evidence: float, days: int
) -> None:
    """After ``days`` days of an attacker fighting on while opposed, the belief that it
    is resolute is prior / (prior + (1 - prior) * evidence**days)."""
    standing = Standing(fear=0.5, resolve_prior=prior)
    for _ in range(days):
        standing.observe_resistance("DPRK", evidence)
    expected = prior / (prior + (1.0 - prior) * evidence**days)
    assert standing.expected_resolve("DPRK") == pytest.approx(expected, rel=1e-9)
    assert standing.expected_resolve("PRC") == prior  # no evidence about another attacker


@pytest.mark.parametrize("prior", [0.0, 1.0])
def test_a_certain_prior_has_nothing_to_learn(prior: float) -> None:
    standing = Standing(fear=0.5, resolve_prior=prior)
    standing.observe_resistance("DPRK", 0.3)
    assert standing.expected_resolve("DPRK") == prior
    assert not standing.resolve


def _support(resolve: float, p_win: float) -> float:
    values = dict.fromkeys(SUPPORT.symbols, 0.0)
    values.update(resolve=resolve, p_win=p_win, stakes=10.0, cost_war=4.0)
    return SUPPORT.value(values)


def test_support_weighs_the_war_with_the_belief_in_resolve() -> None:
    """Resolute for sure: p_win*stakes - cost_war, as before; sure to back down: the
    stakes, at no cost; in between, the mixture."""
    assert _support(1.0, 0.3) == pytest.approx(0.3 * 10 - 4)
    assert _support(0.0, 0.3) == pytest.approx(10.0)
    assert _support(0.5, 0.3) == pytest.approx(0.5 * (0.3 * 10 - 4) + 0.5 * 10)


@pytest.mark.parametrize(
    ("bluff_value", "audience_cost", "tie", "bluffs"),
    [(2, 0.5, 1, True), (2, 5, 1, False), (2, 5, 0, True), (0, 0, 0, False)],
)
def test_a_bluff_costs_the_audience_cost_it_ties_the_host_to(
    bluff_value: float, audience_cost: float, tie: float, bluffs: bool
) -> None:
    values = {"bluff_value": bluff_value, "audience_cost": audience_cost, "tie": tie}
    assert BLUFF.holds(values) is bluffs
