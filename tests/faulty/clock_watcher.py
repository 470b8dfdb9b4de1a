"""Answers a consultation only in the first half of each second of the wall clock.

A decision that reads the clock differs from run to run and from machine to machine.
``no-hidden-randomness`` notices the call to ``time.time`` during the decision.
"""

import time

import negsim
from negsim import AgentView, PluginSpec
from negsim.model import Move, Performative
from tests.faulty._common import Mendable, spec


class ClockWatcher(Mendable):
    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return spec("reads the clock when consulted")

    @negsim.hookimpl
    def negsim_decide(self, view: AgentView) -> list[Move]:
        moves: list[Move] = []
        for m in view.received(Performative.CONSULT):
            toss = view.rng.random() if self.fixed else time.time() % 1.0  # BUG: the clock
            if toss < 0.5:
                moves.append(view.say(m.sender, "inform", about="consulted"))
        return moves
