"""Keeps state between runs: how long the crisis has lasted, in a module-level dict.

The count should live in the agent's private state (``negsim_agent_start``); kept in
the module, the second run of a scenario starts where the first stopped, and the agent
tells its ally a different day of the crisis. The kit's ``determinism`` invariant sees
the two logs of the same scenario and seed differ. (The count only grows, so every
replay differs, however many runs came before in the process.)
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
    others = sorted(a for a in view.public.agents if a != view.me)
    if view.round == 1 and others:  # tells an ally how long the crisis has lasted
        return [view.say(others[0], "inform", about=f"day {seen} of the crisis")]
    return []
