"""Sphinx configuration for the negsim documentation.

Build (as CI does)::

    python -m sphinx -n -W --keep-going -b html docs docs/_build/html
    python -m sphinx -n -W -b doctest docs docs/_build/doctest

The build is nitpicky (``-n``) and turns warnings into errors (``-W``): every
cross-reference must resolve. See "Offline builds" below for how third-party names
are handled when intersphinx inventories cannot be fetched.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

import attrs
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer
from sphinx.roles import XRefRole
from sphinx.util import logging

import negsim

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

# -- Project -------------------------------------------------------------------------

project = "negsim"
author = "negsim developers"
copyright = "negsim developers"
release = negsim.__version__
version = ".".join(release.split(".")[:2])

# -- General -------------------------------------------------------------------------

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "sphinx_click",
    "negsim_params",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
nitpicky = True
# ``code`` in reST (and single backticks) is literal text, not a cross-reference.
default_role = "literal"

# -- MyST ----------------------------------------------------------------------------

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# -- autodoc and napoleon ------------------------------------------------------------

autodoc_typehints = "description"
# Types go next to the descriptions the docstring gives (Args, Returns). A class's
# fields are described under "Attributes" (typed from the annotations by napoleon), so
# they are not listed a second time as bare constructor parameters.
autodoc_typehints_description_target = "documented_params"
autodoc_member_order = "bysource"
# Names that negsim imports only for type checking, under another name: resolve them to
# the real objects (links with intersphinx online, ignored offline like all of sympy).
autodoc_type_aliases = {
    "SympyExpr": "sympy.Expr",
    "Boolean": "sympy.logic.boolalg.Boolean",
    "Symbol": "sympy.Symbol",
}
autodoc_class_signature = "mixed"

napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
napoleon_attr_annotations = True

# -- doctest -------------------------------------------------------------------------

# The doctest builder runs the examples of these pages: the ``doctest`` and
# ``testcode`` directives. It does not run the bare ``>>>`` blocks of docstrings that
# autodoc pulls in: those are written to run in their module's namespace (a function's
# example calls the function without importing it), which is how
# ``pytest --doctest-modules negsim plugins`` runs them (see .ci/run); here they would
# all share one namespace per page and fail.
doctest_test_doctest_blocks = ""
# Examples run from the repository root, so paths such as ``examples/scenarios/...``
# resolve as they do in the README and the tests.
#
# The docs extra has no pandas (CI builds the docs with that extra alone), so an example
# that needs pandas is marked ``:skipif: not HAVE_PANDAS`` and runs where pandas is
# installed (``pip install -e ".[docs,frames]"``).
doctest_global_setup = f"""
import importlib.util
import os
os.chdir({str(ROOT)!r})
try:
    HAVE_PANDAS = importlib.util.find_spec("pandas") is not None
except ImportError:
    HAVE_PANDAS = False
"""

# -- Cross-references to other projects (intersphinx) --------------------------------

_INTERSPHINX = {
    "python": ("https://docs.python.org/3", None),
    "attrs": ("https://www.attrs.org/en/stable/", None),
    "pluggy": ("https://pluggy.readthedocs.io/en/stable/", None),
    "sympy": ("https://docs.sympy.org/latest/", None),
    "hypothesis": ("https://hypothesis.readthedocs.io/en/latest/", None),
    "dask": ("https://docs.dask.org/en/stable/", None),
    "distributed": ("https://distributed.dask.org/en/stable/", None),
}

# Offline builds.
#
# intersphinx fetches each project's ``objects.inv`` over the network when the build
# starts. CI and the development machines have no internet, and no inventories are
# shipped in this repository (they go stale). So:
#
# * with ``NEGSIM_DOCS_ONLINE=1`` in the environment, intersphinx is configured with the
#   mapping above and references to Python, attrs, pluggy, sympy, ... become links;
# * otherwise intersphinx has no mapping, and ``nitpick_ignore_regex`` below tells the
#   nitpicky build not to fail on the references that only an inventory could resolve:
#   the standard library, builtins and third-party packages. References to negsim's
#   own objects are never ignored, so a misspelt negsim name still fails the build.
#
# Packages for which the mapping has no inventory (click, pandas, ...) are ignored in
# both modes.
ONLINE = os.environ.get("NEGSIM_DOCS_ONLINE") == "1"
intersphinx_mapping = _INTERSPHINX if ONLINE else {}
intersphinx_timeout = 10

# Third-party packages with an inventory in the mapping above: ignored offline only.
_THIRD_PARTY = ("attrs", "attr", "pluggy", "sympy", "hypothesis", "dask", "distributed")
# Third-party packages negsim's annotations name that the mapping has no inventory for
# (``pd`` is how negsim imports pandas for type checking): always ignored.
_NO_INVENTORY = ("cattrs", "click", "rich", "pandas", "pd", "pyarrow", "numpy", "matplotlib")
# Every module of the standard library (``random.Random``, ``collections.abc.Mapping``).
_STDLIB = tuple(sorted(m for m in sys.stdlib_module_names if not m.startswith("_")))
_BUILTINS = (
    "None",
    "True",
    "False",
    "bool",
    "int",
    "float",
    "str",
    "bytes",
    "object",
    "type",
    "tuple",
    "list",
    "dict",
    "set",
    "frozenset",
    "callable",
    "Ellipsis",
    "NotImplemented",
    # builtin exceptions (negsim's errors inherit from several)
    "BaseException",
    "Exception",
    "ExceptionGroup",
    "ValueError",
    "TypeError",
    "KeyError",
    "LookupError",
    "OSError",
    "RuntimeError",
    "ImportError",
    "RecursionError",
    "AttributeError",
)

nitpick_ignore_regex: list[tuple[str, str]] = [
    # Type variables of FrozenMap and freeze (private, not documented).
    (r"py:class", r"negsim\.model\._frozen\.[KV]"),
    (r"py:.*", rf"({'|'.join(map(re.escape, _NO_INVENTORY))})(\..*)?"),
]
if not ONLINE:
    nitpick_ignore_regex += [
        (r"py:.*", rf"({'|'.join(map(re.escape, _THIRD_PARTY))})(\..*)?"),
        (r"py:.*", rf"({'|'.join(map(re.escape, _STDLIB))})\..*"),
        (r"py:.*", rf"({'|'.join(map(re.escape, _BUILTINS))})"),
    ]

# -- HTML ----------------------------------------------------------------------------

html_theme = "furo"
html_title = f"negsim {release}"
html_static_path: list[str] = []

# -- negsim-specific set-up ----------------------------------------------------------

_HOOKSPECS = "negsim.hookspecs"


class HookRole(XRefRole):
    """``:hook:`negsim_decide``` links to the autodoc entry of a hook specification.

    Like pytest's ``:hook:`` role: the text is the hook's name, the target is the
    function of that name in :mod:`negsim.hookspecs`, documented on the hook reference
    page. An unknown hook name is a nitpicky warning (so an error under ``-W``).
    """

    innernodeclass = nodes.literal

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        self.refdomain, self.reftype = "py", "func"
        self.classes = ["xref", "py", "py-func"]
        return self.create_xref_node()

    def process_link(
        self,
        env: BuildEnvironment,
        refnode: nodes.Element,
        has_explicit_title: bool,
        title: str,
        target: str,
    ) -> tuple[str, str]:
        name = target.strip()
        if not has_explicit_title:
            title = name
        return title, f"{_HOOKSPECS}.{name}"


# Public modules, in the order in which a short name is looked up (see below). The
# first module that exports an object is where it is documented: the stable API under
# ``negsim``, everything else under its subpackage (docs/reference/api/). A public
# subpackage not named here comes after these; the command line documents itself.
_PUBLIC_MODULES = (
    "negsim",
    "negsim.model",
    "negsim.engine",
    "negsim.plugins",
    "negsim.scenario",
    "negsim.results",
    "negsim.converters",
    "negsim.logic",
    "negsim.analysis",
    "negsim.experiments",
    "negsim.plotting",
    "negsim.testing",
    "negsim.errors",
    "negsim.hookspecs",
)
_PUBLIC_MODULES += tuple(
    f"negsim.{m.name}"
    for m in pkgutil.iter_modules(negsim.__path__)
    if not m.name.startswith("_") and m.name != "cli" and f"negsim.{m.name}" not in _PUBLIC_MODULES
)
_PRIVATE_PART = re.compile(r"\._[a-z]\w*")


def _public_alias(
    app: Sphinx, env: BuildEnvironment, node: addnodes.pending_xref, contnode: nodes.Element
) -> nodes.Element | None:
    """Resolve a reference to a negsim object by the name under which it is documented.

    negsim implements its classes in private modules (``negsim.model._agents``) and
    re-exports them from public packages, and each object is documented once, under
    one public name: the objects of the stable API under ``negsim`` (``negsim.Agent``),
    the others under their subpackage (``negsim.model.MoveRejected``). Type hints name
    the defining module (``negsim.model._agents.Agent``) and docstrings may name another
    public path (``negsim.model.PluginSpec``) or a bare name (``TraceRecord``), which
    Sphinx looks up in the module where the object is documented, not where it is
    defined. This handler tries, for a ``negsim.*`` or bare target that did not
    resolve, the target with private modules removed, then the same object name in
    each public module. Only a name that is really documented is accepted, so a
    misspelt reference still fails the build.
    """
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if "." not in target:
        # A bare name (``TraceRecord``, or an annotation such as ``Move``): look it up
        # in the public modules, as Sphinx would in the defining module.
        target = f"negsim.{target}"
    elif not target.startswith("negsim."):
        return None
    # The object's path inside its module: ``negsim.model._agents.Agent.id`` -> ``Agent.id``.
    parts = target.split(".")
    split = max((i for i in range(1, len(parts)) if ".".join(parts[:i]) in sys.modules), default=1)
    tail = ".".join(parts[split:])
    candidates = [_PRIVATE_PART.sub("", target)]
    candidates += [f"{module}.{tail}" for module in _PUBLIC_MODULES]
    domain = env.domains["py"]
    for candidate in dict.fromkeys(candidates):
        if candidate == node["reftarget"]:
            continue  # Sphinx has tried it
        found = domain.resolve_xref(
            env,
            node["refdoc"],
            app.builder,
            node["reftype"],
            candidate,
            _with_target(node, candidate),
            contnode,
        )
        if found is not None:
            return found
    return None


def _with_target(node: addnodes.pending_xref, target: str) -> addnodes.pending_xref:
    copy = node.deepcopy()
    copy["reftarget"] = target
    return copy


@cache
def _public_paths() -> dict[str, str]:
    """The public name of every class and function a public module exports.

    Maps the path where an object is defined (``negsim.model._frozen.FrozenMap``) to
    the name under which it is documented (``negsim.model.FrozenMap``): the first
    public module, in the order of ``_PUBLIC_MODULES``, whose ``__all__`` names it.
    """
    paths: dict[str, str] = {}
    for modname in _PUBLIC_MODULES:
        module = importlib.import_module(modname)
        for attr in getattr(module, "__all__", ()):
            obj = getattr(module, attr, _MISSING)
            if not (inspect.isclass(obj) or inspect.isroutine(obj)):
                continue
            defined = f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}"
            paths.setdefault(defined, f"{modname}.{attr}")
    return paths


def _public_path(target: str) -> str:
    """``target`` with the private path of a re-exported object replaced by its public name.

    ``negsim.model._agents.Agent.id`` becomes ``negsim.Agent.id``; a target that names
    no re-exported object is returned unchanged.
    """
    paths = _public_paths()
    parts = target.split(".")
    for i in range(len(parts), 0, -1):
        public = paths.get(".".join(parts[:i]))
        if public is not None:
            return ".".join([public, *parts[i:]])
    return target


def _show_public_paths(app: Sphinx, doctree: nodes.document) -> None:
    """Show and link types and references by their public names.

    autodoc prints a type by the module that defines it, so the attribute types,
    parameter types and bases of the API reference would read
    ``negsim.model._frozen.FrozenMap`` (and so would a docstring's reference to a
    private path). Every Python cross-reference to a private path of a re-exported
    object is pointed at, and shows, the object's public name (see
    :func:`_public_paths`) instead. Runs on each document as it is read, before
    references are resolved.
    """
    for node in doctree.findall(addnodes.pending_xref):
        if node.get("refdomain") != "py":
            continue
        target = node.get("reftarget", "")
        public = _public_path(target)
        if public == target:
            continue
        node["reftarget"] = public
        for text in list(node.findall(nodes.Text)):
            if target in text:
                text.parent.replace(text, nodes.Text(text.replace(target, public)))


def _factory_text(factory: object) -> str:
    """How a default made by ``factory`` reads in a signature."""
    if factory in (dict, list, set, tuple, frozenset):
        return repr(factory())  # type: ignore[operator]
    if inspect.isclass(factory):
        return f"{factory.__name__}()"
    return "..."


_NOTHING_DEFAULT = re.compile(r"\b(\w+)=NOTHING\b")
_PRIVATE_INIT_PARAMETER = re.compile(r",\s*_\w+=[^,()]*(?=[,)])")


def _attrs_factory_defaults(
    app: Sphinx,
    what: str,
    name: str,
    obj: object,
    options: object,
    signature: str | None,
    return_annotation: str | None,
) -> tuple[str | None, str | None] | None:
    """Show the defaults of an attrs class's factory fields instead of ``NOTHING``.

    attrs gives a field made with ``factory=`` the default ``attrs.NOTHING`` in the
    generated ``__init__``, which autodoc would print as ``params=NOTHING``. The
    signature shows what the factory makes instead (``params=FrozenMap()``,
    ``facts=frozenset()``; ``...`` for a factory that is a function). Parameters whose
    name starts with an underscore (an implementation detail passed by negsim itself,
    such as ``AgentView``'s message counter) are left out.
    """
    if signature is None or not (inspect.isclass(obj) and attrs.has(obj)):
        return None
    fields = {field.alias or field.name: field for field in attrs.fields(obj) if field.init}

    def default(match: re.Match[str]) -> str:
        field = fields.get(match.group(1))
        if field is None or not isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            return match.group(0)
        return f"{match.group(1)}={_factory_text(field.default.factory)}"

    signature = _PRIVATE_INIT_PARAMETER.sub("", signature)
    return _NOTHING_DEFAULT.sub(default, signature), return_annotation


_current_module: list[str] = []


def _record_module(
    app: Sphinx, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """Remember which module ``automodule`` documents, for :func:`_skip_stable_api`.

    autodoc processes a module's docstring before it chooses the module's members.
    """
    if what == "module":
        _current_module[:] = [name]


def _stable_api() -> dict[int, str]:
    """The objects of the stable API (``negsim.__all__``), by id, with their names."""
    return {
        id(getattr(negsim, attr)): attr
        for attr in negsim.__all__
        if not attr.startswith("__")
        and (inspect.isclass(getattr(negsim, attr)) or inspect.isroutine(getattr(negsim, attr)))
    }


def _skip_stable_api(
    app: Sphinx, what: str, name: str, obj: object, skip: bool, options: object
) -> bool | None:
    """Document the stable API once, under ``negsim``, and skip aliases of private helpers.

    A subpackage re-exports the names of the stable API that it defines
    (``negsim.model.Agent`` is ``negsim.Agent``); its page leaves them out, and
    :func:`_note_stable_api` names them with links instead.
    """
    module = _current_module[0] if _current_module else ""
    if what == "module" and module.startswith("negsim.") and id(obj) in _stable_api():
        return True
    if what == "class" and inspect.isfunction(obj) and obj.__name__.startswith("_"):
        # A public name bound to a private helper, such as FrozenMap's ``update``,
        # ``pop``, ... (each refuses the change): nothing to document beyond the class.
        return not name.startswith("_") or None
    return None


def _note_stable_api(
    app: Sphinx, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """Under a subpackage's docstring, name the stable API it also exports."""
    if what != "module" or not name.startswith("negsim."):
        return
    stable = _stable_api()
    shared = [
        f":{'func' if inspect.isroutine(value) else 'class'}:`negsim.{stable[id(value)]}`"
        for attr in getattr(obj, "__all__", ())
        if id(value := getattr(obj, attr, _MISSING)) in stable
    ]
    if shared:
        lines += [
            "",
            f"Also exported here, and documented with the stable API under ``negsim``: "
            f"{', '.join(shared)}.",
        ]


def _no_inline_attribute_type(
    app: Sphinx, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """Keep napoleon from reading an attribute docstring's first clause as its type.

    napoleon reads ``Type: description`` at the start of the docstring of an
    attribute, property or module-level name as the type. negsim takes types from
    annotations only (STYLE.md), so a docstring such as "Its antecedent held: the debtor
    now owes the consequent." would have its first clause rendered as a broken type
    reference. An empty reST comment as the first line gives napoleon nothing to split;
    it renders as nothing. Runs before napoleon's own handler (priority 500).
    """
    if what in ("attribute", "data", "property") and lines:
        lines[:0] = ["..", ""]


_MISSING = object()


def _attr_docs(modname: str) -> dict[tuple[str, str], list[str]]:
    try:
        return ModuleAnalyzer.for_module(modname).find_attr_docs()
    except PycodeError:
        return {}


def _defining_doc(attr: str, obj: object) -> list[str] | None:
    """The doc comment of ``attr`` in the negsim module that defines it.

    Module-level names (type aliases such as ``Move``, constants such as ``RULES``,
    the markers ``hookimpl``/``hookspec``) carry their documentation as a ``#:``
    comment or a string after the assignment, which only the source of the defining
    module holds. Any negsim module where ``attr`` is this very object and has such a
    documentation counts.
    """
    for modname in sorted(m for m in sys.modules if m == "negsim" or m.startswith("negsim.")):
        if getattr(sys.modules[modname], attr, _MISSING) is not obj:
            continue
        doc = _attr_docs(modname).get(("", attr))
        if doc:
            return list(doc)
    return None


def _defining_module(attr: str, obj: object) -> str | None:
    """The negsim module whose source assigns ``attr`` (for a warning), if found."""
    pattern = re.compile(rf"^{re.escape(attr)}\s*(:[^=]*)?=", re.MULTILINE)
    for modname in sorted(m for m in sys.modules if m.startswith("negsim.")):
        module = sys.modules[modname]
        if getattr(module, attr, _MISSING) is not obj:
            continue
        try:
            source = inspect.getsource(module)
        except (OSError, TypeError):
            continue
        if pattern.search(source):
            return modname
    return None


def _reexported_data_doc(
    app: Sphinx, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """Give a re-exported module-level name the documentation written where it is defined.

    autodoc looks for the documentation of a module-level name in the source of the
    module it documents (``negsim/model/__init__.py``) and, finding none for a name
    re-exported from a private module, shows the docstring of the value's type
    (pluggy's ``HookimplMarker`` for ``negsim.hookimpl``, ``types.UnionType`` for
    ``negsim.model.Move``). autodoc's ``:members:`` also skips such names, so the API
    reference lists them with explicit ``autodata`` directives.
    """
    if what != "data":
        return
    module, _, attr = name.rpartition(".")
    if ("", attr) in _attr_docs(module):
        return  # autodoc found it itself
    doc = _defining_doc(attr, obj)
    if doc:
        lines[:] = doc


def _reexported_data_directives(
    app: Sphinx, what: str, name: str, obj: object, options: Any, lines: list[str]
) -> None:
    """List the module-level data a public module re-exports, which autodoc skips.

    ``automodule`` with ``:members:`` documents the classes and functions named in a
    module's ``__all__`` wherever they are defined, but a type alias or a constant
    (``negsim.model.Move``, ``negsim.engine.RULES``) only when the module's own source
    documents it, which is never the case for a re-export. This appends an
    ``autodata`` directive for each such name to the module's documentation, so every
    public name is documented; :func:`_reexported_data_doc` then supplies the text
    written where the name is defined. A public name with no documentation at all is
    a warning (an error under ``-W``). Dunder names and ``:exclude-members:`` are left
    alone.
    """
    if what != "module" or not name.startswith("negsim"):
        return
    excluded = set(getattr(options, "exclude_members", None) or ())
    own_docs = _attr_docs(name)
    directives: list[str] = []
    for attr in getattr(obj, "__all__", ()):
        value = getattr(obj, attr, _MISSING)
        if (
            attr.startswith("__")
            or attr in excluded
            or value is _MISSING
            or inspect.isclass(value)
            or inspect.ismodule(value)
            or inspect.isroutine(value)
            or ("", attr) in own_docs
        ):
            continue
        if _defining_doc(attr, value) is None:
            logger.warning(
                "public name %s.%s has no documentation: write a docstring after its "
                "assignment in %s",
                name,
                attr,
                _defining_module(attr, value) or name,
                location=(app.env.docname, None),
            )
            continue
        directives += ["", f".. autodata:: {name}.{attr}"]
        if not isinstance(value, (str, int, float, tuple)) or len(repr(value)) > 100:
            directives.append("   :no-value:")
        if isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):  # a table of names and meanings (RULES): list it
            directives.append("")
            for key, meaning in value.items():
                directives += [f"   ``{key}``", f"      {meaning}"]
    if directives:
        lines += directives


def _no_call_typehints_on_data(
    app: Sphinx, domain: str, objtype: str, contentnode: nodes.Element
) -> None:
    """Do not list ``__call__``'s parameters under a module-level name.

    autodoc records the type hints of every callable it documents, and
    ``autodoc_typehints = "description"`` adds them as a parameter list. For data that
    happens to be callable (``negsim.hookimpl``, a pluggy marker instance) that list
    describes pluggy's internals. Runs before autodoc's own handler (priority 500).
    """
    if domain != "py" or objtype != "data":
        return
    signature = contentnode.parent[0]
    fullname = ".".join(p for p in (signature.get("module"), signature.get("fullname")) if p)
    document = getattr(app.env, "current_document", None)
    annotations = getattr(document, "autodoc_annotations", None)
    if annotations is None:  # Sphinx < 8.2
        annotations = app.env.temp_data.get("annotations", {})
    annotations.pop(fullname, None)


_OPTION = re.compile(r"(?<![\w`-])(--?[a-z][a-z0-9-]*)(?![\w`])")
_COMMAND_LINE = re.compile(r"^(\|\s+)(negsim\s.*\S)\s*$")


def _literal_command_text(app: Sphinx, ctx: object, lines: list[str]) -> None:
    """Show options and example commands in ``negsim --help`` text as code.

    sphinx-click renders a command's help as reST prose, where smart quotes would turn
    the ``--`` of ``--params`` into a dash. Example command lines (a ``\\b`` block in
    click's help, rendered as a line block) become literals, and so does every other
    option name.
    """
    for i, line in enumerate(lines):
        command = _COMMAND_LINE.match(line)
        if command:
            lines[i] = f"{command.group(1)}``{command.group(2)}``"
            continue
        parts = re.split(r"(``.*?``|`.*?`)", line)  # leave existing literals alone
        lines[i] = "".join(
            part if part.startswith("`") else _OPTION.sub(r"``\1``", part) for part in parts
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_role("hook", HookRole())
    app.connect("missing-reference", _public_alias)
    app.connect("doctree-read", _show_public_paths)
    app.connect("autodoc-process-signature", _attrs_factory_defaults)
    app.connect("autodoc-process-docstring", _record_module, priority=100)
    app.connect("autodoc-process-docstring", _note_stable_api, priority=550)
    app.connect("autodoc-skip-member", _skip_stable_api)
    app.connect("autodoc-process-docstring", _reexported_data_doc, priority=300)
    app.connect("autodoc-process-docstring", _no_inline_attribute_type, priority=400)
    app.connect("autodoc-process-docstring", _reexported_data_directives, priority=600)
    app.connect("object-description-transform", _no_call_typehints_on_data, priority=400)
    app.connect("sphinx-click-process-description", _literal_command_text)
    app.connect("sphinx-click-process-epilog", _literal_command_text)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
