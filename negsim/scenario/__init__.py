"""Scenario files: TOML to :class:`negsim.model.Scenario`, overrides by dotted path."""

from negsim.scenario._examples import Example, example_path, examples_dir, list_examples
from negsim.scenario._loader import (
    SECTIONS,
    apply_overrides,
    dump_scenario,
    load_scenario,
    scenario_from_dict,
)
from negsim.scenario._overrides import Override, parse_override

__all__ = [
    "SECTIONS",
    "Example",
    "Override",
    "apply_overrides",
    "dump_scenario",
    "example_path",
    "examples_dir",
    "list_examples",
    "load_scenario",
    "parse_override",
    "scenario_from_dict",
]
