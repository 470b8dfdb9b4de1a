"""What runs in a worker: load the scenario and plugins once per process, run chunks.

A :class:`WorkerSetup` travels to each worker (pickled): the scenario as a file path
or a :class:`negsim.Scenario`, the fixed overrides, and how to build the plugin
registry (a picklable factory, or ``None`` for the installed plugins, found through
their entry points). The first chunk a process sees builds its state; later chunks of
the same sweep reuse it, with the scenarios of recent parameter points cached.
"""

from __future__ import annotations

import collections
import signal
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from negsim.engine import Simulation, scenario_digest
from negsim.errors import PluginCallError
from negsim.experiments._errors import SweepError
from negsim.experiments._params import format_value
from negsim.experiments._plan import RunSpec, point_key
from negsim.model import ParamValue, PluginInfo, Result, Scenario
from negsim.plugins import PluginRegistry, default_registry
from negsim.scenario import dump_scenario, scenario_from_dict

__all__ = [
    "RegistryFactory",
    "WorkerSetup",
    "WorkerState",
    "format_plugins",
    "init_worker",
    "run_chunk",
    "scenario_data",
]

RegistryFactory = Callable[[], PluginRegistry]
"""A picklable callable that builds a plugin registry (a module-level function, or a
:func:`functools.partial` of one), called once in each worker process."""

_POINT_CACHE = 64
_STATES: collections.OrderedDict[str, WorkerState] = collections.OrderedDict()


@attrs.frozen
class WorkerSetup:
    """Everything a worker needs to run a sweep's chunks.

    Attributes:
        token: Identifies the sweep's scenario and plugins; the key of the per-process
            state.
        paths: The swept paths, in the order of :attr:`RunSpec.values`.
        scenario: The base scenario (fixed overrides applied), when shipped pickled.
        path: The scenario file, when workers load it themselves.
        sets: Fixed ``(path, value)`` overrides, applied after loading :attr:`path`.
        digest: The base scenario's digest; a worker that loads a different file
            refuses to run.
        registry_factory: Builds the plugin registry; the installed plugins when ``None``.
    """

    token: str
    paths: tuple[str, ...]
    scenario: Scenario | None = None
    path: str | None = None
    sets: tuple[tuple[str, Any], ...] = ()
    digest: str = ""
    registry_factory: RegistryFactory | None = None


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    """``scenario`` as scenario-file data that the loader accepts back.

    Args:
        scenario: A loaded scenario.

    Returns:
        :func:`negsim.scenario.dump_scenario` without the commitments' lifecycle
        fields, which a file may not set (every commitment of a scenario starts
        conditional).
    """
    data = dump_scenario(scenario)
    for table in data.get("commitments", []):
        if str(table.get("state", "conditional")) == "conditional":
            table.pop("state", None)
        if table.get("detached_at") is None:
            table.pop("detached_at", None)
    return data


def format_plugins(plugins: Sequence[PluginInfo]) -> str:
    """The ``plugins`` column: ``name=distribution version`` pairs, ``; ``-joined.

    Plugins registered in-process (no distribution) show as ``name=in-process``.

    Example:
        >>> format_plugins([PluginInfo("crisis", "world", "negsim", "0.1.0")])
        'crisis=negsim 0.1.0'
    """
    parts = []
    for p in sorted(plugins, key=lambda p: p.name):
        parts.append(f"{p.name}={p.distribution} {p.version}" if p.distribution
                     else f"{p.name}=in-process")
    return "; ".join(parts)


class WorkerState:
    """A worker's loaded sweep: plugin registry, base scenario data, point cache.

    Args:
        setup: The sweep's setup.
        registry: A registry to use instead of building one (the serial backend
            passes the caller's).

    Raises:
        SweepError: The scenario file changed since the sweep started.
        negsim.ScenarioError: The scenario cannot be loaded here.
    """

    def __init__(self, setup: WorkerSetup, registry: PluginRegistry | None = None) -> None:
        if registry is None:
            factory = setup.registry_factory
            registry = factory() if factory is not None else default_registry()
        self.registry = registry
        self.paths = setup.paths
        self._fixed: list[tuple[str, Any]] = []
        if setup.path is not None:
            source = setup.path
            data = tomllib.loads(Path(source).read_text(encoding="utf-8"))
            self._fixed = [tuple(s) for s in setup.sets]  # type: ignore[misc]
            base = scenario_from_dict(data, source=source, overrides=self._fixed, registry=registry)
            if setup.digest and scenario_digest(base) != setup.digest:
                raise SweepError(f"{source} changed since the sweep started; re-run the sweep")
        elif setup.scenario is not None:
            base = setup.scenario
            source = base.name
            data = scenario_data(base)
        else:  # pragma: no cover - sweep() always sets one
            raise SweepError("a worker setup needs a scenario or a path")
        self.base = base
        self.source = source
        self._data = data
        self._applied = [f"{p}={format_value(v)}" for p, v in self._fixed]
        self._points: collections.OrderedDict[str, Scenario] = collections.OrderedDict()

    def scenario(self, values: Sequence[ParamValue]) -> tuple[Scenario, list[str]]:
        """The scenario of a parameter point and the overrides applied to get it.

        Raises:
            negsim.ScenarioError: The point's values are invalid for the scenario.
        """
        applied = self._applied + [f"{p}={format_value(v)}" for p, v in zip(self.paths, values)]
        if not values:
            return self.base, applied
        key = point_key(self.paths, values)
        hit = self._points.get(key)
        if hit is None:
            overrides = [*self._fixed, *zip(self.paths, values)]
            scenario = scenario_from_dict(
                self._data, source=self.source, overrides=overrides, registry=self.registry
            )
            self._points[key] = hit = scenario
            if len(self._points) > _POINT_CACHE:
                self._points.popitem(last=False)
        else:
            self._points.move_to_end(key)
        return hit, applied

    def run(self, spec: RunSpec) -> dict[str, Any]:
        """Run one run and return its row; an exception becomes the row's ``error``."""
        row: dict[str, Any] = {"run_key": spec.key, "point": spec.point}
        row.update((f"param.{p}", v) for p, v in zip(self.paths, spec.values))
        row["replicate"] = spec.replicate
        row["seed"] = spec.seed
        scenario: Scenario | None = None
        try:
            scenario, applied = self.scenario(spec.values)
            sim = Simulation(scenario, seed=spec.seed, registry=self.registry, overrides=applied)
            result = sim.run()
        except Exception as exc:
            row.update(self._error_row(exc, scenario))
            return row
        row.update(_result_row(result))
        return row

    def _error_row(self, exc: Exception, scenario: Scenario | None) -> dict[str, Any]:
        import negsim

        used = set()
        if scenario is not None:
            used = {scenario.world_rules, *(n for a in scenario.agents for n in a.stack)}
        plugins = [p for p in self.registry.info() if p.name in used or p.role == "observer"]
        return {
            "outcome": None,
            "rounds": exc.round if isinstance(exc, PluginCallError) else None,
            "reason": None,
            "error": f"{type(exc).__name__}: {exc}",
            "negsim_version": negsim.__version__,
            "scenario": self.base.name,
            "scenario_digest": None if scenario is None else scenario_digest(scenario),
            "plugins": format_plugins(plugins) if scenario is not None else None,
        }


def _result_row(result: Result) -> dict[str, Any]:
    p = result.provenance
    row: dict[str, Any] = {
        "outcome": str(result.outcome),
        "rounds": result.rounds,
        "reason": result.reason,
    }
    row.update((f"metric.{k}", float(v)) for k, v in result.metrics.items())
    row["error"] = None
    row["negsim_version"] = p.negsim_version if p else None
    row["scenario"] = p.scenario if p else None
    row["scenario_digest"] = p.scenario_digest if p else None
    row["plugins"] = format_plugins(p.plugins) if p else None
    return row


def state_for(setup: WorkerSetup) -> WorkerState:
    """This process's state for ``setup``, built on first use."""
    state = _STATES.get(setup.token)
    if state is None:
        state = WorkerState(setup)
        _STATES[setup.token] = state
        while len(_STATES) > 4:  # long-lived (Dask) workers serve many sweeps
            _STATES.popitem(last=False)
    return state


def run_chunk(setup: WorkerSetup, chunk: Sequence[RunSpec]) -> list[dict[str, Any]]:
    """Run a chunk of runs in this process; the function every backend calls.

    Args:
        setup: The sweep's setup (its state is built once per process).
        chunk: The runs.

    Returns:
        One row per run, in the chunk's order.
    """
    state = state_for(setup)
    return [state.run(spec) for spec in chunk]


def init_worker(setup: WorkerSetup) -> None:
    """Process-pool initializer: leave Ctrl-C to the parent, load the sweep eagerly.

    A failure to load is left for the first chunk to report.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        state_for(setup)
    except Exception:
        pass
