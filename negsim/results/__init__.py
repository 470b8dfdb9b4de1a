"""Results at the edges: JSON Lines logs, tidy rows and DataFrames, an HTML report."""

from negsim.results._jsonl import (
    FORMAT,
    dumps_lines,
    event_from_dict,
    event_to_dict,
    read_jsonl,
    write_jsonl,
)
from negsim.results._report import LIMIT, SECTIONS, report_html, write_report
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
    "LIMIT",
    "SECTIONS",
    "dumps_lines",
    "event_from_dict",
    "event_to_dict",
    "events_frame",
    "parse_overrides",
    "read_jsonl",
    "report_html",
    "short_names",
    "to_frame",
    "to_row",
    "to_rows",
    "write_jsonl",
    "write_report",
]
