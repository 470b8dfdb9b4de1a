"""Every work the docs, the code and the example scenarios cite is in the bibliography.

docs/reference/bibliography.md lists each cited work under a short citation (``Snyder
1984``, ``Huth & Russett 1984``), labelled ``(bib-...)=``. Citations are found by their
shape, an author (or two) and a year, with a journal in between or not
(``Snyder 1984``, ``Snyder (1984)``, ``Snyder, World Politics 1984``), in every page of
the docs, the README, negsim's and the built-in plugins' source (docstrings and
parameter sources are rendered in the docs), the example scenarios and the historical
cases (both included in the docs). A citation whose authors and year match no entry
fails here until the bibliography has it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIBLIOGRAPHY = ROOT / "docs" / "reference" / "bibliography.md"

_CITATION = re.compile(
    r"\b(?P<authors>[A-Z][A-Za-z'-]+(?: (?:and|&) [A-Z][A-Za-z'-]+)?)(?:'s)?"
    r"(?:,? [A-Z][A-Za-z]+(?: [A-Z][a-z]+)?)?,? \(?(?P<year>1[89]\d\d|20[0-2]\d)\b"
)
# Capitalised words that a year may follow without being a citation: dates (and spans
# of months, "Jan-Feb 2003"), the word before a journal's year ("World Politics 1984")
# and the title words of a book cited by author, title and year ("Cha, Alignment
# Despite Antagonism, 1999").
_MONTHS = (
    "January February March April May June July August September October November December"
    " Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"
)
_NOT_AUTHORS = {*_MONTHS.split(" "), "In", "Politics", "Alignment"}
_ENTRY = re.compile(r"^\((?P<label>bib-[\w-]+)\)=\n(?P<short>.+)\n: ", re.MULTILINE)


def _sources() -> list[Path]:
    docs = [p for p in (ROOT / "docs").rglob("*.md") if "_build" not in p.parts]
    code = [*(ROOT / "negsim").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")]
    scenarios = sorted((ROOT / "examples" / "scenarios").glob("*.toml"))
    scenarios += sorted((ROOT / "examples" / "cases").glob("*.toml"))
    return [p for p in [*docs, ROOT / "README.md", *code, *scenarios] if p != BIBLIOGRAPHY]


def _entries() -> dict[str, str]:
    """The bibliography's short citations, by label."""
    text = BIBLIOGRAPHY.read_text(encoding="utf-8")
    return {m["label"]: m["short"] for m in _ENTRY.finditer(text)}


def _citations() -> dict[tuple[tuple[str, ...], str], list[str]]:
    """Every citation found: (authors, year) -> where."""
    found: dict[tuple[tuple[str, ...], str], list[str]] = {}
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        for match in _CITATION.finditer(text):
            authors = tuple(re.split(r" (?:and|&) ", match["authors"]))
            if all(part in _NOT_AUTHORS for part in authors[0].split("-")):
                continue  # also a span of months ("Jan-Feb 2003")
            line = text.count("\n", 0, match.start()) + 1
            where = f"{path.relative_to(ROOT)}:{line}"
            found.setdefault((authors, match["year"]), []).append(where)
    return found


def _covered(authors: tuple[str, ...], year: str, shorts: list[str]) -> bool:
    return any(year in short and all(a in short for a in authors) for short in shorts)


def test_the_bibliography_has_entries() -> None:
    entries = _entries()
    assert len(entries) >= 20
    assert len(set(entries.values())) == len(entries), "two entries share a short citation"


def test_the_scan_finds_the_known_citations() -> None:
    citations = _citations()
    for key in ((("Singh",), "1999"), (("Huth", "Russett"), "1984"), (("Snyder",), "1965")):
        assert key in citations, key


@pytest.mark.parametrize("key", sorted(_citations()), ids=lambda k: f"{'&'.join(k[0])}-{k[1]}")
def test_every_citation_is_in_the_bibliography(key: tuple[tuple[str, ...], str]) -> None:
    authors, year = key
    shorts = list(_entries().values())
    assert _covered(authors, year, shorts), (
        f"{' & '.join(authors)} {year}, cited at {', '.join(_citations()[key])}, has no "
        f"entry in {BIBLIOGRAPHY.relative_to(ROOT)}"
    )


def test_citation_links_point_at_entries() -> None:
    """Every ``<bib-...>`` reference in the docs names an entry."""
    labels = set(_entries())
    for path in _sources():
        if path.suffix != ".md":
            continue
        for label in re.findall(r"<(bib-[\w-]+)>", path.read_text(encoding="utf-8")):
            assert label in labels, f"{path.relative_to(ROOT)}: unknown citation {label}"


def test_no_page_cites_the_internal_design_notes() -> None:
    """Readers do not have the design notes: pages cite the bibliography instead."""
    for path in [*(ROOT / "docs").rglob("*.md"), ROOT / "README.md"]:
        if "_build" in path.parts:
            continue
        assert "DOMAIN" not in path.read_text(encoding="utf-8"), path.relative_to(ROOT)
