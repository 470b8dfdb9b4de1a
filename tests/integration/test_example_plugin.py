"""The example third-party plugin package, examples/negsim-hawkish.

The tests marked ``integration`` install the package (no dependencies) into a private
folder, check that negsim discovers it through its entry point (``negsim plugins`` and
``negsim.plugins.default_registry()``) and run a scenario that uses it, each in a fresh
subprocess with that folder on its ``PYTHONPATH``. The running interpreter's
environment is left alone: installing into it and uninstalling again raced with the
other tests running at the same time (under pytest-xdist, another worker's teardown
uninstalled the package under this one, and subprocesses replaying runs for the
hash-seed checks saw a plugin come and go). The other tests load the module from its
source folder and check the doctrine's behaviour in-process against the toy world
rules.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import textwrap
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import negsim
from negsim.errors import ScenarioError
from negsim.model import ActionTaken, CommitmentChanged, CommitmentCreated, MessageSent
from tests import _processes as processes
from tests.toyplugins import ToyWorld

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "examples" / "negsim-hawkish"
SCENARIO = PACKAGE / "scenario.toml"
DIST = "negsim-hawkish"
VERSION = tomllib.loads((PACKAGE / "pyproject.toml").read_text())["project"]["version"]


def _run(args: list[str], *, env: dict[str, str] | None = None, timeout: int = 300):
    return processes.run(
        args,
        cwd=ROOT,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )


def _is_installed() -> bool:
    probe = f"import importlib.metadata as m; m.version({DIST!r})"
    return _run([sys.executable, "-c", probe]).returncode == 0


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """``pip install --no-deps --target <folder> examples/negsim-hawkish``: the
    environment variables under which a subprocess sees the package installed.

    A copy that was installed before the tests is used as it is.
    """
    if _is_installed():
        return {}
    target = tmp_path_factory.mktemp("site-packages")
    pip = [sys.executable, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check"]
    pip += ["--target", str(target)]
    proc = _run([*pip, str(PACKAGE)])
    if proc.returncode != 0:  # offline: build with the hatchling already installed
        retry = _run([*pip, "--no-build-isolation", str(PACKAGE)])
        assert retry.returncode == 0, (
            f"pip install failed:\n{proc.stdout}\n{proc.stderr}\n"
            f"and without build isolation:\n{retry.stdout}\n{retry.stderr}"
        )
    path = [str(target), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {"PYTHONPATH": os.pathsep.join(path)}
    probe = f"import importlib.metadata as m; print(m.version({DIST!r}))"
    assert _run([sys.executable, "-c", probe], env=env).stdout.strip() == VERSION
    return env


def _cli() -> str:
    """The installed ``negsim`` console script (installing negsim puts it on PATH)."""
    exe = shutil.which("negsim")
    assert exe is not None, "the negsim command is not installed (no console script on PATH)"
    proc = _run([exe, "--help"])
    assert proc.returncode == 0, f"`negsim --help` failed:\n{proc.stdout}\n{proc.stderr}"
    return exe


# -- installed, discovered through the entry point ----------------------------------------------


@pytest.mark.integration
def test_negsim_plugins_lists_the_installed_plugin(installed):
    exe = _cli()
    proc = _run([exe, "plugins"], env={**installed, "COLUMNS": "240", "NO_COLOR": "1"})
    assert proc.returncode == 0, proc.stderr
    for text in ("hawkish", DIST, VERSION):
        assert text in proc.stdout, proc.stdout
    proc = _run([exe, "plugins", "--json"], env=installed)
    assert proc.returncode == 0, proc.stderr
    [record] = [r for r in json.loads(proc.stdout) if r["name"] == "hawkish"]
    assert (record["role"], record["distribution"], record["version"]) == (
        "doctrine",
        DIST,
        VERSION,
    )
    assert {p["name"] for p in record["params"]} >= {"resolve", "threshold"}


_DISCOVER = textwrap.dedent(
    """
    import hashlib, io, json, sys, tomllib
    import negsim
    from negsim.model import ActionTaken, CommitmentCreated, MessageSent, PluginRole
    from negsim.plugins import default_registry

    path = sys.argv[1]
    registry = default_registry()
    info = {i.name: i for i in registry.info()}
    if "crisis" in registry.names(PluginRole.WORLD):
        scenario = negsim.load_scenario(path)
    else:  # the crisis world rules are not installed: use the toy world
        from tests.toyplugins import ToyWorld
        registry.register(ToyWorld(), "toy")
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        data["scenario"]["world_rules"] = "toy"
        data["world"].pop("params", None)
        scenario = negsim.scenario.scenario_from_dict(data, source=path)
    # the hawks answer an attack from the next day on: run the first seed whose crisis
    # outlasts the opening day (the garrison can throw a grab back on its first day)
    result = next(
        r for r in (negsim.simulate(scenario, seed=s) for s in range(1, 50)) if r.rounds > 1
    )
    buf = io.StringIO()
    negsim.write_jsonl(result, buf)
    hawks = sorted(a.id for a in scenario.agents if a.doctrine == "hawkish")
    print(json.dumps({
        "names": registry.names(),
        "hawkish": [info["hawkish"].role, info["hawkish"].distribution, info["hawkish"].version],
        "world_rules": scenario.world_rules,
        "hawks": hawks,
        "max_rounds": scenario.max_rounds,
        "seed": result.provenance.seed,
        "rounds": result.rounds,
        "outcome": str(result.outcome),
        "messages": [[e.message.sender, str(e.message.performative), list(e.message.recipients)]
                     for e in result.events_of(MessageSent)],
        "actions": [[e.action.actor, str(e.action.kind), e.action.target]
                    for e in result.events_of(ActionTaken)],
        "created": [[e.commitment.debtor, e.commitment.creditor, e.commitment.consequent]
                    for e in result.events_of(CommitmentCreated)],
        "plugins": [p.name for p in result.provenance.plugins],
        "log": hashlib.sha256(buf.getvalue().encode()).hexdigest(),
    }))
    """
)


def _discover(hashseed: str, env: dict[str, str]) -> dict:
    proc = _run(
        [sys.executable, "-c", _DISCOVER, str(SCENARIO)], env={**env, "PYTHONHASHSEED": hashseed}
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.integration
def test_default_registry_discovers_the_plugin_and_a_scenario_runs(installed):
    out = _discover("0", installed)
    assert "hawkish" in out["names"]
    assert out["hawkish"] == ["doctrine", DIST, VERSION]
    assert out["hawks"] == ["BLUE", "GREEN", "RED"]
    assert "hawkish" in out["plugins"]
    assert 2 <= out["rounds"] <= out["max_rounds"]
    # the hawks' own moves are in the log
    assert ["RED", "attack", "GREEN"] in out["actions"]
    assert ["BLUE", "pledge", ["GREEN"]] in out["messages"]
    assert ["BLUE", "threaten", ["RED"]] in out["messages"]
    assert all(sender in out["hawks"] for sender, _, _ in out["messages"])
    assert ["BLUE", "GREEN", "responds(BLUE,GREEN)"] in out["created"]
    # the same run, byte for byte, in a process with another string-hash seed
    assert _discover("31337", installed)["log"] == out["log"]


@pytest.mark.integration
def test_negsim_run_with_the_example_scenario(installed):
    exe = _cli()
    proc = _run([exe, "run", str(SCENARIO), "--seed", "1", "--json"], env=installed)
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert record["outcome"] in {str(o) for o in negsim.Outcome}
    assert 1 <= record["rounds"] <= 8


# -- the doctrine in-process, against the toy world ---------------------------------------------


@pytest.fixture(scope="module")
def hawkish() -> Iterator[ModuleType]:
    """The plugin module, loaded from its source folder without installing it."""
    path = PACKAGE / "src" / "negsim_hawkish" / "__init__.py"
    spec = importlib.util.spec_from_file_location("_negsim_hawkish_under_test", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


@pytest.fixture
def registry(hawkish):
    return negsim.PluginRegistry([("hawkish", hawkish), ("toy", ToyWorld())], discover=False)


def scenario(registry, blue=None, red=None, max_rounds=6):
    """The example scenario on the toy world, with BLUE's and RED's params replaced."""
    data = tomllib.loads(SCENARIO.read_text())
    data["scenario"]["world_rules"] = "toy"
    data["scenario"]["max_rounds"] = max_rounds
    data["world"].pop("params", None)
    for a in data["agents"]:
        if a["id"] == "BLUE" and blue is not None:
            a["params"] = blue
        if a["id"] == "RED" and red is not None:
            a["params"] = red
    return negsim.scenario.scenario_from_dict(data, source=str(SCENARIO), registry=registry)


def messages(result, sender, performative):
    return [
        e.message
        for e in result.events_of(MessageSent)
        if e.message.sender == sender and e.message.performative == performative
    ]


def test_spec_declares_the_documented_parameters(hawkish):
    spec = hawkish.negsim_plugin_spec()
    assert spec.role == "doctrine"
    assert spec.summary
    assert spec.defaults == {
        "resolve": 0.7,
        "threshold": 0.5,
        "noise": 0.1,
        "deadline": 2,
        "target": "",
        "open_round": 1,
    }
    for p in spec.params:
        assert p.doc
    assert hawkish.__doc__
    assert "view.rng" in hawkish.__doc__


def test_example_scenario_file_is_valid_for_the_doctrine(registry):
    s = scenario(registry)
    assert s.agent("BLUE").params["resolve"] == 0.52
    assert s.agent("RED").params["target"] == "GREEN"


def test_out_of_range_parameter_is_refused(registry):
    with pytest.raises(ScenarioError, match=r"agents\[\d\]\.params\.resolve: must be <= 1.0: 1.5"):
        scenario(registry, blue={"resolve": 1.5})


def test_opens_pledges_warns_and_responds(registry):
    s = scenario(registry, blue={"resolve": 0.9, "noise": 0.0})
    result = negsim.simulate(s, seed=1, registry=registry)
    acts = [
        (e.round, e.action.actor, str(e.action.kind), e.action.target)
        for e in result.events_of(ActionTaken)
    ]
    assert (1, "RED", "attack", "GREEN") in acts
    assert (2, "BLUE", "respond", "GREEN") in acts
    assert (2, "GREEN", "respond", "GREEN") in acts  # self-defence
    assert len([a for a in acts if a[1] == "BLUE"]) == 1  # once per attacked state
    [pledge] = messages(result, "BLUE", "pledge")
    assert (pledge.round, pledge.recipients) == (2, ("GREEN",))
    [warning] = [m for m in messages(result, "BLUE", "threaten") if m.in_reply_to is None]
    assert (warning.round, warning.recipients) == (2, ("RED",))  # outsiders only
    created = {e.commitment.id: e.commitment for e in result.events_of(CommitmentCreated)}
    c = created[f"{pledge.id}/GREEN"]
    assert (c.debtor, c.creditor, c.antecedent, c.consequent, c.deadline) == (
        "BLUE",
        "GREEN",
        "attacked(GREEN)",
        "responds(BLUE,GREEN)",
        2,
    )
    assert {x.id: x.state for x in result.commitments}[c.id] == "discharged"


def test_counter_threat_once_per_threatener(registry):
    s = scenario(registry, blue={"resolve": 0.9, "noise": 0.0})
    result = negsim.simulate(s, seed=1, registry=registry)
    warning, answer = messages(result, "BLUE", "threaten")
    [counter] = messages(result, "RED", "threaten")  # RED answers BLUE once, not BLUE's answer
    assert warning.in_reply_to is None
    assert counter.round == warning.round + 1
    assert counter.recipients == ("BLUE",)
    assert counter.in_reply_to == warning.id
    assert counter.content["antecedent"] == warning.content["consequent"]
    assert counter.content["consequent"] == "responds(RED,RED)"
    # BLUE in turn answers RED's threat once: "if you respond, I respond"
    assert (answer.round, answer.recipients, answer.in_reply_to) == (4, ("RED",), counter.id)
    assert answer.content["antecedent"] == "responds(RED,RED)"


def test_below_threshold_it_talks_but_does_not_fight_and_breaks_its_pledge(registry):
    s = scenario(registry, blue={"resolve": 0.3, "threshold": 0.5, "noise": 0.1})
    result = negsim.simulate(s, seed=4, registry=registry)
    assert not [e for e in result.events_of(ActionTaken) if e.action.actor == "BLUE"]
    [pledge] = messages(result, "BLUE", "pledge")
    history = [
        (e.round, str(e.new))
        for e in result.events_of(CommitmentChanged)
        if e.commitment == f"{pledge.id}/GREEN"
    ]
    assert history == [(2, "detached"), (4, "violated")]


def test_jitter_comes_from_the_agents_stream_only(registry):
    s = scenario(registry, blue={"resolve": 0.5, "threshold": 0.5, "noise": 0.5}, max_rounds=8)
    runs = {seed: negsim.simulate(s, seed=seed, registry=registry) for seed in range(12)}
    again = negsim.simulate(s, seed=3, registry=registry)
    assert again.events == runs[3].events

    def first_response(result):
        return next(
            (e.round for e in result.events_of(ActionTaken) if e.action.actor == "BLUE"), None
        )

    assert len({first_response(r) for r in runs.values()}) > 1  # the seed does matter
