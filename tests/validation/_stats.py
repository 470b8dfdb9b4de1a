"""Sample sizes and the statistics the validation tests state their claims with."""

from __future__ import annotations

import math
import os
import statistics
from collections.abc import Callable, Iterable
from pathlib import Path

import negsim
from negsim.model import Result, Scenario

RUNS = int(os.environ.get("NEGSIM_VALIDATION_RUNS", "200"))
"""Seeded runs per arm (set NEGSIM_VALIDATION_RUNS for a longer, tighter run)."""

Z = 2.326
"""One-sided 99% normal quantile used for every bound below."""

SCENARIOS = Path(__file__).resolve().parents[2] / "examples" / "scenarios"


def load(name: str, *overrides: str) -> Scenario:
    """A flagship scenario with overrides applied."""
    return negsim.load_scenario(SCENARIOS / f"{name}.toml", overrides=overrides)


def runs(scenario: Scenario, n: int = RUNS) -> list[Result]:
    """``n`` runs of ``scenario`` with seeds 0..n-1."""
    return [negsim.simulate(scenario, seed=s) for s in range(n)]


def share(results: Iterable[Result], event: Callable[[Result], bool]) -> tuple[float, int]:
    """The proportion of runs where ``event`` holds, and the number of runs."""
    items = list(results)
    return sum(map(event, items)) / len(items), len(items)


def lower_bound_difference(a: tuple[float, int], b: tuple[float, int]) -> float:
    """One-sided 99% lower confidence bound of ``p_a - p_b`` (Wald, with a continuity
    correction of 1/(2n) per arm so that proportions of 0 or 1 are not overconfident)."""
    (pa, na), (pb, nb) = a, b
    se = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
    return (pa - pb) - Z * se - 0.5 / na - 0.5 / nb


def assert_greater(
    a: tuple[float, int], b: tuple[float, int], what: str, margin: float = 0.0
) -> None:
    """Assert ``p_a - p_b > margin`` at 99% confidence, with a readable message."""
    bound = lower_bound_difference(a, b)
    assert bound > margin, (
        f"{what}: {a[0]:.3f} (n={a[1]}) vs {b[0]:.3f} (n={b[1]}); "
        f"99% lower bound of the difference {bound:.3f} <= {margin}"
    )


def assert_vanishes(
    placebo: tuple[tuple[float, int], tuple[float, int]],
    effect: tuple[tuple[float, int], tuple[float, int]],
    what: str,
) -> None:
    """Assert that switching the mechanism off removes the effect.

    ``effect`` is the pair of arms ``(a, b)`` in which ``p_a > p_b`` was shown;
    ``placebo`` is the same pair with the mechanism said to cause it switched off. The
    effect vanishes when the placebo's difference is not significantly positive (its
    99% lower bound is <= 0) and is at most half the effect's difference.
    """
    (pa, _), (pb, _) = effect
    (qa, _), (qb, _) = placebo
    bound = lower_bound_difference(*placebo)
    said = (
        f"{what}: with the mechanism off the difference is {qa - qb:.3f} (99% lower bound "
        f"{bound:.3f}, n={placebo[0][1]}); with it on {pa - pb:.3f}"
    )
    assert bound <= 0.0, said
    assert qa - qb <= (pa - pb) / 2, said


def mean_bound(a: list[float], b: list[float]) -> tuple[float, float]:
    """The difference of the means of ``a`` and ``b``, and its one-sided 99% lower bound
    (Welch's normal approximation; each sample needs at least two values)."""
    diff = statistics.mean(a) - statistics.mean(b)
    se = math.sqrt(statistics.variance(a) / len(a) + statistics.variance(b) / len(b))
    return diff, diff - Z * se


def assert_mean_greater(a: list[float], b: list[float], what: str) -> float:
    """Assert ``mean(a) > mean(b)`` at 99% confidence; return the difference."""
    diff, bound = mean_bound(a, b)
    assert bound > 0.0, (
        f"{what}: {statistics.mean(a):.3f} (n={len(a)}) vs {statistics.mean(b):.3f} "
        f"(n={len(b)}); 99% lower bound of the difference {bound:.3f} <= 0"
    )
    return diff


def assert_mean_vanishes(a: list[float], b: list[float], effect: float, what: str) -> None:
    """Assert that with the mechanism off the difference of means is not significant at
    99% and at most half ``effect``."""
    diff, bound = mean_bound(a, b)
    said = (
        f"{what}: with the mechanism off the difference is {diff:.3f} (99% lower bound "
        f"{bound:.3f}, n={len(a)}, {len(b)}); with it on {effect:.3f}"
    )
    assert bound <= 0.0, said
    assert diff <= effect / 2, said
