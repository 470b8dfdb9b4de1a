"""Plugins that misbehave on purpose, one way each, for the hostile-input suite.

Doctrines act from round ``WHEN`` (2) on, so a fault is always inside a run, after a
round that went well. World rules stand in for the toy world with one wrong return.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import attrs

import negsim
from negsim import AgentView, PluginSpec, hookimpl
from negsim.model import Adjudication, Performative, WorldState
from tests.toyplugins import ToyWorld, make_registry

WHEN = 2


class _Doctrine:
    """A doctrine whose ``act`` runs from round ``WHEN`` on; no moves before."""

    @hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return PluginSpec(role="doctrine", summary=type(self).__doc__ or "")

    @hookimpl
    def negsim_decide(self, view: AgentView) -> Any:
        return self.act(view) if view.round >= WHEN else []

    def act(self, view: AgentView) -> Any:
        raise NotImplementedError


class Exits(_Doctrine):
    """Calls sys.exit(0)."""

    def act(self, view: AgentView) -> Any:
        sys.exit(0)


class Interrupts(_Doctrine):
    """Raises KeyboardInterrupt itself."""

    def act(self, view: AgentView) -> Any:
        raise KeyboardInterrupt


class BlamesScenario(_Doctrine):
    """Raises a ScenarioError of its own."""

    def act(self, view: AgentView) -> Any:
        raise negsim.ScenarioError("its own input", ["not the scenario's fault"])


class Sleeps(_Doctrine):
    """Sleeps far longer than any limit."""

    def act(self, view: AgentView) -> Any:
        time.sleep(3600)


class Spins(_Doctrine):
    """Loops forever, swallowing every Exception."""

    def act(self, view: AgentView) -> Any:
        while True:
            try:
                sum(range(1000))
            except Exception:
                continue


class Slow(_Doctrine):
    """Takes 0.3 s per decision, then returns."""

    def act(self, view: AgentView) -> Any:
        time.sleep(0.3)
        return []


class MutatesWorld(_Doctrine):
    """Changes the frozen world state in place."""

    def act(self, view: AgentView) -> Any:
        object.__setattr__(view.world, "facts", frozenset({"attacked(A)"}))
        return []


class MutatesCapabilities(_Doctrine):
    """Changes its own frozen capabilities in place."""

    def act(self, view: AgentView) -> Any:
        object.__setattr__(view.agent.capabilities, "conventional", 1e9)
        return []


class Floods(_Doctrine):
    """Sends 500 messages a round."""

    def act(self, view: AgentView) -> Any:
        other = next(a for a in view.public.agents if a != view.me)
        return [view.say([other], Performative.INFORM, n=i) for i in range(500)]


class NotJson(_Doctrine):
    """Puts an object that JSON cannot hold in a message's content."""

    def act(self, view: AgentView) -> Any:
        other = next(a for a in view.public.agents if a != view.me)
        message = view.say([other], Performative.INFORM, note="x")
        return [attrs.evolve(message, content={"note": object()})]


class Says(_Doctrine):
    """Says ``TEXT`` (set by a test) in a message's content every round."""

    TEXT = ""

    def act(self, view: AgentView) -> Any:
        other = next(a for a in view.public.agents if a != view.me)
        return [view.say([other], Performative.INFORM, text=self.TEXT)]


class _World(ToyWorld):
    """The toy world, with one hook overridden by a subclass."""

    @hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        spec = super().negsim_plugin_spec()
        return attrs.evolve(spec, summary=type(self).__doc__ or "")


class UnknownOutcome(_World):
    """Ends round 2 with an outcome it does not declare."""

    @hookimpl
    def negsim_classify_outcome(self, world: WorldState) -> Any:
        return ("victory", "undeclared") if world.round >= WHEN else None


class OutcomeNotAPair(_World):
    """Classifies round 2 with a bare string, not (outcome, reason)."""

    @hookimpl
    def negsim_classify_outcome(self, world: WorldState) -> Any:
        return "settlement" if world.round >= WHEN else None


class OutcomeNotAName(_World):
    """Classifies round 2 with a number as the outcome."""

    @hookimpl
    def negsim_classify_outcome(self, world: WorldState) -> Any:
        return (42, "a number") if world.round >= WHEN else None


class MetricNotANumber(_World):
    """Reports a metric that is a string."""

    @hookimpl
    def negsim_collect_metrics(self) -> Any:
        return {"score": "high"}


class MetricsNotAMapping(_World):
    """Reports metrics as a list."""

    @hookimpl
    def negsim_collect_metrics(self) -> Any:
        return [1, 2, 3]


class AdjudicatesNonsense(_World):
    """Returns a string from negsim_adjudicate."""

    @hookimpl
    def negsim_adjudicate(self, world: WorldState) -> Any:
        return "the world ends"


class AdjudicatesBadWorld(_World):
    """Returns an Adjudication whose world is not a WorldState."""

    @hookimpl
    def negsim_adjudicate(self, world: WorldState) -> Any:
        return Adjudication(world={"facts": []})  # type: ignore[arg-type]


class NarratesObject(_World):
    """Puts an object that JSON cannot hold in an event it reports."""

    @hookimpl
    def negsim_adjudicate(self, world: WorldState) -> Any:
        return Adjudication(world=world, events=[negsim.model.Narration(world.round, object())])  # type: ignore[arg-type]


class ChecksAtStart(_World):
    """Refuses the scenario when the run is set up (as world rules may)."""

    @hookimpl
    def negsim_simulation_start(self, scenario: negsim.Scenario) -> None:
        raise negsim.ScenarioError(scenario.name, ["world.params: not a game I can play"])


DOCTRINES: dict[str, type[_Doctrine]] = {
    "exits": Exits,
    "interrupts": Interrupts,
    "blames_scenario": BlamesScenario,
    "sleeps": Sleeps,
    "spins": Spins,
    "slow": Slow,
    "mutates_world": MutatesWorld,
    "mutates_capabilities": MutatesCapabilities,
    "floods": Floods,
    "not_json": NotJson,
    "says": Says,
}
WORLDS: dict[str, type[_World]] = {
    "unknown_outcome": UnknownOutcome,
    "outcome_not_a_pair": OutcomeNotAPair,
    "outcome_not_a_name": OutcomeNotAName,
    "metric_not_a_number": MetricNotANumber,
    "metrics_not_a_mapping": MetricsNotAMapping,
    "adjudicates_nonsense": AdjudicatesNonsense,
    "adjudicates_bad_world": AdjudicatesBadWorld,
    "narrates_object": NarratesObject,
    "checks_at_start": ChecksAtStart,
}


def registry() -> negsim.PluginRegistry:
    """The toy plugins and every faulty one above, under its name."""
    plugins = [(name, cls()) for name, cls in {**DOCTRINES, **WORLDS}.items()]
    return make_registry(*plugins)


def scenario_toml(doctrine: str = "scripted", world: str = "toy", max_rounds: int = 5) -> str:
    """A scenario file: agent A runs ``doctrine``, B and C are scripted, in ``world``."""
    agents = "".join(
        f'[[agents]]\nid = "{id_}"\nname = "State {id_}"\ndoctrine = "{d}"\n'
        f"capabilities = {{ conventional = 1.0 }}\n"
        for id_, d in (("A", doctrine), ("B", "scripted"), ("C", "scripted"))
    )
    return (
        f'[scenario]\nname = "faults"\nworld_rules = "{world}"\nmax_rounds = {max_rounds}\n{agents}'
    )


if __name__ == "__main__":  # python -m tests.hostile.faults ARGS: the CLI with these plugins
    import negsim.cli._registry
    from negsim.cli import main

    shared = registry()
    negsim.cli._registry.get_registry = lambda: shared
    if "--says" in sys.argv:
        at = sys.argv.index("--says")
        Says.TEXT = sys.argv.pop(at + 1)
        sys.argv.pop(at)
    main(prog_name="negsim")
