"""Grants access to every state that asks, whether or not it hosts that state's forces.

A host can only open bases to forces it hosts; the engine rejects the rest
(``hosts-target``). The first kit counted such rejections in its report and passed;
``moves-allowed`` makes them a failure.
"""

import negsim
from negsim import AgentView, PluginSpec
from negsim.model import Move, Performative
from tests.faulty._common import Mendable, spec


class UnhostedAccess(Mendable):
    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return spec("grants access for forces it does not host")

    @negsim.hookimpl
    def negsim_decide(self, view: AgentView) -> list[Move]:
        hosted = view.public.capabilities[view.me].forces_hosted
        return [
            view.act("grant_access", m.sender)
            for m in view.received(Performative.REQUEST_SUPPORT)
            if m.content.get("access") and (m.sender in hosted or not self.fixed)  # BUG
        ]
