"""Who observes what: the visibility of events, and each agent's observations.

An agent observes a move by its :class:`negsim.model.Visibility`; what is public in
the world (facts, variables, narration, the outcome) is observed by all; a rejected
move and an honour decision by their agent alone; an alliance's proposals closing by
its members. A commitment made by a message is observed by whoever observed the
message, and so are its later lifecycle changes; the scenario's treaties are public.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from negsim.model import (
    ActionTaken,
    CommitmentChanged,
    CommitmentCreated,
    Event,
    HonourDecided,
    MessageSent,
    MoveRejected,
    NegotiationEnded,
    NegotiationOpened,
    ProposalClosed,
    PublicInfo,
    RuleEvaluated,
    Visibility,
)

__all__ = ["Observations", "Observers"]

Observers = frozenset[str] | None
"""The agents who observe an event; ``None`` for every agent."""


class _Who:
    """Works out each event's observers, remembering who knows of each commitment."""

    def __init__(self, public: PublicInfo, negotiations: Mapping[str, frozenset[str]]) -> None:
        self.public = public
        self.negotiations = negotiations
        self.of_commitment: dict[str, Observers] = {}
        self.of_message: dict[str, Observers] = {}

    def observers(self, event: Event) -> Observers:
        match event:
            case MessageSent(message=m):
                who: Observers = (
                    None
                    if m.visibility is Visibility.PUBLIC
                    else frozenset((m.sender, *m.recipients))
                )
                self.of_message[m.id] = who
                return who
            case ActionTaken(action=a):
                if a.visibility is Visibility.PUBLIC:
                    return None
                if a.visibility is Visibility.SECRET or a.target is None:
                    return frozenset((a.actor,))
                return frozenset((a.actor, a.target))
            case MoveRejected(agent=agent):
                return frozenset((agent,))
            case HonourDecided(debtor=debtor):
                return frozenset((debtor,))
            case RuleEvaluated(agent=agent):
                return frozenset((agent,))
            case CommitmentCreated(commitment=c):
                who = self.of_message.get(
                    c.source, self.negotiations.get(c.source, frozenset((c.debtor, c.creditor)))
                )
                self.of_commitment[c.id] = who
                return who
            case CommitmentChanged(commitment=cid):
                return self.of_commitment.get(cid)  # treaties: public
            case ProposalClosed(alliance=alliance):
                return frozenset(self.public.alliance(alliance).members)
            case NegotiationOpened(negotiation=nid) | NegotiationEnded(negotiation=nid):
                return self.negotiations.get(nid)
        return None


class Observations:
    """What each agent observed of each round, worked out only when asked for.

    The engine hands each round's events over with :meth:`next_round`, which returns
    the function that agents' views of the next round ask (``seen(agent)``). A run whose
    doctrines never read :attr:`negsim.AgentView.observed` never pays for the split;
    when one does, the rounds before are read first, in order, since who saw a
    commitment depends on who saw the message that made it.

    Args:
        public: The scenario's public information (agent ids, alliances).
        negotiations: Who takes part in each negotiation (parties and mediator), by id.
    """

    def __init__(
        self, public: PublicInfo, negotiations: Mapping[str, frozenset[str]] | None = None
    ) -> None:
        self._who = _Who(public, negotiations or {})
        self._agents = public.agents
        self._rounds: list[Sequence[Event]] = []
        self._read = 0  # the rounds whose events _who has seen

    def next_round(self, events: Sequence[Event]) -> Callable[[str], tuple[Event, ...]]:
        """Hand over a round's events; returns who observed what of them, by agent."""
        index = len(self._rounds)
        self._rounds.append(events)
        split: dict[str, tuple[Event, ...]] | None = None

        def seen(agent: str) -> tuple[Event, ...]:
            nonlocal split
            if split is None:
                for older in self._rounds[self._read : index]:
                    for event in older:
                        self._who.observers(event)
                split = self.split(events)
                self._read = max(self._read, index + 1)
            return split.get(agent, ())

        return seen

    def split(self, events: Iterable[Event]) -> dict[str, tuple[Event, ...]]:
        """Each agent's observations among ``events``, in log order."""
        seen: dict[str, list[Event]] = {a: [] for a in self._agents}
        lists = tuple(seen.values())
        for event in events:
            who = self._who.observers(event)
            if who is None:
                for observed in lists:
                    observed.append(event)
            else:
                for agent in who:
                    if agent in seen:
                        seen[agent].append(event)
        return {a: tuple(es) for a, es in seen.items()}
