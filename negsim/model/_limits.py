"""The limits that keep a run, a sweep or a check bounded in time and memory.

Every limit has a default that no ordinary scenario comes near, a name, and a way to
change it: ``--limit NAME=VALUE`` on the command line (``run``, ``sweep``, ``check``)
or ``negsim.Limits(NAME=VALUE)`` in Python. A limit of ``0`` turns it off.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

__all__ = ["Limits"]


def _non_negative(instance: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"limit {attribute.name!r} must be a number >= 0 (0: off): {value!r}")
    if math.isinf(value):
        raise ValueError(f"limit {attribute.name!r} must be finite (0 turns it off): {value!r}")


def _field(default: float, doc: str) -> Any:
    return attrs.field(default=default, validator=_non_negative, metadata={"doc": doc})


@attrs.frozen
class Limits:
    """The limits of a run, a sweep and ``negsim check``; ``0`` turns a limit off.

    Attributes:
        run_seconds: Wall-clock seconds a run may take. Over it, the run stops with a
            :class:`negsim.errors.TimeLimitError` (exit 1; an error row in a sweep).
        decision_seconds: Seconds one hook call (a decision, an adjudication) may take.
        max_rounds: The largest ``max_rounds`` a scenario may ask for.
        max_agents: The most agents a scenario may hold.
        max_messages: The most moves (messages and actions) all agents may make in one
            round together.
        sweep_runs: The most runs a sweep may plan.
        check_atoms: The most distinct facts a proposition handed to the symbolic checks
            of ``negsim check`` may name (their cost grows exponentially with it).
        check_seconds: Wall-clock seconds ``negsim check`` may spend on its symbolic
            checks; over it, the report says what it finished.

    Example:
        >>> Limits(run_seconds=10).run_seconds
        10
        >>> Limits.parse(["max_rounds=500"]).max_rounds
        500
    """

    run_seconds: float = _field(300, "seconds one run may take")
    decision_seconds: float = _field(60, "seconds one hook call may take")
    max_rounds: int = _field(100_000, "largest max_rounds of a scenario")
    max_agents: int = _field(100_000, "most agents in a scenario")
    max_messages: int = _field(100_000, "most moves in one round, all agents together")
    sweep_runs: int = _field(10_000_000, "most runs a sweep may plan")
    check_atoms: int = _field(14, "most distinct facts in a proposition negsim check solves")
    check_seconds: float = _field(60, "seconds negsim check may spend on symbolic checks")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Every limit's name, in order."""
        return tuple(f.name for f in attrs.fields(cls))

    @classmethod
    def parse(cls, items: Iterable[str], base: Limits | None = None) -> Limits:
        """Limits from ``NAME=VALUE`` strings (the ``--limit`` option).

        Args:
            items: ``NAME=VALUE`` strings; ``VALUE`` a number, ``0`` or ``off`` for none.
            base: The limits to change; the defaults when ``None``.

        Raises:
            ValueError: An unknown name or a value that is not a number >= 0; the
                message lists the names.
        """
        changes: dict[str, Any] = {}
        names = cls.names()
        for item in items:
            name, sep, text = item.partition("=")
            name = name.strip()
            if not sep or name not in names:
                raise ValueError(
                    f"unknown limit {item!r}: expected NAME=VALUE; names: {', '.join(names)}"
                )
            text = text.strip().lower()
            try:
                number = 0.0 if text in ("off", "none") else float(text)
            except ValueError:
                raise ValueError(
                    f"limit {name}={text!r}: expected a number >= 0 (0 or 'off': no limit)"
                ) from None
            if not math.isfinite(number) or number < 0:
                raise ValueError(
                    f"limit {name}={text!r}: expected a finite number >= 0 (0 or 'off': no limit)"
                )
            default = attrs.fields_dict(cls)[name].default
            whole = isinstance(default, int) and number.is_integer()
            changes[name] = int(number) if whole else number
        return attrs.evolve(base or cls(), **changes)

    def as_dict(self) -> Mapping[str, float]:
        """The limits by name."""
        return attrs.asdict(self)

    def hint(self, name: str) -> str:
        """How to change the limit ``name``, for an error message."""
        return f"raise it with --limit {name}=N (0: no limit) or negsim.Limits({name}=N)"

    def exceeded(self, name: str, value: float) -> bool:
        """Whether ``value`` is over the limit ``name`` (never when it is off)."""
        limit = getattr(self, name)
        return bool(limit) and value > limit
