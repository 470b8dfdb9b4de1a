"""Who observes what: the visibility of events, and each agent's observations.

An agent observes a move by its :class:`negsim.model.Visibility`; what is public in
the world (facts, variables, narration, the outcome) is observed by all; a rejected
move and an honour decision by their agent alone; an alliance's proposals closing by
its members. A commitment made by a message is observed by whoever observed the
message, and so are its later lifecycle changes; the scenario's treaties are public.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from negsim.model import (
    ActionTaken,
    CommitmentChanged,
    CommitmentCreated,
    Event,
    HonourDecided,
    MessageSent,
    MoveRejected,
    ProposalClosed,
    PublicInfo,
    Visibility,
)

__all__ = ["Observations", "Observers", "observations"]

Observers = frozenset[str] | None
"""The agents who observe an event; ``None`` for every agent."""


class _Who:
    """Works out each event's observers, remembering who knows of each commitment."""

    def __init__(self, public: PublicInfo) -> None:
        self.public = public
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
            case CommitmentCreated(commitment=c):
                who = self.of_message.get(c.source, frozenset((c.debtor, c.creditor)))
                self.of_commitment[c.id] = who
                return who
            case CommitmentChanged(commitment=cid):
                return self.of_commitment.get(cid)  # treaties: public
            case ProposalClosed(alliance=alliance):
                return frozenset(self.public.alliance(alliance).members)
        return None


class Observations:
    """Splits a run's events into what each agent observed, round by round.

    Args:
        public: The scenario's public information (agent ids, alliances).
    """

    def __init__(self, public: PublicInfo) -> None:
        self._who = _Who(public)
        self._agents = public.agents

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


def observations(
    public: PublicInfo, rounds: Sequence[Iterable[Event]]
) -> list[dict[str, tuple[Event, ...]]]:
    """Each round's observations per agent, for a whole event log split by round.

    Args:
        public: The scenario's public information.
        rounds: The events of each round, in order (set-up events first).

    Returns:
        One mapping per round, agent id -> the events it observed.
    """
    splitter = Observations(public)
    return [splitter.split(events) for events in rounds]
