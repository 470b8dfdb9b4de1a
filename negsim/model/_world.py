"""The world state: boolean facts and numeric variables."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from negsim.model._frozen import FrozenMap, frozen_map

__all__ = ["WorldState"]


def _facts(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


@attrs.frozen
class WorldState:
    """The state of the world at the start of a round.

    Attributes:
        round: The round this state opens (0 before the first round).
        facts: Ground atoms that are true, in canonical form (``attacked(ROK)``); all
            others are false.
        variables: Named numbers (``escalation_risk``, ``territory_held(DPRK,ROK)``).
    """

    round: int = 0
    facts: frozenset[str] = attrs.field(factory=frozenset, converter=_facts)
    variables: FrozenMap[str, float] = attrs.field(factory=FrozenMap, converter=frozen_map)

    def holds(self, fact: str) -> bool:
        """Whether the ground atom ``fact`` is true."""
        return fact in self.facts

    def value(self, name: str, default: float = 0.0) -> float:
        """The variable ``name``, or ``default`` when unset."""
        return self.variables.get(name, default)
