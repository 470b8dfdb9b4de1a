"""Plugin discovery, plugin specs and per-agent hook relays.

Plugins are found through the ``negsim`` entry-point group, exactly as third-party
plugins are, and checked with :meth:`pluggy.PluginManager.check_pending`.
"""

from negsim.plugins._manager import (
    ENTRY_POINT_GROUP,
    Hook,
    HookRelay,
    PluginRegistry,
    default_registry,
)

__all__ = ["ENTRY_POINT_GROUP", "Hook", "HookRelay", "PluginRegistry", "default_registry"]
