"""negsim: a rule-based multi-agent simulator of negotiation in alliance crises.

The stable public API. Load a scenario file, run it, read the result::

    import negsim

    scenario = negsim.load_scenario("examples/scenarios/korea_bilateral.toml")
    result = negsim.simulate(scenario, seed=1)
    print(result.outcome)
    negsim.write_report(result, "run.html")  # the run as one HTML page
"""

from importlib.metadata import PackageNotFoundError, version

from negsim._api import simulate
from negsim.engine import Simulation
from negsim.errors import (
    NegsimError,
    OverrideError,
    PluginCallError,
    PluginError,
    PropositionError,
    ScenarioError,
    ScenarioFileError,
    SimulationError,
    TargetsError,
    TimeLimitError,
    UnknownDoctrineError,
)
from negsim.experiments import simulate_many, simulate_sequence
from negsim.hookspecs import hookimpl, hookspec
from negsim.model import (
    Action,
    ActionKind,
    Agent,
    AgentView,
    Alliance,
    Commitment,
    CommitmentState,
    Limits,
    Message,
    Outcome,
    ParamSpec,
    Performative,
    PluginRole,
    PluginSpec,
    Result,
    Scenario,
    WorldState,
)
from negsim.plugins import PluginRegistry
from negsim.results import read_jsonl, to_rows, write_jsonl, write_report
from negsim.scenario import apply_overrides, load_scenario

try:
    __version__ = version("negsim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

__all__ = [
    "Action",
    "ActionKind",
    "Agent",
    "AgentView",
    "Alliance",
    "Commitment",
    "CommitmentState",
    "Limits",
    "Message",
    "NegsimError",
    "Outcome",
    "OverrideError",
    "ParamSpec",
    "Performative",
    "PluginCallError",
    "PluginError",
    "PluginRegistry",
    "PluginRole",
    "PluginSpec",
    "PropositionError",
    "Result",
    "Scenario",
    "ScenarioError",
    "ScenarioFileError",
    "Simulation",
    "SimulationError",
    "TimeLimitError",
    "TargetsError",
    "UnknownDoctrineError",
    "WorldState",
    "__version__",
    "apply_overrides",
    "hookimpl",
    "hookspec",
    "load_scenario",
    "read_jsonl",
    "simulate",
    "simulate_many",
    "simulate_sequence",
    "to_rows",
    "write_jsonl",
    "write_report",
]
