"""Grants access in its ally's name: asked for access, it answers for the alliance.

When a state asks it for access to bases, it grants access for every ally that hosts
the requester's forces, with the ally as the actor. Only an access request shows the
fault (the kit's aimed scenarios send one in several variants); the engine rejects
the grants (``actor-is-self``) and ``speaks-for-itself`` names them.
"""

import attrs

import negsim
from negsim import AgentView, PluginSpec
from negsim.model import Move, Performative
from tests.faulty._common import Mendable, spec


class AccessBroker(Mendable):
    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return spec("grants access for the allies that host the requester's forces")

    @negsim.hookimpl
    def negsim_decide(self, view: AgentView) -> list[Move]:
        moves: list[Move] = []
        allies = sorted({m for al in view.public.alliances_of(view.me) for m in al.members})
        for m in view.received(Performative.REQUEST_SUPPORT):
            if not m.content.get("access"):
                continue
            for host in allies:
                hosted = view.public.capabilities[host].forces_hosted
                if m.sender not in hosted:
                    continue
                if host == view.me:
                    moves.append(view.act("grant_access", m.sender))
                elif not self.fixed:
                    grant = view.act("grant_access", m.sender)
                    moves.append(attrs.evolve(grant, actor=host))  # BUG: grants for host
        return moves
