"""Results as tidy rows (one per run) and DataFrames."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from negsim.model import Result
from negsim.results._jsonl import event_to_dict

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["events_frame", "parse_overrides", "short_names", "to_frame", "to_row", "to_rows"]

RESERVED = frozenset(
    {"scenario", "seed", "overrides", "outcome", "rounds", "reason", "error", "replicate"}
)
"""Column names a short parameter name may not take."""


def short_names(paths: Sequence[str], reserved: Iterable[str] = RESERVED) -> dict[str, str]:
    """A short column name for each parameter path: its last part, where that is unique.

    A path keeps its full spelling when its last part is shared with another path or
    is a reserved column name (``seed``, ``outcome``...).

    Args:
        paths: Dotted scenario paths.
        reserved: Names a short name may not take.

    Returns:
        ``{path: name}``.

    Example:
        >>> short_names(["agents.JPN.params.cost_nuclear", "agents.USA.params.cost_war",
        ...              "agents.JPN.params.cost_war", "scenario.seed"])  # doctest: +NORMALIZE_WHITESPACE
        {'agents.JPN.params.cost_nuclear': 'cost_nuclear',
         'agents.USA.params.cost_war': 'agents.USA.params.cost_war',
         'agents.JPN.params.cost_war': 'agents.JPN.params.cost_war',
         'scenario.seed': 'scenario.seed'}
    """  # noqa: E501
    last = [p.rsplit(".", 1)[-1] for p in paths]
    taken = set(reserved)
    return {
        p: (s if last.count(s) == 1 and s not in taken else p)
        for p, s in zip(paths, last, strict=True)
    }


def parse_overrides(overrides: Iterable[str]) -> dict[str, Any]:
    """``path=value`` strings (as recorded in provenance) as ``{path: value}``.

    Values are read as TOML literals, as the command line reads them; anything else
    is kept as its text.

    Example:
        >>> parse_overrides(["agents.JPN.params.korea_minute=true", "a.b=0.5", "c.d=x"])
        {'agents.JPN.params.korea_minute': True, 'a.b': 0.5, 'c.d': 'x'}
    """
    out: dict[str, Any] = {}
    for text in overrides:
        path, _, raw = text.partition("=")
        try:
            out[path.strip()] = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            out[path.strip()] = raw.strip()
    return out


def to_row(result: Result) -> dict[str, Any]:
    """One run as a flat row: scenario, seed, outcome, rounds, reason, ``metric.<name>``."""
    p = result.provenance
    row: dict[str, Any] = {
        "scenario": p.scenario if p else "",
        "seed": p.seed if p else None,
        "overrides": ";".join(p.overrides) if p else "",
        "outcome": str(result.outcome),
        "rounds": result.rounds,
        "reason": result.reason,
    }
    row.update({f"metric.{k}": v for k, v in result.metrics.items()})
    return row


def to_rows(results: Iterable[Result]) -> list[dict[str, Any]]:
    """Tidy rows, one per run (see :func:`to_row`)."""
    return [to_row(r) for r in results]


def to_frame(results: Iterable[Result]) -> pd.DataFrame:
    """A pandas DataFrame with one row per run, with a column per overridden parameter.

    The columns of :func:`to_row`, and after ``seed`` one column per path that any
    run's provenance overrides, named by its last part (``korea_minute``; the full
    path where two paths share a last part, see :func:`short_names`). A run that does
    not override a path, or lacks a metric, has NA there: there are no sentinel values.

    Raises:
        ImportError: pandas is not installed (``pip install 'negsim[frames]'``).

    Example:
        >>> import negsim
        >>> from negsim.results import to_frame
        >>> s = negsim.load_scenario("examples/scenarios/korea_bilateral.toml")
        >>> runs = [negsim.simulate(s, seed=1, overrides=[f"agents.JPN.params.cost_nuclear={c}"])
        ...         for c in (20.0, 60.0)]
        >>> to_frame(runs)[["seed", "cost_nuclear"]]
           seed  cost_nuclear
        0     1          20.0
        1     1          60.0
    """
    pd = _pandas()
    results = list(results)
    rows = to_rows(results)
    params = [parse_overrides(r.provenance.overrides) if r.provenance else {} for r in results]
    paths = list(dict.fromkeys(p for point in params for p in point))
    names = short_names(paths)
    frame = pd.DataFrame(rows)
    at = list(frame.columns).index("seed") + 1 if len(frame.columns) else 0
    for offset, path in enumerate(paths):
        values = [point.get(path, pd.NA) for point in params]
        frame.insert(at + offset, names[path], pd.array(values) if values else [])
    return frame


def events_frame(result: Result) -> pd.DataFrame:
    """A pandas DataFrame with one row per event of a run (nested fields as dicts)."""
    pd = _pandas()
    return pd.DataFrame([event_to_dict(e) for e in result.events])


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("DataFrames need pandas: pip install 'negsim[frames]'") from exc
    return pd
