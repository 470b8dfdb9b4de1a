"""Paired comparison of two designs on common random numbers.

Two scenarios (designs) run on the same seeds: run ``i`` of design A and run ``i`` of
design B share their seed, so every agent draws the same private type and the same
noise in both (common random numbers). For each outcome the runs form a paired 2x2
table::

                      B: outcome   B: other
    A: outcome           both       only_a
    A: other            only_b      neither

and the comparison reports the difference of proportions ``p_a - p_b =
(only_a - only_b) / n``, its Newcombe interval for paired proportions (Newcombe 1998b,
method 10), the same runs' unpaired interval (Newcombe's hybrid score interval for
independent samples: Newcombe 1998a, method 10), and McNemar's
exact test of ``p_a = p_b`` on the discordant runs. When the designs' outcomes are
positively correlated run by run, the paired interval is the narrower.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from negsim.experiments._errors import SweepError
from negsim.experiments._summary import wilson_interval

if TYPE_CHECKING:
    import pandas as pd

    from negsim.model import Scenario
    from negsim.plugins import PluginRegistry

__all__ = [
    "COMPARISON_COLUMNS",
    "Comparison",
    "compare",
    "compare_results",
    "mcnemar_exact",
    "newcombe_paired_interval",
    "newcombe_unpaired_interval",
]

COMPARISON_COLUMNS = (
    "outcome",
    "n",
    "p_a",
    "p_b",
    "diff",
    "low",
    "high",
    "unpaired_low",
    "unpaired_high",
    "both",
    "only_a",
    "only_b",
    "neither",
    "p_value",
)
"""The columns of :attr:`Comparison.table`."""


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """McNemar's exact two-sided test of equal paired proportions.

    Under the null hypothesis each discordant run is equally likely to favour either
    design, so ``only_a`` is binomial with ``only_a + only_b`` trials and probability
    1/2; the p-value is twice the smaller tail, at most 1. It is computed exactly with
    integer binomial coefficients for every count (no normal approximation, which is
    poor for few discordant runs), a few lines that spare the core package a SciPy
    dependency; the tests check it against SciPy's ``binomtest``.

    Args:
        only_a: Runs where only design A had the outcome.
        only_b: Runs where only design B had it.

    Returns:
        The p-value; 1 when there are no discordant runs.

    Example:
        >>> round(mcnemar_exact(2, 10), 4)
        0.0386
    """
    if only_a < 0 or only_b < 0:
        raise ValueError(f"counts must be >= 0, got {only_a}, {only_b}")
    m = only_a + only_b
    if m == 0:
        return 1.0
    k = min(only_a, only_b)
    tail = sum(math.comb(m, i) for i in range(k + 1))
    # exact integers, then one correctly rounded division (Python's int / int)
    return min(1.0, float(2 * tail / 2**m))


def _phi(both: int, only_a: int, only_b: int, neither: int) -> float:
    """Newcombe's phi for method 10, with its adjustment of ``ad - bc`` by ``n / 2``."""
    n = both + only_a + only_b + neither
    margins = (both + only_a) * (only_b + neither) * (both + only_b) * (only_a + neither)
    if margins == 0:
        return 0.0
    cross = both * neither - only_a * only_b
    if cross > n / 2:
        cross_adj = cross - n / 2
    elif cross >= 0:
        cross_adj = 0.0
    else:
        cross_adj = float(cross)
    return cross_adj / math.sqrt(margins)


def _square_and_add(
    p1: float,
    ci1: tuple[float, float],
    p2: float,
    ci2: tuple[float, float],
    phi: float,
) -> tuple[float, float]:
    (l1, u1), (l2, u2) = ci1, ci2
    d = p1 - p2
    lower = math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    upper = math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    return max(-1.0, d - lower), min(1.0, d + upper)


def newcombe_paired_interval(
    both: int, only_a: int, only_b: int, neither: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe's interval for a difference of paired proportions (Newcombe 1998b, method 10).

    The square-and-add combination of the two margins' Wilson intervals, corrected by
    the phi coefficient of the paired table: positive correlation between the two
    designs' outcomes narrows it.

    Args:
        both: Runs where both designs had the outcome.
        only_a: Runs where only A had it.
        only_b: Runs where only B had it.
        neither: Runs where neither had it.
        confidence: The coverage.

    Returns:
        ``(low, high)`` for ``p_a - p_b``; ``(nan, nan)`` when there are no runs.

    Example:
        >>> low, high = newcombe_paired_interval(59, 6, 16, 80)
        >>> round(low, 4), round(high, 4)
        (-0.1186, -0.0046)
    """
    n = both + only_a + only_b + neither
    if n == 0:
        return math.nan, math.nan
    p1, p2 = (both + only_a) / n, (both + only_b) / n
    ci1 = wilson_interval(both + only_a, n, confidence)
    ci2 = wilson_interval(both + only_b, n, confidence)
    return _square_and_add(p1, ci1, p2, ci2, _phi(both, only_a, only_b, neither))


def newcombe_unpaired_interval(
    count_a: int, n_a: int, count_b: int, n_b: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval for a difference of independent proportions.

    Method 10 of Newcombe 1998a, on unpaired data: the paired interval with no
    correlation term. Applied to paired runs it is the interval an analysis that
    ignores the pairing would report.

    Args:
        count_a: Runs of A with the outcome.
        n_a: Runs of A.
        count_b: Runs of B with the outcome.
        n_b: Runs of B.
        confidence: The coverage.

    Returns:
        ``(low, high)`` for ``p_a - p_b``; ``(nan, nan)`` when a sample is empty.

    Example:
        The example of Newcombe 1998a (56/70 against 48/80: 0.0524 to 0.3339):

        >>> low, high = newcombe_unpaired_interval(56, 70, 48, 80)
        >>> round(low, 4), round(high, 4)
        (0.0524, 0.3339)
    """
    if n_a == 0 or n_b == 0:
        return math.nan, math.nan
    ci1 = wilson_interval(count_a, n_a, confidence)
    ci2 = wilson_interval(count_b, n_b, confidence)
    return _square_and_add(count_a / n_a, ci1, count_b / n_b, ci2, 0.0)


@attrs.frozen(repr=False)
class Comparison:
    """Two designs compared run by run on the same seeds.

    Attributes:
        a: Design A's name (its scenario name, or the file).
        b: Design B's name.
        table: One row per outcome; the columns are
            :data:`negsim.experiments.COMPARISON_COLUMNS`:
            ``n`` paired runs, ``p_a`` and ``p_b``, ``diff = p_a - p_b``, ``low`` and
            ``high`` (the paired Newcombe interval), ``unpaired_low`` and
            ``unpaired_high`` (the interval ignoring the pairing), the 2x2 table's
            counts and McNemar's exact ``p_value``.
        pairs: One row per pair of runs: ``run_key``, ``seed``, ``outcome_a`` and
            ``outcome_b``.
        failed: Pairs left out because a run of either design failed.
        confidence: The intervals' coverage.
    """

    a: str
    b: str
    table: pd.DataFrame = attrs.field(eq=False)
    pairs: pd.DataFrame = attrs.field(eq=False)
    failed: int = 0
    confidence: float = 0.95

    def discordant(self, outcome: str) -> pd.DataFrame:
        """The pairs where exactly one design had ``outcome``: the runs to inspect.

        Args:
            outcome: An outcome of :attr:`table`.

        Returns:
            The rows of :attr:`pairs` (``run_key``, ``seed``, ``outcome_a``,
            ``outcome_b``) where ``outcome_a == outcome`` differs from
            ``outcome_b == outcome``.

        Raises:
            SweepError: ``outcome`` is not one of the table's.
        """
        known = list(self.table["outcome"])
        if outcome not in known:
            raise SweepError(f"no outcome {outcome!r}; choose from {', '.join(known)}")
        in_a = self.pairs["outcome_a"] == outcome
        in_b = self.pairs["outcome_b"] == outcome
        return self.pairs[in_a != in_b].reset_index(drop=True)

    def __repr__(self) -> str:
        return (
            f"negsim.experiments.Comparison(a={self.a!r}, b={self.b!r}, "
            f"pairs={len(self.pairs)}, outcomes={len(self.table)})"
        )

    def _repr_html_(self) -> str:
        head = f"<p><b>{self.a}</b> vs <b>{self.b}</b>: {len(self.pairs)} paired runs</p>"
        return head + str(self.table.to_html(index=False, float_format="{:.3f}".format))


def _frame(data: str | os.PathLike[str] | pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    from negsim.experiments._store import read_results

    return read_results(data)


def _key(frame: pd.DataFrame, which: str) -> str:
    for column in ("run_key", "seed"):
        if column in frame.columns:
            return column
    raise SweepError(f"results {which} have neither a 'run_key' nor a 'seed' column to pair on")


def compare_results(
    a: str | os.PathLike[str] | pd.DataFrame,
    b: str | os.PathLike[str] | pd.DataFrame,
    *,
    outcomes: Sequence[str] | None = None,
    confidence: float = 0.95,
    names: tuple[str, str] | None = None,
) -> Comparison:
    """Compare two result sets run by run, pairing rows with the same run key and seed.

    The runs pair on ``run_key`` (sweeps) or ``seed`` (frames of single runs); a pair
    counts only when both rows have the same seed. Failed runs drop their pair.

    Args:
        a: Design A's results: a results directory or file, or a DataFrame of rows.
        b: Design B's results, made with the same seeds.
        outcomes: Report only these outcomes (default: every outcome either design
            reached, in the declared order).
        confidence: The intervals' coverage.
        names: The designs' names; their scenario names when ``None``.

    Returns:
        The comparison.

    Raises:
        SweepError: No pairs (the result sets do not share seeds), or an unknown
            outcome.
    """
    import pandas as pd

    from negsim.experiments._summary import _outcome_order

    fa, fb = _frame(a), _frame(b)
    key_a, key_b = _key(fa, "A"), _key(fb, "B")
    if key_a != key_b:
        key_a = key_b = "seed"
    cols = [key_a] + (["seed"] if key_a != "seed" else [])
    left = fa[[*cols, "outcome", *(["error"] if "error" in fa.columns else [])]]
    right = fb[[*cols, "outcome", *(["error"] if "error" in fb.columns else [])]]
    if left[key_a].duplicated().any() or right[key_a].duplicated().any():
        raise SweepError(
            f"a result set repeats a {key_a}: compare two runs of one design each, "
            "made with the same seeds"
        )
    merged = left.merge(right, on=cols, how="inner", suffixes=("_a", "_b"))
    if merged.empty:
        raise SweepError(
            "the result sets share no run (no common run key and seed): run both designs "
            "with the same --seed and --runs, e.g. with `negsim compare A.toml B.toml`"
        )
    failed_mask = pd.Series(False, index=merged.index)
    for side in ("a", "b"):
        if f"error_{side}" in merged.columns:
            failed_mask |= merged[f"error_{side}"].notna()
        failed_mask |= merged[f"outcome_{side}"].isna()
    ok = merged.loc[~failed_mask]
    pairs = pd.DataFrame(
        {
            "run_key": ok[key_a].astype(str) if key_a == "run_key" else ok["seed"].astype(str),
            "seed": ok["seed"],
            "outcome_a": ok["outcome_a"].astype(str),
            "outcome_b": ok["outcome_b"].astype(str),
        }
    ).reset_index(drop=True)
    from negsim.model import Outcome

    declared = list(
        dict.fromkeys(
            [*(fa.attrs.get("outcomes") or []), *(fb.attrs.get("outcomes") or [])]
            or [o.value for o in Outcome]
        )
    )
    seen = list(dict.fromkeys([*pairs["outcome_a"], *pairs["outcome_b"]]))
    if outcomes is not None:
        known = _outcome_order([*declared, *seen], declared)
        unknown = [o for o in outcomes if o not in known]
        if unknown:
            raise SweepError(
                f"no outcome {', '.join(map(repr, unknown))}; choose from {', '.join(known)}"
            )
    wanted = _outcome_order(seen if outcomes is None else list(outcomes), declared)
    records = [_row(pairs, outcome, confidence) for outcome in wanted]
    table = pd.DataFrame.from_records(records, columns=list(COMPARISON_COLUMNS))
    if names is None:
        names = (_name(fa, "A"), _name(fb, "B"))
    return Comparison(
        names[0], names[1], table, pairs, failed=int(failed_mask.sum()), confidence=confidence
    )


def _name(frame: pd.DataFrame, default: str) -> str:
    if "scenario" in frame.columns:
        values = list(frame["scenario"].dropna().unique())
        if len(values) == 1:
            return str(values[0])
    return default


def _row(pairs: pd.DataFrame, outcome: str, confidence: float) -> dict[str, Any]:
    in_a = pairs["outcome_a"] == outcome
    in_b = pairs["outcome_b"] == outcome
    both = int((in_a & in_b).sum())
    only_a = int((in_a & ~in_b).sum())
    only_b = int((~in_a & in_b).sum())
    neither = int((~in_a & ~in_b).sum())
    n = len(pairs)
    low, high = newcombe_paired_interval(both, only_a, only_b, neither, confidence)
    ulow, uhigh = newcombe_unpaired_interval(both + only_a, n, both + only_b, n, confidence)
    return {
        "outcome": outcome,
        "n": n,
        "p_a": (both + only_a) / n if n else math.nan,
        "p_b": (both + only_b) / n if n else math.nan,
        "diff": (only_a - only_b) / n if n else math.nan,
        "low": low,
        "high": high,
        "unpaired_low": ulow,
        "unpaired_high": uhigh,
        "both": both,
        "only_a": only_a,
        "only_b": only_b,
        "neither": neither,
        "p_value": mcnemar_exact(only_a, only_b),
    }


def compare(
    a: str | os.PathLike[str] | Scenario,
    b: str | os.PathLike[str] | Scenario,
    *,
    runs: int = 100,
    seed: int | None = None,
    overrides: Iterable[str] = (),
    outcomes: Sequence[str] | None = None,
    confidence: float = 0.95,
    backend: str = "process",
    workers: int | None = None,
    registry: PluginRegistry | None = None,
    progress: bool | None = None,
) -> Comparison:
    """Run two designs on the same ``runs`` seeds and compare them run by run.

    Both designs run as sweeps without parameters and the same sweep seed, so run
    ``i`` of each has the same seed (common random numbers).

    Args:
        a: Design A: a scenario file or a loaded scenario.
        b: Design B.
        runs: Runs of each design.
        seed: The seed the runs' seeds derive from; design A's scenario seed when
            ``None`` (used for both designs).
        overrides: ``PATH=VALUE`` overrides applied to both designs.
        outcomes: Report only these outcomes.
        confidence: The intervals' coverage.
        backend: ``serial``, ``process`` or ``dask`` (see :func:`sweep`).
        workers: Worker processes.
        registry: The plugins (``serial`` only); the installed ones when ``None``.
        progress: Show progress bars on stderr.

    Returns:
        The comparison (see :class:`Comparison`).

    Raises:
        negsim.ScenarioError: A scenario or override is invalid.
        SweepError: Bad arguments.

    Example:
        >>> from negsim.experiments import compare
        >>> c = compare("examples/scenarios/korea_bilateral.toml",
        ...             "examples/scenarios/korea_integrated.toml", runs=20, backend="serial")
        >>> list(c.table.columns[:5])
        ['outcome', 'n', 'p_a', 'p_b', 'diff']
    """
    from negsim.experiments._sweep import sweep
    from negsim.model import Scenario
    from negsim.scenario import load_scenario

    if seed is None:
        first = a if isinstance(a, Scenario) else load_scenario(Path(a), registry=registry)
        seed = first.seed
    frames = []
    for design in (a, b):
        report = sweep(
            design,
            runs=runs,
            seed=seed,
            overrides=list(overrides),
            backend=backend,
            workers=workers,
            registry=registry,
            progress=progress,
        )
        frames.append(report.frame())
    return compare_results(frames[0], frames[1], outcomes=outcomes, confidence=confidence)
