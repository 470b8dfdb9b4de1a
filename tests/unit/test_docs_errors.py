"""The exception tree drawn on the errors page is the tree in the code.

docs/reference/errors.md draws every subclass of :class:`negsim.NegsimError` under its
parent, with the built-in exceptions it also inherits in brackets. The tree is parsed
and compared with the real classes, found by importing every public package of
negsim, so a new error, a moved one or a changed base fails here until the page says
so.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import negsim
from negsim.errors import NegsimError

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "errors.md"
_NODE = re.compile(r"^(?P<indent>[│ ]*)(?:[├└]── )?(?P<name>\w+)(?: \((?P<bases>[\w, ]+)\))?")


def _documented() -> dict[str, tuple[str | None, frozenset[str]]]:
    """The page's tree: each class's parent and its built-in bases."""
    text = PAGE.read_text(encoding="utf-8")
    section = text[text.index("## The exception tree") :]
    block = section[section.index("```text\n") + len("```text\n") :]
    block = block[: block.index("```")]
    tree: dict[str, tuple[str | None, frozenset[str]]] = {}
    parents: list[str] = []  # the chain of ancestors of the current line
    for line in block.splitlines():
        match = _NODE.match(line)
        assert match, f"not a line of the tree: {line!r}"
        branch = line[len(match["indent"]) : len(match["indent"]) + 1] in ("├", "└")
        depth = len(match["indent"]) // 4 + branch
        del parents[depth:]
        bases = frozenset(b.strip() for b in (match["bases"] or "").split(",") if b.strip())
        tree[match["name"]] = (parents[-1] if parents else None, bases)
        parents.append(match["name"])
    return tree


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def _in_code() -> dict[str, tuple[str | None, frozenset[str]]]:
    """The real tree, after importing every public package of negsim."""
    for module in pkgutil.iter_modules(negsim.__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"negsim.{module.name}")
    tree: dict[str, tuple[str | None, frozenset[str]]] = {"NegsimError": (None, frozenset())}
    for cls in _subclasses(NegsimError):
        ours = [b for b in cls.__bases__ if issubclass(b, NegsimError)]
        builtin = frozenset(b.__name__ for b in cls.__bases__ if not issubclass(b, NegsimError))
        assert len(ours) == 1, f"{cls.__qualname__} has {len(ours)} negsim bases"
        tree[cls.__name__] = (ours[0].__name__, builtin)
    return tree


def test_the_parser_reads_the_tree() -> None:
    tree = _documented()
    assert tree["NegsimError"] == (None, frozenset())
    assert tree["ScenarioFileError"] == ("ScenarioError", frozenset({"OSError"}))
    assert tree["PluginCallError"] == ("SimulationError", frozenset())


def test_every_error_is_drawn_under_its_parent_with_its_builtin_bases() -> None:
    documented, real = _documented(), _in_code()
    assert set(documented) == set(real), (
        f"errors in the code but not on the page: {sorted(set(real) - set(documented))}; "
        f"on the page but not in the code: {sorted(set(documented) - set(real))}"
    )
    for name, (parent, bases) in real.items():
        assert documented[name] == (parent, bases), name


def test_every_drawn_error_is_described() -> None:
    """Each class below the root has its own entry (a cross-reference) below the tree."""
    text = PAGE.read_text(encoding="utf-8")
    for name in set(_documented()) - {"NegsimError"}:
        assert re.search(rf"^\{{class\}}`negsim\.[\w.]*{name}`\n: ", text, re.MULTILINE), name
