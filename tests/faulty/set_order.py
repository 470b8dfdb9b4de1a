"""Depends on the string-hash seed: it picks the ally to consult from a set.

``next(iter(set_of_ids))`` depends on the order of a set of strings, which changes
with ``PYTHONHASHSEED``. Within one process every run agrees (so ``determinism``
holds), but a run differs from the same run in another process: the kit's
``hash-seed-determinism`` invariant replays runs in a subprocess and sees it.
"""

import negsim
from negsim import AgentView, PluginSpec
from tests.faulty._common import spec


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    return spec("iterates over a set of agent ids")


@negsim.hookimpl
def negsim_decide(view: AgentView) -> list[object]:
    others = {a for a in view.public.agents if a != view.me}
    if view.round == 1 and len(others) >= 2:
        partner = next(iter(others))  # BUG: set order depends on the hash seed
        return [view.say(partner, "consult", about="first among equals")]
    return []
