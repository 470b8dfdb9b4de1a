"""``sweep``: run a scenario over a grid or sample of parameters, resumably."""

from __future__ import annotations

import json
import math
import os
import sys
import time
import tomllib
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from negsim.engine import declared_outcomes, scenario_digest
from negsim.errors import OverrideError, Problem, ScenarioError
from negsim.experiments._backends import (
    BACKENDS,
    Backend,
    DaskBackend,
    ProcessBackend,
    SerialBackend,
)
from negsim.experiments._errors import SweepError
from negsim.experiments._params import (
    Bound,
    Design,
    Parameter,
    Sample,
    SampleMethod,
    format_value,
    grid_parameter,
    grid_size,
    lookup,
    make_bound,
    make_design,
    parse_bounds,
    parse_grid,
)
from negsim.experiments._plan import Plan, RunSpec, chunked
from negsim.experiments._store import MemoryStore, ResultStore
from negsim.experiments._worker import RegistryFactory, WorkerSetup, format_plugins, scenario_data
from negsim.model import Limits, ParamValue, Scenario
from negsim.plugins import PluginRegistry, default_registry
from negsim.scenario import Override, load_scenario, parse_override, scenario_from_dict

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SweepReport", "sweep"]

GridSpec = Mapping[str, "str | Sequence[ParamValue]"] | Sequence[str]
"""Grid parameters: ``{"path": "0:1:11"}``, ``{"path": [0.1, 0.5]}`` or ``["path=0:1:11"]``."""

BoundsSpec = Mapping[str, "str | tuple[float, float]"] | Sequence[str]
"""Sampled parameters: ``{"path": (0, 1)}``, ``{"path": "0:1"}`` or ``["path=0:1"]``."""

PointsSpec = Any
"""Design points: a DataFrame (columns are paths), ``{path: values}``, a sequence of
``{path: value}`` rows, a CSV file's path, or a :class:`Design`."""


def _design(points: PointsSpec, data: Mapping[str, Any]) -> Design | None:
    """The explicit design points of ``points`` (see :data:`PointsSpec`)."""
    if points is None or isinstance(points, Design):
        return points
    if isinstance(points, (str, os.PathLike)):
        import csv

        from negsim.experiments._params import _literal

        path = Path(points)
        try:
            with path.open(newline="", encoding="utf-8") as fh:
                records = [{k: _literal(v) for k, v in r.items()} for r in csv.DictReader(fh)]
        except OSError as exc:
            raise SweepError(f"cannot read design points {str(path)!r}: {exc}") from None
        if not records:
            raise SweepError(f"{path}: no design points (a CSV file: a header of paths, rows)")
        points = records
    if hasattr(points, "to_dict") and hasattr(points, "columns"):  # a DataFrame
        columns = {str(c): list(points[c]) for c in points.columns}
    elif isinstance(points, Mapping):
        columns = {str(k): list(v) for k, v in points.items()}
    else:
        rows = list(points)
        keys = list(dict.fromkeys(k for r in rows for k in r))
        missing = [i for i, r in enumerate(rows) if set(r) != set(keys)]
        if missing:
            raise SweepError(f"design row {missing[0]} does not set every path: {keys}")
        columns = {k: [r[k] for r in rows] for k in keys}
    return make_design(columns, {p: lookup(data, p) for p in columns})


@attrs.frozen(repr=False)
class SweepReport:
    """What a call to :func:`sweep` did.

    Attributes:
        out: The results directory, or ``None`` when rows were kept in memory.
        total: Runs in the sweep.
        skipped: Runs already done by an earlier call (resumed), not run again.
        ran: Runs made by this call.
        errors: Runs of this call that failed (their rows hold the ``error``).
        elapsed: Seconds this call took.
        backend: The backend used.
        workers: Worker processes (1 for ``serial``).
        parameters: The swept parameters' columns (``param.<path>``).
        set_aside: Damaged parts found on resume and renamed ``damaged-part-*``, each
            with why (their runs were run again).
    """

    out: Path | None
    total: int
    skipped: int
    ran: int
    errors: int
    elapsed: float
    backend: str
    workers: int
    parameters: tuple[str, ...]
    set_aside: tuple[tuple[str, str], ...] = ()
    _memory: MemoryStore | None = attrs.field(default=None, repr=False, eq=False, alias="memory")

    def __repr__(self) -> str:
        where = "memory" if self.out is None else repr(str(self.out))
        failed = f", errors={self.errors}" if self.errors else ""
        return (
            f"negsim.experiments.SweepReport(out={where}, total={self.total}, "
            f"ran={self.ran}, skipped={self.skipped}{failed}, backend={self.backend!r}, "
            f"parameters={len(self.parameters)})"
        )

    def _repr_html_(self) -> str:
        """A short HTML table for notebooks."""
        import html

        rows = [
            ("results", "in memory" if self.out is None else str(self.out)),
            ("runs", f"{self.ran} run, {self.skipped} resumed, {self.total} in all"),
            ("failed", str(self.errors)),
            ("backend", f"{self.backend} ({self.workers} workers)"),
            ("elapsed", f"{self.elapsed:.1f} s"),
            ("parameters", ", ".join(self.parameters) or "(none)"),
        ]
        cells = "".join(
            f'<tr><th style="text-align:left">{html.escape(k)}</th>'
            f'<td style="text-align:left">{html.escape(v)}</td></tr>'
            for k, v in rows
        )
        return f"<table><caption><b>negsim.experiments.SweepReport</b></caption>{cells}</table>"

    @property
    def complete(self) -> bool:
        """Whether every run of the sweep has a row."""
        return self.skipped + self.ran == self.total

    def frame(self) -> pd.DataFrame:
        """The sweep's rows (all of them, resumed ones too), sorted by point and replicate.

        Raises:
            ImportError: pandas or pyarrow is not installed.
        """
        if self._memory is not None:
            return self._memory.frame()
        from negsim.experiments._store import read_results

        assert self.out is not None
        return read_results(self.out)


def _registry(
    registry: PluginRegistry | RegistryFactory | None, backend: str
) -> tuple[PluginRegistry, PluginRegistry | None, RegistryFactory | None]:
    """(registry for the parent, instance for a serial run, factory for workers)."""
    if registry is None:
        return default_registry(), None, None
    if isinstance(registry, PluginRegistry):
        if backend != "serial":
            raise SweepError(
                "a PluginRegistry instance cannot be sent to worker processes; pass a "
                "picklable factory that builds it (a module-level function, or "
                "functools.partial of one), or use backend='serial'"
            )
        return registry, registry, None
    if not callable(registry):
        raise SweepError(f"registry must be a PluginRegistry or a factory, got {registry!r}")
    built = registry()
    return built, built if backend == "serial" else None, registry


def _parameters(grid: GridSpec | None, data: Mapping[str, Any]) -> list[Parameter]:
    if grid is None:
        return []
    if isinstance(grid, Mapping):
        return [grid_parameter(path, values, lookup(data, path)) for path, values in grid.items()]
    if isinstance(grid, str):
        grid = [grid]
    out = []
    for text in grid:
        path = text.partition("=")[0].strip()
        out.append(parse_grid(text, lookup(data, path)))
    return out


def _sample(
    samples: int | Sample | None,
    bounds: BoundsSpec | None,
    method: SampleMethod,
    data: Mapping[str, Any],
) -> Sample | None:
    if isinstance(samples, Sample):
        if bounds:
            raise SweepError("pass bounds inside the Sample, or samples=N with bounds=...")
        return samples
    if samples is None:
        if bounds:
            raise SweepError("bounds need a number of samples (samples=N, --sample N)")
        return None
    parsed: list[Bound] = []
    if isinstance(bounds, Mapping):
        for path, spec in bounds.items():
            if isinstance(spec, str):
                parsed.append(parse_bounds(f"{path}={spec}", lookup(data, path)))
            else:
                low, high = spec
                parsed.append(make_bound(path, float(low), float(high), lookup(data, path)))
    else:
        for text in [bounds] if isinstance(bounds, str) else (bounds or []):
            path = text.partition("=")[0].strip()
            parsed.append(parse_bounds(text, lookup(data, path)))
    return Sample(int(samples), tuple(parsed), method)


@attrs.frozen
class _Checker:
    """Load the scenario with each swept value alone: a bad path or value fails early.

    A combination of values can still fail; the run records it.
    """

    data: dict[str, Any]
    source: str
    sets: list[tuple[str, Any]]
    registry: PluginRegistry
    limits: Limits = attrs.field(factory=Limits)

    def __call__(self, path: str, values: Iterable[ParamValue], option: str = "--grid") -> None:
        for value in values:
            try:
                scenario_from_dict(
                    self.data,
                    source=self.source,
                    overrides=[*self.sets, (path, value)],
                    registry=self.registry,
                    limits=self.limits,
                )
            except ScenarioError as exc:
                where = f"{option} {path}={format_value(value)}"
                problems = [
                    # An override's problem names it as --set PATH; here it is the grid's.
                    Problem(where, p.message if p.path == f"--set {path}" else str(p))
                    for p in exc.problems
                ]
                cls = OverrideError if isinstance(exc, OverrideError) else ScenarioError
                raise cls(self.source, problems) from None


def _chunk_size(chunk_size: int | None, remaining: int, parallelism: int, backend: str) -> int:
    if chunk_size is not None:
        if chunk_size < 1:
            raise SweepError(f"chunk_size must be at least 1, got {chunk_size}")
        return chunk_size
    if backend == "serial":
        return 10
    return max(1, min(100, math.ceil(remaining / (parallelism * 8))))


def _progress_enabled(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    return sys.stderr.isatty()


def sweep(
    scenario: str | os.PathLike[str] | Scenario,
    *,
    grid: GridSpec | None = None,
    samples: int | Sample | None = None,
    bounds: BoundsSpec | None = None,
    method: SampleMethod = "lhs",
    points: PointsSpec = None,
    runs: int = 1,
    seed: int | None = None,
    overrides: Iterable[str | Override] = (),
    backend: str = "process",
    workers: int | None = None,
    scheduler: Any = None,
    out: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    registry: PluginRegistry | RegistryFactory | None = None,
    chunk_size: int | None = None,
    progress: bool | None = None,
    flush_every: float = 5.0,
    part_rows: int = 2000,
    start_method: str | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
    limits: Limits | None = None,
) -> SweepReport:
    """Run ``scenario`` at every parameter point, ``runs`` times each; stream the rows.

    A point is one combination of the grid's values (their cartesian product),
    crossed with the random sample if one is given. Each run is keyed by its point's
    values and its replicate number, and seeded with
    ``derive_seed(seed, "run", run_key)``, so the rows do not depend on the backend,
    the number of workers or the order runs finish in. A run that fails (a plugin
    raising :class:`negsim.PluginCallError`, or any exception) is recorded in its row
    with its ``error`` and the sweep goes on.

    With ``out``, rows are written as they finish to a results directory of part files
    (``results.parquet/part-00000.parquet``, ... or ``results.csv/part-*.csv``; the
    layout and schema are in :mod:`negsim.experiments`). Calling ``sweep`` again with
    the same arguments after an interruption (Ctrl-C, a killed process) runs only the
    runs that have no row yet. Without ``out``, rows are kept in memory (small sweeps).

    Args:
        scenario: A scenario file, or a loaded :class:`negsim.Scenario`.
        grid: Grid parameters: ``["agents.JPN.params.cost_nuclear=0:120:11"]``,
            or a mapping from path to ``"lo:hi:n"``, ``"a,b,c"`` or a list of values.
        samples: How many random points to draw within ``bounds`` (or a
            :class:`Sample`).
        bounds: The sampled parameters' ranges: ``["agents.USA.params.p_nuc=0:0.1"]``
            or ``{"agents.USA.params.p_nuc": (0, 0.1)}``.
        method: ``lhs`` (Latin hypercube) or ``uniform``.
        points: Explicit design points, crossed with the grid and sample: a
            DataFrame whose columns are paths, ``{path: values}``, a sequence of
            ``{path: value}`` rows, or a CSV file with a header of paths (a Sobol
            or Morris design from SALib, say). Each row is one point, in order.
        runs: Replicates per point.
        seed: The sweep's seed; the scenario's ``seed`` when ``None``.
        overrides: Fixed ``PATH=VALUE`` overrides applied to every run.
        backend: ``serial``, ``process`` (a local process pool) or ``dask``.
        workers: Worker processes (``process``, or a new Dask ``LocalCluster``); one
            per core when ``None``.
        scheduler: For ``dask``: a scheduler address or a ``distributed.Client``; a new
            ``LocalCluster`` when ``None``.
        out: The results directory, named ``*.parquet`` or ``*.csv``.
        overwrite: Replace the results of a *different* sweep found at ``out``
            (results of the same sweep are always resumed).
        registry: The plugins: ``None`` for the installed ones (workers find them
            through their entry points); a picklable factory that builds a
            :class:`negsim.PluginRegistry`, called once per worker process; or a
            registry instance (``serial`` only).
        chunk_size: Runs per chunk sent to a worker. When ``None``, about eight
            chunks per worker and at most 100 runs each, the last ones smaller (down
            to a tenth of that) so that the workers finish together.
        progress: Show a progress bar on stderr; when ``None``, only if stderr is a
            terminal.
        flush_every: Write buffered rows as a part at least this often (seconds).
        part_rows: ... or once this many rows are buffered.
        start_method: The process pool's start method; see
            :func:`negsim.experiments._backends.default_start_method` when ``None``.
        on_chunk: Called with ``(runs done, total)`` after each chunk is recorded.
        limits: The limits of the sweep's size (``sweep_runs``) and of each run (time,
            rounds, agents, moves); the defaults (:class:`negsim.Limits`) when ``None``.

    Returns:
        What was done: runs made, skipped (already done), failed; where the rows are.

    Raises:
        negsim.ScenarioError: The scenario, an override, or a grid value is invalid.
        SweepError: The sweep definition is invalid, ``out`` holds a different sweep,
            or a backend lost chunks of runs (re-run to complete them).
        KeyboardInterrupt: Interrupted; the rows of finished chunks are written first.

    Example:
        >>> from negsim.experiments import sweep
        >>> report = sweep("examples/scenarios/korea_bilateral.toml",  # doctest: +SKIP
        ...                grid=["agents.JPN.params.cost_nuclear=0:120:5"],
        ...                runs=20, backend="serial", out="results.parquet")
    """
    started = time.perf_counter()
    if backend not in BACKENDS:
        raise SweepError(f"unknown backend {backend!r}; choose {', '.join(BACKENDS)}")
    if runs < 1:
        raise SweepError(f"runs must be at least 1, got {runs}")
    if workers is not None and workers < 1:
        raise SweepError(f"workers must be at least 1, got {workers}")
    limits = limits or Limits()
    _check_size(grid, samples, runs, limits)
    parent_registry, serial_registry, factory = _registry(registry, backend)
    sets = [parse_override(o) if isinstance(o, str) else (o[0], o[1]) for o in overrides]
    source, raw, base = _load(scenario, sets, parent_registry, limits)
    data = scenario_data(base)  # with the plugins' defaults, for the parameters' types
    plan = Plan(
        tuple(_parameters(grid, data)),
        _sample(samples, bounds, method, data),
        runs,
        base.seed if seed is None else seed,
        _design(points, data),
    )
    _check_plan(plan, _Checker(raw, source, sets, parent_registry, limits))

    kinds = dict(zip(plan.columns, plan.kinds, strict=True))
    store = MemoryStore(kinds) if out is None else ResultStore(out, kinds)
    done = store.open(_manifest(plan, base, sets, parent_registry), overwrite=overwrite)
    setup = WorkerSetup(
        token=uuid.uuid4().hex,
        paths=plan.paths,
        data=raw,
        source=source,
        sets=tuple(sets),
        digest=scenario_digest(base),
        registry_factory=factory,
        limits=limits,
    )
    runner: Backend
    if backend == "serial":
        runner = SerialBackend(setup, serial_registry)
    elif backend == "process":
        runner = ProcessBackend(setup, workers, start_method)
    else:
        runner = DaskBackend(setup, workers, scheduler)
    loop = _Loop(store, len(plan), len(done), part_rows, flush_every, on_chunk)
    try:
        if loop.remaining > 0:
            runner.start()
            size = _chunk_size(chunk_size, loop.remaining, runner.parallelism, backend)
            # chosen sizes shrink at the end, so that the workers finish together
            taper = chunk_size is None and backend != "serial"
            chunks = chunked(
                plan.remaining(done),
                size,
                total=loop.remaining if taper else None,
                workers=runner.parallelism,
            )
            with _Progress(_progress_enabled(progress), len(plan), len(done)) as bar:
                loop.drive(runner, chunks, bar)
    finally:
        try:
            loop.flush()
        finally:
            runner.close()
            store.close()
    if loop.lost:
        n_lost = sum(size for size, _ in loop.lost)
        first = loop.lost[0][1]
        raise SweepError(
            f"the {backend} backend lost {len(loop.lost)} chunk(s) ({n_lost} runs; first: "
            f"{type(first).__name__}: {first}); the other runs are recorded: run the same "
            "sweep again to complete it",
            lost=n_lost,
        ) from first
    return SweepReport(
        out=None if out is None else Path(out),
        total=len(plan),
        skipped=len(done),
        ran=loop.ran,
        errors=loop.errors,
        elapsed=time.perf_counter() - started,
        backend=backend,
        workers=runner.parallelism,
        parameters=plan.columns,
        set_aside=tuple(getattr(store, "set_aside", ())),
        memory=store if isinstance(store, MemoryStore) else None,
    )


def _load(
    scenario: str | os.PathLike[str] | Scenario,
    sets: list[Override],
    registry: PluginRegistry,
    limits: Limits,
) -> tuple[str, dict[str, Any], Scenario]:
    """(source name, scenario-file data to ship to workers, base scenario with ``sets``)."""
    if isinstance(scenario, Scenario):
        raw = scenario_data(scenario, registry)
        base = scenario_from_dict(
            raw, source=scenario.name, overrides=sets, registry=registry, limits=limits
        )
        return scenario.name, raw, base
    path = Path(scenario)
    base = load_scenario(path, overrides=sets, registry=registry, limits=limits)
    return str(path), tomllib.loads(path.read_text(encoding="utf-8")), base


def _check_size(
    grid: GridSpec | None, samples: int | Sample | None, runs: int, limits: Limits
) -> None:
    """Refuse a sweep that plans more runs than the limit, before making its points."""
    if grid is None:
        sizes: list[int] = []
    elif isinstance(grid, Mapping):
        sizes = [grid_size(v) for v in grid.values()]
    else:
        sizes = [grid_size(t) for t in ([grid] if isinstance(grid, str) else grid)]
    n_samples = samples.n if isinstance(samples, Sample) else (samples or 1)
    planned = math.prod(sizes) * max(1, n_samples) * runs
    if limits.exceeded("sweep_runs", planned):
        shown = " x ".join(
            [*map(str, sizes), *([str(n_samples)] if samples else []), f"{runs} runs"]
        )
        raise SweepError(
            f"the sweep plans {planned:,} runs ({shown}), more than the limit "
            f"sweep_runs={limits.sweep_runs:,}; make the grid coarser, or "
            + limits.hint("sweep_runs")
        )


def _check_plan(plan: Plan, check: _Checker) -> None:
    swept = plan.paths
    dupes = sorted({p for p in swept if swept.count(p) > 1})
    if dupes:
        raise SweepError(f"swept twice: {', '.join(dupes)}")
    fixed = sorted({p for p, _ in check.sets} & set(swept))
    if fixed:
        raise SweepError(f"both swept and fixed by an override: {', '.join(fixed)}")
    for param in plan.parameters:
        values = param.values
        if param.kind in ("int", "float") and len(values) > 2:
            # a range's ends stand for it: a parameter's range check is an interval, and a
            # grid of a million points must not load the scenario a million times first
            values = (min(values), max(values))
        check(param.path, values)
    for bound in plan.sample.bounds if plan.sample else ():
        ends: list[ParamValue] = [bound.low, bound.high]
        check(bound.path, sorted({int(v) for v in ends} if bound.kind == "int" else set(ends)))
    if plan.design is not None:  # each column's extremes (or every value of a text column)
        for i, path in enumerate(plan.design.paths):
            column = list(dict.fromkeys(row[i] for row in plan.design.rows))
            numeric = plan.design.kinds[i] in ("int", "float")
            check(path, [min(column), max(column)] if numeric else column, "design point")


def _manifest(
    plan: Plan, base: Scenario, sets: list[Override], registry: PluginRegistry
) -> dict[str, Any]:
    """The sweep's definition, as JSON data: a resumed sweep must have the same."""
    import negsim

    used = {base.world_rules, *(n for a in base.agents for n in a.stack)}
    plugins = [p for p in registry.info() if p.name in used or p.role == "observer"]
    manifest = {
        "negsim_sweep": 1,
        "scenario": base.name,
        "scenario_digest": scenario_digest(base),
        "overrides": sorted(f"{p}={format_value(v)}" for p, v in sets),
        "parameters": [attrs.asdict(p) for p in plan.parameters],
        "sample": None if plan.sample is None else attrs.asdict(plan.sample),
        # only with design points, so the manifests of earlier sweeps stay the same
        **({} if plan.design is None else {"design": attrs.asdict(plan.design)}),
        "runs": plan.runs,
        "seed": plan.seed,
        "total": len(plan),
        "param_kinds": dict(zip(plan.columns, plan.kinds, strict=True)),
        "negsim_version": negsim.__version__,
        "plugins": format_plugins(plugins),
        "outcomes": list(
            dict.fromkeys([*declared_outcomes(registry, base.world_rules), "unresolved"])
        ),
    }
    return dict(json.loads(json.dumps(manifest)))


class _Loop:
    """The parent's side of a sweep: collect finished chunks, write parts, count."""

    def __init__(
        self,
        store: ResultStore | MemoryStore,
        total: int,
        done: int,
        part_rows: int,
        flush_every: float,
        on_chunk: Callable[[int, int], None] | None,
    ) -> None:
        self.store = store
        self.total = total
        self.done = done
        self.remaining = total - done
        self.part_rows = part_rows
        self.flush_every = flush_every
        self.on_chunk = on_chunk
        self.ran = self.errors = 0
        self.lost: list[tuple[int, BaseException]] = []
        self._buffer: list[dict[str, Any]] = []
        self._writing = False
        self._last = time.monotonic()

    def drive(self, runner: Backend, chunks: Iterable[list[RunSpec]], bar: _Progress) -> None:
        """Record each chunk as the backend finishes it."""
        for chunk in runner.run(chunks):
            if chunk.rows is None:
                assert chunk.error is not None
                if self.ran == 0 and not self.lost:
                    raise SweepError(
                        f"the {runner.name} backend could not run the first chunk: "
                        f"{type(chunk.error).__name__}: {chunk.error}",
                        lost=self.remaining,
                    ) from chunk.error
                self.lost.append((chunk.size, chunk.error))
                continue
            if self.ran == 0:
                self.store.prepare()  # the workers are busy with queued chunks meanwhile
            self._buffer.extend(chunk.rows)
            self.ran += len(chunk.rows)
            self.errors += sum(r.get("error") is not None for r in chunk.rows)
            bar.advance(len(chunk.rows), self.errors)
            now = time.monotonic()
            if len(self._buffer) >= self.part_rows or now - self._last >= self.flush_every:
                self.flush()
                self._last = now
            if self.on_chunk is not None:
                self.on_chunk(self.done + self.ran, self.total)

    def flush(self) -> None:
        """Write the buffered rows as a part (not again after a write that failed)."""
        if not self._buffer or self._writing:
            return
        self._writing = True
        self.store.write(self._buffer)
        self._writing = False
        self._buffer = []


def progress_fields(ran: int, elapsed: float, remaining: int) -> tuple[str, str]:
    """The progress bar's rate and ETA texts after ``ran`` runs in ``elapsed`` seconds.

    The rate is this call's runs over the time since its bar started: an average over
    everything done so far, not a ratio of the last two updates. rich's own speed
    estimate divides by the gap between two nearly simultaneous chunk completions
    (and counts the runs a resumed sweep had already done), which showed rates in the
    millions of runs per second on the first updates.

    Args:
        ran: Runs finished by this call.
        elapsed: Seconds since the bar started.
        remaining: Runs still to do.

    Returns:
        ``(rate, eta)``, e.g. ``("  12.5 runs/s", "0:01:20")``; dashes before any run.

    Example:
        >>> progress_fields(0, 0.0, 100)
        ('  -- runs/s', '-:--:--')
        >>> progress_fields(50, 4.0, 100)
        ('  12.5 runs/s', '0:00:08')
    """
    if ran <= 0 or elapsed <= 0:
        return "  -- runs/s", "-:--:--"
    rate = ran / elapsed
    eta = round(remaining / rate)
    return f"{rate:6.1f} runs/s", f"{eta // 3600}:{eta % 3600 // 60:02d}:{eta % 60:02d}"


class _Progress:
    """A rich progress bar on stderr: runs done, rate, errors, elapsed and ETA."""

    def __init__(
        self,
        enabled: bool,
        total: int,
        done: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = enabled
        self.total = total
        self.done = done
        self.ran = 0
        self._clock = clock
        self._started = clock()
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if not self.enabled:
            return self
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("sweep"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("{task.fields[errors]} failed"),
            TimeElapsedColumn(),
            TextColumn("eta {task.fields[eta]}"),
            console=Console(stderr=True),
            transient=False,
        )
        self._progress.start()
        rate, eta = progress_fields(0, 0.0, self.total - self.done)
        self._task = self._progress.add_task(
            "sweep", total=self.total, completed=self.done, errors=0, rate=rate, eta=eta
        )
        self._started = self._clock()
        return self

    def advance(self, n: int, errors: int) -> None:
        """Count ``n`` more runs done; ``errors`` failed so far."""
        self.ran += n
        if self._progress is not None:
            remaining = self.total - self.done - self.ran
            rate, eta = progress_fields(self.ran, self._clock() - self._started, remaining)
            self._progress.update(self._task, advance=n, errors=errors, rate=rate, eta=eta)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
