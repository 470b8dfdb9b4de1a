"""Reputation: a state that backed down is challenged more often later, with its placebo.

Weisiger & Yarhi-Milo, IO 2015: states that backed down are challenged more often
later; beliefs carry over between crises. In negsim the DPRK (the ``wedge`` doctrine)
starts each crisis from the public prior over each helper's stakes moved by the
helper's public record of honouring, by Bayes' rule (``record_weight``). The placebo is
``record_weight = 0``: the record is ignored. The allies read their partners' records
too, as they read their acts (Snyder 1984): the last test.

The arms are ``korea_bilateral`` as a paper commitment (:data:`PAPER`): with 28,500
U.S. troops in the ROK every type of the United States honours in the DPRK's model, and
no record can change what it expects (:func:`test_a_tripwire_makes_the_record_moot`).
Claims are one-sided at 99% with the statistics of ``_stats.py``; ``RUNS`` seeds per
arm (200 by default), ``3 * RUNS`` sequences for the sequence test.
"""

from __future__ import annotations

import pytest

import negsim
from negsim.experiments import honour_record
from negsim.model import Result, Scenario

from ._stats import RUNS, assert_greater, assert_vanishes, load, runs, share

pytestmark = pytest.mark.slow

PAPER = (
    "agents.ROK.capabilities.forces_hosted.USA=0",
    "agents.DPRK.params.coerce=false",
    "agents.USA.prior.low=0.0",
    "agents.USA.prior.mode=1.0",
    "agents.USA.prior.high=10.0",
    "agents.DPRK.prior.mean=12",
)
"""A paper commitment: no U.S. troops in the ROK (no tripwire), no threats against
Japan (what the DPRK expects of the USA decides the grab), a USA whose stakes may be
low (triangular 0-1-10: it backs down in some runs) and a DPRK whose status quo is
often bearable (normal, mean 12), so that it weighs the grab rather than always making
it."""

FAILED = ("agents.USA.record.failed=3",)
HONOURED = ("agents.USA.record.honoured=3",)
IGNORED = ("agents.DPRK.params.record_weight=0",)


def _attacked(r: Result) -> bool:
    return bool(r.metrics["attacked"])


def _arm(*overrides: str) -> tuple[float, int]:
    return share(runs(load("korea_bilateral", *PAPER, *overrides)), _attacked)


def test_a_record_of_backing_down_invites_challenge() -> None:
    """A USA with a record of three failures is attacked more often than one with three
    cases honoured (measured at 200 seeds: 0.85 vs 0.525; no record 0.735). Placebo:
    ``record_weight = 0`` leaves the DPRK's prior as it is, so in both arms it attacks
    as in the no-record runs, seed for seed (0.735 each), and the difference is exactly
    0: the power prior at weight 0 is the identity, by design, not a threshold."""
    effect = (_arm(*FAILED), _arm(*HONOURED))
    assert_greater(*effect, "attacked, a record of failing vs of honouring", margin=0.1)
    placebo = (_arm(*FAILED, *IGNORED), _arm(*HONOURED, *IGNORED))
    assert_vanishes(placebo, effect, "attacked, records ignored (record_weight = 0)")


def _second_crisis_by_first(scenario: Scenario, n: int) -> dict[str, tuple[float, int]]:
    """Attack rates in crisis 2 of ``n`` sequences, by the USA's case in crisis 1."""
    groups: dict[str, list[Result]] = {"failed": [], "honoured": []}
    for seed in range(n):
        first, second = negsim.simulate_sequence(scenario, crises=2, seed=seed)
        case = honour_record(first, scenario).get("USA")
        if case is not None:
            groups["failed" if case.failed else "honoured"].append(second)
    return {k: share(v, _attacked) for k, v in groups.items()}


def test_backing_down_in_one_crisis_invites_challenge_in_the_next() -> None:
    """Over ``3 * RUNS`` two-crisis sequences, the DPRK attacks in crisis 2 more often
    after a crisis 1 in which the USA backed down than after one in which it honoured
    (measured at 600 sequences: 0.852, n=81, vs 0.613, n=269; 99% lower bound of the
    difference 0.116). Each crisis draws its types and chance afresh (its own seed), so
    only the public record links the two. Placebo: ``record_weight = 0``; crisis 2 is
    then independent of crisis 1 and the difference is sampling noise (measured: 0.753
    vs 0.710, a difference of 0.043 with lower bound -0.094)."""
    n = 3 * RUNS
    on = _second_crisis_by_first(load("korea_bilateral", *PAPER), n)
    assert on["failed"][1] >= 20, f"too few sequences in which the USA backed down: {on}"
    effect = (on["failed"], on["honoured"])
    assert_greater(*effect, "attacked in crisis 2, after backing down vs honouring")
    off = _second_crisis_by_first(load("korea_bilateral", *PAPER, *IGNORED), n)
    placebo = (off["failed"], off["honoured"])
    assert_vanishes(placebo, effect, "attacked in crisis 2, records ignored")


def test_a_tripwire_makes_the_record_moot() -> None:
    """On ``korea_bilateral`` as it stands (28,500 U.S. troops in the ROK) a record of
    three failures and one of three cases honoured give identical runs seed for seed.
    That is the model's honest answer, not a switch: the record moves the DPRK's belief
    about U.S. stakes (the lowest type from 0.14 to 0.49), but with the forces at risk
    every type of the USA honours in the DPRK's own support rule, so its expected
    honouring is 1 either way (Fuhrmann & Sechser, AJPS 2014: deployments, not words).
    The allies also read the record (:func:`test_a_patron_that_backed_down_is_clung_to`);
    here they learn nothing from it (``fear_learning = 0``), so that what is compared
    is what the record does to the DPRK."""
    n = RUNS // 4
    deaf = tuple(f"agents.{a}.params.fear_learning=0" for a in ("ROK", "JPN"))
    failed = runs(load("korea_bilateral", *FAILED, *deaf), n)
    honoured = runs(load("korea_bilateral", *HONOURED, *deaf), n)
    assert [r.events for r in failed] == [r.events for r in honoured]


def test_a_patron_that_backed_down_is_clung_to() -> None:
    """Snyder's alliance security dilemma read across crises: a U.S. with a record of six
    failures makes its spokes fear abandonment, and Japan, clinging, denies it its
    bases less often than when the record is six cases honoured (measured at 200
    seeds: 40 vs 69 denials; no record 58). The DPRK attacks in every run and ignores
    the record (``record_weight = 0``) so that only the allies read it. Placebo: with
    spokes that learn nothing from a partner's acts (``fear_learning = 0`` for the ROK
    and Japan) the record makes no difference (43 denials in each arm)."""
    attacks = ("agents.DPRK.prior.mean=-60", *IGNORED)
    failed, honoured = ("agents.USA.record.failed=6",), ("agents.USA.record.honoured=6",)
    deaf = tuple(f"agents.{a}.params.fear_learning=0" for a in ("ROK", "JPN"))

    def denied(*overrides: str) -> tuple[float, int]:
        results = runs(load("korea_bilateral", *attacks, *overrides))
        return share(results, lambda r: "denies_access(JPN,USA)" in r.world.facts)

    effect = denied(*honoured), denied(*failed)
    assert_greater(*effect, "Japan denied access, U.S. record honoured vs failed")
    placebo = denied(*honoured, *deaf), denied(*failed, *deaf)
    assert_vanishes(placebo, effect, "Japan denied access, record honoured vs failed, deaf spokes")
