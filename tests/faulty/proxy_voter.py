"""Votes in others' names: it answers each open proposal for every member yet to vote.

It never proposes anything itself, so the fault shows only when an ally puts a
proposal to their alliance: a stimulus the kit's aimed scenarios send (a proposal, and
the proposer's vote the round after). The forged ballots are rejected
(``sender-is-self``); ``speaks-for-itself`` names them.
"""

import attrs

import negsim
from negsim import AgentView, PluginSpec
from negsim.model import Move
from tests.faulty._common import Mendable, spec


class ProxyVoter(Mendable):
    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return spec("votes for the members who have not voted")

    @negsim.hookimpl
    def negsim_decide(self, view: AgentView) -> list[Move]:
        moves: list[Move] = []
        for p in view.proposals:
            members = view.public.alliance(p.alliance).members
            if view.me not in p.votes:
                moves.append(
                    view.say(
                        [m for m in members if m != view.me], "vote", proposal=p.id, consent=True
                    )
                )
            if self.fixed:
                continue
            for m in members:
                if m != view.me and m not in p.votes:
                    ballot = view.say(
                        [x for x in members if x != m], "vote", proposal=p.id, consent=True
                    )
                    moves.append(attrs.evolve(ballot, sender=m))  # BUG: votes for m
        return moves
