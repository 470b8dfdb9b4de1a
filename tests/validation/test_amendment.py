"""Consensus as bargaining: a text blocked over a host's bases comes back amended.

The Korea flagship under an integrated alliance, with the DPRK's status quo so bad
that it attacks in every run. Coerced, Japan blocks the ROK's call for a collective
response; the text comes back with reassurance, and Japan blocks it again when what
stands in its way is no longer its support for Korea but its bases, which it would
shut (its vote gives the reason). With ``amend``, the ROK then puts the text a third
time, amended to spare Japan's bases: Japan may consent by the support rule alone,
and the response goes ahead without them (NATO practice: the Turkey request of 2003
was narrowed; Japan's prior consultation on the use of its bases, Kishi-Herter 1960).

The runs of the two arms are the same seed for seed until the amended text is put, so
the comparison is paired: the seeds in which only one arm decided, by McNemar's exact
test. ``RUNS`` seeds per arm (200 by default).
"""

from __future__ import annotations

import pytest

from negsim.experiments import mcnemar_exact
from negsim.model import DecisionReached, Result

from ._stats import RUNS, load, runs

pytestmark = pytest.mark.slow

ATTACKS = ("agents.DPRK.prior.mean=-60",)
"""A status quo so bad to the DPRK that it attacks in every run."""

MEMBERS = ("USA", "ROK", "JPN")


def _decided(r: Result) -> bool:
    return any(isinstance(e, DecisionReached) for e in r.events)


def _discordant(*overrides: str) -> tuple[int, int]:
    """Seeds decided only with amendment, and only without it."""
    amend = tuple(f"agents.{m}.params.amend=true" for m in MEMBERS)
    amended = runs(load("korea_integrated", *ATTACKS, *overrides, *amend), RUNS)
    plain = runs(load("korea_integrated", *ATTACKS, *overrides), RUNS)
    pairs = [(_decided(a), _decided(p)) for a, p in zip(amended, plain, strict=True)]
    return sum(a and not p for a, p in pairs), sum(p and not a for a, p in pairs)


def test_an_amended_text_lets_a_host_that_would_shut_its_bases_consent() -> None:
    """Measured at 200 seeds: the alliance decides in 98 runs with amendment against
    84 without; 14 seeds decide only with it and none only without (McNemar exact
    p < 0.001). Japan shuts its bases as often either way (69 and 67): the amendment
    closes the seam in the decision, not in the access. Placebo: when the DPRK does not
    coerce Japan, no vote is ever cast against the text over bases, so nothing is
    amended and the arms are the same runs (0 and 0 discordant seeds)."""
    only_amended, only_plain = _discordant()
    assert only_amended > only_plain, (only_amended, only_plain)
    assert mcnemar_exact(only_amended, only_plain) < 0.01, (only_amended, only_plain)
    assert _discordant("agents.DPRK.params.coerce=false") == (0, 0)
