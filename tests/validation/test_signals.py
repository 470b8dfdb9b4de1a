"""Strategic answers to coercion: defiance is a signal only when it is costly.

Fearon (JCR 1997): a public stand ties a leader's hands, because backing down from it
costs an audience cost; talk that costs nothing to the bluffer tells the listener
nothing. A host that would shut its bases may still defy the threat against it when
looking firm is worth more to it (``bluff_value``) than the audience cost the defiance
ties it to (:data:`negsim.crisis.BLUFF`). The Korea bilateral flagship, in which the
DPRK threatens Japan on day 1 in every run and Japan answers on day 2; ``RUNS`` seeds
per arm (200 by default).

What is measured is the *caught bluff*: Japan defied the threat and later shut its
bases all the same. Every Japan that would give way defies when the bluff is worth its
price and none does when it is not (its own ``bluff_value`` and ``audience_cost`` are
known to it), so the share of hosts that defy is 1 in the cheap arms: that is the
model's honest answer for a rule a host applies to its own values. Whether a defiant
host later shuts is not fixed: it depends on its type, drawn each run, and on what it
learns of the hazard as the war goes on.
"""

from __future__ import annotations

import pytest

from negsim.model import Result

from ._stats import RUNS, assert_greater, assert_vanishes, load, runs, share

pytestmark = pytest.mark.slow

BLUFFS = "agents.JPN.params.bluff_value=2"
"""Looking firm is worth 2 to Japan: it bluffs when the defiance costs it less."""

HONEST = "agents.JPN.params.bluff_value=0"
"""The placebo: looking firm is worth nothing, so no Japan that would give way defies."""


def _defied(r: Result) -> bool:
    return any(
        e.kind == "message"
        and e.message.sender == "JPN"
        and e.message.performative == "reject"
        and "DPRK" in e.message.recipients
        for e in r.events
    )


def _caught_bluff(r: Result) -> bool:
    """Japan defied the DPRK's threat, then shut its bases to the U.S. all the same."""
    return _defied(r) and "denies_access(JPN,USA)" in r.world.facts


def _caught(*overrides: str) -> tuple[float, int]:
    return share(runs(load("korea_bilateral", *overrides), RUNS), _caught_bluff)


def test_audience_costs_make_public_defiance_credible() -> None:
    """With audience costs of 0.5 per level, a wavering Japan defies in public and is
    caught shutting its bases later in 37 of 200 runs; with 5, defying costs more than
    a bluff is worth and only the firm defy (4 of 200 caught, hosts that later learned
    the hazard was high). Placebo: when looking firm is worth nothing, no host bluffs
    and audience costs make no difference (4 and 4 of 200)."""
    cheap = ("agents.JPN.params.audience_cost=0.5", "agents.JPN.params.public_replies=true")
    costly = ("agents.JPN.params.audience_cost=5", "agents.JPN.params.public_replies=true")
    effect = (_caught(BLUFFS, *cheap), _caught(BLUFFS, *costly))
    assert_greater(*effect, "defied then shut, audience cost 0.5 vs 5")
    placebo = (_caught(HONEST, *cheap), _caught(HONEST, *costly))
    assert_vanishes(placebo, effect, "defied then shut, audience cost 0.5 vs 5, no bluffing")


def test_private_defiance_is_cheap_talk() -> None:
    """Defiance in private ties no hands, so every Japan that would give way defies
    when bluffing is worth anything: caught in 47 of 200 runs, against 4 when the same
    Japan (audience costs of 5) must defy in public. Placebo: with nothing to gain by
    looking firm, private and public answers are alike (4 and 4 of 200)."""
    costly = "agents.JPN.params.audience_cost=5"
    private, public = (
        "agents.JPN.params.public_replies=false",
        "agents.JPN.params.public_replies=true",
    )
    effect = (_caught(BLUFFS, costly, private), _caught(BLUFFS, costly, public))
    assert_greater(*effect, "defied then shut, private vs public answers")
    placebo = (_caught(HONEST, costly, private), _caught(HONEST, costly, public))
    assert_vanishes(placebo, effect, "defied then shut, private vs public, no bluffing")
