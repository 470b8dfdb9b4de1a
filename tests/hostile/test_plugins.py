"""Plugin faults inside a run: each one a named error, never a hang, a traceback or exit 0.

A fault is a :class:`negsim.PluginCallError` (or :class:`negsim.TimeLimitError`) that
names the plugin, the hook, the agent (for an agent's hook) and the round; on the
command line it is exit code 1 with one ``error:`` message; in a sweep, the run's row
holds it in ``error`` and the sweep goes on.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import negsim
import negsim.experiments
from negsim.errors import PluginCallError, TimeLimitError
from negsim.scenario import scenario_from_dict
from tests.hostile import faults
from tests.hostile._support import assert_clean_failure, run_module

REGISTRY = faults.registry()


def simulate(doctrine: str = "scripted", world: str = "toy", **limits: float) -> negsim.Result:
    import tomllib

    data = tomllib.loads(faults.scenario_toml(doctrine, world))
    scenario = scenario_from_dict(data, registry=REGISTRY)
    sim = negsim.Simulation(scenario, registry=REGISTRY, limits=negsim.Limits(**limits))
    return sim.run()


def failure(doctrine: str = "scripted", world: str = "toy", **limits: float) -> PluginCallError:
    with pytest.raises(PluginCallError) as info:
        simulate(doctrine, world, **limits)
    return info.value


# -- raising what a plugin should never raise --------------------------------------------


@pytest.mark.parametrize(
    ("doctrine", "raised"),
    [
        ("exits", SystemExit),
        ("interrupts", KeyboardInterrupt),
        ("blames_scenario", negsim.ScenarioError),
    ],
)
def test_exit_interrupt_and_scenario_errors_from_a_plugin_are_the_plugins(doctrine, raised):
    err = failure(doctrine)
    assert (err.plugin, err.hook, err.agent, err.round) == (doctrine, "negsim_decide", "A", 2)
    assert isinstance(err.__cause__, raised)
    assert not isinstance(err, negsim.ScenarioError)  # exit 1, not "bad scenario" exit 2
    assert f"plugin {doctrine!r} raised {raised.__name__}" in str(err)


def test_a_scenario_error_from_a_set_up_hook_stays_the_scenarios():
    with pytest.raises(negsim.ScenarioError, match=r"faults: world\.params: not a game I can"):
        simulate(world="checks_at_start")


# -- wrong return values ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("world", "hook", "expected"),
    [
        ("unknown_outcome", "negsim_classify_outcome", "the outcome 'victory', which the world"),
        ("outcome_not_a_pair", "negsim_classify_outcome", "not None or a pair (outcome, reason)"),
        ("outcome_not_a_name", "negsim_classify_outcome", "the outcome 42, not a name"),
        ("metric_not_a_number", "negsim_collect_metrics", "the metric 'score': 'high'"),
        ("metrics_not_a_mapping", "negsim_collect_metrics", "[1, 2, 3], not a mapping"),
        ("adjudicates_nonsense", "negsim_adjudicate", "'the world ends', not an Adjudication"),
        ("adjudicates_bad_world", "negsim_adjudicate", "not an Adjudication of a WorldState"),
    ],
)
def test_malformed_returns_of_world_hooks_name_plugin_hook_and_round(world, hook, expected):
    err = failure(world=world)
    assert (err.plugin, err.hook, err.agent) == (world, hook, None)
    assert err.round in (1, 2, 5)
    text = str(err)
    assert f"plugin {world!r} returned" in text
    assert expected in text
    assert f"in {hook} in round {err.round}" in text


# -- frozen state changed in place --------------------------------------------------------


@pytest.mark.parametrize(
    ("doctrine", "what"),
    [("mutates_world", "the world state"), ("mutates_capabilities", "its agent")],
)
def test_changing_frozen_state_in_place_is_detected(doctrine, what):
    err = failure(doctrine)
    assert (err.plugin, err.agent, err.round) == (doctrine, "A", 2)
    assert f"changed {what}" in str(err)


# -- limits -------------------------------------------------------------------------------


@pytest.mark.parametrize("doctrine", ["sleeps", "spins"])
def test_a_decision_that_never_returns_is_stopped_at_the_time_limit(doctrine):
    started = time.monotonic()
    with pytest.raises(TimeLimitError) as info:
        simulate(doctrine, decision_seconds=0.3)
    assert time.monotonic() - started < 10
    err = info.value
    assert (err.limit, err.plugin, err.hook, err.agent, err.round) == (
        "decision_seconds",
        doctrine,
        "negsim_decide",
        "A",
        2,
    )
    assert "--limit decision_seconds=N" in str(err)


def test_a_run_over_its_time_budget_is_stopped():
    # 0.3 s a round from round 2 on, 1.2 s by the end of round 5: over 0.5 s by then
    with pytest.raises(TimeLimitError) as info:
        simulate("slow", run_seconds=0.5, decision_seconds=0)
    assert info.value.limit == "run_seconds"
    assert 2 <= info.value.round <= 5
    assert "the run took longer than run_seconds=0.5 s" in str(info.value)


def test_a_run_within_its_limits_is_unaffected():
    fast = simulate("scripted")
    assert fast.outcome == "unresolved"
    assert simulate("slow", decision_seconds=0, run_seconds=0).rounds == 5


def test_moves_per_round_are_capped_naming_the_agent_and_the_limit():
    err = failure("floods", max_messages=100)
    assert (err.plugin, err.agent, err.round) == ("floods", "A", 2)
    assert "made 500 of the round's 500 moves, more than the limit max_messages=100" in str(err)
    assert simulate("floods", max_messages=0).rounds == 5  # off


def test_non_json_message_content_is_refused_when_the_move_is_made():
    result = simulate("not_json")
    rejected = [e for e in result.events if isinstance(e, negsim.model.MoveRejected)]
    assert rejected
    assert {(e.agent, e.doctrine, e.rule) for e in rejected} == {("A", "not_json", "plain-values")}
    assert "content['note'] is a object" in rejected[0].detail
    assert not any(isinstance(e, negsim.model.MessageSent) for e in result.events)


# -- the command line ----------------------------------------------------------------------


@pytest.fixture
def scenario_file(tmp_path: Path):
    def write(doctrine: str = "scripted", world: str = "toy") -> Path:
        path = tmp_path / f"{doctrine}-{world}.toml"
        path.write_text(faults.scenario_toml(doctrine, world), encoding="utf-8")
        return path

    return write


@pytest.mark.parametrize("doctrine", ["exits", "interrupts"])
def test_cli_run_exits_1_when_a_plugin_exits_or_interrupts(scenario_file, doctrine):
    done = run_module("tests.hostile.faults", "run", scenario_file(doctrine))
    assert_clean_failure(done, 1, f"plugin {doctrine!r}", "'A'", "round 2", "negsim_decide")


def test_cli_run_stops_a_sleeping_plugin_at_the_limit(scenario_file):
    done = run_module(
        "tests.hostile.faults", "run", scenario_file("sleeps"), "--limit", "run_seconds=1"
    )
    assert_clean_failure(done, 1, "took longer than run_seconds=1 s", "plugin 'sleeps'")


def test_cli_log_of_a_world_event_json_cannot_hold_is_an_error(scenario_file, tmp_path):
    log = tmp_path / "run.jsonl"
    done = run_module(
        "tests.hostile.faults", "run", scenario_file(world="narrates_object"), "--log", log
    )
    assert_clean_failure(done, 1, "cannot write the log", "other than JSON data")
    assert not log.exists()


def test_cli_serial_sweep_records_the_plugin_in_each_error_row(scenario_file, tmp_path):
    out = tmp_path / "out.csv"
    done = run_module(
        "tests.hostile.faults",
        "sweep",
        scenario_file("exits"),
        "--runs",
        "2",
        "--backend",
        "serial",
        "--out",
        out,
        "--no-summary",
    )
    assert done.code == 0, done.err
    assert "2 failed" in done.err
    rows = negsim.experiments.read_results(out)
    assert rows["error"].str.startswith("PluginCallError: plugin 'exits' raised SystemExit").all()
    assert list(rows["rounds"]) == [2, 2]


def test_cli_limit_option_refuses_unknown_names_with_exit_2(scenario_file):
    done = run_module("tests.hostile.faults", "run", scenario_file(), "--limit", "speed=3")
    assert done.code == 2
    assert "unknown limit 'speed=3'" in done.err
    assert "run_seconds" in done.err
