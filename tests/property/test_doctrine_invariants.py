"""Every invariant, held by the engine and every installed doctrine, as its own test.

The doctrines are those of the installed plugins (the three built-in ones and any
third-party plugin) plus the example plugin ``hawkish``; each is fuzzed in the
scenarios ``negsim.testing.runs`` generates, with the ``crisis`` world rules, scripted
stimulus agents and possibly a ``wedge`` challenger. The number of runs follows the
hypothesis profile (``HYPOTHESIS_PROFILE``); the hash-seed check replays a few runs in
another process.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import strategies as st

import negsim
from negsim.testing import (
    INVARIANTS,
    DoctrineInvariants,
    ParamStrategy,
    check_doctrine,
    check_run,
)
from tests.property._support import HAWKISH, ROOT, doctrine_params, fuzz_registry

HASH_SEED_EXAMPLES = 3


# The built-in doctrines declare no comparative statics, so the invariant that checks
# declared ones is not asked of them (check_doctrine refuses it: there would be nothing
# to check); tests/faulty holds a doctrine that declares one, and its placebo.
@pytest.mark.parametrize("invariant", [n for n in INVARIANTS if n != "comparative-statics"])
@pytest.mark.parametrize("doctrine", doctrine_params())
def test_doctrine_holds_invariant(doctrine: str, invariant: str) -> None:
    report = check_doctrine(
        doctrine,
        registry=fuzz_registry(),
        invariants=[invariant],
        hash_seed_examples=HASH_SEED_EXAMPLES,
    )
    assert report.runs >= 1
    assert report.invariants == (invariant,)


EXAMPLE_SCENARIOS = [
    *sorted((ROOT / "examples" / "scenarios").glob("*.toml")),
    ROOT / "examples" / "negsim-hawkish" / "scenario.toml",
]


@pytest.mark.parametrize("path", EXAMPLE_SCENARIOS, ids=lambda p: p.parent.name + "/" + p.name)
@pytest.mark.parametrize("seed", [1, 2])
def test_example_scenarios_hold_every_invariant(path: Path, seed: int) -> None:
    registry = fuzz_registry()
    record = check_run(negsim.load_scenario(path, registry=registry), seed=seed, registry=registry)
    assert record.result is not None


class TestHawkishStrikingFirst(DoctrineInvariants):
    """The example plugin again, now also opening crises: its string parameter ``target``
    (which the kit leaves at its default, "") is drawn from the scenario's agents."""

    doctrine = HAWKISH
    registry = fuzz_registry
    param_strategies: ClassVar[Mapping[str, ParamStrategy]] = {
        "target": lambda ids: st.sampled_from(["", *ids]),
    }
    hash_seed_examples = 2
