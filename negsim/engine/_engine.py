"""The round loop: deliver, decide, validate, adjudicate, commitments, observe, stop."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import operator
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from importlib import metadata
from typing import Any, NoReturn

import attrs
import pluggy

from negsim.engine._alliances import AllianceDesk
from negsim.engine._guard import Guard, Overtime
from negsim.engine._monitor import CommitmentMonitor
from negsim.engine._observe import Observations
from negsim.engine._seeds import stream
from negsim.engine._validate import Validator
from negsim.errors import PluginCallError, ScenarioError, SimulationError, TimeLimitError
from negsim.logic import Evaluation, compile_predicate, parse, recording
from negsim.model import (
    Action,
    ActionTaken,
    Adjudication,
    Agent,
    AgentType,
    AgentView,
    Capabilities,
    Commitment,
    CommitmentChanged,
    CommitmentCreated,
    CommitmentState,
    DecisionReached,
    Event,
    FactChanged,
    FrozenMap,
    HonourDecided,
    Limits,
    Message,
    MessageSent,
    MoveRejected,
    Negotiation,
    NegotiationEnded,
    NegotiationOpened,
    Outcome,
    OutcomeReached,
    Performative,
    PluginInfo,
    Prior,
    Provenance,
    PublicInfo,
    Result,
    RuleEvaluated,
    Scenario,
    Session,
    SessionStatus,
    VariableChanged,
    WorldState,
    as_outcome,
    draw,
)
from negsim.model._view import build_view
from negsim.plugins import HookRelay, PluginRegistry, default_registry

__all__ = ["Simulation", "TraceRecord", "declared_outcomes", "public_info", "scenario_digest"]

_COMMITTING = (Performative.PLEDGE, Performative.PROMISE, Performative.THREATEN)


def public_info(scenario: Scenario) -> PublicInfo:
    """The public part of ``scenario``, one object per scenario.

    Runs of a scenario share it, so what agents work out from it once per scenario
    (their plugins may memoise on its identity) is worked out once, not once a run.
    The scenario is kept with its entry so that a recycled id can never hit.
    """
    hit = _PUBLIC.get(id(scenario))
    if hit is not None and hit[0] is scenario:
        return hit[1]
    public = PublicInfo.of(scenario)
    if len(_PUBLIC) >= 64:
        _PUBLIC.clear()
    _PUBLIC[id(scenario)] = (scenario, public)
    return public


_PUBLIC: dict[int, tuple[Scenario, PublicInfo]] = {}


_DEFAULT_LIMITS = Limits()


class _Setup:
    """What every run of one scenario with one registry shares, worked out once.

    The relays, the declared outcomes, the public information, who implements the
    belief-update and honour hooks, the validator's tables, and each agent as it plays
    with each of its types (with its snapshot). Kept per scenario object and registry,
    and worked out again when the registry's plugins change (its ``generation``).
    """

    def __init__(self, scenario: Scenario, registry: PluginRegistry) -> None:
        self.scenario = scenario
        self.registry = registry
        self.generation = registry.generation
        self.relays = {a.id: registry.agent_relay(a.stack) for a in scenario.agents}
        self.deciders = {me: relay.negsim_decide for me, relay in self.relays.items()}
        self.world_relay = registry.world_relay(scenario.world_rules)
        self.outcomes = declared_outcomes(registry, scenario.world_rules)
        self.public = public_info(scenario)
        self.priors: tuple[tuple[str, Prior], ...] = tuple(
            (a.id, a.prior) for a in scenario.agents if a.prior is not None
        )
        self.negotiators = {
            n.id: frozenset((*n.parties, n.mediator)) - {""} for n in scenario.negotiations
        }
        self.updating = frozenset(
            a.id for a in scenario.agents if self.relays[a.id].implements("negsim_update_beliefs")
        )
        self.honouring = frozenset(
            a.id for a in scenario.agents if self.relays[a.id].implements("negsim_honour")
        )
        self.tables = Validator.tables_of(scenario)
        self._frozen = {a.id: _snapshot(a) for a in scenario.agents}
        self._typed: dict[tuple[str, int], tuple[Agent, tuple[Any, ...], AgentType]] = {}
        self._protocols: dict[str, HookRelay] | None = None
        self._plugins: tuple[PluginInfo, ...] | None = None
        self._plain: dict[str, Callable[[AgentView], Any] | None] = {}
        self._plain_generation = -1

    @classmethod
    def of(cls, scenario: Scenario, registry: PluginRegistry) -> _Setup:
        """The set-up of ``scenario`` with ``registry`` (cached while both stay the same)."""
        hit = _SETUPS.get(id(scenario))
        if (
            hit is not None
            and hit.scenario is scenario
            and hit.registry is registry
            and hit.generation == registry.generation
        ):
            return hit
        setup = cls(scenario, registry)
        if len(_SETUPS) >= 64:
            _SETUPS.clear()
        _SETUPS[id(scenario)] = setup
        return setup

    def typed(
        self, types: Mapping[str, AgentType]
    ) -> tuple[tuple[Agent, ...], dict[str, tuple[Any, ...]]]:
        """The agents as they play with the drawn ``types``, and their snapshots."""
        if not types:
            return self.scenario.agents, self._frozen
        agents = []
        frozen = dict(self._frozen)
        for a in self.scenario.agents:
            drawn = types.get(a.id)
            if drawn is not None:
                # The drawn type is one of the prior's own, kept alive by the scenario
                # (and kept with its entry, so that a recycled id can never hit).
                key = (a.id, id(drawn))
                hit = self._typed.get(key)
                if hit is None or hit[2] is not drawn:
                    played = _typed(a, drawn)
                    hit = self._typed[key] = (played, _snapshot(played), drawn)
                a = hit[0]
                frozen[a.id] = hit[1]
            agents.append(a)
        return tuple(agents), frozen

    def plain_deciders(self) -> dict[str, Callable[[AgentView], Any] | None]:
        """Each agent's doctrine function, where a decision is that one call (:attr:`Hook.plain`).

        Worked out again when the registry changes, even during a run.
        """
        generation = self.registry.generation
        if self._plain_generation != generation:
            self._plain = {me: hook.plain for me, hook in self.deciders.items()}
            self._plain_generation = generation
        return self._plain

    def protocols(self) -> dict[str, HookRelay]:
        """The negotiation protocols' relays, by negotiation id."""
        if self._protocols is None:
            self._protocols = {
                n.id: self.registry.protocol_relay(n.protocol) for n in self.scenario.negotiations
            }
        return self._protocols

    def plugins(self) -> tuple[PluginInfo, ...]:
        """The plugins that take part, for the provenance (as the registry has them now)."""
        if self._plugins is not None and self.generation == self.registry.generation:
            return self._plugins
        scenario = self.scenario
        used = {scenario.world_rules, *(n for a in scenario.agents for n in a.stack)}
        plugins = tuple(p for p in self.registry.info() if p.name in used or p.role == "observer")
        if self.generation == self.registry.generation:
            self._plugins = plugins
        return plugins


_SETUPS: dict[int, _Setup] = {}
"""Set-ups by scenario identity (each keeps its scenario, so an id is never reused while
cached)."""


def _at_round(world: WorldState, t: int, facts: frozenset[str] | None = None) -> WorldState:
    """``world`` as of round ``t`` (with ``facts`` instead of its own, if given).

    :func:`attrs.evolve` for a subclass a plugin made; the constructor directly for a
    plain state (its converters leave a frozenset and a FrozenMap as they are).
    """
    if type(world) is WorldState:
        return WorldState(t, world.facts if facts is None else facts, world.variables)
    if facts is None:
        return attrs.evolve(world, round=t)
    return attrs.evolve(world, round=t, facts=facts)


@attrs.frozen
class TraceRecord:
    """One hook call seen by ``--trace``.

    Attributes:
        round: The round (0 at set-up).
        hook: The hook called.
        agent: The agent it was called for, if any.
        plugins: The implementations in the order pluggy calls them.
        result: A short ``repr`` of what the call returned (or raised).
    """

    round: int
    hook: str
    agent: str | None
    plugins: tuple[str, ...]
    result: str


class Simulation:
    """One run of a scenario, steppable round by round.

    Most code calls :func:`negsim.simulate`; use this class to step a run (tests,
    notebooks, interactive tools).

    Args:
        scenario: The scenario (overrides already applied).
        seed: The run's seed; the scenario's ``seed`` when ``None``.
        registry: The plugins; the installed ones when ``None``.
        overrides: The overrides applied, recorded in the provenance.
        trace: Called with a :class:`TraceRecord` for every hook call, if given.
        limits: The run's time limits and the cap on moves per round; the defaults
            (:class:`negsim.Limits`) when ``None``.
        ledger: Keep a decision ledger: each distinct evaluation of a decision rule
            (:class:`negsim.logic.Rule`) while an agent decides becomes a
            :class:`~negsim.model.RuleEvaluated` event, seen by that agent alone.

    Raises:
        negsim.errors.UnknownDoctrineError: A doctrine or the world rules are not installed.
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        seed: int | None = None,
        registry: PluginRegistry | None = None,
        overrides: Iterable[str] = (),
        trace: Callable[[TraceRecord], None] | None = None,
        limits: Limits | None = None,
        ledger: bool = False,
    ) -> None:
        self.scenario = scenario
        self.ledger = ledger
        """Whether the run keeps a decision ledger (:class:`~negsim.model.RuleEvaluated`)."""
        self.limits = limits or _DEFAULT_LIMITS
        self._guard = Guard(self.limits)
        self.seed = scenario.seed if seed is None else seed
        self.registry = registry or default_registry()
        self.overrides = tuple(overrides)
        self._trace = trace
        setup = self._setup = _Setup.of(scenario, self.registry)
        self._relays = setup.relays
        self._world_relay = setup.world_relay
        self._outcomes = setup.outcomes
        self.public = setup.public
        self.types = {me: draw(prior, stream(self.seed, "type", me)) for me, prior in setup.priors}
        """Each agent's private type for this run (agents with a prior only)."""
        self.agents, self._frozen = setup.typed(self.types)
        self._rngs = {a.id: stream(self.seed, "agent", a.id) for a in self.agents}
        self._observations = Observations(self.public, setup.negotiators)
        self._updating = setup.updating
        self._honouring = setup.honouring
        self._world_rng = stream(self.seed, "world")
        self.world: WorldState = _at_round(scenario.world, 0)
        self.monitor, self._opening = CommitmentMonitor.for_scenario(scenario)
        self.desk = AllianceDesk(scenario.alliances)
        self.sessions: dict[str, Session] = {n.id: Session(n) for n in scenario.negotiations}
        """Each negotiation as it stands, by id."""
        self._protocols = setup.protocols()
        self._protocol_states: dict[str, object] = {}
        self._openers: dict[str, Callable[[frozenset[str]], bool]] = {}
        self._validator = Validator(
            scenario, self.desk, self.monitor, self.sessions, tables=setup.tables
        )
        self.events: list[Event] = []
        self.round = 0
        self.outcome: str | None = None
        self.reason = ""
        self.inboxes: dict[str, tuple[Message, ...]] = {}
        self.sent: tuple[Message, ...] = ()
        self._states: dict[str, object] = {}
        self._seats: list[
            tuple[Agent, str, object, random.Random, AgentType | None, tuple[Any, ...]]
        ] = []
        self._last: Sequence[Event] = ()  # the events the agents observe next round
        self._started = False
        self._playing = 0

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The outcome classes this run can end in (the world rules' declared set)."""
        return self._outcomes

    @property
    def done(self) -> bool:
        """Whether the run has an outcome."""
        return self.outcome is not None

    # -- protocol --------------------------------------------------------------------

    def start(self) -> tuple[Event, ...]:
        """Set the run up: agents' private state, observers, opening commitment states."""
        if self._started:
            return ()
        with self._guarded():
            return self._start()

    def _start(self) -> tuple[Event, ...]:
        self._started = True
        with self._tracing():
            for agent in self.agents:
                self._states[agent.id] = self._call(
                    self._relays[agent.id].negsim_agent_start,
                    agent.id,
                    agent=agent,
                    public=self.public,
                    rng=self._rngs[agent.id],
                    type=self.types.get(agent.id),
                )
            self._call(
                self._world_relay.negsim_simulation_start,
                None,
                scenario=self.scenario,
                world=self.world,
            )
        # Each agent's seat: what stays the same for the whole run (its snapshot last)
        states, rngs, types, frozen = self._states, self._rngs, self.types, self._frozen
        self._seats = [
            (a, a.id, states.get(a.id), rngs[a.id], types.get(a.id), frozen[a.id])
            for a in self.agents
        ]
        self.events.extend(self._opening)
        self._last = self._opening
        return tuple(self._opening)

    def step(self) -> tuple[Event, ...]:
        """Play one round and return its events.

        Raises:
            SimulationError: The run has already ended.
            negsim.errors.PluginCallError: A plugin raised.
        """
        if self.done:
            raise SimulationError(f"the run ended in round {self.round} ({self.outcome})")
        with self._guarded():
            self.start()
            with self._tracing():
                events = tuple(self._step())
            self._check_time()
            return events

    def run(self) -> Result:
        """Play rounds until an outcome, then return the :class:`negsim.Result`.

        Raises:
            negsim.errors.PluginCallError: A plugin raised, or returned what the engine
                refuses.
            negsim.errors.TimeLimitError: The run or one hook call took too long.
        """
        with self._guarded():
            self.start()
            with self._tracing():
                while not self.done:
                    self._step()
                    self._check_time()
                return self.result()

    @contextlib.contextmanager
    def _guarded(self) -> Iterator[None]:
        """Time the run; a watchdog's :class:`Overtime` outside a hook call becomes an error."""
        guard = self._guard
        try:
            guard.on()
            yield
        except Overtime:
            raise TimeLimitError(
                guard.which or "run_seconds", self._limit(guard.which), self._playing
            ) from None
        finally:
            guard.off()

    def _limit(self, which: str) -> float:
        return float(getattr(self.limits, which or "run_seconds"))

    def _check_time(self) -> None:
        if self._guard.run_over():
            raise TimeLimitError("run_seconds", self._limit("run_seconds"), self._playing)

    def _step(self) -> list[Event]:
        """Play one round; its events (the list the observers get next round)."""
        t = self._playing = self.round + 1
        world = _at_round(self.world, t)
        # 1. deliver: messages sent last round, ordered by sender id then order sent
        if self.sent:
            inboxes: defaultdict[str, list[Message]] = defaultdict(list)
            for m in self.sent:
                for r in m.recipients:
                    inboxes[r].append(m)
            self.inboxes = {a: tuple(ms) for a, ms in inboxes.items()}
        elif self.inboxes:
            self.inboxes = {}
        seen = self._observations.next_round(self._last)
        detached = self._detached(self._last)
        # 0. open the negotiations due this round
        events: list[Event] = self._open_negotiations(t) if self.sessions else []
        sessions = self._sessions_by_agent() if self.sessions else {}
        # 2-4. update beliefs, honour, decide: all on the same snapshot
        decided = []
        n_moves = 0
        facts, variables = world.facts, world.variables
        inbox, monitor, public = self.inboxes, self.monitor, self.public
        built = monitor.built.get  # each agent's commitments, as monitor.of(me) gives them
        honouring, updating, ledger = self._honouring, self._updating, self.ledger
        relays, deciders, invoke = self._relays, self._setup.deciders, self._invoke
        pm = self.registry.pm  # a plugin registered during the round: Hook.call's path
        plain_deciders, generation = self._setup.plain_deciders(), pm.generation
        guard, clock = self._guard, time.monotonic
        proposals = self.desk.open_by_agent() if self.desk.open else {}
        no_inbox = not inbox
        for agent, me, state, rng, drawn, snapshot in self._seats:
            view = build_view(
                agent,
                t,
                world,
                () if no_inbox else inbox.get(me, ()),
                c if (c := built(me)) is not None else monitor.of(me),
                proposals.get(me, ()) if proposals else (),
                public,
                state,
                rng,
                drawn,
                sessions.get(me, ()) if sessions else (),
                seen,
            )
            if me in updating:
                relay = relays[me]
                invoke(relay.negsim_update_beliefs, relay, me, {"view": view})
            if ledger:
                with recording() as kept:
                    moves = self._decide(relays[me], view, detached, events)
                if kept:
                    events.extend(_ledger(t, me, kept))
            else:
                if me in honouring:
                    self._honour(relays[me], view, detached, events)
                plain = plain_deciders[me] if pm.generation == generation else None
                if plain is not None:  # the common case: one call
                    guard.call_started = started = clock()  # as _invoke, inline
                    try:
                        moves = plain(view)
                    except BaseException:
                        self._failed(deciders[me], relays[me], me, None)
                    finally:
                        guard.call_started = 0.0
                    if guard.call_limit and clock() - started > guard.call_limit:
                        raise self._overran(deciders[me], me, None)
                else:
                    moves = invoke(deciders[me], relays[me], me, {"view": view})
            if (
                world.facts is not facts
                or world.variables is not variables
                or snapshot != (_AGENT_FIELDS(agent), _CAPABILITY_FIELDS(agent.capabilities))
            ):
                self._frozen_changed(agent, world, facts, variables)
            decided.append((agent, moves))
            n_moves += len(moves) if isinstance(moves, (list, tuple)) else moves is not None
        if self.limits.exceeded("max_messages", n_moves):
            self._too_many_moves(t, n_moves, decided)
        # 5. validate
        messages: list[Message] = []
        actions: list[Action] = []
        check = self._validator.check
        for agent, moves in decided:
            if moves is None:
                continue
            if not isinstance(moves, (list, tuple)):
                moves = (moves,)
            for move in moves:
                broken = check(agent, move, t)
                if broken is None and isinstance(move, Message) and move.negotiation:
                    broken = self._protocol_check(move)
                if broken is not None:
                    rule, detail = broken
                    events.append(MoveRejected(t, agent.id, agent.doctrine, rule, detail))
                elif isinstance(move, Message):
                    messages.append(move)
                    events.append(MessageSent(t, move))
                else:
                    actions.append(move)
                    events.append(ActionTaken(t, move))
        # 6. adjudicate, and tally the alliances' votes
        world_relay = self._world_relay
        adjudication = self._invoke(
            world_relay.negsim_adjudicate,
            world_relay,
            None,
            {
                "world": world,
                "actions": tuple(actions),
                "messages": tuple(messages),
                "scenario": self.scenario,
                "rng": self._world_rng,
            },
        )
        if adjudication is None:
            adjudication = Adjudication(world=world)
        elif (
            not isinstance(adjudication, Adjudication)
            or not isinstance(adjudication.world, WorldState)
            or not all(isinstance(e, Event) for e in adjudication.events)
        ):
            raise self._returned(
                "negsim_adjudicate",
                self.scenario.world_rules,
                None,
                f"{_short(adjudication)}, not an Adjudication of a WorldState and Events",
            )
        events.extend(adjudication.events)
        for m in messages:
            if m.performative in (Performative.PROPOSE, Performative.VOTE):
                self.desk.record(m)
        decided_facts: list[str] = []
        if self.desk.open:
            decisions, decided_facts = self.desk.tally(t)
            events.extend(decisions)
        ended = self._advance_negotiations(t, messages) if self.sessions else []
        for session in ended:
            decided_facts.append(
                f"{'agreed' if session.agreement is not None else 'failed'}({session.id})"
            )
            events.append(
                NegotiationEnded(
                    t,
                    session.id,
                    session.agreement is not None,
                    session.agreement or {},
                    session.note,
                )
            )
        new = adjudication.world
        if decided_facts or new.round != t:
            new = _at_round(new, t, new.facts | frozenset(decided_facts))
        if ended:
            new = _with_terms(new, ended)
        changed = world.facts ^ new.facts
        events.extend(FactChanged(t, f, f in new.facts) for f in sorted(changed))
        if new.variables != world.variables:
            events.extend(
                VariableChanged(t, k, v)
                for k, v in new.variables.items()
                if world.variables.get(k) != v
            )
        # 7. commitments: new ones from messages, ends, then every lifecycle
        for m in messages:
            events.extend(self._commitments_from(m, t))
        for session in ended:
            events.extend(self._commitments_agreed(session, t))
        events.extend(self.monitor.update(new.facts, changed, t))
        self.world = new
        self.sent = tuple(messages)
        self.round = t
        # 8. observe (the events handed over only when someone listens)
        round_end = world_relay.negsim_round_end
        if not round_end.idle:
            self._invoke(
                round_end, world_relay, None, {"round": t, "world": new, "events": tuple(events)}
            )
        # 9. stop
        final = t >= self.scenario.max_rounds
        verdict = self._invoke(
            world_relay.negsim_classify_outcome,
            world_relay,
            None,
            {"world": new, "scenario": self.scenario, "final": final},
        )
        if verdict is None and final:
            verdict = (Outcome.UNRESOLVED, f"no outcome after max_rounds={t}")
        if verdict is not None:
            if not isinstance(verdict, (tuple, list)) or len(verdict) != 2:
                raise self._returned(
                    "negsim_classify_outcome",
                    self.scenario.world_rules,
                    None,
                    f"{_short(verdict)}, not None or a pair (outcome, reason)",
                )
            self.outcome, self.reason = self._outcome(verdict[0]), str(verdict[1])
            events.append(OutcomeReached(t, self.outcome, self.reason))
        self.events.extend(events)
        self._last = events
        return events

    def _decide(
        self,
        relay: HookRelay,
        view: AgentView,
        detached: Mapping[str, list[Commitment]],
        events: list[Event],
    ) -> Any:
        """The agent's honour decisions (into ``events``), then its moves."""
        me = view.agent.id
        if me in self._honouring:
            self._honour(relay, view, detached, events)
        return self._invoke(relay.negsim_decide, relay, me, {"view": view})

    def _honour(
        self,
        relay: HookRelay,
        view: AgentView,
        detached: Mapping[str, list[Commitment]],
        events: list[Event],
    ) -> None:
        """The agent's honour decisions on its detached commitments, into ``events``."""
        me = view.agent.id
        for c in detached.get(me, ()):
            honour = self._invoke(relay.negsim_honour, relay, me, {"view": view, "commitment": c})
            if honour is not None:
                events.append(HonourDecided(view.round, c.id, me, c.creditor, bool(honour)))

    def _outcome(self, outcome: object) -> str:
        """The outcome named by the world rules, checked against the ones they declare."""
        if not isinstance(outcome, str):
            raise self._returned(
                "negsim_classify_outcome",
                self.scenario.world_rules,
                None,
                f"the outcome {_short(outcome)}, not a name; declared: {', '.join(self._outcomes)}",
            )
        name = as_outcome(outcome)
        if name not in self._outcomes and name != Outcome.UNRESOLVED:
            raise self._returned(
                "negsim_classify_outcome",
                self.scenario.world_rules,
                None,
                f"the outcome {str(name)!r}, which the world rules do not declare; "
                f"declared: {', '.join(self._outcomes)}",
            )
        return name

    def _frozen_changed(
        self, agent: Agent, world: WorldState, facts: frozenset[str], variables: object
    ) -> None:
        """Stop the run: ``agent``'s decision changed frozen state in place."""
        what = "its agent (or its capabilities)"
        if world.facts is not facts or world.variables is not variables:
            what = "the world state"
        raise PluginCallError(
            self._blame(agent.id, None),
            "negsim_decide",
            agent.id,
            self._playing,
            TypeError(f"changed {what} in place (object.__setattr__ on a frozen object)"),
            what=f"changed {what} in place, which is frozen; return moves instead",
        )

    def _too_many_moves(self, t: int, n: int, decided: Sequence[tuple[Agent, object]]) -> None:
        """Stop the run: the agents made more moves in round ``t`` than the limit."""

        def count(moves: object) -> int:
            return len(moves) if isinstance(moves, (list, tuple)) else int(moves is not None)

        agent, moves = max(decided, key=lambda am: count(am[1]))
        limit = self.limits.max_messages
        raise PluginCallError(
            agent.doctrine,
            "negsim_decide",
            agent.id,
            t,
            ValueError(f"{n} moves in round {t}"),
            what=(
                f"made {count(moves)} of the round's {n} moves, more than the limit "
                f"max_messages={limit} for all agents together; " + self.limits.hint("max_messages")
            ),
        )

    def _returned(self, hook: str, plugin: str, who: str | None, what: str) -> PluginCallError:
        """The error for a hook call whose return value the engine refuses."""
        return PluginCallError(
            plugin, hook, who, self._playing, TypeError(what), what=f"returned {what}"
        )

    def _blame(self, who: str | None, owner: str | None) -> str:
        """The plugin to name when no traceback names one."""
        if owner is not None:
            return owner
        return self.scenario.agent(who).doctrine if who else self.scenario.world_rules

    def _detached(self, events: Iterable[Event]) -> dict[str, list[Commitment]]:
        """The commitments that detached among ``events``, by debtor (for honouring)."""
        out: dict[str, list[Commitment]] = {}
        if not self._honouring:
            return out
        for e in events:
            if (
                isinstance(e, CommitmentChanged)
                and e.new is CommitmentState.DETACHED
                and e.debtor in self._honouring
            ):
                out.setdefault(e.debtor, []).append(self.monitor.current[e.commitment])
        return out

    # -- negotiations ---------------------------------------------------------------

    def _open_negotiations(self, t: int) -> list[Event]:
        """Start the negotiations that open in round ``t``."""
        opened: list[Event] = []
        for nid, session in self.sessions.items():
            n = session.negotiation
            if session.status is not SessionStatus.PENDING or not self._opens(n, t):
                continue
            n = n.opened_in(t)
            session = attrs.evolve(session, negotiation=n)
            state = self._protocol_call(
                nid,
                "negsim_protocol_start",
                negotiation=n,
                rng=stream(self.seed, "negotiation", nid),
            )
            self._protocol_states[nid] = state
            started = attrs.evolve(session, status=SessionStatus.OPEN)
            self.sessions[nid] = self._protocol_step(started, t, ())
            opened.append(NegotiationOpened(t, nid, n.protocol, n.parties))
        return opened

    def _opens(self, n: Negotiation, t: int) -> bool:
        """Whether ``n`` opens in round ``t``: its round, or its proposition now true."""
        if not n.opens_on:
            return n.opens == t
        holds = self._openers.get(n.id)
        if holds is None:
            holds = self._openers[n.id] = compile_predicate(parse(n.opens_on))
        return t >= n.opens and holds(self.world.facts)

    def _sessions_by_agent(self) -> dict[str, tuple[Session, ...]]:
        out: dict[str, list[Session]] = {}
        for session in self.sessions.values():
            if session.status is SessionStatus.PENDING:
                continue
            n = session.negotiation
            for who in (*n.parties, n.mediator):
                if who:
                    out.setdefault(who, []).append(session)
        return {a: tuple(ss) for a, ss in out.items()}

    def _protocol_check(self, m: Message) -> tuple[str, str] | None:
        reason = self._protocol_call(
            m.negotiation,
            "negsim_protocol_check",
            session=self.sessions[m.negotiation],
            state=self._protocol_states.get(m.negotiation),
            message=m,
        )
        return None if reason is None else ("protocol", str(reason))

    def _advance_negotiations(self, t: int, messages: Sequence[Message]) -> list[Session]:
        """Step every open negotiation by its moves; the ones that ended this round."""
        ended = []
        for nid, session in self.sessions.items():
            if session.status is not SessionStatus.OPEN:
                continue
            moves = tuple(m for m in messages if m.negotiation == nid)
            new = self._protocol_step(session, t, moves)
            deadline = session.negotiation.deadline
            if new.status is SessionStatus.OPEN and t >= deadline:
                new = attrs.evolve(
                    new, status=SessionStatus.FAILED, note=f"no agreement by round {deadline}"
                )
            self.sessions[nid] = new
            if new.closed:
                ended.append(new)
        return ended

    def _protocol_step(self, session: Session, t: int, moves: tuple[Message, ...]) -> Session:
        nid = session.id
        new = self._protocol_call(
            nid,
            "negsim_protocol_step",
            session=session,
            state=self._protocol_states.get(nid),
            round=t,
            moves=moves,
        )
        if new is None:
            return session
        protocol = session.negotiation.protocol
        if not isinstance(new, Session) or new.negotiation != session.negotiation:
            raise SimulationError(
                f"protocol {protocol!r} returned {type(new).__name__} from negsim_protocol_step "
                f"for negotiation {nid!r}, not its Session"
            )
        if new.status is SessionStatus.AGREED:
            wrong = (
                ["no agreed terms"]
                if new.agreement is None
                else session.negotiation.check_terms(new.agreement)
            )
            if wrong:
                raise SimulationError(
                    f"protocol {protocol!r} agreed negotiation {nid!r} on terms outside its "
                    f"issue space: {'; '.join(wrong)}"
                )
        return new

    def _protocol_call(self, nid: str, hook: str, **kwargs: Any) -> Any:
        relay = self._protocols[nid]
        protocol = self.sessions[nid].negotiation.protocol
        return self._invoke(getattr(relay, hook), relay, None, kwargs, owner=protocol)

    def _commitments_agreed(self, session: Session, t: int) -> list[Event]:
        """An agreement's terms as commitments: one per term with a debtor, per creditor."""
        if session.status is not SessionStatus.AGREED or session.agreement is None:
            return []
        n = session.negotiation
        created: list[Event] = []
        for name in session.agreement:
            issue = n.issue(name)
            if not issue.debtor:
                continue
            for creditor in n.parties:
                if creditor == issue.debtor:
                    continue
                c = Commitment(
                    id=f"{n.id}/{name}/{creditor}",
                    debtor=issue.debtor,
                    creditor=creditor,
                    antecedent=issue.antecedent,
                    consequent=issue.consequent,
                    deadline=issue.deadline,
                    source=n.id,
                )
                self.monitor.add(c)
                created.append(CommitmentCreated(t, c))
        return created

    def _commitments_from(self, m: Message, t: int) -> list[Event]:
        content = m.content
        if m.performative in _COMMITTING and "consequent" in content:
            deadline = content.get("deadline")
            created: list[Event] = []
            for creditor in m.recipients:
                c = Commitment(
                    id=f"{m.id}/{creditor}",
                    debtor=m.sender,
                    creditor=creditor,
                    antecedent=str(content.get("antecedent", "true")),
                    consequent=str(content["consequent"]),
                    deadline=None if deadline is None else int(deadline),
                    source=m.id,
                )
                self.monitor.add(c)
                created.append(CommitmentCreated(t, c))
            return created
        if m.performative is Performative.CANCEL:
            return self.monitor.end(str(content["commitment"]), CommitmentState.CANCELLED, t)
        if m.performative is Performative.RELEASE:
            return self.monitor.end(str(content["commitment"]), CommitmentState.RELEASED, t)
        return []

    # -- results ---------------------------------------------------------------------

    def result(self) -> Result:
        """The :class:`negsim.Result` of the run so far (complete once :attr:`done`)."""
        events = tuple(self.events)
        kinds = Counter(map(type, events))  # one pass; then each kind once, subclasses too
        metrics: dict[str, float] = {
            "rounds": float(self.round),
            "messages": float(_count(kinds, MessageSent)),
            "actions": float(_count(kinds, ActionTaken)),
            "rejected": float(_count(kinds, MoveRejected)),
        }
        commitments = self.monitor.all()
        states = Counter(map(_STATE, commitments))
        for state in (CommitmentState.DISCHARGED, CommitmentState.VIOLATED):
            metrics[f"commitments_{state}"] = float(states[state])
        # Each detached commitment's debtor's last honour decision: what it did in the end.
        last = (
            {e.commitment: e.honour for e in events if isinstance(e, HonourDecided)}
            if _count(kinds, HonourDecided)
            else {}
        )
        metrics["commitments_honoured"] = float(sum(last.values()))
        metrics["commitments_defected"] = float(len(last) - sum(last.values()))
        if _count(kinds, DecisionReached):  # absent from runs where no alliance decided
            metrics["decision_round"] = float(
                min(e.round for e in events if isinstance(e, DecisionReached))
            )
        world_relay = self._world_relay
        hook = world_relay.negsim_collect_metrics
        extras = self._invoke(
            hook,
            world_relay,
            None,
            {"world": self.world, "events": events, "scenario": self.scenario},
        )
        for i, extra in enumerate(extras):
            if extra:
                metrics.update(self._metrics(extra, hook, i, len(extras)))
        result = Result(
            outcome=self.outcome or Outcome.UNRESOLVED,
            reason=self.reason,
            rounds=self.round,
            events=events,
            commitments=commitments,
            world=self.world,
            metrics=FrozenMap(sorted(metrics.items())),  # names are strings: sorted as freeze does
            provenance=self.provenance(),
        )
        end = world_relay.negsim_simulation_end
        if not end.idle:
            self._invoke(end, world_relay, None, {"result": result})
        return result

    def _metrics(self, extra: object, hook: Any, i: int, n: int) -> dict[str, float]:
        """One plugin's metrics, checked: names to real numbers."""
        if isinstance(extra, Mapping):
            wrong = next(
                (
                    (k, v)
                    for k, v in extra.items()
                    if not isinstance(k, str)
                    or isinstance(v, bool)
                    or not isinstance(v, (int, float))
                    or (isinstance(v, int) and not -(2**63) <= v < 2**63)
                ),
                None,
            )
            if wrong is None:
                return {k: float(v) for k, v in extra.items()}
            what = f"the metric {wrong[0]!r}: {_short(wrong[1])}, not a number"
        else:
            what = f"{_short(extra)}, not a mapping of metric names to numbers"
        impls = hook.get_hookimpls()
        # pluggy calls implementations last-registered first and keeps non-None results
        plugin = (
            impls[::-1][i].plugin_name
            if n == len(impls)
            else " or ".join(sorted({impl.plugin_name for impl in impls}))
        )
        raise self._returned("negsim_collect_metrics", plugin, None, what)

    def provenance(self) -> Provenance:
        """Versions, seed, overrides and the plugins that took part."""
        return Provenance(
            negsim_version=_version(),
            scenario=self.scenario.name,
            scenario_digest=scenario_digest(self.scenario),
            seed=self.seed,
            overrides=self.overrides,
            plugins=self._setup.plugins(),
        )

    # -- plumbing --------------------------------------------------------------------

    def _call(self, hook: Any, who: str | None, /, **kwargs: Any) -> Any:
        relay = self._relays[who] if who else self._world_relay
        return self._invoke(hook, relay, who, kwargs)

    def _invoke(
        self,
        hook: Any,
        relay: HookRelay,
        who: str | None,
        kwargs: dict[str, Any],
        owner: str | None = None,
    ) -> Any:
        """Call ``hook``; a plugin's exception becomes a :class:`PluginCallError` naming it.

        The plugin blamed is the one whose code raised (found in ``relay``), else
        ``owner``, else the agent's doctrine or the world rules.
        """
        guard = self._guard
        guard.call_started = started = time.monotonic()
        try:
            result = hook.call(kwargs)
        except BaseException:
            self._failed(hook, relay, who, owner)
        finally:
            guard.call_started = 0.0
        if guard.call_limit and time.monotonic() - started > guard.call_limit:
            raise self._overran(hook, who, owner)
        return result

    def _failed(self, hook: Any, relay: HookRelay, who: str | None, owner: str | None) -> NoReturn:
        """Raise what a hook call's exception (the one being handled) becomes.

        Called from an ``except BaseException`` clause around the call.
        """
        exc = sys.exc_info()[1]
        if isinstance(exc, Overtime):
            which = self._guard.which or "decision_seconds"
            raise TimeLimitError(
                which,
                self._limit(which),
                self._playing,
                self.registry.plugin_for_code(exc.__traceback__, relay) or self._blame(who, owner),
                hook.name,
                who,
            ) from None
        if isinstance(exc, SimulationError):
            raise  # already names its plugin (a run inside a run, a time limit)
        if isinstance(exc, ScenarioError) and not self._playing:
            raise  # set-up hooks may check the scenario: its error stands
        if isinstance(exc, KeyboardInterrupt) and self._guard.interrupted:
            raise  # a real Ctrl-C, not a plugin's own raise
        if isinstance(exc, (Exception, SystemExit, KeyboardInterrupt)):
            # SystemExit too: a plugin's sys.exit() must not end negsim with its code.
            self._plugin_raised(hook, relay, who, owner, exc)
        # Other BaseExceptions pass: an outer deadline's (the test kit's, a test
        # runner's) must reach the code that set it.
        raise

    def _overran(self, hook: Any, who: str | None, owner: str | None) -> TimeLimitError:
        """The error for a hook call that returned after ``decision_seconds``."""
        return TimeLimitError(
            "decision_seconds",
            self._guard.call_limit,
            self._playing,
            self._blame(who, owner),
            hook.name,
            who,
        )

    def _plugin_raised(
        self,
        hook: Any,
        relay: HookRelay,
        who: str | None,
        owner: str | None,
        exc: BaseException,
    ) -> NoReturn:
        plugin = self.registry.plugin_for_code(exc.__traceback__, relay) or self._blame(who, owner)
        raise PluginCallError(plugin, hook.name, who, self._playing, exc) from exc

    def _tracing(self) -> _Tracing:
        return _Tracing(self)


class _Tracing:
    """Hook-call monitoring while a traced run executes (a no-op without a tracer)."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.undo: Callable[[], None] | None = None

    def __enter__(self) -> None:
        trace = self.sim._trace
        if trace is None:
            return
        sim = self.sim

        def before(name: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]) -> None:
            pass

        def after(
            outcome: Any, name: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]
        ) -> None:
            if name == "negsim_plugin_spec":
                return
            view = kwargs.get("view")
            agent = kwargs.get("agent")
            who = view.agent.id if view is not None else getattr(agent, "id", None)
            shown = repr(outcome.exception) if outcome.exception else _short(outcome.get_result())
            trace(
                TraceRecord(
                    round=sim._playing,
                    hook=name,
                    agent=who,
                    plugins=tuple(i.plugin_name for i in reversed(impls)),
                    result=shown,
                )
            )

        self.undo = sim.registry.monitor(before, after)

    def __exit__(self, *exc: object) -> None:
        if self.undo is not None:
            self.undo()


def _count(kinds: Counter[type], kind: type) -> int:
    """How many events of ``kind`` (or a subclass) ``kinds`` counts."""
    return sum(n for k, n in kinds.items() if issubclass(k, kind))


def _short(value: Any) -> str:
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (Message, Action)):
        parts = []
        for v in value:
            if isinstance(v, Message):
                parts.append(f"{v.performative}->{','.join(v.recipients)}")
            else:
                parts.append(f"{v.kind}({v.target or ''})")
        return "[" + ", ".join(parts) + "]"
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


_STATE = operator.attrgetter("state")
_AGENT_FIELDS = operator.attrgetter(*(f.name for f in attrs.fields(Agent)))
_CAPABILITY_FIELDS = operator.attrgetter(*(f.name for f in attrs.fields(Capabilities)))


def _snapshot(agent: Agent) -> tuple[Any, ...]:
    """What of an agent must not change during a run: its fields and its capabilities'.

    Compared after each of its decisions (``attrgetter``: a fraction of a microsecond;
    the round loop inlines this expression), so a doctrine that changes its frozen agent
    in place is caught in that round.
    """
    return (_AGENT_FIELDS(agent), _CAPABILITY_FIELDS(agent.capabilities))


def _typed(agent: Agent, drawn: AgentType | None) -> Agent:
    """The agent as it plays: its drawn type's values in place of those parameters."""
    if drawn is None or not drawn.params:
        return agent
    return attrs.evolve(agent, params={**agent.params, **drawn.params})


def declared_outcomes(registry: PluginRegistry, world_rules: str) -> tuple[str, ...]:
    """The outcome classes a world-rules plugin declares, in its order.

    A plugin that declares none gets the crisis world's names (:class:`negsim.model.Outcome`,
    ``unresolved`` included); ``unresolved`` is always possible besides the declared ones.

    Args:
        registry: The plugins.
        world_rules: The world-rules plugin's name.
    """
    declared = registry.spec(world_rules).outcomes
    if declared:
        return tuple(o.name for o in declared)
    return tuple(str(o) for o in Outcome)


@functools.cache
def _version() -> str:
    try:
        return metadata.version("negsim")
    except metadata.PackageNotFoundError:
        return "0+unknown"


_DIGESTS: dict[int, tuple[Scenario, str]] = {}


def scenario_digest(scenario: Scenario) -> str:
    """SHA-256 (16 hex digits) of the scenario's content; stable across processes."""
    cached = _DIGESTS.get(id(scenario))
    if cached is not None and cached[0] is scenario:
        return cached[1]
    # The content only: how the scenario was made (its overrides) is not part of it.
    data = attrs.asdict(scenario, recurse=True, filter=lambda a, _: a.name != "overrides")
    text = json.dumps(data, sort_keys=True, default=sorted, separators=(",", ":"))
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    if len(_DIGESTS) > 64:
        _DIGESTS.clear()
    _DIGESTS[id(scenario)] = (scenario, digest)
    return digest


def _with_terms(world: WorldState, ended: Iterable[Session]) -> WorldState:
    """``world`` with each agreed numeric term as the variable ``term(<id>,<issue>)``.

    So that world rules can enact an agreement (an armistice's line, a payment).
    """
    terms = {
        f"term({s.id},{name})": float(value)
        for s in ended
        if s.agreement is not None
        for name, value in s.agreement.items()
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    }
    if not terms:
        return world
    return attrs.evolve(world, variables={**world.variables, **terms})


def _ledger(t: int, agent: str, kept: Iterable[Evaluation]) -> list[Event]:
    """The decision ledger's events: each distinct evaluation once, in order."""
    distinct: dict[tuple[str, tuple[tuple[str, float], ...]], Evaluation] = {}
    for e in kept:
        distinct.setdefault((e.rule.name, tuple(sorted(e.inputs.items()))), e)
    return [
        RuleEvaluated(t, agent, e.rule.name, e.inputs, e.value, e.rule.expr, e.rule.doc)
        for e in distinct.values()
    ]
