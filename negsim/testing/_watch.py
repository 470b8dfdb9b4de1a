"""Watching an agent's hook calls for randomness and time that are not its own.

A decision may use its agent's stream (``view.rng``, the ``rng`` argument) and nothing
else that varies: not the process-wide generators of :mod:`random` or ``numpy.random``,
not the clock, not the operating system's entropy. :class:`Watch` notices each, during
the hook calls it is told about:

* the global generators, by their state: a call that leaves it changed drew from it,
  however the function was imported (``from random import random`` included), even
  when the number drawn happened not to change what the agent did;
* the clock and the entropy, by wrapping the functions a doctrine reaches them through
  (``time.time`` and its siblings, ``os.urandom``, :class:`random.SystemRandom`, which
  :mod:`secrets` and ``numpy.random.default_rng()`` use, and a :class:`random.Random`
  seeded from nothing). A name imported before the watch began (``from time import
  time`` at a module's top) is the original function and is not seen; the global
  generators are.

Hand-written rather than borrowed: no library watches a callee's use of these sources,
and hypothesis's own check (it warns when the global generator is used *between*
examples) cannot tell which agent or hook drew.
"""

from __future__ import annotations

import contextlib
import os
import random
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["Watch"]

_CLOCKS = (
    "time",
    "time_ns",
    "monotonic",
    "monotonic_ns",
    "perf_counter",
    "perf_counter_ns",
    "process_time",
    "process_time_ns",
)


class Watch:
    """Notes the sources of randomness and time used during watched calls.

    Use :meth:`installed` around the run, and :meth:`begin` / :meth:`end` around each
    call to watch.
    """

    def __init__(self) -> None:
        self.watching = False
        self._used: list[str] = []
        self._thread = threading.get_ident()

    def _note(self, what: str) -> None:
        # only the watched call's own thread: another thread's clock is not the agent's
        if self.watching and what not in self._used and threading.get_ident() == self._thread:
            self._used.append(what)

    def _wrap(self, what: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def watched(*args: Any, **kwargs: Any) -> Any:
            self._note(what)
            return function(*args, **kwargs)

        return watched

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        """Wrap the clock and entropy functions for the block (restored afterwards)."""
        saved: list[tuple[object, str, object]] = []

        def patch(owner: object, name: str, what: str) -> None:
            original = getattr(owner, name, None)
            if original is None:
                return
            saved.append((owner, name, original))
            setattr(owner, name, self._wrap(what, original))

        for name in _CLOCKS:
            patch(time, name, f"read the clock (time.{name})")
        patch(os, "urandom", "drew from the operating system's entropy (os.urandom)")
        for name in ("random", "getrandbits"):
            patch(random.SystemRandom, name, "drew from random.SystemRandom (or secrets)")
        original_seed = random.Random.seed

        def seed(rng: random.Random, a: Any = None, version: int = 2) -> None:
            if a is None and type(rng) is not random.SystemRandom:
                self._note("made a random.Random seeded from nothing (random.Random())")
            original_seed(rng, a, version)

        saved.append((random.Random, "seed", original_seed))
        random.Random.seed = seed  # type: ignore[method-assign,assignment]
        try:
            yield
        finally:
            for owner, name, original in reversed(saved):
                setattr(owner, name, original)

    def begin(self) -> tuple[object, object]:
        """Start watching a call; returns what :meth:`end` compares with."""
        self._used.clear()
        self._thread = threading.get_ident()
        self.watching = True
        return random.getstate(), _numpy_state()

    def end(self, token: tuple[object, object]) -> list[str]:
        """Stop watching; what the call used, in words (empty: nothing)."""
        self.watching = False
        used = list(self._used)
        state, np_state = token
        if random.getstate() != state:
            used.insert(0, "drew from the global random generator (the random module's functions)")
        if _numpy_state() != np_state:
            used.insert(0, "drew from numpy's global generator (numpy.random's functions)")
        self._used.clear()
        return used


def _numpy_state() -> object:
    numpy = sys.modules.get("numpy")
    if numpy is None:
        return None
    _, keys, pos, *_ = numpy.random.get_state(legacy=True)
    return int(pos), int(keys[0]), int(keys[-1])
