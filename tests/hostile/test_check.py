"""``negsim check`` on propositions whose symbolic checks would explode.

A proposition naming more distinct facts than ``check_atoms`` is refused before sympy
sees it (exit code 2, naming the commitment and the limit); a check that takes longer
than ``check_seconds`` stops (exit code 1) and says what it finished.
"""

from __future__ import annotations

import time
from pathlib import Path

import attrs
import pytest

import negsim
from negsim.analysis import check_scenario
from negsim.errors import ScenarioError, TimeLimitError
from tests.hostile._support import assert_clean_failure, negsim_cli

EXAMPLE = Path(__file__).parents[2] / "examples" / "scenarios" / "korea_bilateral.toml"


def or_of_ands(k: int) -> str:
    return " | ".join(f"(attacked(ROK) & p{i}(ROK))" for i in range(k))


def iff_chain(k: int) -> str:
    return " <-> ".join(f"p{i}(ROK)" for i in range(k))


def with_antecedent(text: str) -> negsim.Scenario:
    scenario = negsim.load_scenario(EXAMPLE)
    first = attrs.evolve(scenario.commitments[0], antecedent=text)
    return attrs.evolve(scenario, commitments=(first, *scenario.commitments[1:]))


@pytest.mark.parametrize("text", [or_of_ands(16), or_of_ands(20), iff_chain(60)])
def test_large_propositions_are_refused_before_sympy_naming_the_commitment(text):
    scenario = with_antecedent(text)
    started = time.monotonic()
    with pytest.raises(ScenarioError) as info:
        check_scenario(scenario, rules=False)
    assert time.monotonic() - started < 5
    message = str(info.value)
    assert f"commitments[{scenario.commitments[0].id}].antecedent: names" in message
    assert "more than the limit check_atoms=14" in message
    assert "--limit check_atoms=N" in message


def test_a_large_question_is_refused_too():
    with pytest.raises(ScenarioError, match=r"--obliged: names 20 distinct facts"):
        check_scenario(
            negsim.load_scenario(EXAMPLE),
            obliged=" & ".join(f"q{i}(ROK)" for i in range(20)),
            rules=False,
        )


def test_a_check_over_its_time_limit_says_what_it_finished():
    scenario = with_antecedent(iff_chain(12))
    started = time.monotonic()
    with pytest.raises(TimeLimitError) as info:
        check_scenario(scenario, rules=False, limits=negsim.Limits(check_seconds=1))
    assert time.monotonic() - started < 10
    assert info.value.limit == "check_seconds"
    assert "negsim check took longer than check_seconds=1 s" in str(info.value)
    assert "finished:" in str(info.value)


def test_small_propositions_pass_under_the_limits():
    report = check_scenario(with_antecedent(or_of_ands(4)), rules=False)
    assert report.scenario == "korea-bilateral"


def test_cli_check_exit_codes_for_size_and_time(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8")
    big = tmp_path / "big.toml"
    big.write_text(
        text.replace('antecedent = "attacked(ROK)"', f'antecedent = "{or_of_ands(16)}"', 1),
        encoding="utf-8",
    )
    assert_clean_failure(negsim_cli("check", big), 2, "check_atoms=14", "antecedent: names 17")
    slow = tmp_path / "slow.toml"
    slow.write_text(
        text.replace('antecedent = "attacked(ROK)"', f'antecedent = "{iff_chain(12)}"', 1),
        encoding="utf-8",
    )
    done = negsim_cli("check", slow, "--limit", "check_seconds=1")
    assert_clean_failure(done, 1, "took longer than check_seconds=1 s", "finished:")
