"""Speaks for another agent: it signs a joint warning with its first ally's name.

In round 1 an agent with allies sends the challenger (or, with no outsider, its ally)
an ``inform`` about a joint warning, built with ``view.say`` and then re-signed with
``attrs.evolve(..., sender=ally)``. The engine rejects the message (``sender-is-self``);
the kit's ``speaks-for-itself`` invariant names the agent, the ally and the round.
"""

import attrs

import negsim
from negsim import AgentView, PluginSpec
from tests.faulty._common import spec


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    return spec("speaks in its ally's name")


@negsim.hookimpl
def negsim_decide(view: AgentView) -> list[object]:
    allies = sorted({m for al in view.public.alliances_of(view.me) for m in al.members} - {view.me})
    if view.round != 1 or not allies:
        return []
    outsiders = [a for a in view.public.agents if a != view.me and a not in allies]
    warning = view.say(outsiders or allies[:1], "inform", about="joint warning")
    return [attrs.evolve(warning, sender=allies[0])]  # BUG: signed by the ally
