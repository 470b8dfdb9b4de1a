"""The bugs doctrine authors actually make, each caught at the kit's default budget.

Each plugin here is broken in one way that the first kit missed (see its module), and
mended by one switch (``fixed=True``). At the default budget (the hypothesis profile's
number of examples, the default time limits), the kit must catch the broken one,
naming the invariant and a run that shows it, and pass the mended one on the same
invariant: the placebo, which shows that the check sees the bug and not the plugin.

Only shrinking is cut short (``shrink_timeout``), to keep the suite quick: a
counterexample is still shrunk, for a couple of seconds instead of up to twenty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from negsim.testing import (
    CheckReport,
    InvariantViolation,
    check_doctrine,
    check_modifier,
    check_protocol,
)
from tests.faulty._common import Mendable
from tests.faulty.access_broker import AccessBroker
from tests.faulty.big_offer_loop import BigOfferLoop
from tests.faulty.clock_watcher import ClockWatcher
from tests.faulty.coin_toss import CoinToss
from tests.faulty.demand_reader import DemandReader
from tests.faulty.hardliner import Hardliner
from tests.faulty.peeker import Peeker
from tests.faulty.proxy_voter import ProxyVoter
from tests.faulty.rare_random import RareRandom
from tests.faulty.reversed_static import ReversedStatic
from tests.faulty.set_iteration import SetIteration
from tests.faulty.unhosted_access import UnhostedAccess

CASES = [
    pytest.param(ProxyVoter, "speaks-for-itself", id="proxy_voter"),
    pytest.param(AccessBroker, "speaks-for-itself", id="access_broker"),
    pytest.param(RareRandom, "no-hidden-randomness", id="rare_random"),
    pytest.param(SetIteration, "hash-seed-determinism", id="set_iteration"),
    pytest.param(ReversedStatic, "comparative-statics", id="reversed_static"),
    pytest.param(DemandReader, "termination", id="demand_reader"),
    pytest.param(BigOfferLoop, "termination", id="big_offer_loop"),
    pytest.param(UnhostedAccess, "moves-allowed", id="unhosted_access"),
    pytest.param(Peeker, "sees-only-what-it-may", id="peeker"),
    pytest.param(ClockWatcher, "no-hidden-randomness", id="clock_watcher"),
    pytest.param(Hardliner, "moves-allowed", id="hardliner"),
    pytest.param(CoinToss, "no-hidden-randomness", id="coin_toss"),
]

SHRINK_TIMEOUT = 2.0
"""Seconds each counterexample is shrunk for (the default is 20)."""


def _name(kind: type[Mendable]) -> str:
    return kind.__module__.rsplit(".", 1)[-1]


def _check(plugin: Mendable, invariant: str, **kwargs: Any) -> CheckReport:
    checker: Callable[..., CheckReport] = check_doctrine
    role = plugin.negsim_plugin_spec().role  # type: ignore[attr-defined]
    if role == "modifier":
        # around one doctrine, so that the budget is not split three ways
        checker = check_modifier
        kwargs.setdefault("doctrines", ["bilateral"])
    elif role == "protocol":
        checker = check_protocol
    return checker(
        plugin,
        name=_name(type(plugin)),
        invariants=[invariant],
        shrink_timeout=SHRINK_TIMEOUT,
        **kwargs,
    )


@pytest.mark.parametrize(("kind", "invariant"), CASES)
def test_the_broken_plugin_is_caught(kind: type[Mendable], invariant: str) -> None:
    with pytest.raises(InvariantViolation) as info:
        _check(kind(), invariant)
    violation = info.value
    assert violation.invariants[0] == invariant
    assert f"broke the invariant {invariant!r}" in str(violation)
    assert _name(kind) in str(violation)
    assert "[[agents]]" in str(violation)  # the run, as a scenario file


@pytest.mark.parametrize(("kind", "invariant"), CASES)
def test_the_mended_plugin_passes(kind: type[Mendable], invariant: str) -> None:
    report = _check(kind(fixed=True), invariant)
    assert report.invariants == (invariant,)
    assert report.runs > 0
