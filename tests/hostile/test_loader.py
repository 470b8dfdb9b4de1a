"""Hostile scenario input: numbers, nesting, names and files the loader must refuse.

Each refusal is a :class:`negsim.ScenarioError` (exit code 2 on the command line)
whose message names the file, the place in it, what was expected and the choices;
never a traceback, a hang, or a scenario accepted with a value that changes a run.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pytest

import negsim
from negsim.errors import ScenarioError, ScenarioFileError
from negsim.scenario import scenario_from_dict
from tests.hostile._support import assert_clean_failure, negsim_cli
from tests.toyplugins import agent, make_registry

EXAMPLE = Path(__file__).parents[2] / "examples" / "scenarios" / "korea_bilateral.toml"
REGISTRY = make_registry()


def data(**changes: Any) -> dict[str, Any]:
    """A small valid scenario (toy world, three scripted agents), with ``changes``."""
    base: dict[str, Any] = {
        "scenario": {"name": "hostile", "world_rules": "toy", "max_rounds": 5},
        "world": {"params": {"stop_round": 0}},
        "agents": [agent("A"), agent("B"), agent("C")],
    }
    base.update(changes)
    return base


def refused(raw: dict[str, Any], *overrides: str, limits: negsim.Limits | None = None) -> str:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(
            raw, source="s.toml", overrides=overrides, registry=REGISTRY, limits=limits
        )
    text = str(info.value)
    assert text.startswith("s.toml: "), text
    return text


# -- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "value", "expected"),
    [
        ("agents[0].params.aggr", math.nan, "expected a number, got nan"),
        ("agents[0].params.aggr", math.inf, "expected a finite number in [0.0, 1.0], got inf"),
        ("agents[0].params.patience", -math.inf, "expected int, got float -inf"),
        ("agents[0].capabilities.conventional", math.nan, "expected a number, got nan"),
        ("agents[0].capabilities.conventional", math.inf, "expected a finite number, got inf"),
        ("world.variables.x", math.nan, "expected a number, got nan"),
        ("world.params.stop_round", math.inf, "expected int, got float inf"),
    ],
)
def test_nan_and_infinity_are_refused_where_a_range_is_declared(where, value, expected):
    raw = data()
    raw["world"]["variables"] = {"x": 1.0}
    table, _, rest = where.partition(".")
    node: Any = raw["agents"][0] if table == "agents[0]" else raw[table]
    *parents, last = rest.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    text = refused(raw)
    assert where in text
    assert expected in text


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "+nan"])
def test_nan_and_infinity_in_an_override_are_refused(text):
    message = refused(data(), f"agents.A.params.aggr={text}")
    assert "params.aggr" in message
    assert "finite" in message or "expected a number" in message


@pytest.mark.parametrize(
    ("where", "value"),
    [("scenario.seed", 2**64), ("scenario.seed", -(2**70)), ("world.variables.x", 10**30)],
)
def test_integers_out_of_range_are_refused(where, value):
    raw = data()
    table, key = where.split(".", 1)
    if "." in key:
        raw[table].setdefault("variables", {})[key.split(".")[1]] = value
    else:
        raw[table][key] = value
    assert f"{where}: integer out of range" in refused(raw)


def test_an_integer_over_pythons_digit_limit_is_a_file_error_with_its_line(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text(f'[scenario]\nname = "x"\nseed = {"9" * 5000}\n', encoding="utf-8")
    with pytest.raises(ScenarioFileError, match=r"big.toml: line 3: an integer with more digits"):
        negsim.load_scenario(path, registry=REGISTRY)


def test_max_rounds_over_the_limit_names_the_limit_and_how_to_raise_it():
    raw = data()
    raw["scenario"]["max_rounds"] = 10**9
    text = refused(raw)
    assert "scenario.max_rounds: must be <= 100000" in text
    assert "--limit max_rounds=N" in text
    raw["scenario"]["max_rounds"] = 50
    assert "must be <= 10" in refused(raw, limits=negsim.Limits(max_rounds=10))
    scenario_from_dict(raw, registry=REGISTRY, limits=negsim.Limits(max_rounds=0))  # off


def test_too_many_agents_are_refused_up_front_naming_the_limit():
    raw = data(agents=[agent(f"S{i}") for i in range(5)])
    text = refused(raw, limits=negsim.Limits(max_agents=4))
    assert "agents: 5 agents, more than the limit max_agents=4" in text


# -- structure ---------------------------------------------------------------------------


def nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("depth", [40, 1000, 100_000])
def test_deep_nesting_in_data_is_refused_without_recursion(depth):
    raw = data()
    raw["world"]["facts"] = nested(depth)
    text = refused(raw)
    assert "world.facts" in text
    assert "nested deeper than 32 levels" in text


@pytest.mark.parametrize("depth", [300, 100_000])
def test_deep_nesting_in_a_file_is_a_file_error_with_its_line(tmp_path, depth):
    path = tmp_path / "deep.toml"
    path.write_text(
        f'# a comment with "quotes\n[scenario]\nname = "x"\n'
        f"[world]\nfacts = {'[' * depth}{']' * depth}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match=r"deep.toml: .*nest"):
        negsim.load_scenario(path, registry=REGISTRY)


def test_duplicate_alliance_members_are_refused():
    alliance = {
        "id": "X",
        "name": "X",
        "kind": "collective",
        "members": ["A", "B", "A"],
        "decision_rule": "consensus",
    }
    assert "alliances[0].members: 'A' listed twice" in refused(data(alliances=[alliance]))


def test_parameters_naming_agents_are_checked_at_load():
    with pytest.raises(ScenarioError) as info:
        negsim.load_scenario(
            EXAMPLE,
            overrides=[
                "world.params.challenger=XXX",
                "agents.DPRK.params.targets=ROK,YYY",
                "agents.DPRK.params.rung=parade",
            ],
        )
    text = str(info.value)
    assert "3 problems" in text
    assert "world.params.challenger: unknown agent 'XXX'; known: DPRK, JPN, ROK, USA" in text
    assert "agents[0].params.targets: unknown agent 'YYY'" in text
    assert "agents[0].params.rung: unknown rung 'parade'; choices: demonstration" in text


# -- files -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["directory", "fifo", "not utf-8"])
def test_a_scenario_path_that_is_not_a_text_file_is_refused(tmp_path, kind):
    path = tmp_path / "s.toml"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)  # opening it would block until a writer comes
    else:
        path.write_bytes(b'[scenario]\nname = "\xff"\n')
    with pytest.raises(ScenarioFileError, match=r"s.toml: (a directory|not a regular|not UTF-8)"):
        negsim.load_scenario(path, registry=REGISTRY)


# -- the command line: exit 2 with one message --------------------------------------------


def test_cli_refuses_a_fifo_and_a_deep_file_with_exit_2(tmp_path):
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    assert_clean_failure(negsim_cli("run", fifo), 2, "fifo.toml: not a regular file")
    deep = tmp_path / "deep.toml"
    deep.write_text(f"[world]\nfacts = {'[' * 100_000}{']' * 100_000}\n", encoding="utf-8")
    assert_clean_failure(negsim_cli("check", deep), 2, "deep.toml: line 2")


def test_cli_refuses_nan_with_exit_2():
    done = negsim_cli("run", EXAMPLE, "--set", "agents.ROK.params.threat_perception=nan")
    assert_clean_failure(done, 2, "threat_perception", "expected a number, got nan")


@pytest.mark.parametrize(
    "value", ["9" * 5000, "[" * 3000 + "]" * 3000], ids=["5000 digits", "3000 deep"]
)
def test_an_override_value_negsim_cannot_read_is_refused(value):
    with pytest.raises(ScenarioError, match=r"--set: scenario.seed: a value negsim cannot read"):
        scenario_from_dict(data(), overrides=[f"scenario.seed={value}"], registry=REGISTRY)
