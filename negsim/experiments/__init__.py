"""Experiments at scale: parameter sweeps, resumable results, summaries.

::

    from negsim.experiments import sweep, summarize

    report = sweep(
        "examples/scenarios/korea_bilateral.toml",
        grid=["agents.JPN.params.cost_nuclear=0:120:7"],
        runs=200,
        backend="process",          # or "serial", "dask"
        out="results.parquet",
    )
    print(summarize("results.parquet", by=["cost_nuclear"]))

A sweep is a grid (cartesian product of ranges ``lo:hi:n`` and lists ``a,b,c``), a
random sample (Latin hypercube or uniform within bounds) and/or explicit design points
(a table of rows) of parameter overrides, times ``runs`` replicates. Each run is keyed
by its parameter values and replicate, and its seed is ``derive_seed(sweep seed, "run", run_key)``
(:func:`negsim.engine.derive_seed`), so the rows are identical whatever the backend,
the number of workers or the order runs finish in.

Results are a directory of part files written atomically as runs finish, so an
interrupted sweep resumes where it stopped. One row per run:

===================  ========  ==============================================================
column               type      meaning
===================  ========  ==============================================================
``run_key``          string    ``path=value;...;replicate=N`` (paths sorted), unique
``point``            int64     index of the run's parameter point in the sweep
``param.<path>``     varies    one column per swept parameter (bool, int64, float64, string)
``replicate``        int64     replicate number at this point, from 0
``seed``             uint64    the run's seed
``outcome``          string    the outcome (``deterred``, ...); null when the run failed
``rounds``           int64     rounds played (the failing round when a plugin raised)
``reason``           string    why the world rules classified the outcome so
``metric.<name>``    float64   one column per metric reported by the engine and plugins
``error``            string    ``ExceptionType: message`` when the run failed, else null
``negsim_version``   string    the negsim version that ran it
``scenario``         string    the scenario's name
``scenario_digest``  string    digest of the run's scenario (after its overrides)
``plugins``          string    the plugins that took part: ``name=distribution version; ...``
===================  ========  ==============================================================

Nothing here imports pandas, pyarrow, dask or matplotlib until a function needs it.
"""

from negsim.experiments._backends import (
    BACKENDS,
    DASK_CONFIG,
    default_start_method,
    default_workers,
    local_cluster,
)
from negsim.experiments._calibrate import (
    ENGINE_METRICS,
    ESTIMATE_COLUMNS,
    MOMENT_COLUMNS,
    Calibration,
    calibrate,
)
from negsim.experiments._compare import (
    COMPARISON_COLUMNS,
    Comparison,
    compare,
    compare_results,
    mcnemar_exact,
    newcombe_paired_interval,
    newcombe_unpaired_interval,
)
from negsim.experiments._errors import SweepError
from negsim.experiments._many import simulate_many
from negsim.experiments._params import (
    Bound,
    Design,
    Parameter,
    Sample,
    format_value,
    make_design,
    parse_bounds,
    parse_grid,
    sample_points,
)
from negsim.experiments._plan import Plan, RunSpec, run_key
from negsim.experiments._sensitivity import SENSITIVITY_COLUMNS, Sensitivity, sobol_indices
from negsim.experiments._sequence import honour_record, simulate_sequence, with_record
from negsim.experiments._store import read_results
from negsim.experiments._summary import resolve_column, summarize, wilson_interval
from negsim.experiments._sweep import SweepReport, sweep
from negsim.experiments._targets import (
    STATISTICS,
    Condition,
    FreeParameter,
    Moment,
    MomentValue,
    Targets,
    evaluate_moment,
    load_targets,
    parse_targets,
)
from negsim.experiments._worker import RegistryFactory

__all__ = [
    "BACKENDS",
    "COMPARISON_COLUMNS",
    "DASK_CONFIG",
    "ENGINE_METRICS",
    "ESTIMATE_COLUMNS",
    "MOMENT_COLUMNS",
    "STATISTICS",
    "Bound",
    "Calibration",
    "Comparison",
    "Condition",
    "Design",
    "FreeParameter",
    "Moment",
    "MomentValue",
    "Parameter",
    "Plan",
    "RegistryFactory",
    "RunSpec",
    "SENSITIVITY_COLUMNS",
    "Sample",
    "Sensitivity",
    "SweepError",
    "SweepReport",
    "Targets",
    "calibrate",
    "compare",
    "compare_results",
    "default_start_method",
    "default_workers",
    "evaluate_moment",
    "format_value",
    "honour_record",
    "load_targets",
    "local_cluster",
    "make_design",
    "mcnemar_exact",
    "newcombe_paired_interval",
    "newcombe_unpaired_interval",
    "parse_bounds",
    "parse_grid",
    "parse_targets",
    "read_results",
    "resolve_column",
    "run_key",
    "sample_points",
    "simulate_many",
    "simulate_sequence",
    "sobol_indices",
    "summarize",
    "sweep",
    "wilson_interval",
    "with_record",
]
