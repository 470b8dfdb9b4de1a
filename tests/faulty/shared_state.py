"""Keeps state between runs: how long the crisis has lasted, in a module-level dict.

The count should live in the agent's private state (``negsim_agent_start``); kept in
the module, the second run of a scenario starts where the first stopped, and the agent
mobilizes in a different round. The kit's ``determinism`` invariant sees the two logs
of the same scenario and seed differ.
"""

import negsim
from negsim import AgentView, PluginSpec
from tests.faulty._common import spec

_ROUNDS_SEEN: dict[str, int] = {}  # BUG: shared by every run in the process


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    return spec("keeps its memory in a module-level dict")


@negsim.hookimpl
def negsim_decide(view: AgentView) -> list[object]:
    seen = _ROUNDS_SEEN[view.me] = _ROUNDS_SEEN.get(view.me, 0) + 1
    if seen == 2:  # mobilizes once the crisis has lasted two rounds
        return [view.act("mobilize")]
    return []
