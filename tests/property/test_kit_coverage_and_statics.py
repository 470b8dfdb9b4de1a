"""The kit's new parts on their own: coverage, aimed stimuli, the watch, statics, the machine."""

from __future__ import annotations

import os
import random
import time
import warnings

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

from negsim.model import ParamSpec
from negsim.testing import (
    STIMULI,
    STIMULUS_KINDS,
    VARIANTS,
    CoverageShortfall,
    CoverageWarning,
    DoctrineInvariants,
    DoctrineMachine,
    Monotone,
    Step,
    check_doctrine,
)
from negsim.testing._statics import raised
from negsim.testing._stimulus import parse_script, script_text
from negsim.testing._watch import Watch
from tests.faulty.proxy_voter import ProxyVoter
from tests.faulty.reversed_static import ReversedStatic

EXAMPLES = 60


def _coverage(targeted: bool) -> dict[str, int]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        report = check_doctrine(
            "bilateral", invariants=["termination"], max_examples=EXAMPLES, targeted=targeted
        )
    assert report.coverage is not None
    assert set(report.coverage.counts) == set(STIMULUS_KINDS)
    return dict(report.coverage.counts)


def test_aimed_runs_send_what_the_first_kit_never_sent() -> None:
    # The first kit's scripts always put a demand in a threat and held no negotiation;
    # aimed runs send the variants the docs allow, and bargain.
    plain, aimed = _coverage(False), _coverage(True)
    for rare in ("threat without demand", "offer without demand", "negotiation move"):
        assert plain[rare] == 0
        assert aimed[rare] > 0, rare
    for common in ("message:offer", "message:threaten", "access request", "message:propose"):
        assert aimed[common] > 0


def test_a_stimulus_never_met_is_a_warning_and_a_minimum_an_error() -> None:
    with pytest.warns(CoverageWarning, match="threat without demand"):
        check_doctrine("bilateral", invariants=["termination"], max_examples=10, targeted=False)
    with pytest.raises(CoverageShortfall) as info:
        check_doctrine(
            "bilateral",
            invariants=["termination"],
            max_examples=10,
            targeted=False,
            min_coverage={"threat without demand": 1},
        )
    assert info.value.missing == {"threat without demand": (0, 1)}
    assert "stimuli met by doctrine 'bilateral'" in str(info.value)
    with pytest.raises(ValueError, match="unknown stimuli"):
        check_doctrine(
            "bilateral", invariants=["termination"], max_examples=1, min_coverage={"x": 1}
        )


@given(
    steps=st.lists(
        st.builds(
            Step,
            round=st.integers(1, 9),
            kind=st.sampled_from(STIMULI),
            target=st.sampled_from(("A", "B", "*")),
            value=st.integers(0, 4).map(lambda v: v / 4),
            variant=st.integers(0, max(VARIANTS.values()) - 1),
        )
    )
)
def test_a_script_with_variants_reads_back(steps: list[Step]) -> None:
    assert parse_script(script_text(steps)) == tuple(steps)


def _watched(call: object) -> list[str]:
    watch = Watch()
    with watch.installed():
        token = watch.begin()
        call()  # type: ignore[operator]
        return watch.end(token)


def test_the_watch_names_each_hidden_source() -> None:
    from random import random as imported_random  # imported by name: still seen

    assert _watched(lambda: None) == []
    assert _watched(lambda: random.Random(3).random()) == []  # seeded: its own stream
    assert "global random generator" in _watched(imported_random)[0]
    assert "time.time" in _watched(lambda: time.time())[0]
    assert "time.perf_counter" in _watched(lambda: time.perf_counter())[0]
    assert "os.urandom" in _watched(lambda: os.urandom(4))[0]
    assert "seeded from nothing" in _watched(random.Random)[0]
    assert "SystemRandom" in _watched(lambda: random.SystemRandom().random())[0]
    # a name bound before the watch began is the original function: not seen (documented)
    assert _watched(time.time) == []


def test_a_monotone_says_one_direction() -> None:
    static = Monotone("cost_strike", never_raises="grant_access")
    assert str(static) == "raising cost_strike never raises grant_access"
    assert static.broken(0, 1)
    assert not static.broken(1, 0)
    assert Monotone("fear", never_lowers="respond").broken(1, 0)
    with pytest.raises(ValueError, match="exactly one"):
        Monotone("fear")
    with pytest.raises(ValueError, match="exactly one"):
        Monotone("fear", never_raises="a", never_lowers="b")


def test_a_parameter_is_raised_within_its_range() -> None:
    assert raised(ParamSpec("p", 0.5, "", 0.0, 1.0), 0.5) == [0.75, 1.0]
    assert raised(ParamSpec("p", 0.5, "", 0.0, 1.0), 1.0) == []
    assert raised(ParamSpec("n", 1, "", 0, 4), 1) == [3, 4]
    assert raised(ParamSpec("b", False, ""), False) == [True]
    assert raised(ParamSpec("b", False, ""), True) == []


def test_comparative_statics_needs_declared_ones() -> None:
    with pytest.raises(ValueError, match="needs declared statics"):
        check_doctrine("bilateral", invariants=["comparative-statics"], max_examples=1)


def test_declared_statics_give_a_subclass_its_test() -> None:
    class Plain(DoctrineInvariants):
        doctrine = "bilateral"

    class Declared(DoctrineInvariants):
        doctrine = ReversedStatic(fixed=True)
        name = "reversed_static"

    assert Plain.test_comparative_statics is None
    assert Declared.test_comparative_statics is not None
    assert Declared.test_moves_allowed is not None


_MACHINE = settings(
    derandomize=True,  # a fixed search: the forged vote must be found every time, not often
    max_examples=25,
    stateful_step_count=15,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],  # no explain phase: it is slow
    suppress_health_check=[HealthCheck.too_slow],
)


def test_the_machine_plays_a_sound_doctrine_through() -> None:
    class Sound(DoctrineMachine):
        doctrine = "bilateral"

    run_state_machine_as_test(Sound, settings=_MACHINE)


def test_the_machine_catches_a_forged_vote_in_a_few_steps() -> None:
    class Forger(DoctrineMachine):
        doctrine = ProxyVoter()
        name = "proxy_voter"

    with pytest.raises(AssertionError, match="in the name of"):
        run_state_machine_as_test(Forger, settings=_MACHINE)
