"""negsim-steadfast: an ally that pledges in public and keeps its word, or not.

In round 1 the agent pledges to each of its allies to respond if the ally is
attacked. When an ally is attacked it waits ``delay`` rounds, then decides once, with
probability ``resolve``, whether to respond or to stand down. It rejects every threat
it receives.
"""

from __future__ import annotations

import random

import attrs

import negsim
from negsim import AgentView, ParamSpec, PluginSpec
from negsim.model import Agent, Move

PARAMS = (
    ParamSpec("delay", 1, "Rounds the agent waits after it learns of an attack.", 0, 10),
    ParamSpec("resolve", 0.8, "Probability that it responds once the delay has passed.", 0, 1),
    ParamSpec("pledge", True, "Whether it pledges in public, in round 1, to defend its allies."),
)


@attrs.define
class Memory:
    """What the agent remembers between rounds."""

    seen: dict[str, int] = attrs.field(factory=dict)  # ally -> round it learnt of the attack
    decided: set[str] = attrs.field(factory=set)  # allies it has made up its mind about


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    return PluginSpec(
        role="doctrine", summary="Pledges in public, then keeps its word or not", params=PARAMS
    )


@negsim.hookimpl
def negsim_agent_start(agent: Agent, rng: random.Random) -> Memory:
    return Memory()


@negsim.hookimpl
def negsim_decide(view: AgentView) -> list[Move]:
    memory: Memory = view.state
    me = view.me
    allies = sorted({m for al in view.public.alliances_of(me) for m in al.members} - {me})
    delay = int(view.param("delay"))
    moves: list[Move] = []

    if view.round == 1 and view.param("pledge"):
        for ally in allies:
            moves.append(
                view.say(
                    ally,
                    "pledge",
                    antecedent=f"attacked({ally})",
                    consequent=f"responds({me},{ally})",
                    deadline=delay + 1,  # it learns of an attack one round after it happens
                )
            )

    for threat in view.received("threaten"):
        moves.append(view.say(threat.sender, "reject", in_reply_to=threat.id))

    for ally in allies:
        if not view.holds(f"attacked({ally})") or ally in memory.decided:
            continue
        first = memory.seen.setdefault(ally, view.round)
        if view.round - first < delay:
            continue
        memory.decided.add(ally)
        if view.rng.random() < float(view.param("resolve")):
            moves.append(view.act("respond", ally))
        else:
            moves.append(view.act("stand_down"))
    return moves
