"""Answers the first of the states that wrote to it, from a set of their ids.

``{m.sender for m in view.inbox}`` iterates in an order that depends on the string
hash seed; with two or more senders in one round (an ally and a challenger, in the
kit's aimed scenarios), the reply goes to a different state in another process.
``hash-seed-determinism`` replays runs under other seeds and sees it.
"""

import negsim
from negsim import AgentView, PluginSpec
from negsim.model import Move
from tests.faulty._common import Mendable, spec


class SetIteration(Mendable):
    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return spec("answers the first of a set of senders")

    @negsim.hookimpl
    def negsim_decide(self, view: AgentView) -> list[Move]:
        senders = {m.sender for m in view.inbox}
        if len(senders) < 2:
            return []
        first = sorted(senders)[0] if self.fixed else next(iter(senders))  # BUG: set order
        return [view.say(first, "consult", about="you first")]
