"""The kit catches broken doctrines, with a minimal, readable, replayable counterexample.

Each module of ``tests.faulty`` breaks one invariant (see its docstring);
``check_doctrine`` must raise an ``InvariantViolation`` (an ``AssertionError``) whose
message names the invariant, the doctrine and the scenario of a run that shows it. A
module that needs plugins beside its doctrine lists them in ``COMPANIONS``.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from types import ModuleType
from typing import Any

import attrs
import pytest

import negsim
from negsim.model import Message, MessageSent, Move
from negsim.plugins import PluginRegistry
from negsim.testing import (
    INVARIANTS,
    InvariantViolation,
    RunCase,
    RunRecord,
    check_doctrine,
    check_run,
    record_run,
    registry_with,
)
from negsim.testing._check import _build, _Replay
from negsim.testing._child import HASH_SEED_PAIRS, child_hash_seeds
from tests import _processes as processes
from tests.faulty import (
    ballot_stuffer,
    eavesdropper,
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
    pytest.param(eavesdropper, "sees-only-what-it-may", id="eavesdropper"),
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
DECISION_TIMEOUT = 0.25  # a hanging decision costs this much; shrinking it, ten times more


def _name(plugin: ModuleType) -> str:
    return plugin.__name__.rsplit(".", 1)[-1]


def _companions(plugin: ModuleType) -> list[tuple[str, object]]:
    return list(getattr(plugin, "COMPANIONS", ()))


def _registry(plugin: ModuleType) -> PluginRegistry | None:
    """The installed plugins and the module's companions; ``None`` when it has none."""
    companions = _companions(plugin)
    return registry_with(*companions) if companions else None


def _check(plugin: ModuleType, invariants: list[str] | None) -> InvariantViolation:
    with pytest.raises(InvariantViolation) as info:
        check_doctrine(
            plugin,
            registry=_registry(plugin),
            invariants=invariants,
            max_examples=EXAMPLES,
            hash_seed_examples=EXAMPLES,
            timeout=TIMEOUT,
            decision_timeout=DECISION_TIMEOUT,
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
        (eavesdropper, "sees-only-what-it-may"),
    ],
)
def test_the_counterexample_replays(plugin: ModuleType, invariant: str) -> None:
    violation = _check(plugin, [invariant])
    case = violation.case
    assert case is not None
    registry = registry_with((_name(plugin), plugin), *_companions(plugin))
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
    assert "a decision did not return in time: negsim_decide for agent" in message
    assert "in round 2 took longer than the 0.25 s" in message
    assert "max_rounds = 2" in message  # it hangs in round 2: shrunk to two rounds


def test_an_eavesdropper_is_named_with_the_round_and_what_it_repeated() -> None:
    # learning a whisper needs one agent and two rounds: whispers in round 1, heard in 2
    message = str(_check(eavesdropper, ["sees-only-what-it-may"]))
    assert message.count("[[agents]]") <= 2
    assert "max_rounds = 2" in message
    assert "round 2: agent A (doctrine 'eavesdropper') decided on what it could not" in message
    assert "though only what the kit's whisperer W told its confidant V in private" in message
    assert "W told V" in message  # what it repeated: the whispers, in both runs


class Listener:
    """The eavesdropper's well-behaved twin: it passes on only what it observed.

    The same decision (:func:`tests.faulty.eavesdropper.gossip`), from ``view.observed``
    instead of the eavesdropper's ear; it counts what it passes on.
    """

    def __init__(self) -> None:
        self.passed_on = 0

    @negsim.hookimpl
    def negsim_plugin_spec(self) -> negsim.PluginSpec:
        return negsim.PluginSpec(role="doctrine", summary="passes on what it observed")

    @negsim.hookimpl
    def negsim_decide(self, view: negsim.AgentView) -> list[Move]:
        heard = [e.message for e in view.observed if isinstance(e, MessageSent)]
        moves = eavesdropper.gossip(view, heard)
        self.passed_on += sum(isinstance(m, Message) for m in moves)
        return moves


def test_the_eavesdroppers_well_behaved_twin_is_not_reported() -> None:
    # The placebo for test_the_invariant_catches_the_fault[eavesdropper]: the same
    # search, plugins (the ear included) and decision, and only the source of what the
    # doctrine passes on differs; this one does pass things on, so the check compared
    # decisions that depend on what an agent heard.
    listener = Listener()
    report = check_doctrine(
        listener,
        name="listener",
        registry=_registry(eavesdropper),
        invariants=["sees-only-what-it-may"],
        max_examples=EXAMPLES,
        timeout=TIMEOUT,
    )
    assert report.invariants == ("sees-only-what-it-may",)
    assert listener.passed_on > 0


@attrs.define
class _Counted:
    """A replayer that notes which whispered runs the check asked for."""

    inner: _Replay
    streams: list[int] = attrs.Factory(list)

    def again(self) -> RunRecord:
        return self.inner.again()

    def whispered(self, stream: int) -> RunRecord:
        self.streams.append(stream)
        return self.inner.whispered(stream)

    def in_subprocesses(self) -> list[tuple[str, tuple[str, ...]]]:
        return self.inner.in_subprocesses()


def _sees_only(plugin: object, name: str) -> tuple[list[str], list[int]]:
    """The invariant's problems in a two-round run of one agent, and the streams played."""
    setup = _build(None, [(name, plugin), *_companions(eavesdropper)])
    data: dict[str, Any] = {
        "scenario": {"name": "two", "world_rules": "crisis", "max_rounds": 2},
        "agents": [{"id": "A", "name": "State A", "doctrine": name}],
    }
    case = RunCase(data=data, seed=0)
    scenario = case.scenario(setup.registry)
    record = record_run(scenario, seed=0, registry=setup.registry)
    replay = _Counted(_Replay(setup, scenario, case, TIMEOUT))
    problems = INVARIANTS["sees-only-what-it-may"].check(record, replay)
    return problems, replay.streams


def test_a_difference_is_confirmed_before_it_is_reported() -> None:
    # No difference: two whispered runs. A difference the whispers made: a third run with
    # the first whispers agrees with the first, and it is reported. A difference they did
    # not make (shared_state counts every run it plays): the third run differs too, and
    # the check leaves it to determinism.
    assert _sees_only(Listener(), "listener") == ([], [0, 1])
    problems, streams = _sees_only(eavesdropper, "eavesdropper")
    assert streams == [0, 1, 0]
    assert len(problems) == 1
    assert problems[0].startswith("round 2: agent A (doctrine 'eavesdropper')")
    assert _sees_only(shared_state, "shared_state") == ([], [0, 1, 0])


def test_an_engine_that_shows_the_whispers_is_blamed(monkeypatch: pytest.MonkeyPatch) -> None:
    # The views are compared before the decisions: with every event observed by all,
    # the well-behaved listener is shown the whispers, and that is what is reported.
    from negsim.engine import _observe

    monkeypatch.setattr(_observe._Who, "observers", lambda self, event: None)
    problems, _ = _sees_only(Listener(), "listener")
    assert problems == [
        "round 2: agent A (doctrine 'listener') was shown something it could not observe: "
        "its view.observed differs between two runs, though only what the kit's whisperer "
        "W told its confidant V in private changed (in the run below, with the two added); "
        "the engine, or the world rules' events, leaked it"
    ]


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
        done = processes.run([sys.executable, "-c", _FIRSTS], env=env, check=True)
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
