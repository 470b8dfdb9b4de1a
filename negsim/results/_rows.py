"""Results as tidy rows (one per run) and DataFrames."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from negsim.model import Result
from negsim.results._jsonl import event_to_dict

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["events_frame", "to_frame", "to_row", "to_rows"]


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
    """A pandas DataFrame with one row per run.

    Raises:
        ImportError: pandas is not installed (``pip install 'negsim[frames]'``).
    """
    pd = _pandas()
    return pd.DataFrame(to_rows(results))


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
