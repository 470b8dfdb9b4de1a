"""Recording a run round by round: what was delivered, decided, sent and logged."""

from __future__ import annotations

import contextlib
import random
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs
import pluggy

from negsim.engine import Simulation
from negsim.model import Event, FrozenMap, Message, Result, Scenario, WorldState, freeze
from negsim.plugins import PluginRegistry
from negsim.results import dumps_lines
from negsim.results._jsonl import event_to_dict
from negsim.testing._statics import Monotone, Prober
from negsim.testing._watch import Watch

__all__ = ["RoundRecord", "RunRecord", "record_run"]


@attrs.frozen
class RoundRecord:
    """What happened in one round, as the engine and the doctrines saw it.

    Attributes:
        round: The round (1-based).
        inboxes: The engine's inboxes for the round (``Simulation.inboxes``).
        seen: The inbox each agent's :class:`negsim.AgentView` held.
        moves: What each agent's :hook:`negsim_decide` returned, unvalidated, as a tuple.
        sent: The round's valid messages (``Simulation.sent`` after the round).
        events: The round's events.
        world: The world after the round.
        observed: What each agent's view held as :attr:`negsim.AgentView.observed`: the
            events of the round before that it could see.
    """

    round: int
    inboxes: FrozenMap[str, tuple[Message, ...]]
    seen: FrozenMap[str, tuple[Message, ...]]
    moves: FrozenMap[str, tuple[object, ...]]
    sent: tuple[Message, ...]
    events: tuple[Event, ...]
    world: WorldState
    observed: FrozenMap[str, tuple[Event, ...]] = attrs.field(factory=FrozenMap)


@attrs.frozen
class RunRecord:
    """A run recorded round by round by :func:`record_run`.

    Attributes:
        scenario: The scenario run.
        seed: The seed.
        start_events: The events of the set-up (round 0).
        rounds: Every round played, in order.
        result: The result, or ``None`` when the run failed or timed out.
        error: The exception that stopped the run, if any.
        timed_out: Whether the run was stopped for taking longer than the time allowed.
        where: The hook, agent and round being played when the run stopped early
            (``"negsim_decide for agent 'A' in round 3"``), else ``""``.
        seconds: Wall-clock time the run took.
        decision_timeout: The time one hook call of an agent was allowed, if any; when
            :attr:`timed_out`, ``decision_expired`` says whether that was what ran out.
        decision_expired: Whether the run stopped because one hook call of an agent took
            longer than ``decision_timeout``.
        hidden: Each use of a source of randomness or time that is not the agent's own,
            during one of its hook calls, in words (with ``watch=True``).
        statics: Each decision that went against a declared comparative static, in words
            (with ``statics``).
    """

    scenario: Scenario
    seed: int
    start_events: tuple[Event, ...]
    rounds: tuple[RoundRecord, ...]
    result: Result | None
    error: BaseException | None = attrs.field(default=None, eq=False)
    timed_out: bool = False
    where: str = ""
    seconds: float = attrs.field(default=0.0, eq=False)
    decision_timeout: float | None = None
    decision_expired: bool = False
    hidden: tuple[str, ...] = ()
    statics: tuple[str, ...] = ()

    @property
    def events(self) -> tuple[Event, ...]:
        """The whole event log so far (the result's, when the run finished)."""
        if self.result is not None:
            return self.result.events
        return self.start_events + tuple(e for r in self.rounds for e in r.events)

    def log_lines(self) -> tuple[str, ...]:
        """The run as JSON Lines (:func:`negsim.results.dumps_lines`).

        For a run that did not finish: its events, then a line naming the error.
        """
        if self.result is not None:
            return tuple(dumps_lines(self.result))
        import json

        lines = [json.dumps(event_to_dict(e), sort_keys=True, default=str) for e in self.events]
        if self.timed_out:
            lines.append(f"timed out in {self.where}")
        elif self.error is not None:
            lines.append(f"error: {type(self.error).__name__}: {self.error}")
        return tuple(lines)

    def describe_error(self) -> str:
        """The error that stopped the run, with the innermost frame of its cause."""
        if self.error is None:
            return ""
        text = f"{type(self.error).__name__}: {self.error}"
        cause = self.error.__cause__ or self.error
        frames = traceback.extract_tb(cause.__traceback__)
        if frames:
            last = frames[-1]
            text += f"\n      raised at {last.filename}:{last.lineno} in {last.name}: {last.line}"
        return text


class _Timeout(BaseException):
    """Raised by the alarm inside a run that takes too long.

    Not an ``Exception``, so no hook wrapper or engine handler swallows it.
    """


_monotonic = time.monotonic  # the clock itself, whatever a watch wraps


def _alarm_usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _deadline(seconds: float | None, armed: bool = False) -> Iterator[bool]:
    """Interrupt the block after ``seconds`` with :class:`_Timeout`.

    Uses ``SIGALRM``: only in the main thread of a POSIX process; elsewhere the block
    runs without a limit (and the context yields ``False``). A timer already running
    (pytest-timeout's, say) is restored afterwards with the time it had left. With
    ``armed``, the handler is installed even without ``seconds``, for timers set
    inside the block (the per-decision ones).
    """
    limit = seconds is not None and seconds > 0
    if not ((limit or armed) and _alarm_usable()):
        yield False
        return

    def alarm(signum: int, frame: object) -> None:
        raise _Timeout

    started = _monotonic()
    previous = signal.signal(signal.SIGALRM, alarm)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds if limit and seconds else 0)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer > 0:
            left = outer - (_monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))


@contextlib.contextmanager
def global_randomness(seed: int) -> Iterator[None]:
    """Seed the process-wide random generators with ``seed`` for the block.

    The generators are :mod:`random`'s and, when numpy is imported, ``numpy.random``'s;
    their states are restored afterwards.

    A doctrine that draws from them instead of its agent's stream then behaves
    differently under two seeds, which the determinism check sees.
    """
    state = random.getstate()
    numpy = sys.modules.get("numpy")
    np_state: Any = None
    if numpy is not None:
        np_state = numpy.random.get_state()
        numpy.random.seed(seed)
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(state)
        if numpy is not None:
            numpy.random.set_state(np_state)


def _as_moves(value: object) -> tuple[object, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


_AGENT_HOOKS = frozenset(
    (
        "negsim_agent_start",
        "negsim_update_beliefs",
        "negsim_honour",
        "negsim_decide",
        "negsim_protocol_start",
        "negsim_protocol_check",
        "negsim_protocol_step",
    )
)
"""The hooks timed and watched: an agent's, and a negotiation protocol's."""


def _blame(
    scenario: Scenario, name: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]
) -> str:
    """``round 2: negsim_decide of agent 'A' (doctrine 'x')``, or of a protocol."""
    view = kwargs.get("view")
    if view is not None:
        return f"round {view.round}: {name} of agent {view.me!r} (doctrine {view.agent.doctrine!r})"
    agent = kwargs.get("agent")
    if agent is not None:
        return f"at the start: {name} of agent {agent.id!r} (doctrine {agent.doctrine!r})"
    when = f"round {kwargs['round']}: " if "round" in kwargs else ""
    plugins = ", ".join(repr(i.plugin_name) for i in impls)
    return f"{when}{name} (plugin {plugins})"


def record_run(
    scenario: Scenario,
    *,
    seed: int | None = None,
    registry: PluginRegistry,
    timeout: float | None = 10.0,
    decision_timeout: float | None = None,
    watch: bool = False,
    statics: Mapping[str, Sequence[Monotone]] | None = None,
) -> RunRecord:
    """Play ``scenario`` round by round with :meth:`negsim.Simulation.step` and record it.

    Besides the engine's inboxes, sent messages and events, the record holds what every
    agent's doctrine returned before validation (through pluggy's hook-call
    monitoring) and the inbox its view held. A plugin exception does not propagate: it
    ends the record (:attr:`RunRecord.error`). Neither does a run that takes longer than
    ``timeout`` seconds, or a hook call of an agent that takes longer than
    ``decision_timeout`` (:attr:`RunRecord.timed_out`).

    Args:
        scenario: The scenario.
        seed: The seed; the scenario's when ``None``.
        registry: The plugins.
        timeout: Seconds allowed for the run; ``None`` for no limit. Enforced with
            ``SIGALRM`` in the main thread on POSIX systems only.
        decision_timeout: Seconds allowed for each hook call of an agent
            (:hook:`negsim_agent_start`, :hook:`negsim_update_beliefs`,
            :hook:`negsim_honour`, :hook:`negsim_decide`) or of a negotiation protocol;
            ``None`` for no limit of its own. Enforced like ``timeout``.
        watch: Note every use, during those hook calls, of randomness or time that is
            not the caller's own stream (:attr:`RunRecord.hidden`).
        statics: Comparative statics to probe, by doctrine: each decision of an agent
            using that doctrine is made again with each declared parameter raised
            (:attr:`RunRecord.statics`).
    """
    started = _monotonic()
    sim = Simulation(scenario, seed=seed, registry=registry)
    moves: dict[str, tuple[object, ...]] = {}
    seen: dict[str, tuple[Message, ...]] = {}
    observed: dict[str, tuple[Event, ...]] = {}
    where: list[str] = ["set-up"]
    watcher = Watch() if watch else None
    hidden: list[str] = []
    prober = Prober(scenario, registry, statics) if statics else None
    timing = decision_timeout is not None and decision_timeout > 0 and _alarm_usable()
    clock: dict[str, Any] = {"start": None, "left": 0.0, "own": False}
    tokens: list[tuple[object, object]] = []

    def before(name: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]) -> None:
        if prober is not None and prober.probing:
            return
        view = kwargs.get("view")
        agent = kwargs.get("agent")
        who = view.agent.id if view is not None else getattr(agent, "id", None)
        where[0] = name + (f" for agent {who!r}" if who else "")
        if name == "negsim_decide" and view is not None:
            seen[view.agent.id] = view.inbox
            observed[view.agent.id] = view.observed
            if prober is not None:
                prober.before(view)
        if name not in _AGENT_HOOKS:
            return
        if timing:
            assert decision_timeout is not None
            left, _ = signal.getitimer(signal.ITIMER_REAL)
            own = left == 0 or decision_timeout < left
            clock.update(start=_monotonic(), left=left, own=own)
            signal.setitimer(signal.ITIMER_REAL, decision_timeout if own else left)
        if watcher is not None:
            tokens.append(watcher.begin())

    def after(
        outcome: Any, name: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]
    ) -> None:
        if prober is not None and prober.probing:
            return
        if name in _AGENT_HOOKS:
            if watcher is not None and tokens:
                used = watcher.end(tokens.pop())
                if used:
                    hidden.append(f"{_blame(scenario, name, impls, kwargs)}: " + "; ".join(used))
            if isinstance(outcome.exception, _Timeout):
                return
            if timing and clock["start"] is not None:
                left, began = clock["left"], clock["start"]
                clock["start"] = None
                spent = _monotonic() - began
                signal.setitimer(signal.ITIMER_REAL, max(left - spent, 1e-3) if left else 0)
        if name == "negsim_decide" and outcome.exception is None:
            view = kwargs["view"]
            made = _as_moves(outcome.get_result())
            moves[view.agent.id] = made
            if prober is not None:
                prober.after(view, made)

    rounds: list[RoundRecord] = []
    start_events: tuple[Event, ...] = ()
    result: Result | None = None
    error: BaseException | None = None
    timed_out = False
    expired = False
    undo = registry.monitor(before, after)
    started_ok = False
    try:
        with (
            _deadline(timeout, armed=timing),
            watcher.installed() if watcher is not None else contextlib.nullcontext(),
        ):
            start_events = sim.start()
            started_ok = True
            while not sim.done:
                moves.clear()
                seen.clear()
                observed.clear()
                events = sim.step()
                rounds.append(
                    RoundRecord(
                        round=sim.round,
                        inboxes=freeze(sim.inboxes),
                        seen=freeze(seen),
                        moves=freeze(moves),
                        sent=sim.sent,
                        events=events,
                        world=sim.world,
                        observed=freeze(observed),
                    )
                )
            where[0] = "the end of the run"
            result = sim.result()
    except _Timeout:
        timed_out = True
        expired = clock["start"] is not None and bool(clock["own"])
    except Exception as exc:
        error = exc
    finally:
        undo()
        if watcher is not None:
            watcher.watching = False
    stopped = ""
    if timed_out or error is not None:
        stopped = f"{where[0]} in round {len(rounds) + 1 if started_ok else 0}"
    return RunRecord(
        scenario=scenario,
        seed=sim.seed,
        start_events=start_events,
        rounds=tuple(rounds),
        result=result,
        error=error,
        timed_out=timed_out,
        where=stopped,
        seconds=_monotonic() - started,
        decision_timeout=decision_timeout,
        decision_expired=expired,
        hidden=tuple(hidden),
        statics=tuple(prober.problems) if prober is not None else (),
    )
