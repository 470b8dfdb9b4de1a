"""The determinism contract with private types, beliefs' inputs and negotiations.

Same scenario and seed: the same log, whatever the process's hash seed and whatever
the sweep backend. The scenario is the Korea flagship with a private type for the
DPRK (a prior over its gains from a grab) and a take-it-or-leave-it negotiation
between the DPRK and the ROK, so types are drawn and a session runs in every run.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import negsim
from negsim.experiments import read_results, sweep
from tests import _processes as processes

ROOT = Path(__file__).resolve().parents[2]
KOREA = ROOT / "examples" / "scenarios" / "korea_integrated.toml"

SCENARIO_CODE = """
import attrs, negsim
from negsim.model import AgentType, DiscretePrior, Issue, Negotiation

def scenario():
    base = negsim.load_scenario({path!r})
    prior = DiscretePrior([
        AgentType("greedy", {{"value_gain": 6.0}}, 0.4),
        AgentType("modest", {{"value_gain": 2.0}}, 0.6),
    ])
    agents = [attrs.evolve(a, prior=prior) if a.id == "DPRK" else a for a in base.agents]
    talks = Negotiation(
        "ultimatum", "alternating_offers", ["DPRK", "ROK"],
        [Issue("demand", low=0.0, high=1.0)], deadline=3,
        params={{"counter_offers": False}},
    )
    return attrs.evolve(base, agents=agents, negotiations=[talks])
"""


def _scenario() -> negsim.Scenario:
    namespace: dict[str, object] = {}
    exec(SCENARIO_CODE.format(path=str(KOREA)), namespace)  # the same code the children run
    scenario = namespace["scenario"]()  # type: ignore[operator]
    assert isinstance(scenario, negsim.Scenario)
    return scenario


def test_types_and_sessions_are_in_every_run() -> None:
    result = negsim.simulate(_scenario(), seed=3)
    assert [e.kind for e in result.events if e.kind.startswith("negotiation")] == [
        "negotiation_opened",
        "negotiation_ended",
    ]
    drawn = {negsim.Simulation(_scenario(), seed=s).types["DPRK"].name for s in range(20)}
    assert drawn == {"greedy", "modest"}


def _log_digest(hash_seed: str) -> str:
    code = SCENARIO_CODE.format(path=str(KOREA)) + (
        "\nimport hashlib, sys\n"
        "from negsim.results import dumps_lines\n"
        "lines = dumps_lines(negsim.simulate(scenario(), seed=3))\n"
        "sys.stdout.write(hashlib.sha256('\\n'.join(lines).encode()).hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = processes.run([sys.executable, "-c", code], env=env, check=True)
    return done.stdout


def test_the_same_log_under_any_hash_seed() -> None:
    from negsim.results import dumps_lines

    here = hashlib.sha256(
        "\n".join(dumps_lines(negsim.simulate(_scenario(), seed=3))).encode()
    ).hexdigest()
    assert {_log_digest("0"), _log_digest("2024")} == {here}


def test_the_same_rows_on_every_backend(tmp_path: Path) -> None:
    definition = {
        "grid": ["agents.ROK.params.noise=0.0,0.2"],
        "runs": 6,
        "seed": 9,
        "progress": False,
    }
    scenario = _scenario()
    serial = sweep(scenario, backend="serial", out=tmp_path / "s.parquet", **definition)
    pool = sweep(scenario, backend="process", workers=2, out=tmp_path / "p.parquet", **definition)
    assert (serial.ran, pool.ran) == (12, 12)
    a, b = read_results(tmp_path / "s.parquet"), read_results(tmp_path / "p.parquet")
    keep = [c for c in a.columns if c not in ("elapsed", "worker")]
    assert a[keep].equals(b[keep])
