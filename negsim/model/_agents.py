"""Agents (states) and the alliances between them."""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from negsim.model._frozen import FrozenMap, as_tuple, frozen_map
from negsim.model._types import Prior
from negsim.model._validators import identifier, non_negative_values
from negsim.model._values import ParamValue

__all__ = [
    "Agent",
    "Alliance",
    "AllianceKind",
    "Capabilities",
    "DecisionRule",
    "HonourRecord",
    "ParamValue",
    "Proposal",
]


@attrs.frozen
class Capabilities:
    """What a state can bring to bear.

    Attributes:
        conventional: Conventional military power, in the scenario's units (an index, or
            brigades, as the scenario file says); >= 0.
        nuclear: Deliverable nuclear warheads; >= 0.
        forces_hosted: Foreign forces stationed on this state's territory, by the id of the
            state that owns them (``{"USA": 54000}`` for Japan); each >= 0. Troops: the
            crisis world spreads an owner's power over its hosts in proportion to them.
        distance_km: Distance from this state's territory (its own forces and those it
            hosts) to the theatre of the crisis, in km; >= 0. The crisis world turns it
            into days before forces based here arrive.
    """

    conventional: float = attrs.field(
        default=0.0, converter=float, validator=attrs.validators.ge(0)
    )
    nuclear: int = attrs.field(default=0, converter=int, validator=attrs.validators.ge(0))
    forces_hosted: FrozenMap[str, float] = attrs.field(
        factory=FrozenMap, converter=frozen_map, validator=non_negative_values
    )
    distance_km: float = attrs.field(default=0.0, converter=float, validator=attrs.validators.ge(0))


@attrs.frozen
class HonourRecord:
    """A state's public record of honouring its alliance commitments in earlier crises.

    Each case is a crisis in which the casus foederis of one of its commitments arrived
    (the commitment detached) and the state then honoured it or failed to. Others read
    the record as evidence about the state's type (Weisiger & Yarhi-Milo, IO 2015:
    states that backed down are challenged more often later).

    Attributes:
        honoured: Cases in which it honoured; >= 0.
        failed: Cases in which it failed to (backed down); >= 0.

    >>> HonourRecord(honoured=3, failed=1).cases
    4
    >>> HonourRecord(honoured=3, failed=1) + HonourRecord(failed=1)
    HonourRecord(honoured=3, failed=2)
    """

    honoured: int = attrs.field(default=0, converter=int, validator=attrs.validators.ge(0))
    failed: int = attrs.field(default=0, converter=int, validator=attrs.validators.ge(0))

    @property
    def cases(self) -> int:
        """The number of cases on the record."""
        return self.honoured + self.failed

    def __add__(self, other: HonourRecord) -> HonourRecord:
        """The two records together (this crisis's cases added to earlier ones)."""
        return HonourRecord(self.honoured + other.honoured, self.failed + other.failed)


@attrs.frozen
class Agent:
    """A state taking part in a crisis.

    Attributes:
        id: Short unique id used in propositions and messages (``ROK``).
        name: Display name (``Republic of Korea``).
        doctrine: Name of the doctrine plugin that makes this agent's decisions.
        modifiers: Names of modifier plugins wrapped around the doctrine, in order.
        params: The doctrine's parameters (defaults filled in by the loader).
        capabilities: Military means.
        prior: The public prior over the agent's private type, if it has one: the run
            draws its true type from it, and the type's parameter values take the place
            of ``params`` of the same name (see :attr:`negsim.AgentView.type`).
        record: Its public record of honouring in earlier crises, if the scenario gives
            one (others' beliefs about its type start from the prior moved by it).
    """

    id: str = attrs.field(validator=identifier)
    name: str
    doctrine: str
    modifiers: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)
    params: FrozenMap[str, ParamValue] = attrs.field(factory=FrozenMap, converter=frozen_map)
    capabilities: Capabilities = attrs.field(factory=Capabilities)
    prior: Prior | None = None
    record: HonourRecord | None = None

    @property
    def stack(self) -> tuple[str, ...]:
        """The plugin names that decide for this agent: doctrine first, then modifiers."""
        return (self.doctrine, *self.modifiers)

    def number(self, name: str) -> float:
        """The numeric parameter ``name``, as a float.

        Raises:
            TypeError: The parameter is not a number (a doctrine asking for the wrong
                kind: the loader has checked each value against its declared type).
        """
        value = self.params[name]
        if type(value) is float:
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"parameter {name!r} of {self.id} is not a number: {value!r}")
        return float(value)

    def whole(self, name: str) -> int:
        """The integer parameter ``name`` (a count of rounds, say).

        Raises:
            TypeError: The parameter is not a whole number.
        """
        value = self.number(name)
        if not value.is_integer():
            raise TypeError(f"parameter {name!r} of {self.id} is not whole: {value!r}")
        return int(value)

    def flag(self, name: str) -> bool:
        """The boolean parameter ``name``.

        Raises:
            TypeError: The parameter is not a boolean.
        """
        value = self.params[name]
        if not isinstance(value, bool):
            raise TypeError(f"parameter {name!r} of {self.id} is not a boolean: {value!r}")
        return value


class AllianceKind(enum.StrEnum):
    """How an alliance is built."""

    COLLECTIVE = "collective"
    """Every member is pledged to every other (NATO)."""
    BILATERAL = "bilateral"
    """Two states, often one of several spokes of a hub (U.S.-ROK, U.S.-Japan)."""


class DecisionRule(enum.StrEnum):
    """How an alliance reaches a collective decision on a proposal."""

    CONSENSUS = "consensus"
    """Every member must consent (NATO's North Atlantic Council)."""
    HUB = "hub"
    """The hub decides alone."""
    MAJORITY = "majority"
    """More than half of the members consent."""


def _sorted_members(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(value))


@attrs.frozen
class Alliance:
    """An alliance and its decision procedure.

    Attributes:
        id: Short unique id (``NATO``, ``US-JPN``).
        name: Display name.
        kind: Collective or bilateral.
        members: Member agent ids, sorted.
        decision_rule: How proposals are decided.
        hub: The hub's agent id, for hub-and-spoke alliances.
        silence_procedure: Under consensus, whether a proposal passes unless a member
            breaks silence (votes no) by the deadline.
        decision_deadline: Rounds a proposal stays open before it fails (or passes, under
            the silence procedure).
        abstention_share: Under consensus, the largest share of members that may
            abstain without blocking a decision (0: no member may abstain). A member
            that abstains lets the others decide and takes no part itself: the
            constructive abstention of the Treaty on European Union, Art. 31(1),
            where abstainers must stay under a third of the members.
    """

    id: str = attrs.field(validator=identifier)
    name: str
    kind: AllianceKind = attrs.field(converter=AllianceKind)
    members: tuple[str, ...] = attrs.field(converter=_sorted_members)
    decision_rule: DecisionRule = attrs.field(converter=DecisionRule)
    hub: str | None = None
    silence_procedure: bool = False
    decision_deadline: int = attrs.field(default=3, converter=int, validator=attrs.validators.ge(1))
    abstention_share: float = attrs.field(
        default=0.0,
        converter=float,
        validator=[attrs.validators.ge(0.0), attrs.validators.lt(1.0)],
    )

    @property
    def member_set(self) -> frozenset[str]:
        """The members as a set, for fast membership tests."""
        return frozenset(self.members)

    def may_abstain(self, abstaining: int) -> bool:
        """Whether ``abstaining`` members may abstain without blocking a decision.

        >>> Alliance("A", "A", "collective", ("X", "Y", "Z"), "consensus",
        ...          abstention_share=0.34).may_abstain(1)
        True
        """
        return abstaining <= self.abstention_share * len(self.members)


@attrs.frozen
class Proposal:
    """A proposal put to an alliance, with the votes cast so far.

    Attributes:
        id: Unique id (the proposing message's id unless it named one).
        alliance: The alliance deciding.
        decision: What would be decided (``collective_response``).
        proposer: Who proposed it.
        opened: The round it was proposed.
        deadline: The last round in which votes count.
        votes: Consent (``True``) or objection (``False``) by member id.
    """

    id: str
    alliance: str
    decision: str
    proposer: str
    opened: int
    deadline: int
    votes: FrozenMap[str, bool] = attrs.field(factory=FrozenMap, converter=frozen_map)
