"""A belief: one agent's discrete distribution over another agent's types.

Plain Python over a list of floats, updated in place by Bayes' rule; no new objects per
update (the design's "costs to keep").
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence

from negsim.model._types import (
    AgentType,
    DiscretePrior,
    NormalPrior,
    Prior,
    TriangularPrior,
    UniformPrior,
)

__all__ = ["Belief"]

_TOLERANCE = 1e-9
# Below this marginal the products p_i * l_i may have lost precision to underflow, and
# update() rescales the likelihoods by the largest of a possible type (see Belief.update).
_TINY = 2.0**-900
_SMALLEST = math.ulp(0.0)
_SHOWN = 4
_PRIORS = (DiscretePrior, UniformPrior, NormalPrior, TriangularPrior)


class Belief:
    """What one agent believes about another agent's type: a distribution over its types.

    A belief lives in the believing agent's private state. It starts from the public
    prior and is changed in place, by Bayes' rule, with each observation (:meth:`update`).

    Args:
        about: The id of the agent the belief is about.
        prior: The prior over that agent's types, or the types themselves (unique names).
        probabilities: The starting probabilities, in type order (non-negative, summing
            to 1 within 1e-9); by default each type's own ``probability``. They are
            normalised to sum to 1.

    Raises:
        ValueError: No types, repeated names, or probabilities of the wrong length, not
            finite and non-negative, or not summing to 1.

    >>> belief = Belief("PRK", DiscretePrior.over("resolve", {0.9: 0.3, 0.2: 0.7}))
    >>> belief
    Belief(about='PRK', {'resolve=0.9': 0.3, 'resolve=0.2': 0.7})
    >>> round(belief.update([0.9, 0.4]), 12)  # it mobilises: P(mobilise | type)
    0.55
    >>> round(belief.probability("resolve=0.9"), 6)  # 0.27 / 0.55
    0.490909
    """

    __slots__ = ("_about", "_buffer", "_index", "_names", "_p", "_types")

    _about: str
    _types: tuple[AgentType, ...]
    _names: tuple[str, ...]
    _index: dict[str, int]
    _p: list[float]
    _buffer: list[float]

    def __init__(
        self,
        about: str,
        prior: Prior | Sequence[AgentType],
        probabilities: Sequence[float] | None = None,
    ) -> None:
        if not isinstance(about, str) or not about:
            raise ValueError(f"'about' must be a non-empty string (an agent id): {about!r}")
        types = tuple(prior.types if isinstance(prior, _PRIORS) else prior)
        if not types:
            raise ValueError(f"a belief about {about} needs at least one type: ()")
        names = tuple(t.name for t in types)
        index = {name: i for i, name in enumerate(names)}
        if len(index) < len(names):
            repeated = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"the types of a belief about {about} repeat names: {repeated}")
        if probabilities is None:
            probabilities = [t.probability for t in types]
        elif len(probabilities) != len(types):
            raise ValueError(
                f"a belief about {about} needs one probability per type ({len(types)}): "
                f"got {len(probabilities)}"
            )
        for name, probability in zip(names, probabilities, strict=True):
            if not 0.0 <= probability < math.inf:
                raise ValueError(
                    f"the probability of type {name!r} in a belief about {about} must be "
                    f"finite and >= 0: {probability!r}"
                )
        total = math.fsum(probabilities)
        if abs(total - 1.0) > _TOLERANCE:
            raise ValueError(
                f"the probabilities of a belief about {about} must sum to 1 "
                f"(within {_TOLERANCE:g}): {total!r}"
            )
        self._about = about
        self._types = types
        self._names = names
        self._index = index
        self._p = [float(p) / total for p in probabilities]
        self._buffer = [0.0] * len(types)

    # -- updates ------------------------------------------------------------------------

    def update(self, likelihoods: Sequence[float]) -> float:
        """Condition the belief on an observation, in place, by Bayes' rule.

        With prior ``p`` and the likelihoods ``l`` (``l[i]`` the probability, or
        density, of the observation if the agent is of type ``i``), the belief becomes
        ``p[i] * l[i] / m`` with the marginal ``m = sum(p[j] * l[j])``. If ``m`` falls
        below ``2**-900``, where the products could have lost precision to underflow,
        they are recomputed with the likelihoods divided by the largest likelihood of a
        type of positive probability (which leaves the posterior unchanged).

        An observation that has probability 0 under every type (``m == 0`` even after
        that rescaling) leaves the belief unchanged and returns 0.0: Bayes' rule says
        nothing about it, and nothing is divided by zero. A possible observation never
        returns 0.0: a marginal below the smallest positive float is returned as that
        float.

        Args:
            likelihoods: One finite, non-negative number per type, in type order.

        Returns:
            The marginal probability (or density) of the observation under the belief
            before the update.

        Raises:
            ValueError: A likelihood is negative, infinite or NaN, or there are not
                exactly as many as types. The belief is then unchanged.
        """
        p = self._p
        if len(likelihoods) != len(p):
            raise ValueError(
                f"update of a belief about {self._about}: expected {len(p)} likelihoods, "
                f"one per type in the order {list(self._names)}: got {len(likelihoods)}"
            )
        total: float = sum(map(operator.mul, p, likelihoods))
        # A NaN or infinite likelihood makes the total NaN or infinite; a negative one
        # fails the min() test (when a NaN hides it from min(), the total is NaN).
        if not (min(likelihoods) >= 0.0 and _TINY <= total < math.inf):
            return self._update_rescaled(likelihoods)
        for i, likelihood in enumerate(likelihoods):
            p[i] = p[i] * likelihood / total
        return total

    def _update_rescaled(self, likelihoods: Sequence[float]) -> float:
        """:meth:`update` for a tiny or zero marginal, after checking every likelihood."""
        for name, likelihood in zip(self._names, likelihoods, strict=True):
            if not 0.0 <= likelihood < math.inf:
                raise ValueError(
                    f"update of a belief about {self._about}: the likelihood of type "
                    f"{name!r} must be finite and >= 0: {likelihood!r}"
                )
        p = self._p
        # The largest likelihood of a type that is still possible: the product of that
        # type's probability and 1 bounds the rescaled marginal from below.
        largest = max(
            (likelihood for prob, likelihood in zip(p, likelihoods, strict=True) if prob),
            default=0.0,
        )
        if largest == 0.0:
            return 0.0
        # Types of probability 0 are skipped: their likelihood / largest may overflow.
        total = 0.0
        for probability, likelihood in zip(p, likelihoods, strict=True):
            if probability:
                total += probability * (likelihood / largest)
        if total == 0.0:
            return 0.0
        for i, likelihood in enumerate(likelihoods):
            if p[i]:
                p[i] = p[i] * (likelihood / largest) / total
        return total * largest or _SMALLEST

    def update_with(self, likelihood: Callable[[AgentType], float]) -> float:
        """Condition the belief on an observation whose likelihood is a function of the type.

        Args:
            likelihood: The probability (or density) of the observation if the agent is
                of the given type; called once per type, in type order.

        Returns:
            The marginal probability of the observation, as :meth:`update` returns it.

        Raises:
            ValueError: As :meth:`update`.

        >>> belief = Belief("PRK", UniformPrior("c", 0.0, 1.0, points=4))
        >>> belief.update_with(lambda t: 1.0 - t.params["c"])  # costly to mobilise
        0.5
        >>> belief.probabilities
        (0.4375, 0.3125, 0.1875, 0.0625)
        """
        buffer = self._buffer
        for i, agent_type in enumerate(self._types):
            buffer[i] = likelihood(agent_type)
        return self.update(buffer)

    # -- queries ------------------------------------------------------------------------

    @property
    def about(self) -> str:
        """The id of the agent the belief is about."""
        return self._about

    @property
    def types(self) -> tuple[AgentType, ...]:
        """The types, in the order of :attr:`probabilities` and of the likelihoods."""
        return self._types

    @property
    def probabilities(self) -> tuple[float, ...]:
        """The current probability of each type, in type order."""
        return tuple(self._p)

    def __len__(self) -> int:
        """The number of types."""
        return len(self._p)

    def probability(self, name: str) -> float:
        """The current probability of the type called ``name``.

        Args:
            name: A type's name.

        Returns:
            Its probability.

        Raises:
            KeyError: No type has that name.
        """
        try:
            return self._p[self._index[name]]
        except KeyError:
            raise KeyError(
                f"a belief about {self._about} has no type {name!r}; "
                f"its types are {list(self._names)}"
            ) from None

    def expect(self, quantity: str | Callable[[AgentType], float]) -> float:
        """The expected value of a parameter, or of a function of the type, under the belief.

        Args:
            quantity: A parameter name (a numeric parameter that every type sets), or a
                function from a type to a number.

        Returns:
            ``sum(p[i] * value(type i))``.

        Raises:
            KeyError: A type does not set the named parameter.
            TypeError: A type's value of the parameter is not a number.

        >>> Belief("PRK", UniformPrior("c", 0.0, 1.0, points=4)).expect("c")
        0.5
        """
        if callable(quantity):
            return math.fsum(
                p * quantity(t) for p, t in zip(self._p, self._types, strict=True) if p
            )
        terms = []
        for p, agent_type in zip(self._p, self._types, strict=True):
            try:
                value = agent_type.params[quantity]
            except KeyError:
                raise KeyError(
                    f"type {agent_type.name!r} of a belief about {self._about} has no "
                    f"parameter {quantity!r}; it has {sorted(agent_type.params)}"
                ) from None
            if isinstance(value, str):
                raise TypeError(
                    f"parameter {quantity!r} of type {agent_type.name!r} is not a number: {value!r}"
                )
            terms.append(p * value)
        return math.fsum(terms)

    def probability_that(self, predicate: Callable[[AgentType], bool]) -> float:
        """The probability that the agent's type satisfies ``predicate``.

        Args:
            predicate: A test of a type.

        Returns:
            The sum of the probabilities of the types for which it is true.

        >>> belief = Belief("PRK", UniformPrior("c", 0.0, 1.0, points=4))
        >>> belief.probability_that(lambda t: t.params["c"] < 0.5)
        0.5
        """
        return math.fsum(p for p, t in zip(self._p, self._types, strict=True) if predicate(t))

    @property
    def most_likely(self) -> AgentType:
        """The type of highest probability (the first of them, in type order, on a tie)."""
        p = self._p
        return self._types[max(range(len(p)), key=p.__getitem__)]

    @property
    def entropy(self) -> float:
        """The Shannon entropy of the belief, in bits: 0 when certain, log2(n) when uniform."""
        return -math.fsum(p * math.log2(p) for p in self._p if p > 0.0) + 0.0

    # -- copies and records -------------------------------------------------------------

    def copy(self) -> Belief:
        """An independent copy: updating one leaves the other unchanged.

        Returns:
            A belief about the same agent, over the same types, with the same probabilities.
        """
        new = Belief.__new__(Belief)
        new._about = self._about
        new._types = self._types
        new._names = self._names
        new._index = self._index
        new._p = self._p.copy()
        new._buffer = [0.0] * len(self._p)
        return new

    def snapshot(self) -> tuple[tuple[str, float], ...]:
        """The belief now, as an immutable tuple of ``(type name, probability)`` pairs.

        Returns:
            One pair per type, in type order (for event logs; ``dict()`` of it reads by name).

        >>> Belief("PRK", DiscretePrior.over("resolve", {0.9: 0.3, 0.2: 0.7})).snapshot()
        (('resolve=0.9', 0.3), ('resolve=0.2', 0.7))
        """
        return tuple(zip(self._names, self._p, strict=True))

    def __repr__(self) -> str:
        p = self._p
        if len(p) <= _SHOWN:
            shown = ", ".join(f"{n!r}: {x:.3g}" for n, x in zip(self._names, p, strict=True))
            return f"Belief(about={self._about!r}, {{{shown}}})"
        best = self.most_likely
        return (
            f"Belief(about={self._about!r}, {len(p)} types, most likely {best.name!r} at "
            f"{self.probability(best.name):.3g}, entropy {self.entropy:.3g} bits)"
        )
