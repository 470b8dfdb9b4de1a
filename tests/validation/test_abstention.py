"""Consensus as bargaining: a member that would block may abstain instead.

The Korea flagship under an integrated alliance, whose rules let one member of three
abstain (``abstention_share = 0.34``; the constructive abstention of the Treaty on
European Union, Art. 31(1)). When the DPRK coerces Japan into refusing its consent,
Japan weighs blocking (the pressure on a lone blocker: isolation and the reassurance
offered) against abstaining (the audience cost of stepping back from its public
pledge, Tomz 2007). The DPRK's status quo is made bad enough that it attacks in every
run, so that the comparison is of the alliance's answer to the same attacks, not of
the DPRK's anticipation of it. ``RUNS`` seeds per arm (200 by default).
"""

from __future__ import annotations

import pytest

from negsim.model import DecisionReached, Outcome, Result

from ._stats import RUNS, assert_greater, assert_vanishes, load, runs, share

pytestmark = pytest.mark.slow

ATTACKS = ("agents.DPRK.prior.mean=-60",)
"""A status quo so bad to the DPRK that it attacks in every run."""

ABSTAIN = ("alliances.TRI.abstention_share=0.34",)
"""The alliance's rules let one member of three abstain."""

NO_PRESSURE = (
    *(
        f"agents.{member}.params.{param}=0"
        for member in ("USA", "ROK", "JPN")
        for param in ("isolation_cost", "reassurance")
    ),
    "agents.DPRK.params.est_isolation=0",
)
"""The placebo: blocking costs a member nothing (no isolation, no reassurance), and the
DPRK knows it."""


def _decided(result: Result) -> bool:
    return any(isinstance(e, DecisionReached) for e in result.events)


def _wedged(result: Result) -> bool:
    return result.outcome == Outcome.WEDGE_SUCCESS


def _arm(*overrides: str) -> list[Result]:
    return runs(load("korea_integrated", *ATTACKS, *overrides), RUNS)


def test_a_pressed_blocker_abstains_and_the_alliance_decides_without_it() -> None:
    """With abstention allowed, a coerced Japan steps aside rather than block: the
    alliance reaches a decision in more runs (measured: 126 vs 84 of 200) and the wedge
    succeeds in fewer (7 vs 34). Placebo: when blocking costs nothing, Japan blocks as
    before and both effects vanish (decisions 71 vs 71, wedge successes 34 vs 34)."""
    allowed, barred = _arm(*ABSTAIN), _arm()
    decided = share(allowed, _decided), share(barred, _decided)
    assert_greater(*decided, "alliance decided, abstention allowed vs barred")
    wedged = share(barred, _wedged), share(allowed, _wedged)
    assert_greater(*wedged, "wedge succeeded, abstention barred vs allowed")

    free_allowed, free_barred = _arm(*ABSTAIN, *NO_PRESSURE), _arm(*NO_PRESSURE)
    assert_vanishes(
        (share(free_allowed, _decided), share(free_barred, _decided)),
        decided,
        "alliance decided, abstention allowed vs barred, blocking free",
    )
    assert_vanishes(
        (share(free_barred, _wedged), share(free_allowed, _wedged)),
        wedged,
        "wedge succeeded, abstention barred vs allowed, blocking free",
    )


def test_abstention_leaves_the_abstainer_out_of_the_decision() -> None:
    """Every decision reached with an abstainer names it and leaves it out of the
    consenting members (the rule the desk applies, not a count placed for a test)."""
    with_abstainer = [
        event
        for result in _arm(*ABSTAIN)[:50]
        for event in result.events
        if isinstance(event, DecisionReached) and "abstained" in event.rule
    ]
    assert with_abstainer, "no decision with an abstainer in 50 runs"
    for event in with_abstainer:
        assert "JPN abstained" in event.rule, event
        assert event.consenting == ("ROK", "USA"), event
