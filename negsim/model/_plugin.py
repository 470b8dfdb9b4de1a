"""What a plugin declares about itself: its role and its parameters."""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from negsim.model._agents import ParamValue

__all__ = ["ParamSpec", "PluginRole", "PluginSpec"]


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
    """

    name: str
    default: ParamValue
    doc: str
    low: float | None = None
    high: float | None = None
    source: str = "assumption"

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
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if self.low is not None and value < self.low:
                return f"must be >= {self.low}: {value!r}"
            if self.high is not None and value > self.high:
                return f"must be <= {self.high}: {value!r}"
        return None


def _params(value: Iterable[ParamSpec]) -> tuple[ParamSpec, ...]:
    return tuple(value)


@attrs.frozen
class PluginSpec:
    """A plugin's declaration, returned by its :hook:`negsim_plugin_spec`.

    Attributes:
        role: What the plugin is for.
        summary: One line for ``negsim plugins``.
        params: The parameters it reads, with defaults and ranges.
    """

    role: PluginRole = attrs.field(converter=PluginRole)
    summary: str = ""
    params: tuple[ParamSpec, ...] = attrs.field(default=(), converter=_params)

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
