"""What an agent sees when it decides: a frozen snapshot of its round."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from typing import Any

import attrs

from negsim.model._agents import (
    Agent,
    Alliance,
    Capabilities,
    HonourRecord,
    ParamValue,
    Proposal,
)
from negsim.model._commitments import Commitment
from negsim.model._events import Event
from negsim.model._frozen import FrozenMap, freeze
from negsim.model._messages import (
    Action,
    ActionKind,
    Message,
    Performative,
    Visibility,
    as_performative,
)
from negsim.model._negotiation import Session
from negsim.model._scenario import Scenario
from negsim.model._types import AgentType, Prior
from negsim.model._world import WorldState

__all__ = ["AgentView", "PublicInfo"]


_NO_RECORD = HonourRecord()


@attrs.frozen
class PublicInfo:
    """What every agent may know about the scenario: no other agent's parameters.

    Attributes:
        scenario: The scenario's name.
        agents: Every agent id, sorted.
        names: Display names by id.
        doctrines: Each agent's doctrine name (doctrines are public; parameters are not).
        capabilities: Each agent's capabilities by id.
        alliances: Every alliance.
        treaties: The scenario's standing commitments (treaties are public).
        world_params: The world rules' parameters.
        max_rounds: The last round.
        memberships: The alliances of each agent (see :meth:`alliances_of`).
        hosts: The states hosting each agent's forces (see :meth:`hosts_of`).
        priors: The public prior over each agent's private type, for the agents that
            have one (see :meth:`prior_of`); their drawn types are private.
        records: The public record of honouring of each agent that has one (see
            :meth:`record_of`).
    """

    scenario: str
    agents: tuple[str, ...]
    names: FrozenMap[str, str]
    doctrines: FrozenMap[str, str]
    capabilities: FrozenMap[str, Capabilities]
    alliances: tuple[Alliance, ...]
    treaties: tuple[Commitment, ...]
    world_params: FrozenMap[str, ParamValue]
    max_rounds: int
    memberships: FrozenMap[str, tuple[Alliance, ...]] = attrs.field(factory=FrozenMap)
    hosts: FrozenMap[str, tuple[str, ...]] = attrs.field(factory=FrozenMap)
    priors: FrozenMap[str, Prior] = attrs.field(factory=FrozenMap)
    records: FrozenMap[str, HonourRecord] = attrs.field(factory=FrozenMap)

    @classmethod
    def of(cls, scenario: Scenario) -> PublicInfo:
        """The public part of ``scenario``."""
        hosts: dict[str, list[str]] = {}  # one pass, not one per agent: 10**5 agents load
        for h in scenario.agents:
            for guest in h.capabilities.forces_hosted:
                hosts.setdefault(guest, []).append(h.id)
        return cls(
            scenario=scenario.name,
            agents=scenario.agent_ids,
            names=freeze({a.id: a.name for a in scenario.agents}),
            doctrines=freeze({a.id: a.doctrine for a in scenario.agents}),
            capabilities=freeze({a.id: a.capabilities for a in scenario.agents}),
            alliances=scenario.alliances,
            treaties=scenario.commitments,
            world_params=scenario.world_params,
            max_rounds=scenario.max_rounds,
            memberships=freeze({a.id: scenario.alliances_of(a.id) for a in scenario.agents}),
            hosts=freeze({a.id: tuple(hosts.get(a.id, ())) for a in scenario.agents}),
            priors=freeze({a.id: a.prior for a in scenario.agents if a.prior is not None}),
            records=freeze({a.id: a.record for a in scenario.agents if a.record is not None}),
        )

    def alliances_of(self, agent_id: str) -> tuple[Alliance, ...]:
        """The alliances ``agent_id`` belongs to."""
        return self.memberships.get(agent_id, ())

    def prior_of(self, agent_id: str) -> Prior | None:
        """The public prior over ``agent_id``'s type, or ``None`` if it has no private type."""
        return self.priors.get(agent_id)

    def record_of(self, agent_id: str) -> HonourRecord:
        """The public record of honouring of ``agent_id`` (an empty one if it has none)."""
        return self.records.get(agent_id, _NO_RECORD)

    def hosts_of(self, agent_id: str) -> tuple[str, ...]:
        """The states that host forces of ``agent_id``, sorted."""
        return self.hosts.get(agent_id, ())

    def alliance(self, alliance_id: str) -> Alliance:
        """The alliance ``alliance_id``.

        Raises:
            KeyError: No such alliance.
        """
        for al in self.alliances:
            if al.id == alliance_id:
                return al
        raise KeyError(alliance_id)


def _agent_id(view: AgentView) -> str:
    return view.agent.id


@attrs.frozen
class AgentView:
    """One agent's frozen view of a round, passed to :hook:`negsim_decide`.

    Every agent in a round sees the same world (moves are simultaneous). Build moves
    with :meth:`say` and :meth:`act`, which fill in the sender, round and id.

    Attributes:
        agent: The deciding agent, with its own parameters.
        round: The current round (1-based).
        world: The world at the start of the round.
        inbox: Messages delivered this round (sent last round), by sender then order sent.
        commitments: Active and finished commitments in which the agent is debtor or
            creditor.
        proposals: Open proposals in the agent's alliances.
        public: What is public about the scenario.
        state: The agent's private state from :hook:`negsim_agent_start` (mutable, its own).
        rng: The agent's own random stream for this run; the only randomness to use.
        type: The agent's private type for this run, drawn from its prior (``None``
            without one); ``agent.params`` already holds the type's values.
        sessions: The negotiations it is a party to or mediates, as they stand at the
            start of the round (open or ended; not those yet to open).
    """

    agent: Agent
    round: int
    world: WorldState
    inbox: tuple[Message, ...]
    commitments: tuple[Commitment, ...]
    proposals: tuple[Proposal, ...]
    public: PublicInfo
    state: Any
    rng: random.Random
    type: AgentType | None = None
    sessions: tuple[Session, ...] = ()
    seen: Callable[[str], tuple[Event, ...]] = attrs.field(
        default=lambda agent: (), eq=False, repr=False
    )
    """What each agent observed of the previous round, by agent id (the engine's; read
    :attr:`observed` instead)."""
    _ids: itertools.count[int] = attrs.field(factory=itertools.count, alias="_ids")
    me: str = attrs.field(
        init=False, eq=False, repr=False, default=attrs.Factory(_agent_id, takes_self=True)
    )
    """The deciding agent's id (``agent.id``; a plain attribute, as doctrines ask it often)."""

    @property
    def observed(self) -> tuple[Event, ...]:
        """The events of the previous round that this agent observed, in log order.

        Moves by their :class:`negsim.model.Visibility`, and what is public (facts,
        variables, narration, alliance decisions); see :doc:`/explanation/information`.
        """
        return self.seen(self.agent.id)

    def param(self, name: str) -> ParamValue:
        """The agent's parameter ``name`` (defaults are filled in by the loader)."""
        return self.agent.params[name]

    def number(self, name: str) -> float:
        """The agent's numeric parameter ``name``, as a float (:meth:`negsim.Agent.number`)."""
        value = self.agent.params[name]
        return value if type(value) is float else self.agent.number(name)

    def whole(self, name: str) -> int:
        """The agent's integer parameter ``name`` (:meth:`negsim.Agent.whole`)."""
        return self.agent.whole(name)

    def flag(self, name: str) -> bool:
        """The agent's boolean parameter ``name`` (:meth:`negsim.Agent.flag`)."""
        value = self.agent.params[name]
        return value if value is True or value is False else self.agent.flag(name)

    def holds(self, fact: str) -> bool:
        """Whether the ground atom ``fact`` is true at the start of the round."""
        return fact in self.world.facts

    def say(
        self,
        recipients: str | tuple[str, ...] | list[str],
        performative: Performative | str,
        *,
        conversation: str = "",
        in_reply_to: str | None = None,
        visibility: Visibility | str = Visibility.RECIPIENTS,
        **content: ParamValue,
    ) -> Message:
        """A message from this agent, sent this round.

        Args:
            recipients: One id or several.
            performative: The speech act.
            conversation: Groups an exchange.
            in_reply_to: The id of the message answered.
            visibility: Who observes it: its recipients (the default), everyone
                (``"public"``), or ``"secret"``.
            **content: The message content.
        """
        to = (recipients,) if isinstance(recipients, str) else tuple(recipients)
        return Message(
            sender=self.agent.id,
            recipients=to,
            performative=performative,  # the converter takes a name or a member
            content=FrozenMap(sorted(content.items())),  # keywords: strings, as freeze sorts
            round=self.round,
            conversation=conversation,
            in_reply_to=in_reply_to,
            id=f"{self.round}:{self.agent.id}:{next(self._ids)}",
            visibility=visibility,
        )

    def act(
        self,
        kind: ActionKind | str,
        target: str | None = None,
        magnitude: float = 1.0,
        *,
        visibility: Visibility | str = Visibility.PUBLIC,
        **params: ParamValue,
    ) -> Action:
        """An action by this agent, taken this round.

        Args:
            kind: What is done.
            target: The agent acted on or for, if any.
            magnitude: Its size (for attacks a share of conventional power, 0-1).
            visibility: Who observes it: everyone (the default), its actor and target
                (``"recipients"``), or its actor alone (``"secret"``).
            **params: Extra detail for the world rules.
        """
        return Action(
            actor=self.agent.id,
            kind=kind,  # the converter takes a name or a member
            target=target,
            magnitude=magnitude,
            round=self.round,
            params=params,
            visibility=visibility,
        )

    def session(self, negotiation: str) -> Session:
        """The negotiation ``negotiation`` as it stands.

        Raises:
            KeyError: The agent takes no part in it, or it has not opened.
        """
        for session in self.sessions:
            if session.id == negotiation:
                return session
        known = ", ".join(s.id for s in self.sessions) or "(none)"
        raise KeyError(f"no open negotiation {negotiation!r} of {self.me}; known: {known}")

    def offer(self, session: Session | str, **terms: ParamValue) -> Message:
        """An offer in a negotiation: put ``terms`` on the table, to the other parties.

        Args:
            session: The negotiation, or its id.
            **terms: A value for each issue the offer settles.
        """
        return self._move(session, Performative.OFFER, terms)

    def accept(self, session: Session | str) -> Message:
        """Accept the text on the table of a negotiation."""
        return self._move(session, Performative.ACCEPT, {})

    def reject(self, session: Session | str) -> Message:
        """Reject the text on the table of a negotiation (the protocol says what follows)."""
        return self._move(session, Performative.REJECT, {})

    def _move(
        self, session: Session | str, performative: Performative, terms: dict[str, ParamValue]
    ) -> Message:
        s = self.session(session) if isinstance(session, str) else session
        n = s.negotiation
        others = tuple(a for a in (*n.parties, n.mediator) if a and a != self.agent.id)
        return Message(
            sender=self.agent.id,
            recipients=others,
            performative=performative,
            round=self.round,
            id=f"{self.round}:{self.agent.id}:{next(self._ids)}",
            negotiation=n.id,
            terms=terms,
        )

    def received(self, performative: Performative | str) -> tuple[Message, ...]:
        """The inbox messages of one performative."""
        p = as_performative(performative)
        return tuple(m for m in self.inbox if m.performative == p)


_VIEW_FIELDS = (
    "agent",
    "round",
    "world",
    "inbox",
    "commitments",
    "proposals",
    "public",
    "state",
    "rng",
    "type",
    "sessions",
    "seen",
    "_ids",
    "me",
)
if tuple(f.name for f in attrs.fields(AgentView)) != _VIEW_FIELDS:  # pragma: no cover
    raise RuntimeError("AgentView's fields changed: update negsim.model._view.build_view")
_NEW = object.__new__
(
    _SET_AGENT,
    _SET_ROUND,
    _SET_WORLD,
    _SET_INBOX,
    _SET_COMMITMENTS,
    _SET_PROPOSALS,
    _SET_PUBLIC,
    _SET_STATE,
    _SET_RNG,
    _SET_TYPE,
    _SET_SESSIONS,
    _SET_SEEN,
    _SET_IDS,
    _SET_ME,
) = (getattr(AgentView, name).__set__ for name in _VIEW_FIELDS)  # the slots' descriptors


def build_view(
    agent: Agent,
    round: int,
    world: WorldState,
    inbox: tuple[Message, ...],
    commitments: tuple[Commitment, ...],
    proposals: tuple[Proposal, ...],
    public: PublicInfo,
    state: Any,
    rng: random.Random,
    type: AgentType | None,
    sessions: tuple[Session, ...],
    seen: Callable[[str], tuple[Event, ...]],
) -> AgentView:
    """The same view as ``AgentView(...)`` with these fields, built for the round loop.

    The engine builds a view per agent and round; attrs' frozen ``__init__`` sets each of
    the fourteen slots through ``object.__setattr__``, which is about half the cost of a
    trivial agent's round. This sets the slots through their descriptors instead, with
    the values the constructor would set (no field has a converter or validator; a new
    counter for :meth:`AgentView.say`'s ids; ``me`` is ``agent.id``). The module refuses
    to load when the class's fields no longer match this list.
    """
    view: AgentView = _NEW(AgentView)
    _SET_AGENT(view, agent)
    _SET_ROUND(view, round)
    _SET_WORLD(view, world)
    _SET_INBOX(view, inbox)
    _SET_COMMITMENTS(view, commitments)
    _SET_PROPOSALS(view, proposals)
    _SET_PUBLIC(view, public)
    _SET_STATE(view, state)
    _SET_RNG(view, rng)
    _SET_TYPE(view, type)
    _SET_SESSIONS(view, sessions)
    _SET_SEEN(view, seen)
    _SET_IDS(view, itertools.count())
    _SET_ME(view, agent.id)
    return view
