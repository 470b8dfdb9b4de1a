"""The kit catches broken doctrines, with a minimal, readable, replayable counterexample.

Each module of ``tests.faulty`` breaks one invariant (see its docstring);
``check_doctrine`` must raise an ``InvariantViolation`` (an ``AssertionError``) whose
message names the invariant, the doctrine and the scenario of a run that shows it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from types import ModuleType

import pytest

from negsim.testing import InvariantViolation, check_doctrine, check_run, registry_with
from negsim.testing._child import HASH_SEED_PAIRS, child_hash_seeds
from tests.faulty import (
    ballot_stuffer,
    global_random,
    impersonator,
    never_ends,
    set_order,
    shared_default,
    shared_state,
)

CASES = [
    pytest.param(impersonator, "speaks-for-itself", id="impersonator"),
    pytest.param(global_random, "determinism", id="global_random"),
    pytest.param(ballot_stuffer, "consensus", id="ballot_stuffer-consensus"),
    pytest.param(ballot_stuffer, "speaks-for-itself", id="ballot_stuffer-speaks"),
    pytest.param(shared_state, "determinism", id="shared_state"),
    pytest.param(shared_default, "determinism", id="shared_default"),
    pytest.param(set_order, "hash-seed-determinism", id="set_order"),
    pytest.param(
        never_ends,
        "termination",
        id="never_ends",
        marks=pytest.mark.skipif(
            not hasattr(signal, "setitimer"), reason="run time limits need SIGALRM"
        ),
    ),
]

# Enough runs to meet each fault whatever the hypothesis profile; the search stops at
# the first failure, so a caught fault costs far less.
EXAMPLES = 200
TIMEOUT = 1.0


def _name(plugin: ModuleType) -> str:
    return plugin.__name__.rsplit(".", 1)[-1]


def _check(plugin: ModuleType, invariants: list[str] | None) -> InvariantViolation:
    with pytest.raises(InvariantViolation) as info:
        check_doctrine(
            plugin,
            invariants=invariants,
            max_examples=EXAMPLES,
            hash_seed_examples=EXAMPLES,
            timeout=TIMEOUT,
        )
    return info.value


@pytest.mark.parametrize(("plugin", "invariant"), CASES)
def test_the_invariant_catches_the_fault(plugin: ModuleType, invariant: str) -> None:
    violation = _check(plugin, [invariant])
    message = str(violation)
    assert isinstance(violation, AssertionError)
    assert violation.invariants[0] == invariant
    assert f"broke the invariant {invariant!r}" in message
    assert f"doctrine {_name(plugin)!r}" in message
    assert "[[agents]]" in message  # the run's scenario, as a scenario file


@pytest.mark.parametrize(("plugin", "invariant"), CASES)
def test_a_full_check_names_the_invariant(plugin: ModuleType, invariant: str) -> None:
    violation = _check(plugin, None)
    assert invariant in violation.invariants or invariant in str(violation)


@pytest.mark.parametrize(
    ("plugin", "invariant"),
    [
        (impersonator, "speaks-for-itself"),
        (global_random, "determinism"),
        (ballot_stuffer, "consensus"),
        (set_order, "hash-seed-determinism"),
    ],
)
def test_the_counterexample_replays(plugin: ModuleType, invariant: str) -> None:
    violation = _check(plugin, [invariant])
    case = violation.case
    assert case is not None
    registry = registry_with((_name(plugin), plugin))
    with pytest.raises(InvariantViolation) as again:
        check_run(case.toml(), seed=case.seed, registry=registry, invariants=[invariant])
    assert again.value.invariants == (invariant,)


def test_the_counterexample_is_small() -> None:
    # Shrinking is hypothesis's best effort and its exact result varies between
    # hypothesis versions, so these bounds leave one element of slack over the minimum.
    # A doctrine using global randomness breaks determinism on its own, in one round.
    message = str(_check(global_random, ["determinism"]))
    assert message.count("[[agents]]") <= 2
    assert "max_rounds = 1" in message
    assert message.count("[[alliances]]") <= 1
    # speaking for an ally needs two allies and nothing else
    message = str(_check(impersonator, ["speaks-for-itself"]))
    assert message.count("[[agents]]") <= 3
    assert message.count("[[alliances]]") == 1
    assert (
        "round 1: agent A (doctrine 'impersonator') returned an inform message in the "
        "name of B" in message
    )


def test_the_consensus_message_names_the_forged_ballot() -> None:
    message = str(_check(ballot_stuffer, ["consensus"]))
    assert "cast a vote on proposal" in message
    assert "in the name of" in message


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="run time limits need SIGALRM")
def test_a_hanging_doctrine_is_reported_with_hook_agent_and_round() -> None:
    violation = _check(never_ends, ["termination"])
    message = str(violation)
    assert "the run did not end: it was still in negsim_decide for agent" in message
    assert "in round 2" in message
    assert "the first run found that never ends" in message


def test_state_kept_between_runs_is_reported_as_nondeterminism() -> None:
    violation = _check(shared_state, ["determinism"])
    assert "determinism" in violation.invariants
    assert "two runs of this scenario" in str(violation)


_FIRSTS = """
import itertools, json
from negsim.testing._strategies import CHALLENGER_ID, MEMBER_IDS
ids = [*MEMBER_IDS, CHALLENGER_ID]
subsets = (s for k in range(2, len(ids) + 1) for s in itertools.combinations(ids, k))
print(json.dumps([next(iter({a for a in ids if a in s})) for s in subsets]))
"""


@pytest.mark.parametrize("pair", HASH_SEED_PAIRS, ids="-".join)
def test_each_pair_of_hash_seeds_orders_every_set_of_ids_apart(pair: tuple[str, str]) -> None:
    # What makes set_order caught whatever this process's own hash seed: under the two
    # children's seeds, no set of two or more of the strategies' agent ids (all 120)
    # iterates from the same first element, so ours differs from at least one.
    firsts = []
    for seed in pair:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _FIRSTS], env=env, capture_output=True, text=True, check=True
        )
        firsts.append(json.loads(done.stdout))
    assert len(firsts[0]) == 120
    same = [i for i, (a, b) in enumerate(zip(*firsts, strict=True)) if a == b]
    assert not same, f"{len(same)} sets start alike under PYTHONHASHSEED={' and '.join(pair)}"


@pytest.mark.parametrize("parent", [None, "0", *HASH_SEED_PAIRS[0]])
def test_children_never_share_the_parents_hash_seed(
    parent: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if parent is None:
        monkeypatch.delenv("PYTHONHASHSEED", raising=False)
    else:
        monkeypatch.setenv("PYTHONHASHSEED", parent)
    seeds = child_hash_seeds()
    assert seeds in HASH_SEED_PAIRS
    assert parent not in seeds


def test_each_check_keeps_its_saved_failures_apart() -> None:
    # A failure saved by one doctrine's check is replayed for that doctrine only: the
    # kit stores it under a key of its own (doctrine, world, invariants), through
    # hypothesis's public database interface.
    from hypothesis import settings
    from hypothesis.database import InMemoryExampleDatabase

    db = InMemoryExampleDatabase()
    with pytest.raises(InvariantViolation):
        check_doctrine(
            impersonator,
            invariants=["speaks-for-itself"],
            max_examples=EXAMPLES,
            settings=settings(database=db),
        )
    saved = {key for key, values in db.data.items() if values}
    assert saved, "the failing example was not saved"
    with pytest.raises(InvariantViolation):
        check_doctrine(
            impersonator,
            invariants=["speaks-for-itself", "delivery"],
            max_examples=EXAMPLES,
            settings=settings(database=db),
        )
    again = {key for key, values in db.data.items() if values}
    assert again - saved, "a check with other invariants reused the first check's keys"
