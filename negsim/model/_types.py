"""Agents' private types and the public priors over them (Harsanyi 1967-68).

A *type* is one thing an agent may privately be: a name and the parameter values it
implies (``resolute`` with ``resolve = 0.9``). A *prior* is the public distribution over
an agent's types, which the scenario holds; each agent's true type is drawn from its
prior at the start of a run, from the agent's own random stream (:func:`draw`).

A prior is one of:

* :class:`DiscretePrior`: named types, each with its probability;
* :class:`UniformPrior`, :class:`NormalPrior` (optionally truncated) or
  :class:`TriangularPrior`: a distribution over the value of one parameter, discretised
  into ``points`` equally likely types at the midpoints of equal quantile bins, named
  ``"<param>=<value>"``.

Every prior exposes its types, in a fixed order, as ``prior.types``.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Mapping
from statistics import NormalDist, StatisticsError
from typing import Any

import attrs

from negsim.model._frozen import FrozenMap, as_tuple, frozen_map
from negsim.model._values import ParamValue

__all__ = [
    "AgentType",
    "DiscretePrior",
    "NormalPrior",
    "Prior",
    "TriangularPrior",
    "UniformPrior",
    "draw",
]

_TOLERANCE = 1e-9
_DEFAULT_POINTS = 21
_STANDARD_NORMAL = NormalDist()
_SQRT2 = math.sqrt(2.0)


# -- validators ------------------------------------------------------------------------


def _non_empty(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{attribute.name!r} must be a non-empty string: {value!r}")


def _finite(instance: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{attribute.name!r} must be a finite number: {value!r}")


def _probability(instance: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name!r} must be between 0 and 1: {value!r}")


def _points(instance: Any, attribute: attrs.Attribute[Any], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{attribute.name!r} must be an int >= 1: {value!r}")


def _optional_float(value: float | None) -> float | None:
    return None if value is None else float(value)


def _standard_normal_cdf(z: float) -> float:
    """The standard normal CDF through ``erfc``, precise far into the lower tail.

    ``NormalDist.cdf`` computes ``(1 + erf(z / sqrt 2)) / 2``, which loses the lower
    tail to cancellation (2% off at ``z = -8``); its ``inv_cdf`` is precise there.
    """
    return 0.5 * math.erfc(-z / _SQRT2)


def _check_quantile(q: float) -> None:
    if not 0.0 < q < 1.0:
        raise ValueError(f"'q' must be strictly between 0 and 1: {q!r}")


# -- types -----------------------------------------------------------------------------


@attrs.frozen
class AgentType:
    """One type an agent may privately be: a name and the parameter values it implies.

    Attributes:
        name: Unique among the types of one prior (``resolute``, ``c=0.125``).
        params: The parameter values this type implies (``{"resolve": 0.9}``).
        probability: Its prior probability, between 0 and 1.

    >>> AgentType("resolute", {"resolve": 0.9}, 0.25)
    AgentType(name='resolute', params=FrozenMap({'resolve': 0.9}), probability=0.25)
    """

    name: str = attrs.field(validator=_non_empty)
    params: FrozenMap[str, ParamValue] = attrs.field(converter=frozen_map)
    probability: float = attrs.field(converter=float, validator=_probability)


def _value_name(value: ParamValue) -> str:
    return f"{value:.12g}" if isinstance(value, float) else str(value)


@attrs.frozen
class DiscretePrior:
    """A prior over named types, each with its own probability.

    Attributes:
        types: The types, in the order in which they are drawn and reported. At least
            one; names unique; every type sets the same parameters; probabilities sum
            to 1 within 1e-9.

    >>> prior = DiscretePrior(
    ...     [
    ...         AgentType("resolute", {"resolve": 0.9}, 0.3),
    ...         AgentType("bluffing", {"resolve": 0.2}, 0.7),
    ...     ]
    ... )
    >>> [t.name for t in prior.types]
    ['resolute', 'bluffing']
    """

    types: tuple[AgentType, ...] = attrs.field(converter=as_tuple)

    @types.validator
    def _check_types(self, attribute: attrs.Attribute[Any], value: tuple[AgentType, ...]) -> None:
        if not value:
            raise ValueError("'types' must hold at least one type: ()")
        names = [t.name for t in value]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"'types' must have unique names; repeated: {duplicates}")
        keys = sorted(value[0].params)
        for t in value[1:]:
            if sorted(t.params) != keys:
                raise ValueError(
                    f"every type must set the same parameters: {value[0].name!r} sets "
                    f"{keys}, {t.name!r} sets {sorted(t.params)}"
                )
        total = math.fsum(t.probability for t in value)
        if abs(total - 1.0) > _TOLERANCE:
            listed = ", ".join(f"{t.name}={t.probability!r}" for t in value)
            raise ValueError(
                f"the probabilities of 'types' must sum to 1 (within {_TOLERANCE:g}): "
                f"{total!r} ({listed})"
            )

    @classmethod
    def over(cls, param: str, probabilities: Mapping[ParamValue, float]) -> DiscretePrior:
        """A prior over the values of one parameter: one type per value, named ``param=value``.

        Args:
            param: The parameter whose value each type sets.
            probabilities: The probability of each value, in the order the types take.

        Returns:
            The prior, its types in the order of ``probabilities``.

        >>> prior = DiscretePrior.over("resolve", {0.2: 0.5, 0.9: 0.5})
        >>> [(t.name, t.params["resolve"]) for t in prior.types]
        [('resolve=0.2', 0.2), ('resolve=0.9', 0.9)]
        """
        return cls(
            AgentType(f"{param}={_value_name(value)}", {param: value}, probability)
            for value, probability in probabilities.items()
        )


def _discretise(
    param: str, quantile: Callable[[float], float], points: int
) -> tuple[AgentType, ...]:
    """``points`` equally likely types at the quantile midpoints ``(i + 1/2) / points``."""
    try:
        values = [quantile((i + 0.5) / points) for i in range(points)]
    except StatisticsError as error:  # a quantile of 0 or 1 after rounding
        raise ValueError(f"cannot discretise the prior of {param!r}: {error}") from None
    names = [f"{param}={_value_name(v)}" for v in values]
    if any(b <= a for a, b in itertools.pairwise(values)) or len(set(names)) < points:
        raise ValueError(
            f"'points' ({points}) is too many for the spread of the prior of {param!r}: "
            f"neighbouring types would share a value, or a name (the value to 12 significant "
            f"digits); use fewer points"
        )
    probability = 1.0 / points
    return tuple(
        AgentType(name, {param: value}, probability)
        for name, value in zip(names, values, strict=True)
    )


@attrs.frozen
class UniformPrior:
    """A uniform prior over one parameter between ``low`` and ``high``, discretised.

    Attributes:
        param: The parameter whose value each type sets.
        low: The smallest value; finite.
        high: The largest value; finite and greater than ``low``.
        points: How many equally likely types it is discretised into, at the midpoints
            of ``points`` equal quantile bins; >= 1.
        types: The discretised types, named ``"<param>=<value>"`` (computed, not an
            argument).

    >>> [t.name for t in UniformPrior("c", 0.0, 1.0, points=4).types]
    ['c=0.125', 'c=0.375', 'c=0.625', 'c=0.875']
    """

    param: str = attrs.field(validator=_non_empty)
    low: float = attrs.field(converter=float, validator=_finite)
    high: float = attrs.field(converter=float, validator=_finite)
    points: int = attrs.field(default=_DEFAULT_POINTS, validator=_points)
    types: tuple[AgentType, ...] = attrs.field(init=False, eq=False, repr=False)

    @high.validator
    def _check_high(self, attribute: attrs.Attribute[float], value: float) -> None:
        if not value > self.low:
            raise ValueError(f"'high' must be greater than 'low' ({self.low!r}): {value!r}")

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "types", _discretise(self.param, self.quantile, self.points))

    def quantile(self, q: float) -> float:
        """The value below which a fraction ``q`` of the distribution lies (inverse CDF).

        Args:
            q: A probability strictly between 0 and 1.

        Returns:
            ``low + q * (high - low)``.
        """
        _check_quantile(q)
        return self.low + q * (self.high - self.low)


@attrs.frozen
class NormalPrior:
    """A normal prior over one parameter, optionally truncated to bounds, discretised.

    Attributes:
        param: The parameter whose value each type sets.
        mean: The mean of the untruncated normal; finite.
        sd: Its standard deviation; finite and > 0.
        low: The lower bound of the truncation, or ``None`` for none.
        high: The upper bound of the truncation, or ``None`` for none; greater than
            ``low``. The bounds must hold some probability.
        points: How many equally likely types it is discretised into, at the midpoints
            of ``points`` equal quantile bins of the truncated distribution; >= 1.
        types: The discretised types, named ``"<param>=<value>"`` (computed, not an
            argument).

    >>> [t.name for t in NormalPrior("resolve", 0.5, 0.1, points=3).types]
    ['resolve=0.40325784339', 'resolve=0.5', 'resolve=0.59674215661']
    """

    param: str = attrs.field(validator=_non_empty)
    mean: float = attrs.field(converter=float, validator=_finite)
    sd: float = attrs.field(converter=float, validator=_finite)
    low: float | None = attrs.field(default=None, converter=_optional_float)
    high: float | None = attrs.field(default=None, converter=_optional_float)
    points: int = attrs.field(default=_DEFAULT_POINTS, validator=_points)
    types: tuple[AgentType, ...] = attrs.field(init=False, eq=False, repr=False)

    @sd.validator
    def _check_sd(self, attribute: attrs.Attribute[float], value: float) -> None:
        if not value > 0.0:
            raise ValueError(f"'sd' must be > 0: {value!r}")

    @low.validator
    def _check_low(self, attribute: attrs.Attribute[float | None], value: float | None) -> None:
        if value is not None and math.isnan(value):
            raise ValueError(f"'low' must be a number or None: {value!r}")

    @high.validator
    def _check_high(self, attribute: attrs.Attribute[float | None], value: float | None) -> None:
        if value is not None and math.isnan(value):
            raise ValueError(f"'high' must be a number or None: {value!r}")
        if value is not None and self.low is not None and not value > self.low:
            raise ValueError(f"'high' must be greater than 'low' ({self.low!r}): {value!r}")

    def __attrs_post_init__(self) -> None:
        _, _, mass = self._standard_interval()
        if not mass > 0.0:
            raise ValueError(
                f"the bounds 'low' ({self.low!r}) and 'high' ({self.high!r}) hold no "
                f"probability of normal(mean={self.mean!r}, sd={self.sd!r}) that a float "
                f"can represent"
            )
        object.__setattr__(self, "types", _discretise(self.param, self.quantile, self.points))

    def _standard_interval(self) -> tuple[bool, float, float]:
        """Whether to mirror, and the standard-normal CDF at the lower bound and the mass.

        An interval above the mean is mirrored below it, where the CDF's small values
        keep their precision (``1 - 1e-17`` is not a float, ``1e-17`` is).
        """
        a = -math.inf if self.low is None else (self.low - self.mean) / self.sd
        b = math.inf if self.high is None else (self.high - self.mean) / self.sd
        mirror = a > 0.0
        if mirror:
            a, b = -b, -a
        lower = _standard_normal_cdf(a)
        return mirror, lower, _standard_normal_cdf(b) - lower

    def quantile(self, q: float) -> float:
        """The value below which a fraction ``q`` of the truncated distribution lies.

        Args:
            q: A probability strictly between 0 and 1.

        Returns:
            ``mean + sd * z``, where ``z`` is the standard normal's inverse CDF at
            ``Phi(a) + q * (Phi(b) - Phi(a))`` for the standardised bounds ``a`` and ``b``.
        """
        _check_quantile(q)
        mirror, lower, mass = self._standard_interval()
        if mirror:
            return self.mean - self.sd * _STANDARD_NORMAL.inv_cdf(lower + (1.0 - q) * mass)
        return self.mean + self.sd * _STANDARD_NORMAL.inv_cdf(lower + q * mass)


@attrs.frozen
class TriangularPrior:
    """A triangular prior over one parameter, from ``low`` through ``mode`` to ``high``.

    Attributes:
        param: The parameter whose value each type sets.
        low: The smallest value; finite.
        mode: The most likely value; between ``low`` and ``high``.
        high: The largest value; finite and greater than ``low``.
        points: How many equally likely types it is discretised into, at the midpoints
            of ``points`` equal quantile bins; >= 1.
        types: The discretised types, named ``"<param>=<value>"`` (computed, not an
            argument).

    >>> [t.name for t in TriangularPrior("c", 0.0, 0.5, 1.0, points=3).types]
    ['c=0.288675134595', 'c=0.5', 'c=0.711324865405']
    """

    param: str = attrs.field(validator=_non_empty)
    low: float = attrs.field(converter=float, validator=_finite)
    mode: float = attrs.field(converter=float, validator=_finite)
    high: float = attrs.field(converter=float, validator=_finite)
    points: int = attrs.field(default=_DEFAULT_POINTS, validator=_points)
    types: tuple[AgentType, ...] = attrs.field(init=False, eq=False, repr=False)

    @high.validator
    def _check_high(self, attribute: attrs.Attribute[float], value: float) -> None:
        if not value > self.low:
            raise ValueError(f"'high' must be greater than 'low' ({self.low!r}): {value!r}")
        if not self.low <= self.mode <= value:
            raise ValueError(
                f"'mode' must be between 'low' ({self.low!r}) and 'high' ({value!r}): {self.mode!r}"
            )

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "types", _discretise(self.param, self.quantile, self.points))

    def quantile(self, q: float) -> float:
        """The value below which a fraction ``q`` of the distribution lies (inverse CDF).

        Args:
            q: A probability strictly between 0 and 1.

        Returns:
            ``low + sqrt(q (high - low) (mode - low))`` below the mode's quantile
            ``(mode - low) / (high - low)``, ``high - sqrt((1 - q) (high - low) (high - mode))``
            from it on.
        """
        _check_quantile(q)
        low, mode, high = self.low, self.mode, self.high
        if q < (mode - low) / (high - low):
            return low + math.sqrt(q * (high - low) * (mode - low))
        return high - math.sqrt((1.0 - q) * (high - low) * (high - mode))


Prior = DiscretePrior | UniformPrior | NormalPrior | TriangularPrior
"""A public prior over an agent's types: discrete, or one parameter's discretised distribution."""


def draw(prior: Prior, rng: random.Random) -> AgentType:
    """Draw a true type from a prior, with one call to ``rng.random()``.

    The inverse CDF over the types in their declared order: the first type whose
    cumulative probability exceeds the uniform draw. A type of probability 0 is never
    drawn; a draw that falls beyond the last cumulative sum (which may be short of 1 by
    rounding) takes the last type of positive probability.

    Args:
        prior: The agent's prior.
        rng: The agent's own seeded stream.

    Returns:
        The drawn type.

    >>> prior = DiscretePrior.over("resolve", {0.2: 0.5, 0.9: 0.5})
    >>> draw(prior, random.Random(1)).name
    'resolve=0.2'
    """
    u = rng.random()
    cumulative = 0.0
    chosen = prior.types[0]
    for agent_type in prior.types:
        if agent_type.probability > 0.0:
            chosen = agent_type
            cumulative += agent_type.probability
            if u < cumulative:
                break
    return chosen
