"""Calibration: fit a scenario's free parameters to target moments (rejection ABC).

The method is approximate Bayesian computation by rejection over a quasi-random
design (Pritchard et al. 1999; Beaumont et al. 2002 for the tolerance as a quantile
of the distances):

1. **design**: ``points`` parameter points from a scrambled Sobol sequence
   (:class:`scipy.stats.qmc.Sobol`) over the box of the free parameters' uniform
   priors run as a sweep of explicit design points, ``runs`` runs each, through the
   sweep backends (so they resume and do not depend on the backend);
2. **distance**: at each point, every moment is computed from its runs; its
   deviation from the target (from the value, or outside the range) is divided by
   the target's spread (its standard error, or half its range); a point's distance
   is the root mean square of these over the moments. The moment's own simulation
   noise is left out of the scale on purpose: dividing by it would favour the points
   where a moment rests on few runs;
3. **accept**: the ``accept`` fraction of points nearest the targets (points where a
   moment cannot be computed come last; points tied with the last one accepted are
   accepted too) are draws from the approximate posterior;
   each parameter's estimate is their median, its interval their central
   ``confidence`` quantiles;
4. **check**: the estimate runs again, ``check_runs`` runs, and each moment is
   reported with its interval against the target's band (its range, or the value
   plus or minus ``z * se``).

A parameter the moments do not depend on keeps accepted points spread over its whole
prior: its interval spans most of the prior range, which says the targets cannot
identify it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import pathlib
import statistics
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from negsim.engine import derive_seed
from negsim.experiments._errors import SweepError
from negsim.experiments._targets import (
    Targets,
    evaluate_moment,
    load_targets,
    parse_targets,
)
from negsim.model import Limits, ParamValue, Scenario
from negsim.plugins import PluginRegistry, default_registry

if TYPE_CHECKING:
    import pandas as pd

    from negsim.experiments._worker import RegistryFactory

__all__ = [
    "ENGINE_METRICS",
    "ESTIMATE_COLUMNS",
    "MOMENT_COLUMNS",
    "Calibration",
    "calibrate",
]

ENGINE_METRICS = (
    "rounds",
    "messages",
    "actions",
    "rejected",
    "commitments_discharged",
    "commitments_violated",
    "commitments_honoured",
    "commitments_defected",
    "decision_round",
)
"""The metrics the engine reports (world rules and observers add their own)."""

ESTIMATE_COLUMNS = (
    "parameter",
    "estimate",
    "low",
    "high",
    "prior_low",
    "prior_high",
    "share_of_prior",
    "best",
    "source",
)
"""The columns of :attr:`Calibration.estimates`."""

MOMENT_COLUMNS = (
    "moment",
    "statistic",
    "target",
    "band_low",
    "band_high",
    "simulated",
    "low",
    "high",
    "runs",
    "within",
    "source",
)
"""The columns of :attr:`Calibration.moments`."""

MANIFEST = "calibration.json"
"""The file in a calibration's directory that says what it is (targets, design)."""


def require_scipy() -> Any:
    """Import scipy's quasi-Monte Carlo module, or explain how to install it.

    Returns:
        :mod:`scipy.stats.qmc`.

    Raises:
        ImportError: scipy is not installed.
    """
    try:
        from scipy.stats import qmc
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("calibration needs scipy: pip install 'negsim[calibrate]'") from exc
    return qmc


@attrs.frozen(repr=False)
class Calibration:
    """What :func:`calibrate` found.

    Attributes:
        scenario: The scenario's name.
        targets: The targets' source (file).
        estimates: One row per free parameter; columns
            :data:`~negsim.experiments.ESTIMATE_COLUMNS`: the estimate (posterior
            median), its interval, the prior range, the share of the prior the
            interval spans, the best design point's value, and the prior's source.
        moments: One row per moment at the estimate; columns
            :data:`~negsim.experiments.MOMENT_COLUMNS`: the target and its band, the
            simulated value with its interval over the check runs, and whether the
            value lies in the band.
        points: One row per design point: its parameter values, each moment's value
            and standard error, the distance and whether it was accepted.
        runs: Runs per design point.
        check_runs: Runs at the estimate.
        accept: The fraction of points accepted.
        confidence: The intervals' coverage.
        seed: The seed the design and runs derive from.
        out: The calibration's directory, or ``None`` when kept in memory.
        elapsed: Seconds this call took.
        resumed: Runs found done in ``out`` and not run again.
    """

    scenario: str
    targets: str
    estimates: pd.DataFrame = attrs.field(eq=False)
    moments: pd.DataFrame = attrs.field(eq=False)
    points: pd.DataFrame = attrs.field(eq=False)
    runs: int
    check_runs: int
    accept: float
    confidence: float
    seed: int
    out: pathlib.Path | None = None  # not a bare Path: autodoc resolves this one
    elapsed: float = 0.0
    resumed: int = 0

    @property
    def n_points(self) -> int:
        """Design points run."""
        return len(self.points)

    @property
    def n_accepted(self) -> int:
        """Design points accepted."""
        return int(self.points["accepted"].sum())

    @property
    def reproduced(self) -> bool:
        """Whether every moment at the estimate lies within its target's band."""
        return bool(self.moments["within"].all())

    def __repr__(self) -> str:
        fitted = ", ".join(
            f"{r.parameter.rsplit('.', 1)[-1]}={r.estimate:.4g} [{r.low:.4g}, {r.high:.4g}]"
            for r in self.estimates.itertuples(index=False)
        )
        within = int(self.moments["within"].sum())
        return (
            f"negsim.experiments.Calibration(scenario={self.scenario!r}, {fitted}; "
            f"moments within target: {within}/{len(self.moments)}; points={self.n_points}, "
            f"accepted={self.n_accepted}, runs={self.runs})"
        )

    def _repr_html_(self) -> str:
        """The estimates and the moments' fit as two HTML tables, for notebooks."""
        import html

        head = (
            f"<p><b>negsim.experiments.Calibration</b> of {html.escape(self.scenario)} to "
            f"{html.escape(self.targets)}: {self.n_points} points x {self.runs} runs, "
            f"{self.n_accepted} accepted; {self.confidence:.0%} intervals</p>"
        )
        fmt = "{:.4g}".format
        return (
            head
            + str(self.estimates.to_html(index=False, float_format=fmt))
            + str(self.moments.to_html(index=False, float_format=fmt))
        )

    def to_frame(self) -> pd.DataFrame:
        """The design points: parameter values, moments, distance, accepted (a copy)."""
        return self.points.copy()


def _z(confidence: float) -> float:
    return statistics.NormalDist().inv_cdf((1 + confidence) / 2)


def _design(targets: Targets, points: int, seed: int) -> dict[str, list[float]]:
    """The Sobol design over the priors' box: ``{path: values}``."""
    import numpy as np

    qmc = require_scipy()
    import inspect

    rng = np.random.default_rng(derive_seed(seed, "calibrate", "sobol"))
    keyword = "rng" if "rng" in inspect.signature(qmc.Sobol).parameters else "seed"
    sampler = qmc.Sobol(d=len(targets.parameters), scramble=True, **{keyword: rng})
    unit = sampler.random_base2(m=int(math.log2(points)))
    low = [p.low for p in targets.parameters]
    high = [p.high for p in targets.parameters]
    scaled = qmc.scale(unit, low, high)
    return {
        p.path: [float(round(v)) if p.kind == "int" else float(v) for v in scaled[:, i]]
        for i, p in enumerate(targets.parameters)
    }


def _check_metrics(
    targets: Targets,
    base: Scenario,
    design: Mapping[str, list[float]],
    seed: int,
    registry: PluginRegistry,
    limits: Limits,
) -> None:
    """Refuse a moment that names a metric neither the engine nor a trial run reports.

    Sixteen trial runs, one at each of the design's first points, in this process:
    cheap, and enough to see the metrics a world reports in most runs.
    """
    from negsim._api import simulate
    from negsim.errors import NegsimError, Problem, TargetsError

    seen = set(ENGINE_METRICS)
    n = min(16, len(next(iter(design.values()))))
    for i in range(n):
        sets: list[tuple[str, ParamValue]] = [
            (p.path, int(design[p.path][i]) if p.kind == "int" else design[p.path][i])
            for p in targets.parameters
        ]
        try:
            result = simulate(
                base,
                seed=derive_seed(seed, "calibrate", f"trial={i}"),
                overrides=sets,
                registry=registry,
                limits=limits,
            )
        except NegsimError:  # a failing run is the sweep's to record, in its row
            continue
        seen |= set(result.metrics)
    problems = []
    for i, moment in enumerate(targets.moments):
        for name in moment.metrics:
            if name not in seen:
                problems.append(
                    Problem(
                        f"moments[{i}]",
                        f"unknown metric {name!r} (not the engine's, and none of {n} trial "
                        f"runs of {base.name!r} reported it); known: {', '.join(sorted(seen))}",
                    )
                )
    if problems:
        raise TargetsError(targets.source, problems)


def _open(out: Path, manifest: dict[str, Any], targets: Targets) -> None:
    """Create the calibration's directory, or check that it holds this calibration."""
    path = out / MANIFEST
    if out.exists() and not out.is_dir():
        raise SweepError(f"{out} is a file, not a calibration's directory; choose another -o")
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SweepError(f"{path} cannot be read ({exc}); choose another -o") from None
        if old.get("targets_digest") != manifest["targets_digest"]:
            raise SweepError(
                f"{out} holds a calibration made with a different targets file "
                f"({old.get('targets')!r}; now {targets.source!r}, whose content differs); "
                "its runs are kept: resume with the original targets file, or choose "
                "another -o for these targets"
            )
        diff = sorted(k for k in manifest if old.get(k) != manifest[k] and k != "targets")
        if diff:
            shown = ", ".join(f"{k} {old.get(k)!r} (now {manifest[k]!r})" for k in diff)
            raise SweepError(
                f"{out} holds a calibration with another design: {shown}; its runs are "
                "kept: resume with the same settings, or choose another -o"
            )
        return
    if out.is_dir() and any(out.iterdir()):
        raise SweepError(
            f"{out} exists and is not a negsim calibration's directory; choose another -o"
        )
    out.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


def _distances(frame: pd.DataFrame, targets: Targets, n_points: int) -> pd.DataFrame:
    """Each point's moments, standard errors, undefined count and distance."""
    import numpy as np
    import pandas as pd

    records: list[dict[str, Any]] = []
    groups = dict(iter(frame.groupby("point", sort=True)))
    for point in range(n_points):
        rows = groups.get(point, frame.iloc[0:0])
        record: dict[str, Any] = {"point": point}
        z2: list[float] = []
        undefined = 0
        for moment in targets.moments:
            got = evaluate_moment(moment, rows)
            record[moment.name] = got.value
            record[f"{moment.name}_se"] = got.se
            if math.isnan(got.value):
                undefined += 1
                continue
            z2.append((moment.deviation(got.value) / moment.tolerance) ** 2)
        record["undefined"] = undefined
        record["distance"] = float(np.sqrt(np.mean(z2))) if z2 else math.inf
        records.append(record)
    return pd.DataFrame.from_records(records)


def _moment_fit(frame: pd.DataFrame, targets: Targets, confidence: float) -> pd.DataFrame:
    """Each moment over the check runs, with its interval, against its target's band."""
    import pandas as pd

    from negsim.experiments._summary import wilson_interval

    z = _z(confidence)
    rows = []
    for moment in targets.moments:
        got = evaluate_moment(moment, frame)
        band_low, band_high = moment.band(z)
        if math.isnan(got.value):
            low = high = math.nan
        elif moment.statistic == "probability":
            low, high = wilson_interval(got.count, got.n, confidence)
        else:
            half = z * (0.0 if math.isnan(got.se) else got.se)
            low, high = got.value - half, got.value + half
        within = (not math.isnan(got.value)) and band_low <= got.value <= band_high
        rows.append(
            {
                "moment": moment.name,
                "statistic": moment.describe(),
                "target": moment.target,
                "band_low": band_low,
                "band_high": band_high,
                "simulated": got.value,
                "low": low,
                "high": high,
                "runs": got.n,
                "within": bool(within),
                "source": moment.source,
            }
        )
    return pd.DataFrame(rows, columns=list(MOMENT_COLUMNS))


def calibrate(
    scenario: str | os.PathLike[str] | Scenario,
    targets: str | os.PathLike[str] | Targets | Mapping[str, Any],
    *,
    points: int = 128,
    runs: int = 40,
    check_runs: int | None = None,
    accept: float = 0.1,
    confidence: float = 0.95,
    seed: int | None = None,
    overrides: Iterable[str] = (),
    backend: str = "process",
    workers: int | None = None,
    scheduler: Any = None,
    out: str | os.PathLike[str] | None = None,
    registry: PluginRegistry | RegistryFactory | None = None,
    progress: bool | None = None,
    limits: Limits | None = None,
) -> Calibration:
    """Fit a scenario's free parameters to the target moments of a targets file.

    Rejection ABC over a scrambled Sobol design of the priors (see
    :mod:`negsim.experiments._calibrate` for the method); the runs go through
    :func:`negsim.experiments.sweep`, so they resume from ``out`` and do not depend on
    the backend or the number of workers.

    Args:
        scenario: A scenario file or a loaded scenario.
        targets: A targets file (see :doc:`/reference/targets-format`), its parsed
            content, or :class:`Targets`.
        points: Design points (a power of 2, for the Sobol sequence's balance).
        runs: Runs per design point.
        check_runs: Runs at the estimate, for the moments' fit; ``5 * runs`` when
            ``None``.
        accept: The fraction of design points accepted (nearest the targets).
        confidence: The coverage of the parameters' and moments' intervals.
        seed: The seed the design and the runs derive from; the scenario's when
            ``None``.
        overrides: ``PATH=VALUE`` overrides for every run.
        backend: ``serial``, ``process`` (a local process pool) or ``dask``.
        workers: Worker processes.
        scheduler: For ``dask``: a scheduler address or a ``distributed.Client``.
        out: A directory for the calibration (its manifest, the design's runs and
            the check's): a calibration resumes from it. In memory when ``None``.
        registry: The plugins (see :func:`negsim.experiments.sweep`).
        progress: Show progress bars on stderr (``None``: when stderr is a terminal).
        limits: The limits of the runs and sweeps.

    Returns:
        The estimates, the moments' fit and the design points (:class:`Calibration`).

    Raises:
        negsim.TargetsError: The targets file names an unknown parameter, outcome or
            metric, or a prior outside a parameter's documented range.
        negsim.ScenarioError: The scenario or an override is invalid.
        SweepError: Bad settings, or ``out`` holds a calibration with another targets
            file or design (its runs are kept).
        ImportError: scipy, pandas or pyarrow is not installed.
    """
    started = time.perf_counter()
    require_scipy()
    from negsim.experiments._sweep import sweep
    from negsim.scenario import load_scenario, scenario_from_dict
    from negsim.scenario._overrides import parse_override

    if points < 2 or points & (points - 1):
        raise SweepError(f"points must be a power of 2 (Sobol sequences), got {points}")
    if runs < 1:
        raise SweepError(f"runs per point must be at least 1, got {runs}")
    if not 0 < accept <= 1:
        raise SweepError(f"accept must be a fraction in (0, 1], got {accept}")
    if not 0 < confidence < 1:
        raise SweepError(f"confidence must be between 0 and 1, got {confidence}")
    check_runs = 5 * runs if check_runs is None else check_runs
    if check_runs < 1:
        raise SweepError(f"check runs must be at least 1, got {check_runs}")
    limits = limits or Limits()
    if isinstance(registry, PluginRegistry) or registry is None:
        plugins = registry or default_registry()
    else:
        plugins = registry()
    sets = [parse_override(o) for o in overrides]
    if isinstance(scenario, Scenario):
        from negsim.experiments._worker import scenario_data

        base = scenario_from_dict(
            scenario_data(scenario, plugins),
            source=scenario.name,
            overrides=sets,
            registry=plugins,
            limits=limits,
        )
    else:
        base = load_scenario(Path(scenario), overrides=sets, registry=plugins, limits=limits)
    if isinstance(targets, Targets):
        parsed = targets
    elif isinstance(targets, Mapping):
        parsed = parse_targets(targets, base, registry=plugins)
    else:
        parsed = load_targets(targets, base, registry=plugins)
    seed = base.seed if seed is None else seed
    design = _design(parsed, points, seed)
    _check_metrics(parsed, base, design, seed, plugins, limits)

    where = None if out is None else Path(out)
    if where is not None:
        from negsim.engine import scenario_digest

        manifest = {
            "negsim_calibration": 1,
            "targets": parsed.source,
            "targets_digest": parsed.digest,
            "scenario": base.name,
            "scenario_digest": scenario_digest(base),
            "points": points,
            "runs": runs,
            "seed": seed,
        }
        _open(where, manifest, parsed)
    common: dict[str, Any] = {
        "seed": seed,
        "overrides": list(overrides),
        "backend": backend,
        "workers": workers,
        "scheduler": scheduler,
        "registry": registry,
        "progress": progress,
        "limits": limits,
    }
    report = sweep(
        scenario,
        points=design,
        runs=runs,
        out=None if where is None else where / "design.parquet",
        **common,
    )
    frame = report.frame()
    table = _distances(frame, parsed, points)
    for p in parsed.parameters:
        values = design[p.path]
        table.insert(1 + parsed.parameters.index(p), p.path, values)
    order = table.sort_values(["undefined", "distance", "point"], kind="stable").index
    cut = table.loc[order[max(2, math.ceil(accept * points)) - 1]]
    # every point as near as the last one accepted is accepted too: a tie at the cut
    # (range targets met exactly give many) is not broken by the points' order
    table["accepted"] = (table["undefined"] < cut["undefined"]) | (
        (table["undefined"] == cut["undefined"]) & (table["distance"] <= cut["distance"])
    )
    kept = table[table["accepted"]]
    best = table.loc[order[0]]
    lo_q, hi_q = (1 - confidence) / 2, (1 + confidence) / 2
    import pandas as pd

    estimates = []
    for p in parsed.parameters:
        column = kept[p.path].astype(float)
        estimate = float(column.median())
        low, high = float(column.quantile(lo_q)), float(column.quantile(hi_q))
        if p.kind == "int":
            estimate, low, high = (
                float(round(estimate)),
                float(math.floor(low)),
                float(math.ceil(high)),
            )
        estimates.append(
            {
                "parameter": p.path,
                "estimate": estimate,
                "low": low,
                "high": high,
                "prior_low": p.low,
                "prior_high": p.high,
                "share_of_prior": (high - low) / (p.high - p.low),
                "best": float(best[p.path]),
                "source": p.source,
            }
        )
    estimates_frame = pd.DataFrame(estimates, columns=list(ESTIMATE_COLUMNS))

    fitted = {r["parameter"]: [r["estimate"]] for r in estimates}
    # the check's own directory, named by what it runs: another estimate (another
    # --accept) or another number of runs is another check, not a clash
    named = json.dumps({"estimate": fitted, "runs": check_runs}, sort_keys=True)
    key = hashlib.sha256(named.encode()).hexdigest()[:12]
    check = sweep(
        scenario,
        points=fitted,
        runs=check_runs,
        out=None if where is None else where / f"check-{key}.parquet",
        **common,
    )
    moments = _moment_fit(check.frame(), parsed, confidence)
    if where is not None:  # the tables beside the runs, for other tools
        tables = {"estimates": estimates_frame, "moments": moments, "points": table}
        for name, frame_ in tables.items():
            frame_.to_csv(where / f"{name}.csv", index=False)
    return Calibration(
        scenario=base.name,
        targets=parsed.source,
        estimates=estimates_frame,
        moments=moments,
        points=table,
        runs=runs,
        check_runs=check_runs,
        accept=accept,
        confidence=confidence,
        seed=seed,
        out=where,
        elapsed=time.perf_counter() - started,
        resumed=report.skipped + check.skipped,
    )
