"""What runs in a worker: load the scenario and plugins once per process, run chunks.

A :class:`WorkerSetup` travels to each worker (pickled): the scenario as the data of
its file (parsed once by the parent, so a remote Dask worker needs no copy of the
file) or of a pickled :class:`negsim.Scenario`, the fixed overrides, and how to build
the plugin registry (a picklable factory, or ``None`` for the installed plugins, found
through their entry points). The first chunk a process sees builds its state: the
registry, and the base scenario, checked against the parent's digest (a worker with
other plugin versions would load another scenario and refuses to run). Later chunks
of the same sweep reuse it, with the scenarios of recent parameter points cached.

Every backend builds each run's scenario the same way, from the same data:
``scenario_from_dict(data, overrides=[*sets, *point])``.
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from negsim.engine import Simulation, scenario_digest
from negsim.errors import PluginCallError, TimeLimitError
from negsim.experiments._errors import SweepError
from negsim.experiments._params import format_value
from negsim.experiments._plan import RunSpec, point_key
from negsim.model import Limits, ParamValue, PluginInfo, Result, Scenario
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
        token: Identifies the sweep; the key of the per-process state.
        paths: The swept paths, in the order of :attr:`RunSpec.values`.
        data: The scenario as scenario-file data.
        source: The scenario file's name (for error messages).
        sets: Fixed ``(path, value)`` overrides, applied to :attr:`data` before a
            point's own.
        digest: The base scenario's digest (``data`` with ``sets``), as the parent
            loaded it.
        registry_factory: Builds the plugin registry; the installed plugins when ``None``.
        limits: The limits every run keeps (time, rounds, agents, moves).
    """

    token: str
    paths: tuple[str, ...]
    data: dict[str, Any]
    source: str
    sets: tuple[tuple[str, Any], ...] = ()
    digest: str = ""
    registry_factory: RegistryFactory | None = None
    limits: Limits = attrs.field(factory=Limits)


def scenario_data(scenario: Scenario, registry: PluginRegistry | None = None) -> dict[str, Any]:
    """``scenario`` as scenario-file data that the loader accepts back.

    Args:
        scenario: A loaded scenario.
        registry: With it, parameters equal to their plugin's default are left out
            (as a file would leave them), so a sweep can change an agent's doctrine
            without the old doctrine's defaults getting in the way.

    Returns:
        :func:`negsim.scenario.dump_scenario`, without the commitments' lifecycle
        fields (a file may not set them; every commitment starts conditional).
    """
    data = dump_scenario(scenario)
    for table in data.get("commitments", []):
        if str(table.get("state", "conditional")) == "conditional":
            table.pop("state", None)
        if table.get("detached_at") is None:
            table.pop("detached_at", None)
    if registry is not None:
        names = set(registry.names())
        for table in data.get("agents", []):
            stack = [table.get("doctrine"), *table.get("modifiers", ())]
            defaults: dict[str, Any] = {}
            for name in stack:
                if name in names:
                    defaults.update(registry.spec(name).defaults)
            table["params"] = _without(table.get("params", {}), defaults)
        rules = data["scenario"].get("world_rules")
        if rules in names:
            world = data["world"]
            world["params"] = _without(world.get("params", {}), registry.spec(rules).defaults)
    return data


def _without(params: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in params.items()
        if k not in defaults or type(v) is not type(defaults[k]) or v != defaults[k]
    }


def format_plugins(plugins: Sequence[PluginInfo]) -> str:
    """The ``plugins`` column: ``name=distribution version`` pairs, ``; ``-joined.

    Plugins registered in-process (no distribution) show as ``name=in-process``.

    Example:
        >>> format_plugins([PluginInfo("crisis", "world", "negsim", "0.1.0")])
        'crisis=negsim 0.1.0'
    """
    parts = []
    for p in sorted(plugins, key=lambda p: p.name):
        parts.append(
            f"{p.name}={p.distribution} {p.version}" if p.distribution else f"{p.name}=in-process"
        )
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
        self.source = setup.source
        self._data = setup.data
        self._fixed = [(str(p), v) for p, v in setup.sets]
        self.limits = setup.limits
        self.base = scenario_from_dict(
            self._data,
            source=self.source,
            overrides=self._fixed,
            registry=registry,
            limits=self.limits,
        )
        if setup.digest and scenario_digest(self.base) != setup.digest:
            versions = format_plugins(registry.info())
            raise SweepError(
                f"{self.source}: this worker loads a different scenario than the sweep's "
                f"(digest {scenario_digest(self.base)}, not {setup.digest}); are the same "
                f"plugin versions installed on every worker? Here: {versions}"
            )
        self._applied = [f"{p}={format_value(v)}" for p, v in self._fixed]
        self._points: collections.OrderedDict[str, Scenario] = collections.OrderedDict()

    def scenario(self, values: Sequence[ParamValue]) -> tuple[Scenario, list[str]]:
        """The scenario of a parameter point and the overrides applied to get it.

        Raises:
            negsim.ScenarioError: The point's values are invalid for the scenario.
        """
        pairs = zip(self.paths, values, strict=True)
        applied = self._applied + [f"{p}={format_value(v)}" for p, v in pairs]
        if not values:
            return self.base, applied
        key = point_key(self.paths, values)
        hit = self._points.get(key)
        if hit is None:
            overrides = [*self._fixed, *zip(self.paths, values, strict=True)]
            scenario = scenario_from_dict(
                self._data,
                source=self.source,
                overrides=overrides,
                registry=self.registry,
                limits=self.limits,
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
        row.update((f"param.{p}", v) for p, v in zip(self.paths, spec.values, strict=True))
        row["replicate"] = spec.replicate
        row["seed"] = spec.seed
        scenario: Scenario | None = None
        try:
            scenario, applied = self.scenario(spec.values)
            sim = Simulation(
                scenario,
                seed=spec.seed,
                registry=self.registry,
                overrides=applied,
                limits=self.limits,
            )
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
            "rounds": exc.round if isinstance(exc, (PluginCallError, TimeLimitError)) else None,
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

    SIGTERM ends the worker at once, as the pool expects when it stops its workers.
    The worker also ends when the parent does, however it ends: a parent killed with
    SIGKILL cannot stop its workers, and they would otherwise wait for work forever.
    A failure to load is left for the first chunk to report.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not a handler forked from the CLI
    _exit_with_parent()
    with contextlib.suppress(Exception):  # reported by run_chunk, with its traceback
        state_for(setup)


def _exit_with_parent() -> None:
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - only ever called in a pool's worker
        return
    sentinel = parent.sentinel

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])  # ready once the parent is gone
        os._exit(1)

    threading.Thread(target=watch, name="negsim-exit-with-parent", daemon=True).start()
