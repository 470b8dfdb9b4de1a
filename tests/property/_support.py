"""What the property and stateful tests share: the registry to fuzz with, and its doctrines.

Every installed doctrine is fuzzed (built-in or third-party, through the ``negsim``
entry point), plus the example third-party plugin ``examples/negsim-hawkish``: when
that is not installed, its module is loaded from its source folder and registered
in-process, so it is held to the invariants either way.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

import negsim
from negsim.model import PluginRole
from negsim.plugins import default_registry

ROOT = Path(__file__).resolve().parents[2]
HAWKISH_SRC = ROOT / "examples" / "negsim-hawkish" / "src" / "negsim_hawkish" / "__init__.py"
HAWKISH = "hawkish"


def _hawkish_module() -> ModuleType:
    try:
        return importlib.import_module("negsim_hawkish")
    except ImportError:
        pass
    spec = importlib.util.spec_from_file_location("negsim_hawkish", HAWKISH_SRC)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


@functools.cache
def fuzz_registry() -> negsim.PluginRegistry:
    """The installed plugins, plus ``hawkish`` from its source folder if not installed."""
    installed = default_registry()
    if HAWKISH in installed.names() or not HAWKISH_SRC.exists():
        return installed
    plugins = [(n, p) for n, p in installed.pm.list_name_plugin() if n and p is not None]
    return negsim.PluginRegistry([*plugins, (HAWKISH, _hawkish_module())], discover=False)


def doctrine_params() -> list[object]:
    """Every doctrine to fuzz, as pytest parameters (the example plugin included)."""
    names = fuzz_registry().names(PluginRole.DOCTRINE)
    assert HAWKISH in names, f"the example plugin is missing: {HAWKISH_SRC}"
    return [pytest.param(n, id=n) for n in names]
