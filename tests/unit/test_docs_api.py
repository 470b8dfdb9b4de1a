"""Every public module of negsim has its page in the API reference.

The API reference (docs/reference/api/) has one page per public module, each an
``automodule`` directive; the hook specifications are on the hook reference page, the
command line on its own, and ``negsim.crisis`` with the crisis world rules. A public
package added to negsim without a page fails here.
"""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import pytest

import negsim

DOCS = Path(__file__).resolve().parents[2] / "docs"
API = DOCS / "reference" / "api"
# Public modules documented outside docs/reference/api/, and where.
ELSEWHERE = {
    "negsim.hookspecs": DOCS / "reference" / "hooks.md",
    "negsim.cli": DOCS / "reference" / "cli.md",
    # the crisis doctrines' shared vocabulary and combat model, with the world rules
    # that run them (the API index links there)
    "negsim.crisis": DOCS / "explanation" / "world-rules.md",
}


def _public_modules() -> list[str]:
    found = [f"negsim.{m.name}" for m in pkgutil.iter_modules(negsim.__path__)]
    return ["negsim", *sorted(m for m in found if not m.rpartition(".")[2].startswith("_"))]


def _documented() -> dict[str, Path]:
    pages = {}
    for page in [*API.glob("*.md"), *ELSEWHERE.values()]:
        text = page.read_text(encoding="utf-8")
        for module in re.findall(r"^\.\. (?:automodule|click):: ([\w.]+)", text, re.MULTILINE):
            pages.setdefault(module.split(":")[0], page)
    return pages


@pytest.mark.parametrize("module", _public_modules())
def test_every_public_module_has_a_page(module: str) -> None:
    documented = _documented()
    assert module in documented, f"{module} has no page in {API.relative_to(DOCS.parent)}"


def test_the_api_index_lists_every_page() -> None:
    index = (API / "index.md").read_text(encoding="utf-8")
    for page in API.glob("*.md"):
        if page.name != "index.md":
            assert f"<{page.stem}>" in index, f"{page.name} is not in the API index's table"


@pytest.mark.parametrize("module", sorted(ELSEWHERE))
def test_the_api_index_points_to_modules_documented_elsewhere(module: str) -> None:
    index = (API / "index.md").read_text(encoding="utf-8")
    page = ELSEWHERE[module].relative_to(DOCS).with_suffix("")
    assert f"/{page}" in index, f"the API index does not point to {module} ({page})"
    assert module in index, f"the API index does not name {module}"
