"""Draws from the global random generator, but only on an offer that demands nothing.

Such an offer is rare: one content variant of one stimulus. On it, the doctrine
accepts with probability one half, from ``random.random()`` instead of ``view.rng``.
Comparing two runs misses it whenever the two draws agree; the kit's
``no-hidden-randomness`` sees the global generator's state change during the decision.
"""

import random

import negsim
from negsim import AgentView, PluginSpec
from negsim.model import Move, Performative
from tests.faulty._common import Mendable, spec


class RareRandom(Mendable):
    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return spec("tosses a global coin on an unconditional offer")

    @negsim.hookimpl
    def negsim_decide(self, view: AgentView) -> list[Move]:
        moves: list[Move] = []
        for m in view.received(Performative.OFFER):
            if "demand" in m.content:
                continue
            coin = view.rng.random() if self.fixed else random.random()  # BUG: global
            if coin < 0.5:
                moves.append(view.say(m.sender, "inform", about="thanks for the gift"))
        return moves
