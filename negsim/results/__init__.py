"""Results at the edges: JSON Lines logs, tidy rows and DataFrames."""

from negsim.results._jsonl import (
    FORMAT,
    dumps_lines,
    event_from_dict,
    event_to_dict,
    read_jsonl,
    write_jsonl,
)
from negsim.results._rows import (
    events_frame,
    parse_overrides,
    short_names,
    to_frame,
    to_row,
    to_rows,
)

__all__ = [
    "FORMAT",
    "dumps_lines",
    "event_from_dict",
    "event_to_dict",
    "events_frame",
    "parse_overrides",
    "read_jsonl",
    "short_names",
    "to_frame",
    "to_row",
    "to_rows",
    "write_jsonl",
]
