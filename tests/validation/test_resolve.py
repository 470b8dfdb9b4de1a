"""Allies' beliefs about the adversary's resolve, learned from what it does (Fearon 1995).

An ally weighs supporting an attacked partner by :data:`negsim.crisis.SUPPORT`, in
which the chance of winning and the costs of war count with its belief that the
attacker fights on when opposed (``resolve``): one that would back down is beaten at
no cost. The belief starts at the ally's ``resolve_prior`` and is updated by Bayes'
rule on each day the attacker fights on against a defended partner: a resolute
attacker always does, one that would back down does with the chance
``resolve_evidence`` (:meth:`negsim.crisis.Standing.observe_resistance`).

The Korea flagship under an integrated alliance, with the DPRK's status quo so bad
that it attacks in every run, the war made costly enough to the U.S. and Japan
(``cost_war = 9``) that against an attacker sure to fight on their support fails,
and ten days of deliberation before a vote. ``RUNS`` seeds per arm (200 by default).
"""

from __future__ import annotations

import pytest

from negsim.model import DecisionReached, Result

from ._stats import RUNS, assert_greater, assert_vanishes, load, runs, share

pytestmark = pytest.mark.slow

SETTING = (
    "agents.DPRK.prior.mean=-60",
    *(
        f"agents.{ally}.params.{param}"
        for ally in ("USA", "JPN")
        for param in ("cost_war=9", "max_deliberation=10")
    ),
)
"""A war the DPRK always starts and the allies weigh slowly, at a high cost."""


def _allies(param: str, value: float) -> tuple[str, ...]:
    return tuple(f"agents.{ally}.params.{param}={value}" for ally in ("USA", "JPN"))


def _decided(r: Result) -> bool:
    return any(isinstance(e, DecisionReached) for e in r.events)


def _arm(prior: float, evidence: float) -> tuple[float, int]:
    overrides = (*_allies("resolve_prior", prior), *_allies("resolve_evidence", evidence))
    return share(runs(load("korea_integrated", *SETTING, *overrides), RUNS), _decided)


def test_doubt_about_resolve_brings_allies_in_until_the_attacker_shows_it() -> None:
    """Allies that give even odds that the DPRK would back down decide a collective
    response in 59 of 200 runs, against 2 for allies sure it fights on, when fighting on
    while opposed tells them nothing (``resolve_evidence = 1``). Placebo: when fighting
    on is evidence (``resolve_evidence = 0.3``), ten days of the DPRK holding its grab
    against the ROK's defence dispel the doubt before they vote, and the prior makes no
    difference (2 and 2 of 200). A prior of 1 cannot move, so its two arms are the same
    runs seed for seed: there is nothing for the evidence to act on."""
    effect = (_arm(0.5, 1.0), _arm(1.0, 1.0))
    assert_greater(*effect, "alliance decided, resolve in doubt vs certain, nothing learned")
    placebo = (_arm(0.5, 0.3), _arm(1.0, 0.3))
    assert_vanishes(placebo, effect, "alliance decided, resolve in doubt vs certain, learned")
