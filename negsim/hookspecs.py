"""The hook specifications: every point where a plugin can take part in a run.

A plugin is a module or object with functions marked ``@negsim.hookimpl`` whose names
are hooks below. Arguments are passed by keyword; an implementation may accept any
subset of a hook's arguments, so hooks can gain arguments without breaking plugins.

Where hooks are called
----------------------
Agent hooks (:hook:`negsim_agent_start`, :hook:`negsim_decide`) go through the
agent's own *relay*: its doctrine, its modifiers and the observer plugins, never
another agent's doctrine. World hooks go through the scenario's world-rules plugin
and the observers. Both relays are built once per process.

The round protocol
------------------
``negsim.simulate`` runs this protocol:

* **start**: each agent with a prior gets its private type, drawn from its own stream;
  each agent's relay calls :hook:`negsim_agent_start` (its private state); observers
  hear :hook:`negsim_simulation_start`.
* **each round t**, from 1 to ``max_rounds``:

  0. *open*: each negotiation whose ``opens`` is t starts
     (:hook:`negsim_protocol_start`, then :hook:`negsim_protocol_step` with no moves).
  1. *deliver*: messages sent in round t-1 reach exactly their recipients' inboxes,
     ordered by sender id, then by the order sent; each agent observes the events of
     round t-1 it may see (:attr:`negsim.AgentView.observed`, by
     :class:`negsim.model.Visibility`).
  2. *update beliefs*: each agent's relay calls :hook:`negsim_update_beliefs`.
  3. *honour*: for each commitment that detached in round t-1, its debtor's relay
     calls :hook:`negsim_honour`; a decision is logged as
     :class:`negsim.model.HonourDecided`, seen by the debtor alone.
  4. *decide*: every agent's relay calls :hook:`negsim_decide` on the same frozen
     snapshot (:class:`negsim.AgentView`): moves are simultaneous.
  5. *validate*: a move the agent may not make is dropped and logged as a
     :class:`negsim.model.MoveRejected` event naming agent, doctrine and rule (for a
     move in a negotiation, the protocol has a say: :hook:`negsim_protocol_check`).
  6. *adjudicate*: :hook:`negsim_adjudicate` turns the valid actions into the next
     world state.
  7. *protocols*: alliance votes are tallied under each alliance's decision rule, and
     every open negotiation advances by its moves (:hook:`negsim_protocol_step`); an
     agreement sets ``agreed(<id>)``, a failure ``failed(<id>)``.
  8. *commitments*: every active commitment's lifecycle is updated against the new
     world; messages that pledge, promise or threaten, and agreed terms, create
     commitments.
  9. *observe*: observers hear :hook:`negsim_round_end`.
  10. *stop*: :hook:`negsim_classify_outcome` ends the run with one of the outcome
      classes the world rules declare, or the run goes on; after ``max_rounds`` it is
      called with ``final=True``.

* **end**: :hook:`negsim_collect_metrics` adds metrics; observers hear
  :hook:`negsim_simulation_end` with the :class:`negsim.Result`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pluggy

from negsim.model import (
    Action,
    Adjudication,
    Agent,
    AgentType,
    AgentView,
    Commitment,
    Event,
    Message,
    Move,
    Negotiation,
    PluginSpec,
    PublicInfo,
    Result,
    Scenario,
    Session,
    WorldState,
)

if TYPE_CHECKING:
    from negsim.logic import Rule

__all__ = ["hookimpl", "hookspec"]

PROJECT = "negsim"

hookspec = pluggy.HookspecMarker(PROJECT)
"""Marker for hook specifications (for plugins that add hooks of their own)."""

hookimpl = pluggy.HookimplMarker(PROJECT)
"""Marker for hook implementations: ``@negsim.hookimpl``."""


# --------------------------------------------------------------------------------------
# Set-up
# --------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def negsim_plugin_spec() -> PluginSpec:  # type: ignore[empty-body]
    """Declare the plugin's role, summary and parameters.

    Called once per plugin when it is registered (each plugin's own implementation is
    read; results are not combined). A plugin without it is an observer.

    Returns:
        The plugin's :class:`negsim.model.PluginSpec`.
    """


@hookspec(firstresult=True)
def negsim_agent_start(
    agent: Agent, public: PublicInfo, rng: random.Random, type: AgentType | None
) -> object | None:
    """Create an agent's private state at the start of a run.

    Called through the agent's relay, once per run. Stops at first non-None result.

    Args:
        agent: The agent, with its parameters (defaults filled in, and its drawn type's
            values in place of the parameters the type sets).
        public: What is public about the scenario: other agents' ids, capabilities,
            alliances and priors, never their parameters or drawn types.
        rng: The agent's own random stream for this run.
        type: The agent's private type, drawn from its prior; ``None`` without a prior.

    Returns:
        Any object; it is handed back as :attr:`negsim.AgentView.state` every round.
    """


@hookspec
def negsim_simulation_start(scenario: Scenario, world: WorldState) -> None:
    """Hear that a run starts. Called through the world relay (world rules, observers).

    World rules may check the scenario here: a :class:`negsim.ScenarioError` raised
    by this hook (or by :hook:`negsim_agent_start`) stands as the scenario's error,
    while one raised in a round is the plugin's failure (a
    :class:`negsim.PluginCallError`).

    Args:
        scenario: The scenario as run.
        world: The opening world state.
    """


# --------------------------------------------------------------------------------------
# Round
# --------------------------------------------------------------------------------------


@hookspec
def negsim_update_beliefs(view: AgentView) -> None:
    """Update an agent's beliefs from what it observed in the last round.

    Called through the agent's relay once per round, before :hook:`negsim_honour` and
    :hook:`negsim_decide`, and only for agents whose relay implements it; every
    implementation in the stack is called (a modifier may keep beliefs of its own).
    Keep beliefs in the agent's state (:class:`negsim.beliefs.Belief` updates in place).

    Args:
        view: The agent's view of the round; :attr:`negsim.AgentView.observed` holds
            exactly what it could observe of the last round.
    """


@hookspec(firstresult=True)
def negsim_honour(view: AgentView, commitment: Commitment) -> bool | None:
    """Decide whether to honour a commitment of the agent's that has just detached.

    Called through the debtor's relay in the round after the commitment detached (in
    round 1 for one detached at the start), before :hook:`negsim_decide`. Nothing in
    negsim treats a commitment as honoured: its debtor decides, the decision is logged
    as :class:`negsim.model.HonourDecided` (seen by the debtor alone), and whether the
    consequent comes about is up to what the debtor then does. Stops at first non-None
    result.

    Args:
        view: The debtor's view of the round.
        commitment: The detached commitment.

    Returns:
        ``True`` to honour, ``False`` to defect, ``None`` to leave it undecided (no event).
    """


@hookspec(firstresult=True)
def negsim_decide(view: AgentView) -> Sequence[Move] | None:
    """Decide an agent's moves for this round.

    Called through the agent's relay once per round. Stops at first non-None result,
    so a modifier that wants the doctrine's moves implements it as a wrapper
    (``@negsim.hookimpl(wrapper=True)``). Return an empty sequence to do nothing.

    Args:
        view: The agent's frozen view of the round; build moves with
            :meth:`negsim.AgentView.say` and :meth:`negsim.AgentView.act`.

    Returns:
        Messages and actions, all made by ``view.agent``.
    """


@hookspec(firstresult=True)
def negsim_adjudicate(
    world: WorldState,
    actions: tuple[Action, ...],
    messages: tuple[Message, ...],
    scenario: Scenario,
    rng: random.Random,
) -> Adjudication | None:
    """Turn a round's valid actions into the next world state.

    Implemented by world-rules plugins; only the scenario's chosen one is called.
    Stops at first non-None result.

    Args:
        world: The world at the start of the round (``world.round`` is the round).
        actions: The round's valid actions, in agent-id order.
        messages: The round's valid messages (threats, offers, ...), in agent-id order.
        scenario: The scenario being run.
        rng: The world's own random stream for this run.

    Returns:
        The next world state (its ``round`` is ignored) and the events to log.
    """


# --------------------------------------------------------------------------------------
# Negotiation protocols
# --------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def negsim_protocol_start(negotiation: Negotiation, rng: random.Random) -> object | None:
    """Create a negotiation's private protocol state when it opens.

    Called through the relay of the negotiation's protocol plugin, in the round the
    negotiation opens, before the agents decide; :hook:`negsim_protocol_step` is then
    called with no moves, to set whose turn it is. Stops at first non-None result.

    Args:
        negotiation: The negotiation as the scenario declares it (parameters checked
            against the protocol's spec, defaults filled in).
        rng: The negotiation's own random stream for this run.

    Returns:
        Any object; it is handed back to the protocol's other hooks as ``state``.
    """


@hookspec(firstresult=True)
def negsim_protocol_check(session: Session, state: object, message: Message) -> str | None:
    """Say why a move in a negotiation is not allowed now, or ``None`` if it is.

    Called during validation for each move that passed the engine's own checks (a
    party or the mediator may move, the negotiation is open, an offer's terms lie in
    its issue space). A refused move is dropped and logged as a
    :class:`negsim.model.MoveRejected` with the rule ``protocol``. Stops at first
    non-None result.

    Args:
        session: The negotiation as it stands.
        state: The protocol's state from :hook:`negsim_protocol_start`.
        message: The move: an ``offer``, ``accept`` or ``reject`` naming the negotiation.

    Returns:
        Why the move is refused, in words, or ``None``.
    """


@hookspec(firstresult=True)
def negsim_protocol_step(
    session: Session, state: object, round: int, moves: tuple[Message, ...]
) -> Session | None:
    """Advance a negotiation by one round's valid moves.

    Called after the world rules adjudicate, for every open negotiation (with no moves
    in the round it opens). Return the session as it now stands: whose turn it is,
    the text on the table, who accepted it, and ``status`` ``agreed`` (with
    ``agreement``) or ``failed`` when it ends. The engine ends a negotiation still open
    after its deadline as failed, makes an agreement's terms commitments, and sets the
    facts ``agreed(<id>)`` or ``failed(<id>)``. Stops at first non-None result.

    Args:
        session: The negotiation as it stood at the start of the round.
        state: The protocol's state (mutable, its own).
        round: The round.
        moves: The round's valid moves in it, in agent-id order.

    Returns:
        The session after the round (:func:`attrs.evolve` the one given).
    """


# --------------------------------------------------------------------------------------
# Outcome
# --------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def negsim_classify_outcome(
    world: WorldState, scenario: Scenario, final: bool
) -> tuple[str, str] | None:
    """Decide whether the run has ended, and how.

    Called through the world relay after every round. Stops at first non-None result.

    Args:
        world: The world after the round.
        scenario: The scenario being run.
        final: ``True`` after the last round (``max_rounds``): an outcome must be given;
            ``unresolved`` is used if none is.

    Returns:
        ``(outcome, reason)`` to stop, or ``None`` to go on. The outcome is the name of
        one of the outcome classes the world rules declare in their
        :class:`negsim.model.PluginSpec` (any :class:`negsim.model.Outcome` when they
        declare none); another name stops the run with an error naming the plugin.
    """


# --------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------


@hookspec
def negsim_round_end(round: int, world: WorldState, events: tuple[Event, ...]) -> None:
    """Hear the end of a round.

    Args:
        round: The round that ended.
        world: The world after it.
        events: The round's events, in order.
    """


@hookspec
def negsim_collect_metrics(
    world: WorldState, events: tuple[Event, ...], scenario: Scenario
) -> Mapping[str, float] | None:
    """Contribute metrics for the finished run; results from all plugins are merged.

    Args:
        world: The final world.
        events: The whole event log.
        scenario: The scenario run.

    Returns:
        Named numbers; names should be prefixed with the plugin name when not generic.
        Anything else (a name that is not a string, a value that is not a number)
        stops the run with a :class:`negsim.PluginCallError` naming the plugin.
    """


@hookspec
def negsim_simulation_end(result: Result) -> None:
    """Hear that a run ended.

    Args:
        result: The run's result.
    """


# --------------------------------------------------------------------------------------
# Analysis
# --------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def negsim_decision_rules(
    agent: Agent, scenario: Scenario
) -> Sequence[tuple[Rule, Mapping[str, float]]] | None:
    """Expose a doctrine's honour-or-defect rules with the agent's values, for analysis.

    Called through the agent's relay by ``negsim check`` (never during a run). The
    doctrine evaluates the very same :class:`negsim.logic.Rule` objects in its
    :hook:`negsim_decide`, so the report and the simulation cannot disagree. Stops at
    first non-None result.

    Args:
        agent: The agent, with its parameters.
        scenario: The scenario.

    Returns:
        ``(rule, values)`` pairs: each rule with a value for every one of its symbols,
        taken from the agent's parameters at the scenario's nominal setting.
    """


AGENT_HOOKS = (
    "negsim_agent_start",
    "negsim_update_beliefs",
    "negsim_honour",
    "negsim_decide",
    "negsim_decision_rules",
)
"""Hooks called through an agent's relay."""

WORLD_HOOKS = (
    "negsim_simulation_start",
    "negsim_adjudicate",
    "negsim_classify_outcome",
    "negsim_round_end",
    "negsim_collect_metrics",
    "negsim_simulation_end",
)
"""Hooks called through the world relay."""

PROTOCOL_HOOKS = ("negsim_protocol_start", "negsim_protocol_check", "negsim_protocol_step")
"""Hooks called through a negotiation protocol's relay."""
