"""Reads a threat's ``demand`` with ``[]``: a threat without one raises ``KeyError``.

The docs make ``demand`` optional ("without it, nothing"); the kit's first threats
always carried one. Its aimed scenarios send threats in every variant, and
``termination`` reports the run that stops with the error.
"""

import negsim
from negsim import AgentView, PluginSpec
from negsim.model import Move, Performative
from tests.faulty._common import Mendable, spec


class DemandReader(Mendable):
    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return spec("reads a threat's demand as if it were required")

    @negsim.hookimpl
    def negsim_decide(self, view: AgentView) -> list[Move]:
        moves: list[Move] = []
        for m in view.received(Performative.THREATEN):
            demand = m.content.get("demand") if self.fixed else m.content["demand"]  # BUG
            if demand == "stand_down":
                moves.append(view.say(m.sender, "inform", about="we will not stand down"))
        return moves
