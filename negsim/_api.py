"""The library's front door: load a scenario, run it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from negsim.engine import Simulation, TraceRecord
from negsim.model import Limits, Result, Scenario
from negsim.plugins import PluginRegistry, default_registry
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
    registry = registry or default_registry()
    scenario = _overridden(scenario, tuple(overrides), registry)
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


_SCALARS = (str, int, float, bool)


def _key(overrides: tuple[Override | str, ...]) -> tuple[object, ...] | None:
    """``overrides`` as a cache key, or ``None`` when they cannot be one.

    Strings as they are; a ``(path, value)`` pair with the value's type, so that ``1``,
    ``1.0`` and ``True`` (equal in Python, different in a scenario) never share an entry;
    a pair whose value is not a plain scalar (a list, a table) is not cached.
    """
    key: list[object] = []
    for item in overrides:
        if isinstance(item, str):
            key.append(item)
        elif (
            isinstance(item, tuple)
            and len(item) == 2
            and isinstance(item[0], str)
            and type(item[1]) in _SCALARS
        ):
            key.append((item[0], type(item[1]), item[1]))
        else:
            return None
    return tuple(key)


def _overridden(
    scenario: Scenario, overrides: tuple[Override | str, ...], registry: PluginRegistry
) -> Scenario:
    """:func:`~negsim.scenario.apply_overrides`, the same variant each call for the same inputs.

    Runs of one scenario with the same overrides then share one variant object, and so
    every per-scenario cache of the engine (set-up, public information, the commitment
    monitor's template). Kept by the scenario's and the registry's identity (each entry
    holds both, so a recycled id can never hit), the registry's plugin generation and
    the overrides; at most :data:`_VARIANTS_KEPT` variants are kept.
    """
    if not overrides:
        return scenario
    key = _key(overrides)
    if key is None:
        return apply_overrides(scenario, overrides, registry=registry)
    full = (id(scenario), id(registry), registry.generation, key)
    hit = _VARIANTS.get(full)
    if hit is not None and hit[0] is scenario and hit[1] is registry:
        return hit[2]
    variant = apply_overrides(scenario, overrides, registry=registry)
    if len(_VARIANTS) >= _VARIANTS_KEPT:
        _VARIANTS.clear()
    _VARIANTS[full] = (scenario, registry, variant)
    return variant


_VARIANTS_KEPT = 32
"""How many scenario variants :func:`simulate` keeps (whole scenarios: kept few)."""
_VARIANTS: dict[tuple[object, ...], tuple[Scenario, PluginRegistry, Scenario]] = {}
