"""A protocol that tosses the global coin for who opens the bargaining.

Alternating offers, except that the first mover is drawn with ``random.choice``
instead of the negotiation's own stream (the ``rng`` its start hook is given).
``no-hidden-randomness`` watches protocols' hooks as it watches agents', through
:func:`negsim.testing.check_protocol`.
"""

import random
from typing import Any

import attrs

import negsim
from negsim import PluginSpec
from negsim.model import Message, Negotiation, Session
from negsim_protocols import alternating
from tests.faulty._common import Mendable, spec


class CoinToss(Mendable):
    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return spec("draws the first mover from the global generator", role="protocol")

    @negsim.hookimpl
    def negsim_protocol_start(self, negotiation: Negotiation, rng: random.Random) -> dict[str, Any]:
        parties = list(negotiation.parties)
        first = rng.choice(parties) if self.fixed else random.choice(parties)  # BUG: global
        return {"first": first}

    @negsim.hookimpl
    def negsim_protocol_check(self, session: Session, message: Message) -> str | None:
        return alternating.negsim_protocol_check(session=session, message=message)

    @negsim.hookimpl
    def negsim_protocol_step(
        self, session: Session, state: dict[str, Any], moves: tuple[Message, ...]
    ) -> Session:
        if not session.text and not moves:
            first = state["first"]
            return attrs.evolve(session, turn=(first,), note=f"waiting for {first}'s opening")
        return alternating.negsim_protocol_step(session=session, moves=moves)
