"""Learns what was said to others: it passes on every message of the last round, heard or not.

An agent should know only what it could observe: its inbox and ``view.observed``. This
doctrine has an ear besides, :class:`Ear`, an observer that hears the world's
:hook:`negsim_round_end` and keeps every message of the round in a module-level list,
whoever it was for, ``secret`` ones included; the doctrine then tells its first
partner the gist of each message it "heard" (:func:`gossip`). The list is cleared at the
start of each run, so a run still depends on its scenario and seed alone, and every
other invariant holds. The kit's ``sees-only-what-it-may`` invariant plays each run
twice with different whispers between two agents of its own and sees the doctrine
repeat them.

The doctrine needs its ear registered beside it: :data:`COMPANIONS` lists it.
"""

from collections.abc import Iterable

import negsim
from negsim import AgentView, PluginSpec
from negsim.model import Event, Message, MessageSent, Move
from tests.faulty._common import spec

_HEARD: list[Message] = []  # BUG: every message of the last round, whoever it was for


class Ear:
    """An observer (it declares no spec) that hears every message of every round."""

    @negsim.hookimpl
    def negsim_simulation_start(self) -> None:
        _HEARD.clear()

    @negsim.hookimpl
    def negsim_round_end(self, events: tuple[Event, ...]) -> None:
        _HEARD[:] = [e.message for e in events if isinstance(e, MessageSent)]


COMPANIONS = [("eavesdropper-ear", Ear())]
"""The plugins to register beside the doctrine: its ear."""


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    return spec("learns every message of the last round, its own or not")


def gossip(view: AgentView, heard: Iterable[Message]) -> list[Move]:
    """Tell the first other agent the gist of every message heard that it did not send."""
    others = sorted(a for a in view.public.agents if a != view.me)
    gist = "; ".join(
        f"{m.sender} told {','.join(m.recipients)} {dict(m.content)}"
        for m in heard
        if m.sender != view.me
    )
    if not others or not gist:
        return []
    return [view.say(others[0], "inform", about="what I heard", gist=gist)]


@negsim.hookimpl
def negsim_decide(view: AgentView) -> list[Move]:
    return gossip(view, _HEARD)  # BUG: should be what it observed (view.observed)
