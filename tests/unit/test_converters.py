"""The shared converter: strict types, and a path for every problem (cattrs.transform_error)."""

from __future__ import annotations

from typing import Any

import cattrs
import pytest

from negsim.converters import converter
from negsim.model import (
    Agent,
    Alliance,
    AllianceKind,
    Commitment,
    CommitmentState,
    FrozenMap,
    WorldState,
)


def errors(data: Any, cls: Any) -> list[str]:
    """``message @ path`` for each problem, messages as the converter's exceptions say."""
    with pytest.raises(cattrs.BaseValidationError) as info:
        converter.structure(data, cls)
    return cattrs.transform_error(info.value, "$", lambda exc, _: str(exc.args[0]))


AGENT = {"id": "A", "name": "State A", "doctrine": "hawk"}


def test_a_refusing_validator_is_reported_at_its_field_with_its_message():
    data = {**AGENT, "capabilities": {"conventional": -3, "nuclear": -1}}
    assert errors(data, Agent) == [
        "'conventional' must be >= 0: -3.0 @ $.capabilities.conventional",
        "'nuclear' must be >= 0: -1 @ $.capabilities.nuclear",
    ]


def test_a_table_names_the_key_of_a_wrong_value():
    assert errors({"variables": {"tension": "high", "ok": 1.0}}, WorldState) == [
        "expected a number, got str 'high' @ $.variables.tension"
    ]
    assert errors({**AGENT, "params": {"p": [1, 2]}}, Agent) == [
        "expected a number, boolean or string, got list [1, 2] @ $.params.p"
    ]


def test_an_enum_lists_its_choices_though_it_is_a_str():
    assert converter.structure("bilateral", AllianceKind) is AllianceKind.BILATERAL
    data = {"id": "X", "name": "x", "kind": "tribal", "members": ["A", "B"]}
    assert errors({**data, "decision_rule": "hub"}, Alliance) == [
        "'tribal' is not a valid choice; valid: collective, bilateral @ $.kind"
    ]


@pytest.mark.parametrize("value", ["AB", {"A": 1}, 5])
def test_an_array_is_a_list_never_a_string_or_a_table(value):
    assert errors({**AGENT, "modifiers": value}, Agent) == [
        f"expected an array, got {type(value).__name__} {value!r} @ $.modifiers"
    ]


def test_a_table_that_is_not_a_table():
    assert errors({**AGENT, "capabilities": "big"}, Agent) == [
        "expected a table, got str 'big' @ $.capabilities"
    ]


def test_strict_scalars():
    assert errors({**AGENT, "name": 5}, Agent) == ["expected a string, got int 5 @ $.name"]
    data = {"id": "c", "debtor": "A", "creditor": "B", "deadline": True}
    assert [e.split(" @ ")[1] for e in errors(data, Commitment)] == ["$.deadline"]


def test_results_keep_the_engine_fields_of_a_commitment():
    data = {"id": "c", "debtor": "A", "creditor": "B", "state": "violated", "detached_at": 2}
    c = converter.structure(data, Commitment)
    assert (c.state, c.detached_at) == (CommitmentState.VIOLATED, 2)
    assert converter.structure(converter.unstructure(c), Commitment) == c


def test_tables_come_out_frozen_and_sorted():
    world = converter.structure({"variables": {"b": 1, "a": 2.5}}, WorldState)
    assert isinstance(world.variables, FrozenMap)
    assert list(world.variables.items()) == [("a", 2.5), ("b", 1.0)]
