"""The library's front door: load a scenario, run it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from negsim.engine import Simulation, TraceRecord
from negsim.model import Limits, Result, Scenario
from negsim.plugins import PluginRegistry
from negsim.scenario import Override, apply_overrides

__all__ = ["simulate"]


def simulate(
    scenario: Scenario,
    *,
    seed: int | None = None,
    overrides: Iterable[Override | str] = (),
    registry: PluginRegistry | None = None,
    trace: Callable[[TraceRecord], None] | None = None,
    limits: Limits | None = None,
    ledger: bool = False,
) -> Result:
    """Run ``scenario`` to its end.

    Args:
        scenario: From :func:`negsim.load_scenario` or built in code.
        seed: The run's seed; the scenario's ``seed`` when ``None``. The same scenario,
            seed and plugin versions give an identical event log.
        overrides: ``"PATH=VALUE"`` strings (``"agents.JPN.params.korea_minute=true"``)
            applied to a copy of the scenario first.
        registry: The plugins to use; the installed ones when ``None``.
        trace: Called with each hook call's :class:`negsim.engine.TraceRecord`.
        limits: The run's limits (time, moves per round); the defaults
            (:class:`negsim.Limits`) when ``None``.
        ledger: Keep the decision ledger: every rule each agent evaluated, with its
            inputs and value (:class:`negsim.model.RuleEvaluated` events).

    Returns:
        The run's :class:`negsim.Result`.

    Raises:
        negsim.errors.ScenarioError: An override is invalid.
        negsim.errors.PluginCallError: A plugin raised during the run.
        negsim.errors.TimeLimitError: The run or one hook call took too long.

    Example:
        >>> import negsim
        >>> scenario = negsim.load_scenario("examples/scenarios/korea_bilateral.toml")
        >>> result = negsim.simulate(scenario, seed=1)
        >>> result.outcome in negsim.Outcome
        True
    """
    scenario = apply_overrides(scenario, overrides, registry=registry)
    # The scenario's overrides: those it was made with (a file loaded with overrides,
    # a variant from apply_overrides) and these, so the provenance has all of them.
    sim = Simulation(
        scenario,
        seed=seed,
        registry=registry,
        overrides=scenario.overrides,
        trace=trace,
        limits=limits,
        ledger=ledger,
    )
    return sim.run()
