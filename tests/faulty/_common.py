"""What the broken doctrines share: a spec with no parameters."""

from negsim import PluginSpec


def spec(summary: str) -> PluginSpec:
    return PluginSpec(role="doctrine", summary=f"deliberately broken: {summary}")
