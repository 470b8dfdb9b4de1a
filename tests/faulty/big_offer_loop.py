"""Haggles an offer down in a loop that never ends once the offer is 100 or more.

Each step takes a tenth of what separates the counter-offer from 100; at 100 that is
nothing, and above it the counter-offer grows. Only a large offer shows it (the kit's
offers at the bounds: 100 and a million). The decision never returns;
``termination`` stops it after the per-decision time budget.
"""

import negsim
from negsim import AgentView, PluginSpec
from negsim.model import Move, Performative
from tests.faulty._common import Mendable, spec


class BigOfferLoop(Mendable):
    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return spec("haggles forever over a large offer")

    @negsim.hookimpl
    def negsim_decide(self, view: AgentView) -> list[Move]:
        moves: list[Move] = []
        for m in view.received(Performative.OFFER):
            counter = float(m.content.get("value", 0.0))
            while counter > 50.0:
                if self.fixed:
                    counter -= max((counter - 50.0) / 10, 1.0)
                else:
                    counter -= (100.0 - counter) / 10  # BUG: no progress from 100 up
            moves.append(view.say(m.sender, "offer", value=counter))
        return moves
