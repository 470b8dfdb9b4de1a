"""The engine's invariants with the toy world rules, independent of any real doctrine.

The toy world (``tests.toyplugins.ToyWorld``) turns every action into a fact and never
classifies an outcome unless ``stop_round`` says so, so runs last to ``max_rounds``
and end ``unresolved``: the engine's own guarantees are checked without the crisis
world rules deciding anything. The agents are ``chatter`` (random but legal talk,
pledges, proposals, votes and attacks, from each agent's stream) and the kit's
scripted ``stimulus``.
"""

from __future__ import annotations

import pytest

from negsim.model import DecisionReached, MoveRejected
from negsim.testing import INVARIANTS, check_doctrine, check_run
from tests.toyplugins import Scripted, agent, make_registry, make_scenario


# (comparative-statics needs statics a doctrine declares; these declare none)
@pytest.mark.parametrize("invariant", [n for n in INVARIANTS if n != "comparative-statics"])
@pytest.mark.parametrize("doctrine", ["chatter", "stimulus"])
def test_engine_holds_invariant_in_the_toy_world(doctrine: str, invariant: str) -> None:
    report = check_doctrine(
        doctrine,
        registry=make_registry(),
        world_rules="toy",
        invariants=[invariant],
        hash_seed_examples=2,
    )
    assert report.runs >= 1


@pytest.mark.parametrize("exclude", ["A,B,C", "B,C", "A", "Z"])
def test_no_consensus_decision_by_excluding_the_others(exclude: str) -> None:
    """Regression: excluding every member (or all but the proposer, or the proposer, or
    a non-member) once let a proposal pass at once, with consenting=() for "A,B,C"; such
    a proposal is now refused by validation (rule ``exclusion``)."""
    script = {("A", 1): lambda v: [v.say(["B", "C"], "propose", alliance="ALL", exclude=exclude)]}
    registry = make_registry(script=Scripted(script))
    scenario = make_scenario(
        registry,
        [agent("A"), agent("B"), agent("C")],
        max_rounds=2,
        alliances=[
            {
                "id": "ALL",
                "name": "all",
                "kind": "collective",
                "members": ["A", "B", "C"],
                "decision_rule": "consensus",
            }
        ],
    )
    record = check_run(scenario, seed=0, registry=registry, invariants=["consensus"])
    assert record.result is not None
    assert not record.result.events_of(DecisionReached)
    assert [
        e.rule for e in record.result.events_of(MoveRejected) if isinstance(e, MoveRejected)
    ] == ["exclusion"]
