"""negsim's pytest plugin: fixtures and a marker for fuzzing doctrines.

Installed with negsim and registered with pytest through the ``pytest11`` entry point
``negsim``, so a plugin author's test suite gets, with no ``conftest.py``:

* the fixture ``negsim_registry``: the installed plugins
  (:func:`negsim.plugins.default_registry`), once per session; override it in a
  ``conftest.py`` to fuzz with other plugins;
* the fixture ``doctrine_checker``: :func:`negsim.testing.check_doctrine` bound to
  ``negsim_registry``, so a test reads ``doctrine_checker("mydoctrine")``;
* the marker ``negsim_invariants``, put on every test of a
  :class:`~negsim.testing.DoctrineInvariants` subclass and every test using
  ``doctrine_checker``, so ``pytest -m "not negsim_invariants"`` leaves the fuzzing out.

Loading the plugin imports neither negsim nor hypothesis; the fixtures do, when used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from negsim.plugins import PluginRegistry
    from negsim.testing import CheckReport

__all__ = [
    "MARKER",
    "doctrine_checker",
    "negsim_registry",
    "pytest_collection_modifyitems",
    "pytest_configure",
]

MARKER = "negsim_invariants"
"""The marker on the tests that fuzz a doctrine against negsim's invariants."""


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``negsim_invariants`` marker."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}: fuzzes a doctrine against negsim's invariants (negsim.testing); "
        "slow-ish, deselect with -m 'not negsim_invariants'",
    )


def _is_invariants_class(cls: type | None) -> bool:
    return cls is not None and any(
        c.__name__ == "DoctrineInvariants" and c.__module__.startswith("negsim.testing")
        for c in cls.__mro__
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that fuzz doctrines with ``negsim_invariants``.

    Those are the tests of :class:`~negsim.testing.DoctrineInvariants` subclasses and the
    tests that use ``doctrine_checker``.
    """
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if _is_invariants_class(getattr(item, "cls", None)) or "doctrine_checker" in fixtures:
            item.add_marker(MARKER)


@pytest.fixture(scope="session")
def negsim_registry() -> PluginRegistry:
    """The installed plugins; override this fixture to fuzz with others."""
    from negsim.plugins import default_registry

    return default_registry()


@pytest.fixture
def doctrine_checker(negsim_registry: PluginRegistry) -> Callable[..., CheckReport]:
    """:func:`negsim.testing.check_doctrine` with ``registry=negsim_registry``.

    Call it with a doctrine's name or plugin object and any of ``check_doctrine``'s
    keyword arguments: ``doctrine_checker("mydoctrine", invariants=["delivery"])``.
    """
    from negsim.testing import check_doctrine

    def check(doctrine: str | object, **kwargs: Any) -> CheckReport:
        kwargs.setdefault("registry", negsim_registry)
        return check_doctrine(doctrine, **kwargs)

    return check
