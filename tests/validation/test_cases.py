"""The historical cases of ``examples/cases``: each statement holds, or is a known miss.

Each case's expected file states its number of seeded runs (50 per case: seeds 0-49)
and its statements, each the range of shares of runs the record allows (see
``examples/cases/measure.py``). A statement without ``known_miss`` must hold; one with
it must still fail, so that a change to the model that reproduces it is noticed and
the expected file updated (strict xfail would hide which way it changed; the inverted
assertion says so). All four cases take about 10 s together.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from negsim.model import Result

CASES = Path(__file__).resolve().parents[2] / "examples" / "cases"


def _measure_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("negsim_cases_measure", CASES / "measure.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


measure = _measure_module()
_RESULTS: dict[str, list[Result]] = {}


def _results(case: object, runs: int | None = None) -> list[Result]:
    """The case's seeded runs, made once per test session."""
    name = case.name  # type: ignore[attr-defined]
    assert runs is None, "the tests use each case's own number of runs"
    if name not in _RESULTS:
        _RESULTS[name] = measure.simulate(case)
    return _RESULTS[name]


def _statements() -> list[object]:
    params = []
    for path in measure.cases():
        case = measure.load_case(path)
        for s in case.statements:
            params.append(pytest.param(path, s.id, id=f"{case.name}:{s.id}"))
    return params


def test_every_case_has_a_scenario_and_statements() -> None:
    """The four cases of issue 17 are all there, each with a reproduced statement."""
    names = {measure.load_case(p).name for p in measure.cases()}
    assert names == {"nato_2001", "nato_turkey_2003", "gsomia_2019", "korea_2017"}
    for path in measure.cases():
        case = measure.load_case(path)
        assert any(not s.known_miss for s in case.statements), case.name


@pytest.mark.slow
@pytest.mark.parametrize(("path", "statement_id"), _statements())
def test_statement(path: Path, statement_id: str) -> None:
    """The statement holds over the case's runs, or, a declared known miss, still fails."""
    case = measure.load_case(path)
    (measured,) = (
        m for m in measure.measure(case, _results(case)) if m.statement.id == statement_id
    )
    said = measured.describe(case.name)
    if measured.statement.known_miss:
        assert not measured.holds, (
            f"known miss now reproduced, update the expected file: {said}; "
            f"the miss was: {measured.statement.known_miss}"
        )
    else:
        assert measured.holds, said


DOCS = CASES.parents[1] / "docs" / "explanation" / "cases"


@pytest.mark.slow
@pytest.mark.parametrize(
    "only",
    [None, *sorted(p.name.removesuffix(".expected.toml") for p in CASES.glob("*.expected.toml"))],
)
def test_the_docs_tables_are_what_the_cases_measure(only: str | None) -> None:
    """The tables the docs include are the ones measure.py makes from these runs."""
    name = "_measured.md" if only is None else f"_measured_{only}.md"
    shipped = (DOCS / name).read_text(encoding="utf-8")
    assert shipped == measure.table(only=only, run=_results), (
        f"docs/explanation/cases/{name} is out of date: run examples/cases/measure.py"
        + (f" --case {only}" if only else "")
        + f" --out docs/explanation/cases/{name}"
    )


GOOD = 'kind = "fact"\nfact = "attacked(ROK)"\nshare = [0.5, 1.0]\n'
BAD = {
    "unknown kind": (
        GOOD.replace('"fact"\n', '"vibes"\n', 1),
        "statement[0].kind: expected one of",
    ),
    "share out of range": (
        GOOD.replace("1.0]", "1.5]"),
        "statement[0].share: expected [low, high]",
    ),
    "missing field": (GOOD.replace('fact = "attacked(ROK)"\n', ""), "statement[0].fact: missing"),
    "foreign field": (GOOD + "at_least = 1\n", "statement[0].at_least: unknown key for kind"),
    "wrong type": (GOOD.replace('"attacked(ROK)"', "3"), "statement[0].fact: expected a str: 3"),
    "unknown outcome": (
        'kind = "outcome"\noutcomes = ["victory"]\nshare = [0, 1]\n',
        "statement[0].outcomes: unknown name 'victory'; valid: deterred",
    ),
    "unknown state": (
        'kind = "commitment"\ncommitment = "c"\nstates = ["kept"]\nshare = [0, 1]\n',
        "statement[0].states: unknown name 'kept'; valid: conditional",
    ),
    "days reversed": (
        'kind = "decision_day"\ndays = [5, 1]\nshare = [0, 1]\n',
        "statement[0].days: expected [first, last] whole days >= 0: [5, 1]",
    ),
}


@pytest.mark.parametrize("problem", sorted(BAD))
def test_a_malformed_expected_file_says_where_and_what(tmp_path: Path, problem: str) -> None:
    """A malformed statement names the file, the place in it and what was expected."""
    body, message = BAD[problem]
    (tmp_path / "x.toml").write_text("", encoding="utf-8")
    path = tmp_path / "x.expected.toml"
    head = 'scenario = "x.toml"\nruns = 3\n[[statement]]\nid = "s"\nclaim = "c"\nsource = "s"\n'
    path.write_text(head + body, encoding="utf-8")
    with pytest.raises(measure.ExpectedFileError) as caught:
        measure.load_case(path)
    assert str(caught.value).startswith(f"x.expected.toml: {message}"), str(caught.value)


def test_the_good_statement_of_those_tests_loads(tmp_path: Path) -> None:
    """The statement the malformed ones are made from is itself valid."""
    (tmp_path / "x.toml").write_text("", encoding="utf-8")
    path = tmp_path / "x.expected.toml"
    head = 'scenario = "x.toml"\nruns = 3\n[[statement]]\nid = "s"\nclaim = "c"\nsource = "s"\n'
    path.write_text(head + GOOD, encoding="utf-8")
    (statement,) = measure.load_case(path).statements
    assert statement.params == {"fact": "attacked(ROK)"}


def test_a_missing_scenario_is_named(tmp_path: Path) -> None:
    """An expected file whose scenario is not beside it says so."""
    path = tmp_path / "y.expected.toml"
    path.write_text('scenario = "nowhere.toml"\nruns = 3\n', encoding="utf-8")
    with pytest.raises(measure.ExpectedFileError, match=r"y.expected.toml: scenario: expected"):
        measure.load_case(path)


def test_an_unknown_case_is_refused_with_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    """``measure.py --case`` with a name no case has: exit 2, naming the cases."""
    with pytest.raises(SystemExit) as caught:
        measure.main(["--case", "nato_1999"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "no case named 'nato_1999'" in err
    assert "nato_2001" in err
