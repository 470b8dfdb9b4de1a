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
from negsim.crisis import Rung
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


def _coercion(challenger: str) -> dict[str, Any]:
    """X (wedge) pledged to Y, or coercing H: H hosts the forces of B, pledged to A.

    With ``challenger="X"`` X grabs A at once and threatens H, which it keeps armed
    through the war; with ``challenger="Z"`` a scripted Z attacks Y, and X, Y's ally and
    no challenger, has no threat to carry out. Q is a bystander either way.
    """
    x_params: dict[str, Any] = {"hazards": "0.3", "rung": "conventional_strike"}
    if challenger == "X":
        x_params |= {"targets": "A", "probe_rounds": 0, "value_gain": 100.0}
    else:
        x_params |= {"targets": "Q", "probe_rounds": 60}
    return {
        "scenario": {"name": "coercion", "world_rules": "crisis", "max_rounds": 6},
        "world": {"params": {"challenger": challenger, "ceasefire_rounds": 10}},
        "agents": [
            {
                "id": "X",
                "name": "X",
                "doctrine": "wedge",
                "params": x_params,
                "capabilities": {"conventional": 50.0, "nuclear": 20},
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
                "params": {"script": "2:respond:A:1"},
                "capabilities": {"conventional": 40.0},
            },
            {
                "id": "H",
                "name": "H",
                "doctrine": "stimulus",
                "capabilities": {"conventional": 5.0, "forces_hosted": {"B": 1000.0}},
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
                "params": {"script": "1:attack:Y:0.5" if challenger == "Z" else ""},
                "capabilities": {"conventional": 10.0},
            },
            {"id": "Q", "name": "Q", "doctrine": "stimulus", "capabilities": {"conventional": 1.0}},
        ],
        "commitments": [
            {
                "id": "b-a",
                "debtor": "B",
                "creditor": "A",
                "antecedent": "attacked(A)",
                "consequent": "responds(B,A)",
                "deadline": 3,
            },
            {
                "id": "x-y",
                "debtor": "X",
                "creditor": "Y",
                "antecedent": "attacked(Y)",
                "consequent": "responds(X,Y)",
                "deadline": 3,
            },
        ],
    }


@pytest.mark.parametrize(("challenger", "seed"), [("X", 0), ("X", 2), ("Z", 0)])
def test_the_wedge_carries_out_only_its_threats(challenger: str, seed: int) -> None:
    """The wedge arms a threat (the world carries armed threats out) only against a
    state it has threatened, and never strikes in its own right."""
    result = _run(_coercion(challenger), seed=seed)
    threatened = {
        r
        for e in result.events_of(MessageSent)
        if isinstance(e, MessageSent)
        and e.message.sender == "X"
        and e.message.performative is Performative.THREATEN
        for r in e.message.recipients
    }
    armed = {
        e.action.target
        for e in result.events_of(ActionTaken)
        if isinstance(e, ActionTaken) and e.action.actor == "X" and e.action.kind is ActionKind.ARM
    }
    struck = [
        e.action
        for e in result.events_of(ActionTaken)
        if isinstance(e, ActionTaken)
        and e.action.actor == "X"
        and e.action.kind is ActionKind.NUCLEAR_STRIKE
    ]
    executed = {
        fact.split(",")[1].rstrip(")")
        for fact in result.world.facts
        if fact.startswith(tuple(f"{rung.value}(X," for rung in Rung))
    }
    assert armed <= threatened, f"X armed {sorted(armed)}, threatened {sorted(threatened)}"
    assert executed <= threatened, (
        f"X carried out {sorted(executed)}, threatened {sorted(threatened)}"
    )
    assert not struck
    if challenger == "X":  # the grab is on and the threat against H is kept armed
        assert armed == threatened == {"H"}
    else:  # an ally, not the challenger, has nothing to coerce
        assert armed == threatened == set()


def test_the_wedge_never_threatens_itself() -> None:
    """X hosts forces of B, A's helper, and so does H: X threatens H, never itself.

    (Over a single round no threat is worth arming: the crisis needs a second day.)
    """
    result = _run(
        {
            "scenario": {"name": "host", "world_rules": "crisis", "max_rounds": 3},
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
                {
                    "id": "H",
                    "name": "H",
                    "doctrine": "stimulus",
                    "capabilities": {"conventional": 1.0, "forces_hosted": {"B": 1000.0}},
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
    threatened = [
        e.message.recipients
        for e in result.events_of(MessageSent)
        if isinstance(e, MessageSent) and e.message.performative is Performative.THREATEN
    ]
    assert threatened == [("H",)]
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
                    # free to attack at once, with a status quo worse than a sure defeat
                    "params": {"targets": "A", "probe_rounds": 0, "status_quo": -10.0},
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
