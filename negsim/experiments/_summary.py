"""Outcome frequencies with Wilson score confidence intervals."""

from __future__ import annotations

import math
import os
import statistics
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from negsim.experiments._errors import SweepError
from negsim.model import Outcome

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["resolve_column", "summarize", "wilson_interval"]

SUMMARY_COLUMNS = ("outcome", "count", "n", "p", "low", "high", "errors")
"""The columns :func:`summarize` adds after the grouping columns."""


def wilson_interval(count: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval for a proportion ``count / n``.

    Unlike the normal approximation it stays inside [0, 1] and is sensible for
    proportions near 0 or 1 and small ``n``.

    Args:
        count: Successes.
        n: Trials.
        confidence: The coverage, between 0 and 1.

    Returns:
        ``(low, high)``; ``(nan, nan)`` when ``n`` is 0.

    Raises:
        ValueError: ``confidence`` not strictly between 0 and 1, or ``count`` outside
            ``0..n``.

    Example:
        >>> low, high = wilson_interval(8, 10)
        >>> round(low, 3), round(high, 3)
        (0.49, 0.943)
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    if not 0 <= count <= n:
        raise ValueError(f"count must be in 0..n, got {count} of {n}")
    if n == 0:
        return math.nan, math.nan
    z = statistics.NormalDist().inv_cdf(0.5 + confidence / 2)
    p = count / n
    z2n = z * z / n
    denom = 1 + z2n
    centre = (p + z2n / 2) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2n / (4 * n)) / denom
    low = 0.0 if count == 0 else max(0.0, centre - half)  # exact at the ends
    high = 1.0 if count == n else min(1.0, centre + half)
    return low, high


def resolve_column(columns: Sequence[str], name: str) -> str:
    """Find a column by its name, its parameter path, or a unique last part of the path.

    ``cost_nuclear`` finds ``param.agents.JPN.params.cost_nuclear`` when no
    other column ends so.

    Args:
        columns: The available columns.
        name: What the user wrote.

    Returns:
        The column name.

    Raises:
        SweepError: No column, or several, match; the message lists the choices.
    """
    if name in columns:
        return name
    if f"param.{name}" in columns:
        return f"param.{name}"
    matches = [c for c in columns if c.endswith(f".{name}")]
    if len(matches) == 1:
        return matches[0]
    params = [c for c in columns if c.startswith("param.")]
    if matches:
        raise SweepError(f"{name!r} matches several columns: {', '.join(matches)}; name one")
    shown = ", ".join(params) or "(none)"
    raise SweepError(
        f"no column {name!r}; parameters: {shown}; other columns: outcome, "
        "replicate, rounds, metric.<name>, ..."
    )


def _outcome_order(values: Sequence[str], declared: Sequence[str] = ()) -> list[str]:
    known = list(declared) or [str(o) for o in Outcome]
    return [o for o in known if o in values] + sorted(v for v in values if v not in known)


def summarize(
    data: str | os.PathLike[str] | pd.DataFrame,
    by: Sequence[str] | None = None,
    *,
    outcomes: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Outcome frequencies per group, with Wilson confidence intervals.

    Args:
        data: A results directory or file (see :func:`negsim.experiments.read_results`)
            or a DataFrame of rows.
        by: The columns to group by: names, parameter paths or unique last parts of
            them (``cost_nuclear``). Every ``param.*`` column when ``None``;
            ``[]`` for one overall group.
        outcomes: Report only these outcomes (every outcome seen when ``None``); the
            proportions are still over all of a group's runs.
        confidence: The intervals' coverage.

    Returns:
        A DataFrame in long form, one row per group and outcome, sorted by group and
        then outcome: the grouping columns, then ``outcome``, ``count`` (runs with that
        outcome), ``n`` (runs of the group that did not fail), ``p`` (``count / n``),
        ``low`` and ``high`` (the Wilson interval) and ``errors`` (runs of the group
        that failed; they are not in ``n``). Outcomes a group never reached appear
        with a count of 0.

    Raises:
        SweepError: A column in ``by`` does not exist, or an outcome in ``outcomes``
            is not one.

    Example:
        >>> import pandas as pd
        >>> rows = pd.DataFrame({"param.x": [0, 0, 1, 1], "outcome": ["deterred",
        ...     "deterred", "deterred", "escalation"], "error": [None] * 4})
        >>> summarize(rows)[["param.x", "outcome", "count", "n", "p"]]
           param.x     outcome  count  n    p
        0        0    deterred      2  2  1.0
        1        0  escalation      0  2  0.0
        2        1    deterred      1  2  0.5
        3        1  escalation      1  2  0.5
    """
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        frame = data
    else:
        from negsim.experiments._store import read_results

        frame = read_results(data)
    columns = list(frame.columns)
    if by is None:
        keys = [c for c in columns if c.startswith("param.")]
    else:
        keys = [resolve_column(columns, b) for b in by]
    if "outcome" not in columns:
        raise SweepError("the results have no 'outcome' column")
    failed = frame["error"].notna() if "error" in columns else pd.Series(False, index=frame.index)
    seen = [str(o) for o in frame.loc[~failed, "outcome"].dropna().unique()]
    declared = list(frame.attrs.get("outcomes") or [o.value for o in Outcome])
    if outcomes is not None:
        known = _outcome_order([*declared, *seen], declared)
        unknown = [o for o in outcomes if o not in known]
        if unknown:
            raise SweepError(
                f"no outcome {', '.join(map(repr, unknown))}; choose from {', '.join(known)}"
            )
    wanted = _outcome_order(seen if outcomes is None else list(outcomes), declared)

    records: list[dict[str, Any]] = []
    if keys:
        grouped: Any = frame.assign(_failed=failed).groupby(keys, sort=True, dropna=False)
        groups = [((k,) if not isinstance(k, tuple) else k, g) for k, g in grouped]
    else:
        groups = [((), frame.assign(_failed=failed))]
    for key, group in groups:
        ok = group.loc[~group["_failed"]]
        counts = ok["outcome"].astype(str).value_counts()
        n = len(ok)
        errors = int(group["_failed"].sum())
        for outcome in wanted:
            count = int(counts.get(outcome, 0))
            low, high = wilson_interval(count, n, confidence)
            record = dict(zip(keys, key, strict=True))
            record.update(
                outcome=outcome,
                count=count,
                n=n,
                p=count / n if n else math.nan,
                low=low,
                high=high,
                errors=errors,
            )
            records.append(record)
    out = pd.DataFrame.from_records(records, columns=[*keys, *SUMMARY_COLUMNS])
    for key in keys:  # keep the parameters' dtypes (groupby keys come back as objects)
        if len(out):
            out[key] = out[key].astype(frame[key].dtype)
    return out
