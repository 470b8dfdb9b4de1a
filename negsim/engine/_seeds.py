"""Seed derivation: independent, reproducible random streams from one seed.

A stream's seed is the first 8 bytes (big-endian) of
``SHA-256("negsim:<seed>:<part>:<part>...")``. Streams: ``("agent", <id>)`` for each
agent, ``("world",)`` for the world rules, and ``("run", <key>...)`` for the runs of a
sweep. SHA-256 does not depend on the process's string-hash seed, so neither does a run.
"""

from __future__ import annotations

import hashlib
import random

__all__ = ["derive_seed", "stream"]


def derive_seed(seed: int, *key: object) -> int:
    """A 64-bit seed for the stream ``key`` under ``seed``.

    Example:
        >>> derive_seed(7, "agent", "ROK") == derive_seed(7, "agent", "ROK")
        True
        >>> derive_seed(7, "agent", "ROK") != derive_seed(7, "agent", "JPN")
        True
    """
    text = ":".join(["negsim", str(seed), *map(str, key)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def stream(seed: int, *key: object) -> random.Random:
    """A :class:`random.Random` seeded with :func:`derive_seed`."""
    return random.Random(derive_seed(seed, *key))
