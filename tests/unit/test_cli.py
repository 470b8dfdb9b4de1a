"""Tests of the ``negsim`` command line (negsim.cli), run with click's CliRunner.

The commands run against a registry of small in-process plugins (``hawk``, ``dove``,
``raiser`` doctrines and ``toy`` world rules) injected by monkeypatching
``negsim.cli._registry.get_registry``, on TOML scenario files written to ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import negsim
import negsim.cli._registry
from negsim.cli import main
from negsim.model import (
    Adjudication,
    AgentView,
    Event,
    Move,
    Narration,
    Outcome,
    ParamSpec,
    PluginRole,
    PluginSpec,
    Scenario,
    WorldState,
    freeze,
)
from tests import _processes as processes

# -- test plugins ----------------------------------------------------------------------


class Hawk:
    """Threatens JPN in round 1, attacks ROK in round 2, messages an unknown state in 3."""

    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return PluginSpec(
            role=PluginRole.DOCTRINE,
            summary="Threatens, then attacks.",
            params=[ParamSpec("aggression", 0.3, "Share of forces sent.", low=0.0, high=1.0)],
        )

    @negsim.hookimpl
    def negsim_decide(self, view: AgentView) -> Sequence[Move]:
        if view.round == 1:
            return [
                view.say(
                    "JPN",
                    "threaten",
                    antecedent="grants_access(JPN,USA)",
                    consequent="attacked(JPN)",
                    deadline=2,
                )
            ]
        if view.round == 2:
            return [
                view.act("attack", "ROK", float(view.param("aggression"))),
                view.say("JPN", "demand", what="deny [bold]access[/bold]"),
            ]
        if view.round == 3:
            return [view.say("ZZZ", "inform", text="hello?")]
        return []


class Dove:
    """Replies to every message, consents to open proposals, asks allies for help once
    attacked."""

    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return PluginSpec(role="doctrine", summary="Replies to every message.")

    @negsim.hookimpl
    def negsim_agent_start(self) -> dict[str, bool]:
        return {"proposed": False}

    @negsim.hookimpl
    def negsim_decide(self, view: AgentView) -> Sequence[Move]:
        moves: list[Move] = [
            view.say(m.sender, "inform", in_reply_to=m.id, text="noted")
            for m in view.inbox
            if m.performative != "vote"
        ]
        for p in view.proposals:
            if view.me not in p.votes:
                others = [a for a in view.public.alliance(p.alliance).members if a != view.me]
                moves.append(view.say(others, "vote", proposal=p.id, consent=True))
        if view.holds(f"attacked({view.me})") and not view.state["proposed"]:
            view.state["proposed"] = True
            for al in view.public.alliances_of(view.me):
                others = [a for a in al.members if a != view.me]
                moves.append(
                    view.say(others, "propose", alliance=al.id, decision="collective_response")
                )
        return moves


class ToyWorld:
    """Attacks make ``attacked(X)`` true; the run ends after ``end_round`` rounds."""

    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return PluginSpec(
            role="world",
            summary="Toy world rules.",
            params=[ParamSpec("end_round", 3, "The round the run ends.", low=1)],
        )

    @negsim.hookimpl
    def negsim_adjudicate(
        self, world: WorldState, actions: tuple[negsim.Action, ...]
    ) -> Adjudication:
        facts = set(world.facts)
        variables = dict(world.variables)
        events: list[Event] = []
        for a in actions:
            if a.kind == "attack":
                facts.add(f"attacked({a.target})")
                variables["tension"] = variables.get("tension", 0.0) + a.magnitude
                events.append(Narration(world.round, f"{a.actor} crosses into {a.target}", a.actor))
        # The ignores: attrs' generic converters (freeze, tuple) defeat mypy; see the report.
        world = WorldState(
            round=world.round,
            facts=facts,
            variables=freeze(variables),  # type: ignore[arg-type]
        )
        return Adjudication(world, events)  # type: ignore[arg-type]

    @negsim.hookimpl
    def negsim_classify_outcome(
        self, world: WorldState, scenario: Scenario
    ) -> tuple[Outcome, str] | None:
        if world.round >= int(scenario.world_params["end_round"]):
            outcome = Outcome.FAIT_ACCOMPLI if world.holds("attacked(ROK)") else Outcome.DETERRED
            return outcome, f"toy rules end after round {world.round}"
        return None


class Raiser:
    """Raises ValueError in round 2."""

    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return PluginSpec(role="doctrine", summary="Raises in round 2.")

    @negsim.hookimpl
    def negsim_decide(self, view: AgentView) -> Sequence[Move]:
        if view.round == 2:
            raise ValueError("the raiser always fails in round 2")
        return []


def make_registry() -> negsim.PluginRegistry:
    return negsim.PluginRegistry(
        [("hawk", Hawk()), ("dove", Dove()), ("toy", ToyWorld()), ("raiser", Raiser())],
        discover=False,
    )


# -- scenario files --------------------------------------------------------------------

SCENARIO = """\
[scenario]
name = "toy-korea"
description = "A toy crisis on the Korean peninsula."
seed = 7
world_rules = "toy"
max_rounds = 6

[world]
facts = ["grants_access(JPN,USA)"]
params = { end_round = 3 }

[[agents]]
id = "DPRK"
name = "North Korea"
doctrine = "hawk"
params = { aggression = 0.3 }
capabilities = { conventional = 10, nuclear = 5 }

[[agents]]
id = "ROK"
name = "South Korea"
doctrine = "dove"
capabilities = { conventional = 8 }

[[agents]]
id = "USA"
name = "United States"
doctrine = "dove"
capabilities = { conventional = 50, nuclear = 3700 }

[[agents]]
id = "JPN"
name = "Japan"
doctrine = "dove"
capabilities = { conventional = 6, forces_hosted = { USA = 54000 } }

[[alliances]]
id = "US-ROK"
name = "US-ROK Mutual Defense Treaty"
kind = "bilateral"
members = ["USA", "ROK"]
decision_rule = "hub"
hub = "USA"

[[commitments]]
id = "us-rok-art3"
debtor = "USA"
creditor = "ROK"
antecedent = "attacked(ROK)"
consequent = "decided(US-ROK,collective_response)"
deadline = 3
source = "U.S.-ROK Mutual Defense Treaty, Art. III"
"""

RAISER = ('doctrine = "hawk"\nparams = { aggression = 0.3 }', 'doctrine = "raiser"')
"""Replacements that make DPRK's doctrine the raiser."""

HEAVY = ("sympy", "pandas", "pyarrow", "dask", "matplotlib")


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain, wide, colourless rich output and no debug mode, whatever the shell sets."""
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NEGSIM_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "120")


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> negsim.PluginRegistry:
    reg = make_registry()
    monkeypatch.setattr(negsim.cli._registry, "get_registry", lambda: reg)
    return reg


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "toy.toml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


Write = Callable[..., Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """Write a variant of the scenario: ``write("name", old, new, ...)`` -> its path."""

    def _write(name: str, *replacements: str, text: str = SCENARIO) -> Path:
        assert len(replacements) % 2 == 0
        for old, new in zip(replacements[::2], replacements[1::2], strict=True):
            assert old in text, old
            text = text.replace(old, new, 1)
        path = tmp_path / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def invoke(*args: str | os.PathLike[str]) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_user_error(result: Result, code: int, *fragments: str) -> str:
    """One ``error:`` message on stderr, with ``fragments``; no traceback; stdout empty."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    err = result.stderr
    assert err.startswith("error: "), err
    assert err.count("error:") == 1, err
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    return err


# -- negsim run: the timeline ----------------------------------------------------------


def test_timeline_shows_the_run(registry: negsim.PluginRegistry, scenario_file: Path) -> None:
    result = invoke("run", scenario_file, "--set", "world.params.end_round=4")
    assert result.exit_code == 0, result.output
    out = result.stdout
    lines = [line.strip() for line in out.splitlines()]
    # header
    assert "toy-korea" in lines[0]
    assert "seed 7" in lines[0]
    # rounds, in order
    positions = [out.index(f"Round {t}") for t in (1, 2, 3, 4)]
    assert positions == sorted(positions)
    assert "Round 5" not in out
    # messages, with compact content; markup in content is printed as written
    assert (
        "DPRK -> JPN  threaten  {antecedent: grants_access(JPN,USA), consequent: attacked(JPN), "
        "deadline: 2}" in lines
    )
    assert "DPRK -> JPN  demand  {what: deny [bold]access[/bold]}" in lines
    assert "JPN -> DPRK  inform  {text: noted}  (re 1:DPRK:0)" in lines
    # actions
    assert "DPRK  attack ROK (0.30)" in lines
    # rejected moves name agent, doctrine and rule
    rejected = [line for line in lines if line.startswith("rejected:")]
    assert len(rejected) == 1
    assert "DPRK" in rejected[0]
    assert "hawk" in rejected[0]
    assert "known-recipient" in rejected[0]
    # narration, facts and variables
    assert "DPRK crosses into ROK" in lines
    assert "+ attacked(ROK)" in lines
    assert "~ tension: - -> 0.3" in lines
    # commitments: created from the threat, and transitions of the treaty commitment
    assert any(line.startswith("new commitment 1:DPRK:0/JPN (DPRK -> JPN)") for line in lines)
    assert "commitment 1:DPRK:0/JPN (DPRK -> JPN): detached -> violated" in lines
    assert "commitment us-rok-art3 (USA -> ROK): conditional -> detached" in lines
    assert "commitment us-rok-art3 (USA -> ROK): detached -> discharged" in lines
    # the alliance decision and its fact
    assert any(line.startswith("US-ROK decided collective_response (hub") for line in lines)
    assert "+ decided(US-ROK,collective_response)" in lines
    # outcome, commitments' final states, metrics
    assert "outcome: fait_accompli after 4 rounds: toy rules end after round 4" in lines
    assert out.index("outcome: fait_accompli") > positions[-1]
    assert any(line.split() == ["us-rok-art3", "USA", "->", "ROK", "discharged"] for line in lines)
    assert any(line.split() == ["rejected", "1"] for line in lines)
    assert any(line.split() == ["rounds", "4"] for line in lines)
    assert result.stderr == ""


def test_timeline_shows_commitments_that_detach_at_the_start(
    registry: negsim.PluginRegistry, write: Write
) -> None:
    path = write("start", 'antecedent = "attacked(ROK)"', 'antecedent = "grants_access(JPN,USA)"')
    out = invoke("run", path).stdout
    assert "Start" in out
    start = out.index("Start")
    transition = out.index("commitment us-rok-art3 (USA -> ROK): conditional -> detached")
    assert start < transition < out.index("Round 1")


def test_timeline_is_plain_text_when_not_a_terminal(
    registry: negsim.PluginRegistry, scenario_file: Path
) -> None:
    out = invoke("run", scenario_file).stdout
    assert "\x1b[" not in out


def test_seed_option_changes_the_header_and_provenance(
    registry: negsim.PluginRegistry, scenario_file: Path
) -> None:
    assert "seed 42" in invoke("run", scenario_file, "--seed", "42").stdout.splitlines()[0]
    data = json.loads(invoke("run", scenario_file, "--seed", "42", "--json").stdout)
    assert data["provenance"]["seed"] == 42


def test_quiet_prints_only_the_outcome(
    registry: negsim.PluginRegistry, scenario_file: Path
) -> None:
    result = invoke("run", scenario_file, "--quiet")
    assert result.exit_code == 0
    assert result.stdout == "outcome: fait_accompli after 3 rounds: toy rules end after round 3\n"


def test_json_prints_one_object(registry: negsim.PluginRegistry, scenario_file: Path) -> None:
    result = invoke("run", scenario_file, "--json", "--set", "agents.DPRK.params.aggression=0.5")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # nothing else on stdout
    assert set(data) == {"outcome", "reason", "rounds", "metrics", "provenance"}
    assert data["outcome"] == "fait_accompli"
    assert data["reason"] == "toy rules end after round 3"
    assert data["rounds"] == 3
    assert data["metrics"]["actions"] == 1
    prov = data["provenance"]
    assert prov["scenario"] == "toy-korea"
    assert prov["seed"] == 7
    assert prov["overrides"] == ["agents.DPRK.params.aggression=0.5"]
    assert [p["name"] for p in prov["plugins"]] == ["dove", "hawk", "toy"]


def test_json_matches_the_library(registry: negsim.PluginRegistry, scenario_file: Path) -> None:
    data = json.loads(invoke("run", scenario_file, "--json", "--seed", "3").stdout)
    expected = negsim.simulate(
        negsim.load_scenario(scenario_file, registry=registry), seed=3, registry=registry
    )
    assert data["outcome"] == str(expected.outcome)
    assert data["metrics"] == dict(expected.metrics)
    assert expected.provenance is not None
    assert data["provenance"]["scenario_digest"] == expected.provenance.scenario_digest


def test_json_and_quiet_conflict(registry: negsim.PluginRegistry, scenario_file: Path) -> None:
    result = invoke("run", scenario_file, "--json", "--quiet")
    assert result.exit_code == 2
    assert "--json and --quiet" in result.stderr


# -- negsim run --log ------------------------------------------------------------------


def test_log_reads_back_equal_to_a_rerun(
    registry: negsim.PluginRegistry, scenario_file: Path, tmp_path: Path
) -> None:
    log = tmp_path / "run.jsonl"
    result = invoke("run", scenario_file, "--seed", "5", "--log", log, "--quiet")
    assert result.exit_code == 0, result.output
    logged = negsim.read_jsonl(log)
    rerun = negsim.simulate(
        negsim.load_scenario(scenario_file, registry=registry), seed=5, registry=registry
    )
    assert logged == rerun
    assert logged.events == rerun.events


def test_log_records_overrides(
    registry: negsim.PluginRegistry, scenario_file: Path, tmp_path: Path
) -> None:
    log = tmp_path / "run.jsonl"
    override = "world.params.end_round=4"
    assert invoke("run", scenario_file, "--set", override, "--log", log, "-q").exit_code == 0
    logged = negsim.read_jsonl(log)
    assert logged.rounds == 4
    assert logged.provenance is not None
    assert logged.provenance.overrides == (override,)


def test_same_seed_gives_byte_identical_logs(
    registry: negsim.PluginRegistry, scenario_file: Path, tmp_path: Path
) -> None:
    first, second, other = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    for log, seed in ((first, "11"), (second, "11"), (other, "12")):
        assert invoke("run", scenario_file, "--seed", seed, "--log", log, "-q").exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()  # the seed is in the provenance


def test_same_seed_gives_byte_identical_logs_across_processes(
    scenario_file: Path, tmp_path: Path
) -> None:
    """String hashing differs between processes; the log must not."""
    script = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, sys.argv[1])
        import test_cli
        import negsim.cli._registry
        registry = test_cli.make_registry()
        negsim.cli._registry.get_registry = lambda: registry
        from negsim.cli import main
        main(["run", sys.argv[2], "--seed", "4", "--log", sys.argv[3], "-q"])
        """
    )
    logs = []
    for hash_seed in ("1", "2"):
        log = tmp_path / f"hash{hash_seed}.jsonl"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        proc = processes.run(
            [
                sys.executable,
                "-c",
                script,
                str(Path(__file__).parent),
                str(scenario_file),
                str(log),
            ],
            env=env,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        logs.append(log.read_bytes())
    assert logs[0] == logs[1]


def test_unwritable_log_is_an_error(
    registry: negsim.PluginRegistry, scenario_file: Path, tmp_path: Path
) -> None:
    result = invoke("run", scenario_file, "--log", tmp_path / "missing-dir" / "run.jsonl")
    assert_user_error(result, 1, "cannot write the log", "missing-dir")


# -- negsim run --trace ----------------------------------------------------------------


def test_trace_names_the_plugins_of_each_hook_call(
    registry: negsim.PluginRegistry, scenario_file: Path
) -> None:
    result = invoke("run", scenario_file, "--trace")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Trace" in out
    trace = [line.split() for line in out.splitlines() if line.strip().startswith("r")]
    decide = [t for t in trace if len(t) > 1 and t[1] == "negsim_decide"]
    assert len(decide) == 3 * 4  # every agent, every round
    by_agent = {t[2]: t[3] for t in decide}
    assert by_agent == {"DPRK": "hawk", "ROK": "dove", "USA": "dove", "JPN": "dove"}
    assert ["r2", "negsim_decide", "DPRK", "hawk", "->", "[attack(ROK),", "demand->JPN]"] in trace
    adjudicate = [t for t in trace if len(t) > 1 and t[1] == "negsim_adjudicate"]
    assert len(adjudicate) == 3
    assert all(t[2:4] == ["-", "toy"] for t in adjudicate)
    # the trace comes before the timeline, which is still printed
    assert out.index("Trace") < out.index("Round 1")
    assert "outcome: fait_accompli" in out


def test_trace_shows_the_calls_up_to_a_failure(
    registry: negsim.PluginRegistry, write: Write
) -> None:
    path = write("raising", *RAISER)
    result = invoke("run", path, "--trace")
    assert result.exit_code == 1
    assert "r1  negsim_decide" in result.stdout
    assert "raiser" in result.stdout


def test_trace_in_json(registry: negsim.PluginRegistry, scenario_file: Path) -> None:
    data = json.loads(invoke("run", scenario_file, "--json", "--trace").stdout)
    calls = [t for t in data["trace"] if t["hook"] == "negsim_decide" and t["agent"] == "DPRK"]
    assert [c["plugins"] for c in calls] == [["hawk"]] * 3
    assert calls[0]["round"] == 1


# -- negsim run: errors ----------------------------------------------------------------


def test_missing_file(registry: negsim.PluginRegistry, tmp_path: Path) -> None:
    result = invoke("run", tmp_path / "nowhere.toml")
    assert_user_error(result, 2, "nowhere.toml", "no such file")


def test_toml_syntax_error_names_the_line(registry: negsim.PluginRegistry, write: Write) -> None:
    path = write("syntax", "seed = 7", "seed = = 7")
    err = assert_user_error(invoke("run", path), 2, "syntax.toml", "not valid TOML")
    assert "line 4" in err


def test_unknown_doctrine_lists_the_installed_ones(
    registry: negsim.PluginRegistry, write: Write
) -> None:
    path = write("doctrine", 'doctrine = "hawk"', 'doctrine = "hawkish"')
    assert_user_error(
        invoke("run", path), 2, "agents[0].doctrine", "'hawkish'", "dove, hawk, raiser"
    )


def test_alliance_with_an_unknown_agent(registry: negsim.PluginRegistry, write: Write) -> None:
    path = write("alliance", 'members = ["USA", "ROK"]', 'members = ["USA", "RUS"]')
    assert_user_error(
        invoke("run", path), 2, "alliances[0].members", "'RUS'", "known: DPRK, JPN, ROK, USA"
    )


def test_duplicate_agent_id(registry: negsim.PluginRegistry, write: Write) -> None:
    path = write("duplicate", 'id = "JPN"', 'id = "USA"')
    assert_user_error(invoke("run", path), 2, "agents[3].id", "duplicate id 'USA'", "agents[2]")


def test_negative_force_level(registry: negsim.PluginRegistry, write: Write) -> None:
    path = write("negative", "conventional = 10", "conventional = -3")
    assert_user_error(
        invoke("run", path), 2, "agents[0].capabilities.conventional", "must be >= 0", "-3"
    )


def test_unparsable_proposition_names_the_column(
    registry: negsim.PluginRegistry, write: Write
) -> None:
    path = write("proposition", 'antecedent = "attacked(ROK)"', 'antecedent = "attacked(ROK) &"')
    err = assert_user_error(
        invoke("run", path), 2, "commitments[0].antecedent", "column 16", "attacked(ROK) &"
    )
    assert "^" in err


@pytest.mark.parametrize(
    ("override", "fragments"),
    [
        ("agents.RUS.name=x", ("--set agents.RUS.name", "'RUS'", "known: DPRK, ROK, USA, JPN")),
        ("scenario.rounds=4", ("--set scenario.rounds", "'rounds'", "max_rounds")),
        ("world.params.end_round.x=1", ("--set world.params.end_round.x",)),
        ("no-equals-sign", ("expected PATH=VALUE",)),
    ],
)
def test_bad_override_path(
    registry: negsim.PluginRegistry,
    scenario_file: Path,
    override: str,
    fragments: tuple[str, ...],
) -> None:
    assert_user_error(invoke("run", scenario_file, "--set", override), 2, *fragments)


def test_override_with_an_invalid_value(
    registry: negsim.PluginRegistry, scenario_file: Path
) -> None:
    result = invoke("run", scenario_file, "--set", "agents.DPRK.params.aggression=2")
    assert_user_error(result, 2, "agents[0].params.aggression", "must be <= 1")


def test_override_a_parameter_the_file_does_not_set(
    registry: negsim.PluginRegistry, write: Write
) -> None:
    path = write("no-params", "params = { aggression = 0.3 }\n", "")
    result = invoke("run", path, "--set", "agents.DPRK.params.aggression=0.5", "--json")
    assert result.exit_code == 0, result.output


def test_failing_plugin_names_plugin_agent_and_round(
    registry: negsim.PluginRegistry, write: Write
) -> None:
    path = write("raising", *RAISER)
    result = invoke("run", path, "--json")
    err = assert_user_error(result, 1, "plugin 'raiser'", "'DPRK'", "round 2", "ValueError")
    assert "the raiser always fails in round 2" in err
    assert "NEGSIM_DEBUG=1" in err  # the hint, on its own line
    assert result.stdout == ""


def test_failing_plugin_reraises_under_negsim_debug(
    registry: negsim.PluginRegistry, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEGSIM_DEBUG", "1")
    path = write("raising", *RAISER)
    result = invoke("run", path)
    assert result.exit_code == 1
    assert isinstance(result.exception, negsim.PluginCallError)
    assert isinstance(result.exception.__cause__, ValueError)


def test_scenario_errors_do_not_reraise_under_negsim_debug(
    registry: negsim.PluginRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEGSIM_DEBUG", "1")
    assert_user_error(invoke("run", tmp_path / "nowhere.toml"), 2, "no such file")


def test_other_negsim_errors_exit_1(
    registry: negsim.PluginRegistry, scenario_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> negsim.PluginRegistry:
        raise negsim.PluginError("cannot load an installed negsim plugin: boom")

    monkeypatch.setattr(negsim.cli._registry, "get_registry", broken)
    assert_user_error(invoke("run", scenario_file), 1, "cannot load an installed negsim plugin")
    assert_user_error(invoke("plugins"), 1, "boom")


def test_usage_errors_keep_clicks_exit_code(registry: negsim.PluginRegistry) -> None:
    result = invoke("run")
    assert result.exit_code == 2
    assert "Missing argument 'FILE'" in result.stderr
    assert invoke("run", "x.toml", "--seed", "many").exit_code == 2
    assert invoke("frobnicate").exit_code == 2


# -- negsim plugins --------------------------------------------------------------------


def test_plugins_lists_the_test_plugins(registry: negsim.PluginRegistry) -> None:
    result = invoke("plugins")
    assert result.exit_code == 0, result.output
    rows = {
        cells[0]: cells[1:]
        for line in result.stdout.splitlines()
        if len(cells := [c.strip() for c in line.strip("│|").split("│")]) == 5
    }
    assert rows["hawk"] == ["doctrine", "-", "-", "Threatens, then attacks."]
    assert rows["dove"][0] == "doctrine"
    assert rows["raiser"][0] == "doctrine"
    assert rows["toy"] == ["world", "-", "-", "Toy world rules."]
    assert "aggression" not in result.stdout


def test_plugins_params(registry: negsim.PluginRegistry) -> None:
    out = invoke("plugins", "--params").stdout
    assert "hawk (doctrine) parameters" in out
    assert "toy (world) parameters" in out
    assert "raiser (doctrine) parameters" not in out  # no parameters, no table
    row = next(line for line in out.splitlines() if "aggression" in line)
    assert [c.strip() for c in row.strip("│").split("│")] == [
        "aggression",
        "0.3",
        "0 .. 1",
        "Share of forces sent.",
    ]
    row = next(line for line in out.splitlines() if "end_round" in line)
    assert ">= 1" in row


def test_plugins_json(registry: negsim.PluginRegistry) -> None:
    data = json.loads(invoke("plugins", "--json").stdout)
    assert [p["name"] for p in data] == ["dove", "hawk", "raiser", "toy"]
    hawk = data[1]
    assert hawk["role"] == "doctrine"
    assert hawk["summary"] == "Threatens, then attacks."
    assert hawk["params"] == [
        {
            "name": "aggression",
            "default": 0.3,
            "doc": "Share of forces sent.",
            "low": 0.0,
            "high": 1.0,
            "source": "assumption",
        }
    ]


def test_plugins_without_any(monkeypatch: pytest.MonkeyPatch) -> None:
    empty = negsim.PluginRegistry(discover=False)
    monkeypatch.setattr(negsim.cli._registry, "get_registry", lambda: empty)
    result = invoke("plugins")
    assert result.exit_code == 0
    assert "no negsim plugins are installed" in result.stdout


# -- the group -------------------------------------------------------------------------


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"negsim, version {negsim.__version__}\n"


def test_main_is_a_click_group_named_negsim() -> None:
    import click

    assert isinstance(main, click.Group)
    assert main.name == "negsim"
    assert {"plugins", "run", "check"} <= set(main.commands)


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["plugins", "--help"]])
def test_help_imports_nothing_heavy(args: list[str]) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from click.testing import CliRunner
        import negsim.cli
        result = CliRunner().invoke(negsim.cli.main, {args!r})
        assert result.exit_code == 0, result.output
        assert "Usage: " in result.output
        print(",".join(sorted(m for m in {HEAVY!r} if m in sys.modules)))
        """
    )
    proc = processes.run([sys.executable, "-c", script], check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_python_dash_m_negsim_is_the_command() -> None:
    import sys

    done = processes.run([sys.executable, "-m", "negsim", "--version"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("negsim, version ")
