"""Test-suite configuration: hypothesis profiles, and negsim's pytest plugin.

Hypothesis settings profiles, chosen by the environment variable ``HYPOTHESIS_PROFILE``:

``dev`` (the default)
    Local development: a moderate number of examples, the example database on, so a
    failure found once is tried first next time.
``ci``
    Continuous integration: derandomized (the same examples every run, so a red build
    is reproducible, whatever modules are loaded: see ``_without_local_constants``), no
    example database, and few enough examples that the property and stateful suites
    finish in a couple of minutes on two cores.
``nightly``
    A long search: many examples, every phase, the database on.

``negsim.testing.check_doctrine`` takes its number of examples from the active
profile, so the profile scales the doctrine fuzzing too (the hash-seed check replays
only a handful of runs in a subprocess whatever the profile).
"""

from __future__ import annotations

import os
from importlib.metadata import entry_points

from hypothesis import HealthCheck, settings

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile(
    "dev",
    max_examples=50,
    deadline=None,
    suppress_health_check=_SLOW_OK,
)
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=_SLOW_OK,
)
settings.register_profile(
    "nightly",
    max_examples=2000,
    deadline=None,
    stateful_step_count=100,
    suppress_health_check=_SLOW_OK,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def _without_local_constants() -> None:
    """Keep a derandomized profile's examples a function of the test alone.

    Hypothesis (6.131 and later) mixes into what it generates the literal constants of
    every first-party module loaded so far. The examples of a derandomized run then
    change whenever a module of negsim is added or edited, or a test imports one more:
    adding an unrelated module once turned the kit's aimed bargaining runs from 6
    negotiation moves in 60 runs to none. There is no setting for it, so under a
    derandomized profile the pool is emptied through the private hook, when present.
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a Hypothesis without the pool
        return
    if settings.default.derandomize and hasattr(providers, "_get_local_constants"):
        providers._get_local_constants = providers.Constants  # an empty pool


_without_local_constants()

# negsim's own pytest plugin (fixtures negsim_registry and doctrine_checker, the
# negsim_invariants marker) is registered through the pytest11 entry point "negsim" of an
# installed negsim; when that is missing (installed metadata older than the entry point)
# or not loaded (plugin autoloading disabled), it is loaded from here.
_AUTOLOADED = bool(entry_points(group="pytest11", name="negsim")) and not os.environ.get(
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD"
)
if not _AUTOLOADED:
    pytest_plugins = ["negsim.testing.pytest_plugin"]
