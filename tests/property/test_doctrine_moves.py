"""The moves a doctrine makes are moves it may make (not an invariant, but a doctrine bug).

The engine drops a move that breaks a validation rule and logs it as ``MoveRejected``;
the invariants hold either way, but the doctrine then believes it did something it did
not. ``check_doctrine`` counts such moves (``CheckReport.rejected``). The doctrines
below make none; the ``wedge`` doctrine makes some, pinned by minimal scenarios.
"""

from __future__ import annotations

from typing import Any

import pytest

import negsim
from negsim.model import ActionKind, ActionTaken, MessageSent, MoveRejected, Performative
from negsim.scenario import scenario_from_dict
from negsim.testing import check_doctrine, registry_with
from tests.property._support import HAWKISH, fuzz_registry

REGISTRY = registry_with(base=fuzz_registry())


@pytest.mark.parametrize("doctrine", ["collective", "bilateral", HAWKISH])
def test_the_doctrines_moves_are_never_rejected(doctrine: str) -> None:
    report = check_doctrine(
        doctrine, registry=REGISTRY, invariants=["termination", "speaks-for-itself"]
    )
    assert dict(report.rejected) == {}


def _run(data: dict[str, Any], seed: int = 0) -> negsim.Result:
    return negsim.simulate(
        scenario_from_dict(data, registry=REGISTRY), seed=seed, registry=REGISTRY
    )


def test_the_wedge_carries_out_only_its_threats() -> None:
    result = _run(
        {
            "scenario": {"name": "ally", "world_rules": "crisis", "max_rounds": 3},
            "world": {"params": {"challenger": "Z"}},
            "agents": [
                {
                    "id": "X",
                    "name": "X",
                    "doctrine": "wedge",
                    "params": {"p_execute": 1.0, "targets": "Q", "attack_round": 99},
                    "capabilities": {"conventional": 10.0, "nuclear": 20},
                },
                {
                    "id": "Y",
                    "name": "Y",
                    "doctrine": "stimulus",
                    "capabilities": {"conventional": 10.0},
                },
                {
                    "id": "Z",
                    "name": "Z",
                    "doctrine": "stimulus",
                    "params": {"script": "1:attack:Y:0.5"},
                    "capabilities": {"conventional": 10.0},
                },
                {
                    "id": "Q",
                    "name": "Q",
                    "doctrine": "stimulus",
                    "capabilities": {"conventional": 1.0},
                },
            ],
            "commitments": [
                {
                    "id": "x-y",
                    "debtor": "X",
                    "creditor": "Y",
                    "antecedent": "attacked(Y)",
                    "consequent": "responds(X,Y)",
                    "deadline": 3,
                }
            ],
        }
    )
    threatened = {
        r
        for e in result.events_of(MessageSent)
        if isinstance(e, MessageSent)
        and e.message.sender == "X"
        and e.message.performative is Performative.THREATEN
        for r in e.message.recipients
    }
    struck = {
        e.action.target
        for e in result.events_of(ActionTaken)
        if isinstance(e, ActionTaken)
        and e.action.actor == "X"
        and e.action.kind is ActionKind.NUCLEAR_STRIKE
    }
    assert struck <= threatened, f"X struck {sorted(struck)}, threatened {sorted(threatened)}"


def test_the_wedge_never_threatens_itself() -> None:
    result = _run(
        {
            "scenario": {"name": "host", "world_rules": "crisis", "max_rounds": 1},
            "agents": [
                {
                    "id": "X",
                    "name": "X",
                    "doctrine": "wedge",
                    "params": {"targets": "A"},
                    "capabilities": {
                        "conventional": 10.0,
                        "nuclear": 20,
                        "forces_hosted": {"B": 1000.0},
                    },
                },
                {
                    "id": "A",
                    "name": "A",
                    "doctrine": "stimulus",
                    "capabilities": {"conventional": 10.0},
                },
                {
                    "id": "B",
                    "name": "B",
                    "doctrine": "stimulus",
                    "capabilities": {"conventional": 10.0},
                },
            ],
            "commitments": [
                {
                    "id": "b-a",
                    "debtor": "B",
                    "creditor": "A",
                    "antecedent": "attacked(A)",
                    "consequent": "responds(B,A)",
                }
            ],
        }
    )
    assert not result.events_of(MoveRejected)


def test_the_wedge_does_not_attack_without_forces() -> None:
    result = _run(
        {
            "scenario": {"name": "unarmed", "world_rules": "crisis", "max_rounds": 3},
            "agents": [
                {
                    "id": "X",
                    "name": "X",
                    "doctrine": "wedge",
                    "params": {"targets": "A", "attack_round": 1, "status_quo": -10.0},
                    "capabilities": {"conventional": 0.0},
                },
                {
                    "id": "A",
                    "name": "A",
                    "doctrine": "stimulus",
                    "capabilities": {"conventional": 10.0},
                },
            ],
        }
    )
    assert not result.events_of(MoveRejected)
