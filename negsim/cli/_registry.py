"""The plugin registry the commands use; replaced in tests.

Commands call :func:`get_registry` through this module (``_registry.get_registry()``),
so a test can monkeypatch it with a registry of its own plugins.
"""

from __future__ import annotations

from negsim.plugins import PluginRegistry, default_registry

__all__ = ["get_registry"]


def get_registry() -> PluginRegistry:
    """The registry of installed plugins, shared by every command in the process.

    Returns:
        :func:`negsim.plugins.default_registry`, discovered on first use.
    """
    return default_registry()
