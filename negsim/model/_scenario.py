"""The scenario: everything a run starts from."""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

import attrs

from negsim.model._agents import Agent, Alliance, ParamValue
from negsim.model._commitments import Commitment
from negsim.model._frozen import FrozenMap, as_tuple, frozen_map
from negsim.model._html import html_table
from negsim.model._negotiation import Negotiation
from negsim.model._world import WorldState

__all__ = ["Scenario"]


def _by_id(value: Iterable[Agent]) -> tuple[Agent, ...]:
    return tuple(sorted(value, key=lambda a: a.id))


def _alliances(value: Iterable[Alliance]) -> tuple[Alliance, ...]:
    return tuple(sorted(value, key=lambda a: a.id))


def _commitments(value: Iterable[Commitment]) -> tuple[Commitment, ...]:
    return tuple(sorted(value, key=_ID))  # a large alliance has n(n-1): key in C


_ID = attrgetter("id")


def _negotiations(value: Iterable[Negotiation]) -> tuple[Negotiation, ...]:
    return tuple(sorted(value, key=lambda n: n.id))


@attrs.frozen(repr=False)
class Scenario:
    """A crisis set-up: states, alliances, treaty commitments and the opening world.

    Agents, alliances and commitments are kept sorted by id, so the order in a file
    never changes a run.

    Attributes:
        name: Short name.
        description: What the scenario represents, with sources.
        agents: The states.
        alliances: The alliances.
        commitments: Standing treaty commitments at the start.
        world: The opening world state.
        exclusions: Propositions that must always hold (mutual exclusions such as
            ``~(grants_access(JPN,USA) & denies_access(JPN,USA))``), used by analysis.
        world_rules: Name of the world-rules plugin that adjudicates actions.
        world_params: Parameters of the world rules.
        max_rounds: The run stops after this many rounds at the latest.
        seed: Default seed when a run is not given one.
        negotiations: The negotiations the scenario declares, sorted by id.
        overrides: The overrides that made this scenario from its file or from another
            scenario (:func:`negsim.apply_overrides`), as ``path=value`` strings, oldest
            first. :func:`negsim.simulate` records them in the run's provenance. They
            do not take part in equality: two scenarios with the same content are equal
            however they were made.

    Its ``repr`` is one short line (a scenario's full content can run to hundreds of
    thousands of characters); :func:`negsim.scenario.dump_scenario` gives all of it.
    """

    name: str
    agents: tuple[Agent, ...] = attrs.field(converter=_by_id)
    alliances: tuple[Alliance, ...] = attrs.field(default=(), converter=_alliances)
    commitments: tuple[Commitment, ...] = attrs.field(default=(), converter=_commitments)
    world: WorldState = attrs.field(factory=WorldState)
    exclusions: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)
    world_rules: str = "crisis"
    world_params: FrozenMap[str, ParamValue] = attrs.field(factory=FrozenMap, converter=frozen_map)
    max_rounds: int = attrs.field(default=20, validator=attrs.validators.ge(1))
    seed: int = 0
    description: str = ""
    negotiations: tuple[Negotiation, ...] = attrs.field(default=(), converter=_negotiations)
    overrides: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, eq=False)

    def __repr__(self) -> str:
        ids = self.agent_ids
        agents = ", ".join(ids[:6]) + (f", ... ({len(ids)} in all)" if len(ids) > 6 else "")
        extra = f", overrides={len(self.overrides)}" if self.overrides else ""
        return (
            f"negsim.Scenario(name={self.name!r}, agents=[{agents}], "
            f"alliances={len(self.alliances)}, commitments={len(self.commitments)}, "
            f"world_rules={self.world_rules!r}, max_rounds={self.max_rounds}{extra})"
        )

    def _repr_html_(self) -> str:
        """A short HTML table for notebooks: name, agents and doctrines, alliances."""
        rows = [
            ("agents", ", ".join(f"{a.id} ({a.doctrine})" for a in self.agents)),
            ("alliances", ", ".join(a.id for a in self.alliances) or "(none)"),
            ("commitments", str(len(self.commitments))),
            ("world rules", self.world_rules),
            ("max rounds", str(self.max_rounds)),
            ("seed", str(self.seed)),
        ]
        if self.overrides:
            rows.append(("overrides", "; ".join(self.overrides)))
        return html_table(f"negsim.Scenario {self.name}", rows)

    def agent(self, agent_id: str) -> Agent:
        """The agent with id ``agent_id``.

        Raises:
            KeyError: No such agent; the message lists the known ids.
        """
        for agent in self.agents:
            if agent.id == agent_id:
                return agent
        raise KeyError(f"no agent {agent_id!r}; known: {', '.join(a.id for a in self.agents)}")

    @property
    def agent_ids(self) -> tuple[str, ...]:
        """The agents' ids, sorted."""
        return tuple(a.id for a in self.agents)

    def alliances_of(self, agent_id: str) -> tuple[Alliance, ...]:
        """The alliances ``agent_id`` belongs to."""
        return tuple(al for al in self.alliances if agent_id in al.member_set)
