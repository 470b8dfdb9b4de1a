"""Uses global randomness: it mobilizes when ``random.random()`` says so.

The module-level generator is shared by the whole process, so a run depends on what
ran before it, not on its seed. The kit's ``determinism`` invariant plays each run
twice with the global generator seeded differently and sees the logs differ.
"""

import random

import negsim
from negsim import AgentView, PluginSpec
from tests.faulty._common import spec


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    return spec("draws from the global random generator")


@negsim.hookimpl
def negsim_decide(view: AgentView) -> list[object]:
    if random.random() < 0.5:  # BUG: should be view.rng.random()
        return [view.act("mobilize")]
    return []
