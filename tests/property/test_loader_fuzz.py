"""Loader fuzzing: scenario files, valid and broken, are data and nothing else.

Valid scenario files come from ``negsim.testing.scenario_data`` (one per built-in
doctrine), written as TOML; they are then mutated at the level of the data (a value
of the wrong type, an unknown key or name, a hostile string in a proposition, a name
or a parameter) and of the text (cut, garbage inserted, lines duplicated or swapped,
bytes that are not UTF-8). Whatever the file, ``negsim.load_scenario`` either returns
a scenario or raises a ``negsim.NegsimError`` (the ``ScenarioError`` family); it never
raises anything else, and never runs code: text that would create a marker file if
evaluated leaves no file behind.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import negsim
from negsim.errors import ScenarioError
from negsim.model import PluginRole
from negsim.testing import RunCase, registry_with, scenario_data

REGISTRY = registry_with()
DOCTRINES = [d for d in REGISTRY.names(PluginRole.DOCTRINE) if d != "stimulus"]
VALID = st.sampled_from(DOCTRINES).flatmap(
    lambda d: scenario_data(d, registry=REGISTRY, max_members=3, max_rounds=4)
)

Path_ = tuple[str | int, ...]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("loader-fuzz")


def hostile(marker: Path) -> list[str]:
    """Text that creates ``marker`` if anything evaluates it."""
    m = str(marker)
    return [
        f'__import__("os").system("touch {m}")',
        f"__import__('os').system('touch {m}')",
        f"eval(\"open('{m}', 'w')\")",
        f"exec(\"open('{m}', 'w').close()\")",
        f"open('{m}', 'w')",
        f"attacked(ROK) & __import__('pathlib').Path('{m}').touch()",
        f"lambda: __import__('os').system('touch {m}')",
        "().__class__.__bases__[0].__subclasses__()",
        "Symbol('x') & Function('f')(x)",
        "x.__class__",
        "${jndi:ldap://x}",
        "{{7*7}}",
    ]


def _paths(node: Any, here: Path_ = ()) -> Iterator[Path_]:
    yield here
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*here, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*here, i))


def _set(data: Any, path: Path_, value: Any) -> None:
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _delete(data: Any, path: Path_) -> None:
    node = data
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def weird_values(marker: Path) -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.sampled_from(hostile(marker)),
        st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
        st.integers(-(2**63), 2**63 - 1),
        st.sampled_from([2**63, -(2**63) - 1, 10**30, -(10**400)]),  # beyond 64 bits
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.sampled_from(
            [
                "",
                "nosuchdoctrine",
                "NOSUCHAGENT",
                "attacked(",
                "responds(A,)",
                "a" * 20000,
                "(" * 300 + "x" + ")" * 300,
                "~" * 500 + "x",
                "attacked(ZZZ)",
                "true",
                "-1",
                "1e999",
            ]
        ),
        st.sampled_from([_nested(40), _nested(200)]),  # deeper than a scenario nests
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(st.text(max_size=8).filter(str.isprintable), inner, max_size=3),
        ),
        max_leaves=5,
    )


@st.composite
def mutated_data(draw: st.DrawFn, marker: Path) -> dict[str, Any]:
    data = copy.deepcopy(draw(VALID))
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(data))
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "delete", "add", "hostile"]))
        if action == "replace" and path:
            _set(data, path, draw(weird_values(marker)))
        elif action == "delete" and path:
            _delete(data, path)
        elif action == "hostile" and path:
            _set(data, path, draw(st.sampled_from(hostile(marker))))
        else:
            node = data
            for part in path:
                node = node[part]
            if isinstance(node, dict):
                node[
                    draw(
                        st.sampled_from(
                            [
                                "nosuchkey",
                                "state",
                                "detached_at",
                                "doctrine",
                                "params",
                                "__class__",
                                "",
                            ]
                        )
                    )
                ] = draw(weird_values(marker))
            elif isinstance(node, list):
                node.append(draw(weird_values(marker)))
    return data


def _toml(data: dict[str, Any]) -> str:
    try:
        return RunCase(data=data, seed=0).toml()
    except (TypeError, KeyError, AttributeError):  # not TOML-shaped: write it as best we can
        return repr(data)


GARBAGE = [
    '"',
    "'",
    "[",
    "]]",
    "[[agents]]\n",
    "=",
    "{",
    "}",
    "\\",
    '"""',
    "'''",
    "#",
    "\x00",
    "\u202e",
    "é",
    "\n",
    "= 1979-05-27T07:32:00Z",
    "inf",
    "nan",
    "0x_1",
    "\nseed = " + "9" * 5000 + "\n",  # over Python's 4,300-digit limit
    "\nx = " + "[" * 3000 + "]" * 3000 + "\n",  # deeper than tomllib's recursion
    "[scenario]\n",
    "a.b.c = 1\n",
]


@st.composite
def mutated_text(draw: st.DrawFn, marker: Path) -> bytes:
    text = _toml(draw(mutated_data(marker)) if draw(st.booleans()) else draw(VALID))
    lines = text.splitlines(keepends=True)
    # half the files stay well-formed TOML (wrong types and names only), half are cut up
    for _ in range(draw(st.sampled_from((0, 0, 0, 1, 2, 3)))):
        kind = draw(st.sampled_from(["cut", "insert", "duplicate", "swap", "hostile"]))
        if kind == "cut" and text:
            i = draw(st.integers(0, len(text) - 1))
            j = draw(st.integers(i, min(len(text), i + 40)))
            text = text[:i] + text[j:]
        elif kind == "insert":
            i = draw(st.integers(0, len(text)))
            text = text[:i] + draw(st.sampled_from(GARBAGE)) + text[i:]
        elif kind == "duplicate" and lines:
            line = draw(st.sampled_from(lines))
            text = text + line
        elif kind == "swap" and len(lines) > 1:
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "".join(lines)
        elif kind == "hostile":
            text += f'\n[world]\nfacts = ["{draw(st.sampled_from(hostile(marker)))}"]\n'
        lines = text.splitlines(keepends=True)
    raw = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 19)) == 19:
        raw = raw + b"\xff\xfe"  # not UTF-8
    return raw


CATTRS_WORDING = ("invalid value for type", "required field missing", "extra fields found")
"""cattrs' own messages, which negsim words for a scenario's author instead."""


def _refused_properly(exc: ScenarioError) -> None:
    """A documented refusal: a ScenarioError with a message for the user.

    Each problem has negsim's path spelling (``agents[2].doctrine``, never cattrs'
    ``$.agents[2].doctrine``) and negsim's wording.
    """
    if not str(exc):
        pytest.fail(f"{type(exc).__name__} without a message")
    for problem in exc.problems:
        if problem.path.startswith(("$", ".", "[")):
            pytest.fail(f"not a negsim path: {problem}")
        if not problem.message or problem.message.startswith(CATTRS_WORDING):
            pytest.fail(f"not a negsim message: {problem}")


def _load(path: Path) -> None:
    # anything but a ScenarioError (even another NegsimError) propagates and fails
    try:
        negsim.load_scenario(path, registry=REGISTRY)
    except ScenarioError as exc:
        _refused_properly(exc)


FUZZ = settings(
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ]
)


@FUZZ
@given(data=st.data())
def test_mutated_files_load_or_raise_a_scenario_error(workdir: Path, data: st.DataObject) -> None:
    marker = workdir / "MARKER"
    raw = data.draw(mutated_text(marker))
    path = workdir / "scenario.toml"
    path.write_bytes(raw)
    note(raw.decode("utf-8", "replace"))
    _load(path)
    assert not marker.exists(), "loading a scenario file ran code from it"


@FUZZ
@given(data=st.data())
def test_mutated_data_builds_or_raises_a_scenario_error(workdir: Path, data: st.DataObject) -> None:
    marker = workdir / "MARKER"
    scenario = data.draw(mutated_data(marker))
    note(repr(scenario))
    try:
        negsim.scenario.scenario_from_dict(scenario, registry=REGISTRY)
    except ScenarioError as exc:
        _refused_properly(exc)
    assert not marker.exists(), "building a scenario ran code from its data"


@FUZZ
@given(data=st.data())
def test_valid_files_load_and_round_trip(workdir: Path, data: st.DataObject) -> None:
    scenario_data_ = data.draw(VALID)
    path = workdir / "valid.toml"
    path.write_text(_toml(scenario_data_), encoding="utf-8")
    scenario = negsim.load_scenario(path, registry=REGISTRY)
    again = negsim.scenario.scenario_from_dict(
        negsim.scenario.dump_scenario(scenario), registry=REGISTRY
    )
    assert again == scenario


@FUZZ
@given(data=st.data())
def test_hostile_propositions_are_refused_without_running(
    workdir: Path, data: st.DataObject
) -> None:
    marker = workdir / "MARKER"
    scenario = copy.deepcopy(data.draw(VALID))
    text = data.draw(st.sampled_from(hostile(marker)))
    where = data.draw(st.sampled_from(["fact", "antecedent", "consequent", "exclusion"]))
    if where == "fact":
        scenario.setdefault("world", {})["facts"] = [text]
    elif where == "exclusion":
        scenario.setdefault("world", {})["exclusions"] = [text]
    else:
        scenario.setdefault("commitments", []).append(
            {
                "id": "hostile",
                "debtor": "A",
                "creditor": "A",
                "antecedent": "true",
                "consequent": "true",
                where: text,
            }
        )
    path = workdir / "hostile.toml"
    path.write_text(_toml(scenario), encoding="utf-8")
    with pytest.raises(ScenarioError):
        negsim.load_scenario(path, registry=REGISTRY)
    assert not marker.exists()


OVERRIDE_PATHS = st.sampled_from(
    [
        "scenario.max_rounds",
        "scenario.seed",
        "scenario.name",
        "world.params.challenger",
        "agents.A.params.noise",
        "agents.A.doctrine",
        "agents.A.capabilities.conventional",
        "agents.ZZ.params.x",
        "alliances.AL1.decision_deadline",
        "commitments.c1.antecedent",
        "nosuch",
        "",
        ".",
        "agents",
        "agents.A",
        "world.facts",
        "agents.A.params.script",
    ]
)


@FUZZ
@given(data=st.data())
def test_overrides_apply_or_raise_a_scenario_error(workdir: Path, data: st.DataObject) -> None:
    marker = workdir / "MARKER"
    base = data.draw(VALID)
    try:
        scenario = negsim.scenario.scenario_from_dict(base, registry=REGISTRY)
    except ScenarioError:
        return
    values = st.one_of(
        st.sampled_from(hostile(marker)).map(repr),
        st.text(max_size=20),
        st.sampled_from(
            [
                "1",
                "-1",
                "0.5",
                "true",
                "[1, 2]",
                "{a = 1}",
                "nan",
                "inf",
                '"x"',
                "1979-05-27",
                "1e999",
                "",
            ]
        ),
    )
    overrides = data.draw(st.lists(st.builds("{}={}".format, OVERRIDE_PATHS, values), max_size=3))
    try:
        negsim.apply_overrides(scenario, overrides, registry=REGISTRY)
    except ScenarioError as exc:
        _refused_properly(exc)
    assert not marker.exists()


def test_hostile_text_is_hostile(workdir: Path) -> None:
    """The marker check is live: evaluating the first hostile text does create it."""
    marker = workdir / "PROBE"
    eval(hostile(marker)[0])
    assert marker.exists()
    marker.unlink()
    assert not math.isnan(0.0)
