"""Never lets the run end: it busy-waits in ``negsim_decide`` for a reply to its offer.

In round 1 it makes an offer to every other agent; from round 2 on it waits, inside
``negsim_decide``, for an ``accept`` or ``reject`` to show up in its inbox, as if
messages arrived while it waits. They cannot: the inbox of a round is frozen, and the
answers (sent in round 2) arrive in round 3, after a decision this round never
returns. The engine stops every run after ``max_rounds`` (and classifies it
``unresolved`` if the world rules cannot), so the only way a doctrine can keep a run
from ending is to never return; the kit's ``termination`` invariant runs each
simulation under a time limit and reports the hook, agent and round that hung.
"""

import negsim
from negsim import AgentView, PluginSpec
from tests.faulty._common import spec


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    return spec("busy-waits for a reply inside negsim_decide")


@negsim.hookimpl
def negsim_decide(view: AgentView) -> list[object]:
    others = [a for a in view.public.agents if a != view.me]
    if not others:
        return []
    if view.round == 1:
        return [view.say(others, "offer", value=1.0, demand="stand_down")]
    while not any(m.performative in ("accept", "reject") for m in view.inbox):
        pass  # BUG: waits for a message that can only come in a later round
    return []
