"""Reads what other agents observed: ``view.seen`` for every agent, not just its own.

``view.seen`` is the engine's table of observations by agent id; a doctrine should
read its own through ``view.observed``. This one counts the messages anybody observed
last round and mobilizes when their number is odd, so whispers between two other
agents change what it does: ``sees-only-what-it-may`` sees it.
"""

import negsim
from negsim import AgentView, PluginSpec
from negsim.model import MessageSent, Move
from tests.faulty._common import Mendable, spec


class Peeker(Mendable):
    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return spec("reads every agent's observations")

    @negsim.hookimpl
    def negsim_decide(self, view: AgentView) -> list[Move]:
        if self.fixed:
            events = list(view.observed)
        else:
            events = [e for a in view.public.agents for e in view.seen(a)]  # BUG: others'
        heard = len({e.message.id for e in events if isinstance(e, MessageSent)})
        return [view.act("mobilize")] if heard % 2 else []
