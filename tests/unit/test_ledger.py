"""The decision ledger: what each agent's rules said when it decided, and negsim explain."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import negsim
import negsim.analysis
from negsim.cli import main
from negsim.engine._observe import Observations
from negsim.logic import Rule
from negsim.model import RuleEvaluated

SCENARIOS = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
FLAGSHIPS = ("korea_bilateral", "korea_integrated", "baltic_nato")


def _ledger(result: negsim.Result) -> list[RuleEvaluated]:
    return [e for e in result.events if isinstance(e, RuleEvaluated)]


def test_off_by_default_and_the_run_is_the_same_with_it() -> None:
    scenario = negsim.load_scenario(SCENARIOS / "korea_bilateral.toml")
    plain = negsim.simulate(scenario, seed=4)
    kept = negsim.simulate(scenario, seed=4, ledger=True)
    assert _ledger(plain) == []
    assert _ledger(kept)
    assert [e for e in kept.events if not isinstance(e, RuleEvaluated)] == list(plain.events)


@pytest.mark.parametrize("name", FLAGSHIPS)
def test_each_entry_is_its_rule_at_its_inputs_seen_by_its_agent_alone(name: str) -> None:
    scenario = negsim.load_scenario(SCENARIOS / f"{name}.toml")
    result = negsim.simulate(scenario, seed=2, ledger=True)
    ledger = _ledger(result)
    assert ledger
    for e in ledger:
        rule = Rule(e.rule, e.expr, e.doc, "")
        assert rule.value(dict(e.inputs)) == pytest.approx(e.value)
        assert set(e.inputs) == set(rule.symbols)
    seen = Observations(negsim.engine.public_info(scenario)).split(ledger)
    for agent, events in seen.items():
        assert all(e.agent == agent for e in events)


@pytest.mark.parametrize("name", FLAGSHIPS)
def test_check_and_the_ledger_agree_on_thresholds(name: str) -> None:
    """Where an agent evaluated a rule at the values negsim check reports it at (the
    start of the crisis), both give the same threshold for every parameter."""
    scenario = negsim.load_scenario(SCENARIOS / f"{name}.toml")
    ledger = _ledger(negsim.simulate(scenario, seed=1, ledger=True))
    agreed = 0
    for report in negsim.analysis.thresholds(scenario):
        nominal = {t.param: t.scenario_value for t in report.thresholds}
        for e in ledger:
            if e.agent != report.agent or e.rule != report.rule or e.value != report.value:
                continue
            if any(e.inputs.get(p) != v for p, v in nominal.items()):
                continue
            rule = Rule(e.rule, e.expr, e.doc, "")
            for t in report.thresholds:
                mine = rule.threshold(t.param, dict(e.inputs))
                assert mine.value == pytest.approx(t.value), (report.agent, report.rule, t)
            agreed += 1
    assert agreed >= 1, "no agent evaluated a rule at the values negsim check reports"


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_explain_says_why_in_words_and_numbers(tmp_path: Path) -> None:
    log = tmp_path / "run.jsonl"
    code, out = _cli(
        "run",
        str(SCENARIOS / "korea_bilateral.toml"),
        "--seed",
        "4",
        "--ledger",
        "--log",
        str(log),
        "-q",
    )
    assert code == 0, out
    code, out = _cli("explain", str(log), "--agent", "JPN", "--round", "3")
    assert code == 0, out
    assert "round 3, JPN: grant_access" in out
    assert "a host keeps its bases open to the forces' owner" in out
    assert "grant_access holds while hazard <" in out  # where the decision flips


def test_explain_refuses_what_it_cannot_explain(tmp_path: Path) -> None:
    plain, kept = tmp_path / "plain.jsonl", tmp_path / "kept.jsonl"
    scenario = str(SCENARIOS / "korea_bilateral.toml")
    assert _cli("run", scenario, "--seed", "4", "--log", str(plain), "-q")[0] == 0
    assert _cli("run", scenario, "--seed", "4", "--ledger", "--log", str(kept), "-q")[0] == 0
    code, out = _cli("explain", str(plain), "--agent", "JPN")
    assert code == 2
    assert "kept no decision ledger" in out
    assert "--ledger" in out
    code, out = _cli("explain", str(kept), "--agent", "XYZ")
    assert code == 2
    assert "no decision of agent 'XYZ'" in out
    assert "JPN" in out
    code, out = _cli("explain", str(kept), "--agent", "JPN", "--round", "99")
    assert code == 2
    assert "no decision rule in round 99; rounds:" in out
    code, out = _cli("explain", str(tmp_path / "missing.jsonl"), "--agent", "JPN")
    assert code == 2
    assert "cannot read the event log" in out
