"""Shares a mutable object: every agent of every run gets the same memory list.

``negsim_agent_start`` returns a mutable default argument, so all agents using the
doctrine, in every run of the process, append to one list. An agent mobilizes on its
third decision as it counts them, which comes earlier and earlier. The kit's
``determinism`` invariant sees two runs of the same scenario and seed differ.
"""

import negsim
from negsim import AgentView, PluginSpec
from negsim.model import Agent
from tests.faulty._common import spec


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    return spec("returns one shared mutable object as every agent's state")


@negsim.hookimpl
def negsim_agent_start(agent: Agent, memory: list[int] = []) -> list[int]:  # noqa: B006 - the bug
    return memory  # BUG: the same list for every agent and run


@negsim.hookimpl
def negsim_decide(view: AgentView) -> list[object]:
    view.state.append(view.round)
    if len(view.state) == 3:
        return [view.act("mobilize")]
    return []
