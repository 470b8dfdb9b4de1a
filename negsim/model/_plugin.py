"""What a plugin declares about itself: its role and its parameters."""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from negsim.model._agents import ParamValue

__all__ = ["OutcomeSpec", "ParamSpec", "PluginRole", "PluginSpec"]


class PluginRole(enum.StrEnum):
    """What a plugin is for, which decides where its hooks are called."""

    DOCTRINE = "doctrine"
    """Decides for the agents that name it as their doctrine."""
    MODIFIER = "modifier"
    """Wraps or adjusts a doctrine for the agents that list it under ``modifiers``."""
    WORLD = "world"
    """Adjudicates actions and classifies outcomes, when a scenario names it."""
    OBSERVER = "observer"
    """Hears every run (metrics, logging); called for all agents and worlds."""
    PROTOCOL = "protocol"
    """Runs the negotiations a scenario declares with it: whose turn it is, what a move
    may be, when a text is agreed."""


@attrs.frozen
class ParamSpec:
    """One documented parameter of a doctrine or world-rules plugin.

    Attributes:
        name: The key in ``agents.<ID>.params`` (or ``world.params``).
        default: The value when a scenario does not set it; its type is the parameter's type.
        doc: Meaning, in one or two sentences.
        low: Smallest valid value (numbers only), or ``None``.
        high: Largest valid value (numbers only), or ``None``.
        source: Where the rule or value comes from (DOMAIN.md's sources), or ``"assumption"``.
        refine: A further check on a value of the right type and range: returns what is
            wrong with it, or ``None`` (for values with a structure of their own, such as
            an ordered list in a string).
        refers: What agent ids a string value names, checked against the scenario's
            agents when it loads: ``"agent"`` (one id, or empty for none), ``"agents"``
            (comma-separated ids, or empty), or ``""`` (the value names no agent).
    """

    name: str
    default: ParamValue
    doc: str
    low: float | None = None
    high: float | None = None
    source: str = "assumption"
    refine: Callable[[ParamValue], str | None] | None = attrs.field(
        default=None, eq=False, repr=False, kw_only=True
    )
    refers: str = attrs.field(
        default="", kw_only=True, validator=attrs.validators.in_(("", "agent", "agents"))
    )

    def check(self, value: object) -> str | None:
        """Return what is wrong with ``value`` for this parameter, or ``None`` if it is valid."""
        expected = type(self.default)
        if expected is bool:
            ok = isinstance(value, bool)
        elif expected in (int, float):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            if ok and expected is int and isinstance(value, float) and not value.is_integer():
                ok = False
        else:
            ok = isinstance(value, expected)
        if not ok:
            return f"expected {expected.__name__}, got {type(value).__name__} {value!r}"
        if isinstance(value, float) and not math.isfinite(value):
            if math.isnan(value):
                return f"expected a number, got {value!r}"
            if self.low is not None or self.high is not None:
                return f"expected a finite number in [{self.low}, {self.high}], got {value!r}"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if self.low is not None and value < self.low:
                return f"must be >= {self.low}: {value!r}"
            if self.high is not None and value > self.high:
                return f"must be <= {self.high}: {value!r}"
        if self.refine is not None:
            return self.refine(value)  # type: ignore[arg-type]
        return None

    def agent_ids(self, value: ParamValue) -> tuple[str, ...]:
        """The agent ids a value of this parameter names (see :attr:`refers`).

        Example:
            >>> ParamSpec("targets", "", "Targets.", refers="agents").agent_ids("ROK, JPN")
            ('ROK', 'JPN')
        """
        if not self.refers or not isinstance(value, str):
            return ()
        if self.refers == "agent":
            return (value.strip(),) if value.strip() else ()
        return tuple(v.strip() for v in value.split(",") if v.strip())


def _params(value: Iterable[ParamSpec]) -> tuple[ParamSpec, ...]:
    return tuple(value)


@attrs.frozen
class OutcomeSpec:
    """One outcome class a world-rules plugin declares.

    Attributes:
        name: The outcome's name, as results, summaries and plots show it
            (``fait_accompli``): lower case, digits and underscores.
        description: What it means, in a sentence.
    """

    name: str = attrs.field(validator=attrs.validators.matches_re(r"[a-z][a-z0-9_]*"))
    description: str


def _outcomes(value: Iterable[OutcomeSpec | tuple[str, str]]) -> tuple[OutcomeSpec, ...]:
    return tuple(v if isinstance(v, OutcomeSpec) else OutcomeSpec(*v) for v in value)


def _distinct(instance: object, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    names = [v.name for v in value]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"'{attribute.name}' declares {', '.join(map(repr, twice))} twice")


@attrs.frozen
class PluginSpec:
    """A plugin's declaration, returned by its :hook:`negsim_plugin_spec`.

    Attributes:
        role: What the plugin is for.
        summary: One line for ``negsim plugins``.
        params: The parameters it reads, with defaults and ranges.
        outcomes: For world rules, the outcome classes its runs can end in, in the
            order summaries and plots show them (pairs of name and description are
            converted). A world that declares none ends runs with the
            :class:`negsim.model.Outcome` names.
    """

    role: PluginRole = attrs.field(converter=PluginRole)
    summary: str = ""
    params: tuple[ParamSpec, ...] = attrs.field(default=(), converter=_params, validator=_distinct)
    outcomes: tuple[OutcomeSpec, ...] = attrs.field(
        default=(), converter=_outcomes, validator=_distinct
    )

    def param(self, name: str) -> ParamSpec:
        """The parameter ``name``.

        Raises:
            KeyError: No such parameter; the message lists the valid names.
        """
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"no parameter {name!r}; valid: {', '.join(p.name for p in self.params)}")

    @property
    def defaults(self) -> dict[str, ParamValue]:
        """Every parameter's default, by name."""
        return {p.name: p.default for p in self.params}
