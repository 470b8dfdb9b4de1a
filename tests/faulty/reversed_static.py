"""Promises that caution never raises its grants of access, and grants more when cautious.

It declares the comparative static ``Monotone("caution", never_raises="grant_access")``
(its ``COMPARATIVE_STATICS``), and asked for access by a state whose forces it hosts,
grants it when ``caution`` is *above* one half: the comparison is the wrong way round.
The kit's ``comparative-statics`` makes each such decision again with ``caution``
raised and sees a grant appear.
"""

import negsim
from negsim import AgentView, ParamSpec, PluginSpec
from negsim.model import Move, Performative
from negsim.testing import Monotone
from tests.faulty._common import Mendable, spec

COMPARATIVE_STATICS = (Monotone("caution", never_raises="grant_access"),)


class ReversedStatic(Mendable):
    COMPARATIVE_STATICS = COMPARATIVE_STATICS

    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return spec(
            "grants access when cautious",
            ParamSpec("caution", 0.5, "How wary the host is of being drawn in.", 0.0, 1.0),
        )

    @negsim.hookimpl
    def negsim_decide(self, view: AgentView) -> list[Move]:
        caution = view.number("caution")
        willing = caution < 0.5 if self.fixed else caution > 0.5  # BUG: reversed
        hosted = view.public.capabilities[view.me].forces_hosted
        return [
            view.act("grant_access", m.sender)
            for m in view.received(Performative.REQUEST_SUPPORT)
            if m.content.get("access") and m.sender in hosted and willing
        ]
