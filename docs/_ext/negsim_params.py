"""The ``negsim-params`` directive: a plugin's parameter table, from its own spec.

    ```{negsim-params} collective
    ```

renders every :class:`negsim.ParamSpec` the installed plugin ``collective`` declares:
name, default, range, meaning and source. The table is read from the plugin at build
time, so the docs cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.application import Sphinx

from negsim.plugins import default_registry


def _range(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return ""
    return f"{'' if low is None else f'{low:g}'} to {'' if high is None else f'{high:g}'}"


class NegsimParams(Directive):
    """Render the parameter table of one installed negsim plugin."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        spec = default_registry().spec(name)
        headers = ("parameter", "default", "range", "meaning", "source")
        table = nodes.table(classes=["negsim-params"])
        group = nodes.tgroup(cols=len(headers))
        table += group
        for width in (14, 8, 10, 40, 28):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        group += head
        head += self._row(headers, literal_first=False)
        body = nodes.tbody()
        group += body
        for p in spec.params:
            default = str(p.default).lower() if isinstance(p.default, bool) else repr(p.default)
            body += self._row((p.name, default, _range(p.low, p.high), p.doc, p.source))
        return [table]

    @staticmethod
    def _row(cells: tuple[str, ...], *, literal_first: bool = True) -> nodes.row:
        row = nodes.row()
        for i, text in enumerate(cells):
            entry = nodes.entry()
            para = nodes.paragraph()
            para += nodes.literal(text=text) if literal_first and i < 2 else nodes.Text(text)
            entry += para
            row += entry
        return row


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive."""
    app.add_directive("negsim-params", NegsimParams)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
