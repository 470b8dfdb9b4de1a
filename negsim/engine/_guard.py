"""A run's guard: its time limits, and telling a real Ctrl-C from a plugin's.

The time limits (:attr:`negsim.Limits.run_seconds`, :attr:`~negsim.Limits.decision_seconds`)
are held three ways, from cheapest to strongest:

1. after every hook call, the call's duration is compared with ``decision_seconds``;
2. after every round, the run's time is compared with ``run_seconds``;
3. while :meth:`negsim.Simulation.run` or :meth:`~negsim.Simulation.step` plays in the
   main thread of a POSIX process that has no ``SIGALRM`` handler of its own (``negsim
   run``, a serial sweep, every worker of the process pool), an interval timer ticks a
   few times a second and its handler stops a call that never returns, by raising
   inside it. Elsewhere (a Dask worker's thread, Windows) only 1 and 2 hold, and a
   decision that never returns is not stopped.

Only these checks read the clock, and only to stop a run: a run that finishes within
its limits never depends on the time it took (the determinism contract).

While the guard is on, ``SIGINT`` (Ctrl-C) and ``SIGTERM`` are noted before the
handlers already set (Python's, the CLI's) raise :class:`KeyboardInterrupt`: so a
``KeyboardInterrupt`` that a plugin raises itself is a plugin's failure, and a real
Ctrl-C still interrupts.

The standard library offers no per-call timeout for code running in the current thread
(``signal.alarm`` is one-shot and whole-second; ``concurrent.futures`` timeouts leave
the call running), hence this module.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from negsim.model import Limits

__all__ = ["Guard", "Overtime"]


class Overtime(BaseException):
    """Raised by the watchdog inside the running code (a time limit is exceeded).

    The engine turns it into a :class:`negsim.errors.TimeLimitError`. A
    :class:`BaseException`, so a plugin's ``except Exception`` does not swallow it.
    """


class Guard:
    """The time limits and the interrupt flag of one run.

    Args:
        limits: The limits; ``run_seconds`` and ``decision_seconds`` are read.
    """

    def __init__(self, limits: Limits) -> None:
        self.run_limit = float(limits.run_seconds)
        self.call_limit = float(limits.decision_seconds)
        self.spent = 0.0
        """Seconds spent inside :meth:`negsim.Simulation.run` / ``step`` so far."""
        self.since = 0.0
        """When the current ``run``/``step`` started (monotonic), or 0."""
        self.call_started = 0.0
        """When the current hook call started (monotonic), or 0 between calls."""
        self.interrupted = False
        """Whether a real ``SIGINT`` arrived while the guard was on."""
        self.which = ""
        """The limit the watchdog found exceeded: ``run_seconds`` or ``decision_seconds``."""
        self._saved: dict[int, Any] = {}
        self._depth = 0

    # -- on and off -------------------------------------------------------------------

    def on(self) -> None:
        """Start timing (nested calls count once); arm the watchdog where it can run."""
        self._depth += 1
        if self._depth > 1:
            return
        self.since = time.monotonic()
        self.interrupted = False
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(signum)
            if callable(previous):  # Python's Ctrl-C handler, or the CLI's SIGTERM one
                self._saved[signum] = signal.signal(signum, self._noting(previous))
        alarm = getattr(signal, "SIGALRM", None)
        tick = self._tick()
        if alarm is not None and tick and signal.getsignal(alarm) in (signal.SIG_DFL, None):
            self._saved[alarm] = signal.signal(alarm, self._on_alarm)
            signal.setitimer(signal.ITIMER_REAL, tick, tick)

    def off(self) -> None:
        """Stop timing; disarm the watchdog and give the signals back their handlers."""
        self._depth -= 1
        if self._depth > 0:
            return
        alarm = getattr(signal, "SIGALRM", None)
        if alarm is not None and alarm in self._saved:
            signal.setitimer(signal.ITIMER_REAL, 0)
        for signum, handler in self._saved.items():
            signal.signal(signum, handler)
        self._saved.clear()
        if self.since:
            self.spent += time.monotonic() - self.since
            self.since = 0.0

    def _tick(self) -> float:
        limits = [x for x in (self.run_limit, self.call_limit) if x > 0]
        return max(0.02, min(1.0, min(limits) / 5)) if limits else 0.0

    # -- the checks ------------------------------------------------------------------

    def elapsed(self) -> float:
        """Seconds the run has taken so far."""
        return self.spent + (time.monotonic() - self.since if self.since else 0.0)

    def run_over(self) -> bool:
        """Whether the run is over ``run_seconds``."""
        return self.run_limit > 0 and self.elapsed() > self.run_limit

    def call_over(self, started: float) -> bool:
        """Whether a call that started at ``started`` is over ``decision_seconds``."""
        return self.call_limit > 0 and time.monotonic() - started > self.call_limit

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        if not self._saved:  # disarmed while the signal was on its way
            return
        if self.run_over():
            self.which = "run_seconds"
            raise Overtime
        if self.call_started and self.call_over(self.call_started):
            self.which = "decision_seconds"
            raise Overtime

    def _noting(self, previous: Callable[[int, FrameType | None], Any]) -> Any:
        """``previous``, noting first that a real signal arrived."""

        def handler(signum: int, frame: FrameType | None) -> Any:
            self.interrupted = True
            return previous(signum, frame)

        return handler
