"""A small HTML table for the value objects' ``_repr_html_`` (notebooks)."""

from __future__ import annotations

import html
from collections.abc import Iterable

__all__ = ["html_table"]


def html_table(title: str, rows: Iterable[tuple[str, str]]) -> str:
    """An HTML table of ``(label, value)`` rows under a bold ``title``, every text escaped.

    Example:
        >>> html_table("negsim.Scenario <x>", [("seed", "1")])
        '<table><caption><b>negsim.Scenario &lt;x&gt;</b></caption><tr><th style="text-align:left">seed</th><td style="text-align:left">1</td></tr></table>'
    """  # noqa: E501
    cells = "".join(
        f'<tr><th style="text-align:left">{html.escape(label)}</th>'
        f'<td style="text-align:left">{html.escape(value)}</td></tr>'
        for label, value in rows
    )
    return f"<table><caption><b>{html.escape(title)}</b></caption>{cells}</table>"
