"""The example scenarios shipped with negsim, so the tutorial works after ``pip install``.

The files are the repository's ``examples/scenarios/*.toml``: the wheel carries a
copy in the package (``negsim/_data/scenarios``, see ``force-include`` in
``pyproject.toml``); a source checkout reads them where they are.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import attrs

from negsim.errors import ScenarioFileError

__all__ = ["Example", "example_path", "examples_dir", "list_examples"]


def examples_dir() -> Path:
    """The directory holding the example scenario files.

    Returns:
        ``negsim/_data/scenarios`` in an installed wheel, else ``examples/scenarios``
        of the source checkout negsim is imported from.

    Raises:
        FileNotFoundError: Neither exists (a broken installation).
    """
    here = Path(__file__).resolve().parents[1]  # the negsim package
    for candidate in (here / "_data" / "scenarios", here.parent / "examples" / "scenarios"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        "negsim's example scenarios are missing from this installation; reinstall negsim"
    )


@attrs.frozen
class Example:
    """An example scenario file.

    Attributes:
        name: The file's stem (``korea_bilateral``), as ``negsim examples`` lists it.
        path: Where the file is.
        scenario: The scenario's name in the file.
        description: The first line of its description.
    """

    name: str
    path: Path
    scenario: str
    description: str


def list_examples() -> list[Example]:
    """Every example scenario, sorted by name.

    Example:
        >>> [e.name for e in list_examples()]
        ['baltic_nato', 'korea_bilateral', 'korea_integrated']
    """
    out = []
    for path in sorted(examples_dir().glob("*.toml")):
        head = tomllib.loads(path.read_text(encoding="utf-8")).get("scenario", {})
        description = str(head.get("description", "")).strip().splitlines()
        out.append(
            Example(path.stem, path, str(head.get("name", path.stem)), (description or [""])[0])
        )
    return out


def example_path(name: str) -> Path:
    """The path of the example scenario ``name`` (``korea_bilateral`` or its file name).

    Raises:
        ScenarioFileError: No such example; the message lists them.

    Example:
        >>> example_path("korea_bilateral").name
        'korea_bilateral.toml'
    """
    stem = name.removesuffix(".toml")
    examples = list_examples()
    for example in examples:
        if stem in (example.name, example.scenario):
            return example.path
    choices = ", ".join(e.name for e in examples)
    raise ScenarioFileError(name, [f"no example scenario {name!r}; choose from {choices}"])
