"""Consents for others: it votes yes in the name of every member that has not voted.

In round 1 it puts a collective response to each of its alliances; from then on, for
every open proposal in its alliances, it sends a ``vote`` with ``consent=True`` for
itself and re-signed copies for each other member that has not voted yet. The engine
rejects the forged ballots (``sender-is-self``), so no decision follows from them; the
kit's ``consensus`` invariant reports the attempt to consent for another member (and
``speaks-for-itself`` the forged sender).
"""

import attrs

import negsim
from negsim import AgentView, PluginSpec
from tests.faulty._common import spec


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    return spec("votes in the names of the other members")


@negsim.hookimpl
def negsim_decide(view: AgentView) -> list[object]:
    moves: list[object] = []
    me = view.me
    if view.round == 1:
        for al in view.public.alliances_of(me):
            moves.append(
                view.say(
                    [m for m in al.members if m != me],
                    "propose",
                    alliance=al.id,
                    decision="collective_response",
                )
            )
    for p in view.proposals:
        members = view.public.alliance(p.alliance).members
        others = [m for m in members if m != me]
        if me not in p.votes:
            moves.append(view.say(others, "vote", proposal=p.id, consent=True))
        for m in others:
            if m not in p.votes:
                ballot = view.say(
                    [x for x in members if x != m], "vote", proposal=p.id, consent=True
                )
                moves.append(attrs.evolve(ballot, sender=m))  # BUG: consents for m
    return moves
