"""Coverage: which stimuli the doctrine under test met, and how often.

A check is only as good as the situations it puts a doctrine in: a doctrine that never
received an offer was never checked on one. :class:`Coverage` counts, over every run
of a check, what the agents using the doctrine received and went through:

* each performative in their inboxes (``message:offer``, ``message:threaten``, ...),
  and messages that are moves in a negotiation (``negotiation move``);
* a threat without a ``demand``, an offer without one, and an access request
  (``request_support`` with ``access``);
* an attack on them, and a commitment of theirs that detached (``commitment detached``:
  a decision to honour or not).

A stimulus never met is a warning (:class:`CoverageWarning`); ``min_coverage`` makes a
shortfall an error (:class:`CoverageShortfall`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping

import attrs

from negsim.model import (
    ActionKind,
    ActionTaken,
    CommitmentChanged,
    CommitmentState,
    FrozenMap,
    Performative,
    Scenario,
    freeze,
)
from negsim.testing._record import RunRecord

__all__ = ["STIMULUS_KINDS", "Coverage", "CoverageShortfall", "CoverageWarning"]

STIMULUS_KINDS: tuple[str, ...] = (
    *(f"message:{p}" for p in Performative),
    "negotiation move",
    "threat without demand",
    "offer without demand",
    "access request",
    "attack on it",
    "commitment detached",
)
"""Every stimulus a :class:`Coverage` counts, in the order reports show them."""


class CoverageWarning(UserWarning):
    """A check never put the doctrine under test in front of some stimulus."""


class CoverageShortfall(AssertionError):
    """A check met some stimulus fewer times than ``min_coverage`` requires.

    Attributes:
        coverage: What the check met.
        missing: For each stimulus short, ``(met, required)``.
    """

    def __init__(self, message: str, coverage: Coverage, missing: Mapping[str, tuple[int, int]]):
        super().__init__(message)
        self.coverage = coverage
        self.missing = dict(missing)


@attrs.frozen
class Coverage:
    """How often the agents using a doctrine met each stimulus (:data:`STIMULUS_KINDS`).

    Attributes:
        doctrine: The doctrine.
        counts: Each stimulus met, with how often (every kind of :data:`STIMULUS_KINDS`
            is present, with 0 when never met).
        decisions: The decisions the doctrine made (calls of :hook:`negsim_decide`).
    """

    doctrine: str
    counts: FrozenMap[str, int]
    decisions: int = 0

    @property
    def never(self) -> tuple[str, ...]:
        """The stimuli never met."""
        return tuple(k for k, v in self.counts.items() if v == 0)

    def shortfall(self, minimum: int | Mapping[str, int]) -> dict[str, tuple[int, int]]:
        """The stimuli met fewer times than ``minimum`` (one number for all, or by kind).

        Raises:
            ValueError: ``minimum`` names a stimulus that is not counted.
        """
        wanted = dict.fromkeys(self.counts, minimum) if isinstance(minimum, int) else dict(minimum)
        unknown = sorted(set(wanted) - set(self.counts))
        if unknown:
            raise ValueError(
                f"min_coverage names unknown stimuli {unknown}; known: {', '.join(self.counts)}"
            )
        return {k: (self.counts[k], n) for k, n in wanted.items() if self.counts[k] < n}

    def table(self) -> str:
        """The counts as a two-column table, one stimulus a line."""
        width = max(len(k) for k in self.counts)
        lines = [f"stimuli met by doctrine {self.doctrine!r} in {self.decisions} decisions:"]
        lines += [
            f"  {k:<{width}}  {v:>5}" + ("  <- never" if v == 0 else "")
            for k, v in self.counts.items()
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


class Counting:
    """Adds up a plugin's stimuli over runs (what :class:`Coverage` reports).

    Args:
        plugin: The doctrine, modifier or protocol under test.
        whose: The agents whose stimuli count, given the scenario: by default those
            whose doctrine is ``plugin``.
    """

    def __init__(
        self, plugin: str, whose: Callable[[Scenario], Iterable[str]] | None = None
    ) -> None:
        self.doctrine = plugin
        self.whose = whose or (
            lambda scenario: (a.id for a in scenario.agents if a.doctrine == plugin)
        )
        self.counts: Counter[str] = Counter()
        self.decisions = 0

    def add(self, record: RunRecord) -> None:
        """Count the stimuli of one run."""
        mine = set(self.whose(record.scenario))
        if not mine:
            return
        c = self.counts
        for rr in record.rounds:
            self.decisions += sum(1 for a in rr.moves if a in mine)
            for agent in mine:
                for m in rr.seen.get(agent, ()):
                    if m.negotiation:
                        c["negotiation move"] += 1
                        continue
                    c[f"message:{m.performative}"] += 1
                    if m.performative is Performative.THREATEN and "demand" not in m.content:
                        c["threat without demand"] += 1
                    elif m.performative is Performative.OFFER and "demand" not in m.content:
                        c["offer without demand"] += 1
                    elif m.performative is Performative.REQUEST_SUPPORT and m.content.get("access"):
                        c["access request"] += 1
            for e in rr.events:
                if (
                    isinstance(e, ActionTaken)
                    and e.action.kind is ActionKind.ATTACK
                    and e.action.target in mine
                ):
                    c["attack on it"] += 1
                elif (
                    isinstance(e, CommitmentChanged)
                    and e.new is CommitmentState.DETACHED
                    and e.debtor in mine
                ):
                    c["commitment detached"] += 1

    def coverage(self) -> Coverage:
        """What was counted, every stimulus listed."""
        return Coverage(
            doctrine=self.doctrine,
            counts=freeze({k: self.counts.get(k, 0) for k in STIMULUS_KINDS}),
            decisions=self.decisions,
        )


def merged(parts: Iterable[Coverage]) -> Coverage:
    """Several coverages of one doctrine added up."""
    parts = list(parts)
    total: Counter[str] = Counter()
    for p in parts:
        total.update(p.counts)
    return Coverage(
        doctrine=parts[0].doctrine if parts else "",
        counts=freeze({k: total.get(k, 0) for k in STIMULUS_KINDS}),
        decisions=sum(p.decisions for p in parts),
    )
