"""Modifier plugins' parameters: set in the file or by override, checked, defaulted, dumped.

An agent's ``params`` table holds the parameters of its whole stack: the doctrine's and
each modifier's. Each is checked against the ParamSpec of the plugin that declares it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import negsim
import negsim.cli._registry
from negsim import ParamSpec, PluginSpec, hookimpl
from negsim.cli import main
from negsim.errors import ScenarioError
from negsim.scenario import apply_overrides, dump_scenario, load_scenario, scenario_from_dict
from tests.toyplugins import make_registry


class Cautious:
    """Modifier "cautious": declares parameters and changes nothing."""

    @hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return PluginSpec(
            role="modifier",
            summary="a modifier with parameters",
            params=[
                ParamSpec("caution", 0.3, "how cautious", 0.0, 1.0),
                ParamSpec("veto", False, "whether it may veto"),
            ],
        )


FILE = """\
[scenario]
name = "modifiers"
world_rules = "toy"
max_rounds = 2

[[agents]]
id = "A"
name = "State A"
doctrine = "scripted"
modifiers = ["cautious"]
params = { aggr = 0.2, caution = 0.6 }

[[agents]]
id = "B"
name = "State B"
doctrine = "scripted"
"""


@pytest.fixture(scope="module")
def registry() -> negsim.PluginRegistry:
    return make_registry(("cautious", Cautious()))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    file = tmp_path / "modifiers.toml"
    file.write_text(FILE, encoding="utf-8")
    return file


def test_a_modifier_parameter_in_the_file_is_loaded_and_the_others_defaulted(
    path: Path, registry: negsim.PluginRegistry
) -> None:
    s = load_scenario(path, registry=registry)
    assert s.agent("A").params == {
        "aggr": 0.2,
        "patience": 3,
        "loud": False,
        "caution": 0.6,
        "veto": False,
    }
    assert "caution" not in s.agent("B").params  # not its modifier


@pytest.mark.parametrize("how", ["load", "apply"])
def test_a_modifier_parameter_can_be_overridden(
    path: Path, registry: negsim.PluginRegistry, how: str
) -> None:
    override = "agents.A.params.caution=0.9"
    if how == "load":
        s = load_scenario(path, overrides=[override], registry=registry)
    else:
        s = apply_overrides(load_scenario(path, registry=registry), [override], registry=registry)
    assert s.agent("A").params["caution"] == 0.9
    assert s.agent("A").params["aggr"] == 0.2


def test_a_modifier_parameter_the_file_omits_can_be_overridden(
    path: Path, registry: negsim.PluginRegistry
) -> None:
    s = load_scenario(path, overrides=["agents.A.params.veto=true"], registry=registry)
    assert s.agent("A").params["veto"] is True


def test_any_override_of_a_scenario_with_modifier_parameters(
    path: Path, registry: negsim.PluginRegistry
) -> None:
    """The loaded scenario holds the modifier's defaults; overriding anything keeps them."""
    s = load_scenario(path, registry=registry)
    t = apply_overrides(s, ["scenario.seed=11"], registry=registry)
    assert t.seed == 11
    assert t.agent("A").params == s.agent("A").params


def test_dump_round_trips_modifier_parameters(path: Path, registry: negsim.PluginRegistry) -> None:
    s = load_scenario(path, registry=registry)
    data = dump_scenario(s)
    [a] = [t for t in data["agents"] if t["id"] == "A"]
    assert a["params"]["caution"] == 0.6
    assert scenario_from_dict(data, registry=registry) == s


def test_a_modifier_parameter_is_checked_against_the_modifiers_spec(
    path: Path, registry: negsim.PluginRegistry
) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides=["agents.A.params.caution=1.5"], registry=registry)
    [problem] = info.value.problems
    assert problem.path == "agents[0].params.caution"
    assert problem.message == "must be <= 1.0: 1.5"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides=['agents.A.params.veto="yes"'], registry=registry)
    [problem] = info.value.problems
    assert problem.message == "expected bool, got str 'yes'"


def test_an_unknown_parameter_names_the_stack_and_every_valid_name(
    path: Path, registry: negsim.PluginRegistry
) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides=["agents.A.params.cuation=0.5"], registry=registry)
    [problem] = info.value.problems
    assert problem.path == "agents[0].params.cuation"
    assert problem.message == (
        "'scripted' (with 'cautious') has no parameter 'cuation'; "
        "valid: aggr, caution, loud, patience, veto"
    )


def test_another_agents_modifier_parameter_is_refused(
    path: Path, registry: negsim.PluginRegistry
) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides=["agents.B.params.caution=0.5"], registry=registry)
    [problem] = info.value.problems
    assert problem.path == "agents[1].params.caution"
    assert problem.message.startswith("'scripted' has no parameter 'caution'; valid: aggr,")


def test_set_on_the_command_line(
    path: Path, registry: negsim.PluginRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(negsim.cli._registry, "get_registry", lambda: registry)
    result: Any = CliRunner().invoke(
        main, ["run", str(path), "--set", "agents.A.params.caution=0.9"]
    )
    assert result.exit_code == 0, result.output
    bad = CliRunner().invoke(main, ["run", str(path), "--set", "agents.A.params.caution=2"])
    assert bad.exit_code == 2
    assert "agents[0].params.caution: must be <= 1.0: 2" in bad.stderr
