"""A modifier that shuts every base to every state that threatens, hosted or not.

A modifier wraps the doctrine's decision (``wrapper=True``) and adds its own moves;
this one denies access to each threatener without asking whether the agent hosts its
forces. The engine rejects the denials (``hosts-target``); ``moves-allowed`` reports
them, through :func:`negsim.testing.check_modifier`.
"""

from collections.abc import Generator, Sequence

import negsim
from negsim import AgentView, PluginSpec
from negsim.model import Move, Performative
from tests.faulty._common import Mendable, spec


class Hardliner(Mendable):
    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return spec("denies access to every threatener", role="modifier")

    @negsim.hookimpl(wrapper=True)
    def negsim_decide(
        self, view: AgentView
    ) -> Generator[None, Sequence[Move] | None, Sequence[Move] | None]:
        moves = list((yield) or ())
        hosted = view.public.capabilities[view.me].forces_hosted
        for m in view.received(Performative.THREATEN):
            if self.fixed and m.sender not in hosted:
                continue
            moves.append(view.act("deny_access", m.sender))  # BUG: hosted or not
        return moves
