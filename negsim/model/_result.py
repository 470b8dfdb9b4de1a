"""What a run produces: outcome, event log, final commitments, metrics, provenance."""

from __future__ import annotations

import attrs

from negsim.model._commitments import Commitment
from negsim.model._events import Event, as_outcome
from negsim.model._frozen import FrozenMap, as_tuple, frozen_map
from negsim.model._html import html_table
from negsim.model._world import WorldState

__all__ = ["Adjudication", "PluginInfo", "Provenance", "Result"]


@attrs.frozen
class Adjudication:
    """What the world rules return for a round: the next world state and its events."""

    world: WorldState
    events: tuple[Event, ...] = attrs.field(default=(), converter=as_tuple)


@attrs.frozen
class PluginInfo:
    """An installed plugin: its registered name, role and the distribution that ships it.

    Attributes:
        name: The name scenarios use (the entry-point name).
        role: ``doctrine``, ``modifier``, ``world`` or ``observer``.
        distribution: The distribution that installed it (``negsim``), or ``""`` when
            registered in-process.
        version: That distribution's version, or ``""``.
        summary: One line from its spec.
    """

    name: str
    role: str
    distribution: str = ""
    version: str = ""
    summary: str = ""


@attrs.frozen
class Provenance:
    """Everything needed to reproduce a run.

    Attributes:
        negsim_version: The negsim version that ran it.
        scenario: The scenario name.
        scenario_digest: SHA-256 of the scenario as run (after overrides), first 16 hex digits.
        seed: The run's seed.
        overrides: The overrides applied, as ``path=value`` strings.
        plugins: The plugins that took part, sorted by name.
    """

    negsim_version: str
    scenario: str
    scenario_digest: str
    seed: int
    overrides: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)
    plugins: tuple[PluginInfo, ...] = attrs.field(default=(), converter=as_tuple)


@attrs.frozen(repr=False)
class Result:
    """The result of one run.

    Attributes:
        outcome: How the run ended: one of the outcome classes its world rules declare.
        reason: Why the world rules classified it so.
        rounds: Rounds played.
        events: The full event log, in order.
        commitments: Every commitment in its final state, sorted by id.
        world: The final world state.
        metrics: Named numbers from the metrics hooks.
        provenance: Versions, seed and overrides.

    Its ``repr`` is one short line; the events are in :attr:`events`.
    """

    outcome: str = attrs.field(converter=as_outcome)
    reason: str
    rounds: int
    events: tuple[Event, ...] = attrs.field(converter=as_tuple)
    commitments: tuple[Commitment, ...] = attrs.field(converter=as_tuple)
    world: WorldState
    metrics: FrozenMap[str, float] = attrs.field(factory=FrozenMap, converter=frozen_map)
    provenance: Provenance | None = None

    def __repr__(self) -> str:
        p = self.provenance
        where = f", scenario={p.scenario!r}, seed={p.seed}" if p is not None else ""
        return (
            f"negsim.Result(outcome={str(self.outcome)!r}, rounds={self.rounds}, "
            f"events={len(self.events)}{where})"
        )

    def _repr_html_(self) -> str:
        """A short HTML table for notebooks: outcome, reason, rounds, metrics, provenance."""
        rows = [
            ("outcome", str(self.outcome)),
            ("reason", self.reason),
            ("rounds", str(self.rounds)),
            ("events", str(len(self.events))),
        ]
        rows += [(f"metric {k}", f"{v:g}") for k, v in sorted(self.metrics.items())]
        p = self.provenance
        if p is not None:
            rows += [("scenario", p.scenario), ("seed", str(p.seed))]
            rows += [("overrides", "; ".join(p.overrides))] if p.overrides else []
            rows += [("negsim", p.negsim_version)]
        return html_table("negsim.Result", rows)

    def events_of(self, kind: type[Event]) -> tuple[Event, ...]:
        """The events of one type, in order."""
        return tuple(e for e in self.events if isinstance(e, kind))
