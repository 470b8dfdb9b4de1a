"""Reputation: a state's record of honouring as evidence about its type.

Weisiger & Yarhi-Milo, IO 2015, find that states that backed down are challenged more
often later: beliefs carry over between crises. Here the carrying is Bayes' rule. A
state's public record (:class:`negsim.model.HonourRecord`) counts the earlier cases in
which the casus foederis of one of its commitments arrived, and whether it honoured
it. An observer that models each type's chance of honouring a past case, ``q(t)``,
reads the record as ``honoured`` successes and ``failed`` failures of that chance, so
its likelihood is ``q(t)**honoured * (1 - q(t))**failed`` (the order of the cases does
not matter). A past crisis is not this one (other leaders, other stakes), so the
likelihood is tempered by a weight ``w`` in [0, 1], as in the power prior of Ibrahim &
Chen, Statistical Science 2000: each past case counts as ``w`` of a case; ``w = 0``
ignores the record (the placebo), ``w = 1`` is plain Bayes' rule.
"""

from __future__ import annotations

from collections.abc import Callable

from negsim.model import AgentType, HonourRecord, ParamSpec

__all__ = ["RECORD_WEIGHT", "WEISIGER", "past_honour_chance", "record_likelihood"]

WEISIGER = "Weisiger & Yarhi-Milo, IO 2015 (past actions and reputation)"
"""Citation of reputation across crises, for parameter specs and rules."""

RECORD_WEIGHT = ParamSpec(
    "record_weight",
    1.0,
    "How much one past case of a state's record of honouring counts as evidence about its "
    "type (0: the record is ignored; 1: plain Bayes' rule).",
    0,
    1,
    f"{WEISIGER}; Ibrahim & Chen, Statistical Science 2000 (power prior); value an assumption",
)
"""The weight of one past case: a parameter of a doctrine that reads records."""


def past_honour_chance(stakes: float, margin: float) -> float:
    """The chance a helper honours a past case whose course the observer does not know.

    The helper honours when ``p_win*stakes + margin > 0`` (the support rule, with the
    terms that do not depend on the chance of winning in ``margin``); with the chance
    of winning in that case unknown and uniform on [0, 1], that happens with
    probability ``1 + margin/stakes``, clamped to [0, 1].

    Args:
        stakes: The helper's stakes (>= 0).
        margin: The rest of its support rule.

    Returns:
        The probability, in [0, 1].

    >>> past_honour_chance(4.0, -1.0)
    0.75
    >>> past_honour_chance(4.0, -5.0), past_honour_chance(4.0, 1.0)
    (0.0, 1.0)
    >>> past_honour_chance(0.0, -1.0), past_honour_chance(0.0, 1.0)
    (0.0, 1.0)
    """
    if stakes <= 0.0:
        return 1.0 if margin > 0.0 else 0.0
    return min(1.0, max(0.0, 1.0 + margin / stakes))


def record_likelihood(
    chance: Callable[[AgentType], float], record: HonourRecord, weight: float
) -> Callable[[AgentType], float]:
    """The likelihood of a record of honouring, as a function of the type.

    Args:
        chance: The probability that a state of a given type honours a past case.
        record: The record.
        weight: How much one case counts, in [0, 1] (:data:`RECORD_WEIGHT`).

    Returns:
        ``t -> (chance(t)**honoured * (1 - chance(t))**failed)**weight``; 1 for every
        type when the weight is 0.

    >>> from negsim.model import AgentType
    >>> likelihood = record_likelihood(lambda t: t.params["q"], HonourRecord(2, 1), 1.0)
    >>> round(likelihood(AgentType("firm", {"q": 0.8}, 0.5)), 6)  # 0.8 * 0.8 * 0.2
    0.128
    """
    h, f = weight * record.honoured, weight * record.failed

    def likelihood(t: AgentType) -> float:
        q = chance(t)
        value: float = q**h * (1.0 - q) ** f
        return value

    return likelihood
