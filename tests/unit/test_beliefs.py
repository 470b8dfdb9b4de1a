"""Tests of negsim.beliefs and of the types and priors of negsim.model._types.

Bayes' rule against hand-computed posteriors and, under hypothesis, against the closed
form computed exactly in fractions; the zero-probability rule; discretised priors against
the moments of the continuous distributions; draws against the probabilities; and the
messages of the validators.
"""

from __future__ import annotations

import math
import random
import re
import sys
from fractions import Fraction
from statistics import NormalDist

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from negsim.beliefs import Belief
from negsim.model._types import (
    AgentType,
    DiscretePrior,
    NormalPrior,
    TriangularPrior,
    UniformPrior,
    draw,
)


def two_types() -> DiscretePrior:
    return DiscretePrior(
        [
            AgentType("resolute", {"resolve": 0.9}, 0.3),
            AgentType("bluffing", {"resolve": 0.2}, 0.7),
        ]
    )


def three_types() -> DiscretePrior:
    return DiscretePrior(
        [
            AgentType("hawk", {"cost": 0.1}, 0.5),
            AgentType("dove", {"cost": 0.6}, 0.25),
            AgentType("owl", {"cost": 0.9}, 0.25),
        ]
    )


# -- Bayes' rule by hand -------------------------------------------------------------------


def test_update_two_types_by_hand():
    belief = Belief("PRK", two_types())
    # P(mobilise | resolute) = 0.9, P(mobilise | bluffing) = 0.4:
    # marginal 0.3*0.9 + 0.7*0.4 = 0.55; posterior 0.27/0.55 = 27/55, 0.28/0.55 = 28/55.
    marginal = belief.update([0.9, 0.4])
    assert marginal == pytest.approx(0.55, rel=1e-15)
    assert belief.probabilities == pytest.approx((27 / 55, 28 / 55), rel=1e-15)
    assert belief.probability("resolute") == pytest.approx(27 / 55, rel=1e-15)


def test_update_three_types_with_an_excluded_type_by_hand():
    belief = Belief("PRK", three_types())
    # likelihoods (0, 0.5, 1): marginal 0.5*0 + 0.25*0.5 + 0.25*1 = 0.375;
    # posterior (0, 0.125/0.375, 0.25/0.375) = (0, 1/3, 2/3).
    assert belief.update((0.0, 0.5, 1.0)) == pytest.approx(0.375, rel=1e-15)
    assert belief.probabilities == pytest.approx((0.0, 1 / 3, 2 / 3), rel=1e-15)
    assert belief.probabilities[0] == 0.0


def test_two_updates_multiply_by_hand():
    belief = Belief("PRK", three_types())
    belief.update([0.2, 0.5, 0.8])
    second = belief.update([0.9, 0.5, 0.1])
    # joint likelihoods (0.18, 0.25, 0.08), weighted (0.09, 0.0625, 0.02), total 0.1725;
    # second marginal = 0.1725 / first marginal (0.1 + 0.125 + 0.2 = 0.425).
    assert second == pytest.approx(0.1725 / 0.425, rel=1e-14)
    assert belief.probabilities == pytest.approx(
        (0.09 / 0.1725, 0.0625 / 0.1725, 0.02 / 0.1725), rel=1e-14
    )


def test_update_with_a_function_of_the_type():
    belief = Belief("PRK", UniformPrior("c", 0.0, 1.0, points=4))
    calls = []

    def likelihood(agent_type: AgentType) -> float:
        calls.append(agent_type.name)
        return 1.0 - float(agent_type.params["c"])

    # c = 1/8, 3/8, 5/8, 7/8, each 1/4; likelihoods 7/8, 5/8, 3/8, 1/8; marginal 1/2.
    assert belief.update_with(likelihood) == 0.5
    assert belief.probabilities == (7 / 16, 5 / 16, 3 / 16, 1 / 16)
    assert calls == ["c=0.125", "c=0.375", "c=0.625", "c=0.875"]


# -- the zero-probability rule and underflow -----------------------------------------------


@pytest.mark.parametrize(
    "likelihoods",
    [(0.0, 0.0, 0.0), (0.0, 0.0, 1.0)],
    ids=["impossible-under-every-type", "possible-only-for-a-type-of-probability-0"],
)
def test_an_impossible_observation_leaves_the_belief_unchanged(likelihoods):
    belief = Belief(
        "PRK",
        DiscretePrior(
            [
                AgentType("a", {}, 0.5),
                AgentType("b", {}, 0.5),
                AgentType("c", {}, 0.0),
            ]
        ),
    )
    assert belief.update(likelihoods) == 0.0
    assert belief.probabilities == (0.5, 0.5, 0.0)


def test_a_tiny_marginal_is_rescaled_not_lost_to_underflow():
    # The products 1e-320 and 2e-320 are subnormal: computed directly they would carry a
    # relative error of ~1e-4; rescaled by the largest likelihood they are exact to rounding.
    belief = Belief("PRK", [AgentType(n, {}, 0.0) for n in "abc"], [1e-20, 2e-20, 1 - 3e-20])
    marginal = belief.update([1e-300, 1e-300, 0.0])
    assert belief.probabilities == pytest.approx((1 / 3, 2 / 3, 0.0), rel=1e-14, abs=1e-300)
    assert marginal == pytest.approx(3e-320, rel=1e-2)


def test_a_possible_observation_never_returns_zero():
    # The marginal, 1e-200 * 1e-200, is below the smallest float; the belief still moves.
    belief = Belief("PRK", [AgentType("a", {}, 0.0), AgentType("b", {}, 0.0)], [1e-200, 1.0])
    marginal = belief.update([1e-200, 0.0])
    assert marginal == math.ulp(0.0)
    assert belief.probabilities == (1.0, 0.0)


def test_a_zero_probability_type_with_a_huge_likelihood_is_not_nan():
    belief = Belief("PRK", [AgentType("a", {}, 0.0), AgentType("b", {}, 0.0)], [1.0, 0.0])
    belief.update([1e-300, 1e300])
    assert belief.probabilities == (1.0, 0.0)


# -- invalid likelihoods -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("likelihoods", "message"),
    [
        (
            [0.5],
            "expected 2 likelihoods, one per type in the order ['resolute', 'bluffing']: got 1",
        ),
        ([0.5, 0.5, 0.5], "expected 2 likelihoods"),
        ([1.0, -0.5], "the likelihood of type 'bluffing' must be finite and >= 0: -0.5"),
        ([-1.0, 1.0], "the likelihood of type 'resolute' must be finite and >= 0: -1.0"),
        ([math.nan, -1.0], "the likelihood of type 'resolute' must be finite and >= 0: nan"),
        ([0.5, math.inf], "the likelihood of type 'bluffing' must be finite and >= 0: inf"),
    ],
)
def test_invalid_likelihoods_are_refused_and_leave_the_belief_unchanged(likelihoods, message):
    belief = Belief("PRK", two_types())
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        belief.update(likelihoods)
    assert "belief about PRK" in str(info.value)
    assert belief.probabilities == (0.3, 0.7)


def test_invalid_likelihood_from_a_function_is_refused():
    belief = Belief("PRK", two_types())
    with pytest.raises(ValueError, match=r"'bluffing' must be finite and >= 0: -0\.1"):
        belief.update_with(lambda t: -0.1 if t.name == "bluffing" else 0.5)
    assert belief.probabilities == (0.3, 0.7)


# -- Bayes' rule under hypothesis ----------------------------------------------------------

# Probabilities and likelihoods: any normal float (and 0). Likelihoods may exceed 1
# (densities). The prior's probabilities are weights normalised by their sum.
WEIGHTS = st.floats(0.0, 1.0, allow_subnormal=False)
LIKELIHOODS = st.floats(0.0, 1e3, allow_subnormal=False)
# The order test composes two updates, so it keeps products away from the float range's
# bottom (where an intermediate probability could become subnormal): probabilities and
# likelihoods are 0 or at least 1e-100.
MODERATE = st.one_of(st.just(0.0), st.floats(1e-100, 1.0))


@st.composite
def beliefs(pick, weights=WEIGHTS, max_types=8):
    ws = pick(st.lists(weights, min_size=1, max_size=max_types))
    assume(math.fsum(ws) > 0.0)
    total = math.fsum(ws)
    types = [AgentType(f"t{i}", {"x": float(i)}, 0.0) for i in range(len(ws))]
    return Belief("B", types, [w / total for w in ws])


@st.composite
def belief_and_likelihoods(pick, likelihoods=LIKELIHOODS, count=1):
    belief = pick(beliefs())
    n = len(belief)
    observations = [pick(st.lists(likelihoods, min_size=n, max_size=n)) for _ in range(count)]
    return belief, observations


def exact_posterior(prior, likelihoods):
    products = [Fraction(p) * Fraction(x) for p, x in zip(prior, likelihoods, strict=True)]
    marginal = sum(products, Fraction(0))
    if marginal == 0:
        return marginal, [Fraction(p) for p in prior]
    return marginal, [product / marginal for product in products]


@given(belief_and_likelihoods())
def test_update_equals_the_closed_form(case):
    belief, [likelihoods] = case
    prior = belief.probabilities
    marginal, posterior = exact_posterior(prior, likelihoods)
    returned = belief.update(likelihoods)
    if marginal == 0:
        assert returned == 0.0
        assert belief.probabilities == prior
        return
    for got, want in zip(belief.probabilities, posterior, strict=True):
        assert abs(got - float(want)) <= 1e-12
    if float(marginal) >= sys.float_info.min:
        assert math.isclose(returned, float(marginal), rel_tol=1e-12)
    else:  # a subnormal marginal: fewer significant digits, but never 0
        assert 0.0 < returned < sys.float_info.min


@given(belief_and_likelihoods(count=5))
def test_probabilities_stay_a_distribution(case):
    belief, observations = case
    for likelihoods in observations:
        belief.update(likelihoods)
        probabilities = belief.probabilities
        assert all(p >= 0.0 for p in probabilities)
        assert abs(math.fsum(probabilities) - 1.0) <= 1e-12


@given(st.data())
def test_the_order_of_two_independent_observations_does_not_matter(data):
    belief = data.draw(beliefs(weights=MODERATE))
    n = len(belief)
    first = data.draw(st.lists(MODERATE, min_size=n, max_size=n))
    second = data.draw(st.lists(MODERATE, min_size=n, max_size=n))
    joint = [a * b for a, b in zip(first, second, strict=True)]
    marginal, posterior = exact_posterior(belief.probabilities, [Fraction(x) for x in joint])
    # If the two observations together are impossible, the zero-probability rule makes
    # the result depend on which one came first (the second is then ignored).
    assume(marginal > 0)
    other = belief.copy()
    belief.update(first)
    belief.update(second)
    other.update(second)
    other.update(first)
    for a, b, want in zip(belief.probabilities, other.probabilities, posterior, strict=True):
        assert abs(a - b) <= 1e-12
        assert abs(a - float(want)) <= 1e-12


@given(beliefs(), st.sampled_from([1.0, 0.25, 1e-300, 7.0]))
def test_a_constant_likelihood_changes_nothing(belief, constant):
    before = belief.probabilities
    marginal = belief.update([constant] * len(belief))
    assert math.isclose(marginal, constant, rel_tol=1e-14)
    for a, b in zip(belief.probabilities, before, strict=True):
        assert math.isclose(a, b, rel_tol=1e-14)


@given(belief_and_likelihoods())
def test_update_with_equals_update(case):
    belief, [likelihoods] = case
    other = belief.copy()
    by_name = {t.name: x for t, x in zip(belief.types, likelihoods, strict=True)}
    assert belief.update_with(lambda t: by_name[t.name]) == other.update(likelihoods)
    assert belief.probabilities == other.probabilities


# -- queries -------------------------------------------------------------------------------


def test_queries():
    belief = Belief("PRK", three_types())
    assert belief.about == "PRK"
    assert len(belief) == 3
    assert [t.name for t in belief.types] == ["hawk", "dove", "owl"]
    assert belief.probabilities == (0.5, 0.25, 0.25)
    assert belief.probability("dove") == 0.25
    # E[cost] = 0.5*0.1 + 0.25*0.6 + 0.25*0.9 = 0.425
    assert belief.expect("cost") == pytest.approx(0.425, rel=1e-15)
    assert belief.expect(lambda t: float(t.params["cost"]) ** 2) == pytest.approx(
        0.5 * 0.01 + 0.25 * 0.36 + 0.25 * 0.81, rel=1e-15
    )
    assert belief.probability_that(lambda t: float(t.params["cost"]) > 0.5) == 0.5
    assert belief.most_likely.name == "hawk"
    assert belief.entropy == pytest.approx(1.5, rel=1e-15)  # -(.5 log .5 + 2 * .25 log .25)


def test_most_likely_takes_the_first_on_a_tie():
    belief = Belief("PRK", UniformPrior("c", 0.0, 1.0, points=5))
    assert belief.most_likely.name == "c=0.1"
    belief.update([0.1, 0.5, 0.2, 0.5, 0.1])
    assert belief.most_likely.name == "c=0.3"


def test_entropy_of_a_certain_and_of_a_uniform_belief():
    belief = Belief("PRK", UniformPrior("c", 0.0, 1.0, points=8))
    assert belief.entropy == pytest.approx(3.0, rel=1e-15)
    belief.update([0.0] * 7 + [1.0])
    assert belief.entropy == 0.0
    assert math.copysign(1.0, belief.entropy) == 1.0  # not -0.0


def test_expect_names_a_missing_or_non_numeric_parameter():
    belief = Belief("PRK", two_types())
    with pytest.raises(KeyError, match=r"type 'resolute' of a belief about PRK has no parameter"):
        belief.expect("cost")
    words = Belief("PRK", DiscretePrior.over("stance", {"hawk": 0.5, "dove": 0.5}))
    with pytest.raises(TypeError, match="parameter 'stance' of type 'stance=hawk' is not a number"):
        words.expect("stance")


def test_probability_of_an_unknown_type_lists_the_types():
    with pytest.raises(KeyError, match=r"no type 'resolved'; its types are \['resolute', 'bluf"):
        Belief("PRK", two_types()).probability("resolved")


def test_copy_is_independent():
    belief = Belief("PRK", two_types())
    copy = belief.copy()
    copy.update([1.0, 0.0])
    assert copy.probabilities == (1.0, 0.0)
    assert belief.probabilities == (0.3, 0.7)
    belief.update_with(lambda t: 0.0 if t.name == "resolute" else 1.0)
    assert copy.probabilities == (1.0, 0.0)
    assert copy.about == "PRK"


def test_snapshot_is_an_immutable_record_of_the_moment():
    belief = Belief("PRK", two_types())
    snapshot = belief.snapshot()
    assert snapshot == (("resolute", 0.3), ("bluffing", 0.7))
    assert isinstance(snapshot, tuple)
    assert all(isinstance(pair, tuple) for pair in snapshot)
    belief.update([1.0, 0.0])
    assert snapshot == (("resolute", 0.3), ("bluffing", 0.7))
    assert dict(belief.snapshot()) == {"resolute": 1.0, "bluffing": 0.0}


def test_belief_has_slots_only():
    belief = Belief("PRK", two_types())
    assert not hasattr(belief, "__dict__")
    with pytest.raises(AttributeError):
        belief.extra = 1


def test_repr_is_short():
    assert repr(Belief("PRK", two_types())) == (
        "Belief(about='PRK', {'resolute': 0.3, 'bluffing': 0.7})"
    )
    assert repr(Belief("PRK", UniformPrior("c", 0.0, 1.0, points=8))) == (
        "Belief(about='PRK', 8 types, most likely 'c=0.0625' at 0.125, entropy 3 bits)"
    )


def test_a_belief_starts_from_any_prior():
    for prior in (
        two_types(),
        UniformPrior("c", 0.0, 1.0),
        NormalPrior("c", 0.5, 0.2, low=0.0, high=1.0),
        TriangularPrior("c", 0.0, 0.3, 1.0),
    ):
        belief = Belief("PRK", prior)
        assert belief.types == prior.types
        assert belief.probabilities == pytest.approx([t.probability for t in prior.types])


# -- belief construction: messages ---------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Belief("", two_types()), "'about' must be a non-empty string (an agent id): ''"),
        (lambda: Belief("PRK", []), "a belief about PRK needs at least one type: ()"),
        (
            lambda: Belief("PRK", [AgentType("a", {}, 0.5), AgentType("a", {}, 0.5)]),
            "the types of a belief about PRK repeat names: ['a']",
        ),
        (
            lambda: Belief("PRK", two_types(), [1.0]),
            "a belief about PRK needs one probability per type (2): got 1",
        ),
        (
            lambda: Belief("PRK", two_types(), [1.5, -0.5]),
            "the probability of type 'bluffing' in a belief about PRK must be finite and >= 0: "
            "-0.5",
        ),
        (
            lambda: Belief("PRK", two_types(), [0.5, 0.4]),
            "the probabilities of a belief about PRK must sum to 1 (within 1e-09): 0.9",
        ),
    ],
)
def test_belief_construction_messages(make, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        make()


# -- priors: messages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: AgentType("", {}, 0.5), "'name' must be a non-empty string: ''"),
        (lambda: AgentType("a", {}, 1.5), "'probability' must be between 0 and 1: 1.5"),
        (lambda: AgentType("a", {}, -0.1), "'probability' must be between 0 and 1: -0.1"),
        (lambda: AgentType("a", {}, math.nan), "'probability' must be between 0 and 1: nan"),
        (lambda: DiscretePrior([]), "'types' must hold at least one type: ()"),
        (
            lambda: DiscretePrior([AgentType("a", {}, 0.5), AgentType("a", {}, 0.5)]),
            "'types' must have unique names; repeated: ['a']",
        ),
        (
            lambda: DiscretePrior([AgentType("a", {"x": 1}, 0.5), AgentType("b", {"y": 1}, 0.5)]),
            "every type must set the same parameters: 'a' sets ['x'], 'b' sets ['y']",
        ),
        (
            lambda: DiscretePrior([AgentType("a", {}, 0.5), AgentType("b", {}, 0.4)]),
            "the probabilities of 'types' must sum to 1 (within 1e-09): 0.9 (a=0.5, b=0.4)",
        ),
        (lambda: UniformPrior("", 0.0, 1.0), "'param' must be a non-empty string: ''"),
        (
            lambda: UniformPrior("c", 1.0, 1.0),
            "'high' must be greater than 'low' (1.0): 1.0",
        ),
        (lambda: UniformPrior("c", 0.0, math.inf), "'high' must be a finite number: inf"),
        (lambda: UniformPrior("c", 0.0, 1.0, points=0), "'points' must be an int >= 1: 0"),
        (lambda: UniformPrior("c", 0.0, 1.0, points=2.5), "'points' must be an int >= 1: 2.5"),
        (lambda: UniformPrior("c", 0.0, 1.0, points=True), "'points' must be an int >= 1: True"),
        (lambda: NormalPrior("c", 0.0, 0.0), "'sd' must be > 0: 0.0"),
        (lambda: NormalPrior("c", math.nan, 1.0), "'mean' must be a finite number: nan"),
        (
            lambda: NormalPrior("c", 0.0, 1.0, low=1.0, high=-1.0),
            "'high' must be greater than 'low' (1.0): -1.0",
        ),
        (
            lambda: NormalPrior("c", 0.0, 1.0, low=40.0),
            "the bounds 'low' (40.0) and 'high' (None) hold no probability of "
            "normal(mean=0.0, sd=1.0) that a float can represent",
        ),
        (
            lambda: TriangularPrior("c", 0.0, 2.0, 1.0),
            "'mode' must be between 'low' (0.0) and 'high' (1.0): 2.0",
        ),
        (
            lambda: TriangularPrior("c", 1.0, 1.0, 0.0),
            "'high' must be greater than 'low' (1.0): 0.0",
        ),
        (
            lambda: UniformPrior("c", 1.0, 1.0 + 1e-15, points=100),
            "'points' (100) is too many for the spread of the prior of 'c': neighbouring "
            "types would share a value, or a name (the value to 12 significant digits); use "
            "fewer points",
        ),
        (
            lambda: UniformPrior("c", 1.0, 1.0 + 1e-12, points=1000),
            "'points' (1000) is too many for the spread of the prior of 'c': neighbouring "
            "types would share a value, or a name (the value to 12 significant digits); use "
            "fewer points",
        ),
    ],
)
def test_prior_validator_messages(make, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        make()


def test_quantile_refuses_probabilities_outside_the_open_interval():
    with pytest.raises(ValueError, match=r"^'q' must be strictly between 0 and 1: 1\.0$"):
        UniformPrior("c", 0.0, 1.0).quantile(1.0)


def test_discrete_prior_over_one_parameter():
    prior = DiscretePrior.over("resolve", {0.2: 0.25, 0.5: 0.25, 0.9: 0.5})
    assert [(t.name, t.params, t.probability) for t in prior.types] == [
        ("resolve=0.2", {"resolve": 0.2}, 0.25),
        ("resolve=0.5", {"resolve": 0.5}, 0.25),
        ("resolve=0.9", {"resolve": 0.9}, 0.5),
    ]


def test_discretised_types_are_named_and_equally_likely():
    prior = UniformPrior("c", 0.0, 1.0, points=4)
    assert [t.name for t in prior.types] == ["c=0.125", "c=0.375", "c=0.625", "c=0.875"]
    assert [t.params["c"] for t in prior.types] == [0.125, 0.375, 0.625, 0.875]
    assert {t.probability for t in prior.types} == {0.25}


def test_priors_are_values():
    prior = NormalPrior("c", 0.5, 0.2, low=0.0)
    assert prior == NormalPrior("c", 0.5, 0.2, low=0.0)
    assert hash(prior) == hash(NormalPrior("c", 0.5, 0.2, low=0.0))
    assert repr(prior) == "NormalPrior(param='c', mean=0.5, sd=0.2, low=0.0, high=None, points=21)"
    finer = attrs.evolve(prior, points=5)
    assert len(finer.types) == 5
    assert len(prior.types) == 21
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        prior.points = 3


# -- discretisation against the continuous moments -----------------------------------------


def moments(prior):
    values = [float(t.params[prior.param]) for t in prior.types]
    weights = [t.probability for t in prior.types]
    mean = math.fsum(w * v for w, v in zip(weights, values, strict=True))
    variance = math.fsum(w * (v - mean) ** 2 for w, v in zip(weights, values, strict=True))
    return mean, variance


def _phi(z):
    return 0.0 if math.isinf(z) else NormalDist().pdf(z)


def truncated_normal_moments(mean, sd, low, high):
    """Closed forms (Johnson, Kotz and Balakrishnan 1994, ch. 13), with Phi through erfc."""
    a = -math.inf if low is None else (low - mean) / sd
    b = math.inf if high is None else (high - mean) / sd

    def cdf(z):
        return 0.5 * math.erfc(-z / math.sqrt(2.0))

    mass = cdf(-a) - cdf(-b) if a > 0 else cdf(b) - cdf(a)
    za = 0.0 if math.isinf(a) else a * _phi(a)
    zb = 0.0 if math.isinf(b) else b * _phi(b)
    shift = (_phi(a) - _phi(b)) / mass
    return mean + sd * shift, sd * sd * (1.0 + (za - zb) / mass - shift**2)


def triangular_moments(low, mode, high):
    mean = (low + mode + high) / 3
    variance = (low**2 + mode**2 + high**2 - low * mode - low * high - mode * high) / 18
    return mean, variance


@pytest.mark.parametrize("points", [1, 2, 4, 21, 201])
@pytest.mark.parametrize(("low", "high"), [(0.0, 1.0), (-3.0, 5.0)])
def test_discretised_uniform_has_the_exact_midpoint_moments(low, high, points):
    # n quantile midpoints of U(low, high) are equally spaced: their mean is the mean and
    # their variance (high - low)^2 (1 - 1/n^2) / 12, which approaches (high - low)^2 / 12.
    mean, variance = moments(UniformPrior("c", low, high, points=points))
    assert mean == pytest.approx((low + high) / 2, abs=1e-12)
    assert variance == pytest.approx((high - low) ** 2 * (1 - 1 / points**2) / 12, rel=1e-12)


# Each case: the prior at n points, its continuous mean and variance, and the tolerances
# at 201 points (on the mean, in standard deviations; on the variance, relative). The
# discretisation underestimates the variance most where the tails are long: about 0.6%
# for a normal at 201 points (5.9% at 21), 2% for a normal truncated 8 sd above its mean.
CONTINUOUS = [
    pytest.param(
        lambda n: NormalPrior("c", 2.0, 1.0, points=n),
        (2.0, 1.0),
        1e-12,
        0.01,
        id="normal",
    ),
    pytest.param(
        lambda n: NormalPrior("c", 0.5, 0.3, low=0.0, high=1.0, points=n),
        truncated_normal_moments(0.5, 0.3, 0.0, 1.0),
        1e-12,
        5e-4,
        id="normal-truncated-both",
    ),
    pytest.param(
        lambda n: NormalPrior("c", 0.2, 0.5, low=0.0, points=n),
        truncated_normal_moments(0.2, 0.5, 0.0, None),
        2e-3,
        0.02,
        id="normal-truncated-below",
    ),
    pytest.param(
        lambda n: NormalPrior("c", 0.0, 1.0, low=8.0, points=n),
        truncated_normal_moments(0.0, 1.0, 8.0, None),
        5e-3,
        0.05,
        id="normal-far-upper-tail",
    ),
    pytest.param(
        lambda n: NormalPrior("c", 0.0, 1.0, high=-8.0, points=n),
        truncated_normal_moments(0.0, 1.0, None, -8.0),
        5e-3,
        0.05,
        id="normal-far-lower-tail",
    ),
    pytest.param(
        lambda n: TriangularPrior("c", 0.0, 0.2, 1.0, points=n),
        triangular_moments(0.0, 0.2, 1.0),
        2e-4,
        3e-3,
        id="triangular",
    ),
    pytest.param(
        lambda n: TriangularPrior("c", 0.0, 0.0, 1.0, points=n),
        triangular_moments(0.0, 0.0, 1.0),
        3e-4,
        3e-3,
        id="triangular-mode-at-low",
    ),
    pytest.param(
        lambda n: TriangularPrior("c", -1.0, 2.0, 5.0, points=n),
        triangular_moments(-1.0, 2.0, 5.0),
        1e-12,
        3e-3,
        id="triangular-symmetric",
    ),
]


@pytest.mark.parametrize(("make", "truth", "mean_tol", "var_tol"), CONTINUOUS)
def test_discretised_moments_approach_the_continuous_ones(make, truth, mean_tol, var_tol):
    true_mean, true_variance = truth
    sd = math.sqrt(true_variance)
    coarse_mean, coarse_variance = moments(make(21))
    mean, variance = moments(make(201))
    assert abs(mean - true_mean) <= mean_tol * sd
    assert abs(variance / true_variance - 1) <= var_tol
    # and they approach: 201 points are closer than 21
    assert abs(variance - true_variance) < abs(coarse_variance - true_variance)
    assert abs(mean - true_mean) <= abs(coarse_mean - true_mean) + 1e-12 * sd


# -- draw ----------------------------------------------------------------------------------

DRAWS = 20_000


@pytest.mark.parametrize(
    "prior",
    [
        DiscretePrior(
            [
                AgentType("a", {}, 0.5),
                AgentType("b", {}, 0.3),
                AgentType("never", {}, 0.0),
                AgentType("c", {}, 0.15),
                AgentType("d", {}, 0.05),
            ]
        ),
        UniformPrior("c", 0.0, 1.0, points=5),
    ],
    ids=["discrete", "uniform-5"],
)
def test_draw_frequencies_match_the_probabilities(prior):
    # 20,000 seeded streams, one draw each. Each frequency must lie within 4 standard
    # errors, 4 * sqrt(p (1 - p) / 20000) (at most 0.0142), of its probability; a type of
    # probability 0 is never drawn. The seeds are fixed, so the outcome is too.
    counts = dict.fromkeys((t.name for t in prior.types), 0)
    for seed in range(DRAWS):
        counts[draw(prior, random.Random(seed)).name] += 1
    for agent_type in prior.types:
        p = agent_type.probability
        tolerance = 4 * math.sqrt(p * (1 - p) / DRAWS)
        assert abs(counts[agent_type.name] / DRAWS - p) <= tolerance, agent_type.name
    assert counts.get("never", 0) == 0


class FixedRandom(random.Random):
    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value
        self.calls = 0

    def random(self) -> float:
        self.calls += 1
        return self.value


@pytest.mark.parametrize(
    ("u", "expected"),
    [
        (0.0, "a"),
        (0.4999999, "a"),
        (0.5, "b"),
        (0.7999999, "b"),
        (0.8, "c"),
        (0.9500001, "d"),
        (0.9999999999, "d"),
    ],
)
def test_draw_is_the_inverse_cdf_in_declared_order(u, expected):
    prior = DiscretePrior(
        [
            AgentType("a", {}, 0.5),
            AgentType("b", {}, 0.3),
            AgentType("never", {}, 0.0),
            AgentType("c", {}, 0.15),
            AgentType("d", {}, 0.05),
            AgentType("never-either", {}, 0.0),
        ]
    )
    rng = FixedRandom(u)
    assert draw(prior, rng).name == expected
    assert rng.calls == 1


def test_a_draw_beyond_a_short_sum_takes_the_last_possible_type():
    prior = DiscretePrior(
        [AgentType("a", {}, 0.5), AgentType("b", {}, 0.5 - 5e-10), AgentType("z", {}, 0.0)]
    )
    assert draw(prior, FixedRandom(1.0 - 1e-12)).name == "b"


def test_draw_uses_one_random_number_from_the_stream():
    prior = NormalPrior("c", 0.0, 1.0)
    rng, reference = random.Random(7), random.Random(7)
    first = draw(prior, rng)
    reference.random()
    assert rng.getstate() == reference.getstate()
    assert draw(prior, random.Random(7)) == first
