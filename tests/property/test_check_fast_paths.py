"""``negsim check``'s fast paths give what the straightforward ones give, on random input.

At alliance scale the check parses propositions by shape, groups commitments by their
atoms' keys, keys group shapes by atoms, counts facts by shape, solves each threshold
once per distinct inputs, groups commitments by shape before printing their forms, and
expands commitment templates. Each is held here to the code it replaced (kept below as
the reference, as it was), on random commitments, exclusions and templates.
"""

from __future__ import annotations

import functools
import math
import os
import re
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negsim.analysis import CommitmentFormula, thresholds
from negsim.analysis import _commitments as commitments_module
from negsim.analysis._commitments import Analysis
from negsim.analysis._formulas import (
    Entry,
    Exclusion,
    Group,
    _UnionFind,
    entries_of,
    exclusions_of,
    groups,
    shape,
)
from negsim.analysis._report import _count
from negsim.cli._check import _commitment_lines
from negsim.errors import ScenarioError
from negsim.logic import And, Atom, Const, Equiv, Implies, Not, Or, Prop, _parser, atoms, parse
from negsim.model import Commitment, Limits
from negsim.scenario import scenario_from_dict
from negsim.testing import commitments, propositions
from negsim.testing._toml import scenario_toml
from negsim_collective.synthetic import collective_crisis

IDS = ("AAA", "BBB", "CCC", "DDD")
SLOW = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- the reference: the code the fast paths replaced -------------------------------------------


@functools.lru_cache(maxsize=4096)
def _plain_parse_cached(text: str) -> Prop:
    if not text.strip(" \t\r\n\f\v"):
        raise _parser.ParseError(1, "the proposition is empty; expected an operand")
    return _parser._parse_plain(text)


def old_groups(
    entries: Sequence[Entry], exclusions: Sequence[Exclusion]
) -> tuple[list[Group], list[Exclusion]]:
    uf = _UnionFind()
    for e in entries:
        uf.find(("c", e.id))
        for key in e.atoms:
            uf.union(("c", e.id), ("a", key))
    for x in exclusions:
        uf.find(("x", x.index))
        for key in x.atoms:
            uf.union(("x", x.index), ("a", key))
    members: dict[object, list[Entry]] = {}
    for e in entries:
        members.setdefault(uf.find(("c", e.id)), []).append(e)
    excl: dict[object, list[Exclusion]] = {}
    for x in exclusions:
        excl.setdefault(uf.find(("x", x.index)), []).append(x)
    out = [Group(tuple(es), tuple(excl.pop(root, ()))) for root, es in members.items()]
    out.sort(key=lambda g: g.entries[0].id)
    rest = sorted((x for xs in excl.values() for x in xs), key=lambda x: x.index)
    return out, rest


def _old_walk(prop: Prop, names: dict[str, str], out: list[str]) -> None:
    match prop:
        case Atom():
            name = names.get(prop.key)
            if name is None:
                name = names[prop.key] = f"v{len(names)}"
            out.append(name)
        case Const(value=value):
            out.append("T" if value else "F")
        case Not(operand=operand):
            out.append("~")
            _old_walk(operand, names, out)
        case And(operands=operands) | Or(operands=operands):
            out.append("&(" if isinstance(prop, And) else "|(")
            for operand in operands:
                _old_walk(operand, names, out)
                out.append(",")
            out.append(")")
        case Implies(left=left, right=right) | Equiv(left=left, right=right):
            out.append(">(" if isinstance(prop, Implies) else "=(")
            _old_walk(left, names, out)
            out.append(",")
            _old_walk(right, names, out)
            out.append(")")


def old_shape(group: Group) -> tuple[str, tuple[str, ...]]:
    names: dict[str, str] = {}
    out: list[str] = []
    for e in group.entries:
        _old_walk(e.antecedent, names, out)
        out.append(";")
        _old_walk(e.consequent, names, out)
        out.append("|")
    out.append("#")
    for x in group.exclusions:
        _old_walk(x.prop, names, out)
        out.append("|")
    return "".join(out), tuple(names)


def _old_pattern(c: CommitmentFormula, text: str) -> str:
    for who, name in ((c.debtor, "<debtor>"), (c.creditor, "<creditor>")):
        text = re.sub(rf"(?<=[(,]){re.escape(who)}(?=[,)])", name, text)
    return text


def old_commitment_lines(commitments: Sequence[CommitmentFormula]) -> list[str]:
    """The lines, grouped by each commitment's form (no wrapping: compared unwrapped)."""
    forms: dict[tuple[str, str], list[CommitmentFormula]] = {}
    for c in commitments:
        forms.setdefault((_old_pattern(c, c.formula), c.source), []).append(c)
    lines = []
    width = max((len(c.id) for c in commitments), default=0)
    for (form, source), cs in forms.items():
        src = f"  [{source}]" if source else ""
        if len(cs) >= 3 and form != cs[0].formula:
            prefix = os.path.commonprefix([c.id for c in cs])  # noqa: RUF071 - ids, not paths
            lines.append(
                f"{len(cs)} x {prefix}*  C(<debtor>, <creditor>): {form}{src}  "
                f"(e.g. {cs[0].id}: {cs[0].debtor} -> {cs[0].creditor})"
            )
            continue
        for c in cs:
            state = "" if c.state == "conditional" else f"  ({c.state})"
            lines.append(
                f"{c.id.ljust(width)}  {c.debtor} -> {c.creditor}: {c.formula}{state}{src}"
            )
    return lines


@contextmanager
def slow_paths() -> Iterator[None]:
    """Parse every text with the parser proper, group and key groups as before."""
    with (
        mock.patch.object(_parser, "_parse_cached", _plain_parse_cached),
        mock.patch.object(commitments_module, "groups", old_groups),
        mock.patch.object(commitments_module, "shape", old_shape),
    ):
        yield


# -- random input -------------------------------------------------------------------------------


@st.composite
def commitment_sets(draw: st.DrawFn) -> list[Commitment]:
    """A few random commitments, and some families of the same form over agent pairs."""
    n = draw(st.integers(0, 6))
    out = [draw(commitments(IDS, index=i)) for i in range(n)]
    for family in range(draw(st.integers(0, 2))):
        antecedent = draw(propositions(("{d}", "{c}", "AAA"), max_leaves=2))
        consequent = draw(propositions(("{d}", "{c}", "BBB"), max_leaves=2))
        source = draw(st.sampled_from(("", "Art. 5", "pledge")))
        pairs = draw(
            st.lists(st.permutations(IDS).map(lambda p: (p[0], p[1])), min_size=1, max_size=6)
        )
        for j, (d, c) in enumerate(dict.fromkeys(pairs)):
            out.append(
                Commitment(
                    id=f"f{family}-{j}",
                    debtor=d,
                    creditor=c,
                    antecedent=antecedent.replace("{d}", d).replace("{c}", c),
                    consequent=consequent.replace("{d}", d).replace("{c}", c),
                    source=source,
                )
            )
    return out


exclusion_lists = st.lists(propositions(IDS, max_leaves=2), max_size=2)


def analysed(cs: list[Commitment], xs: list[str]) -> Any:
    """Everything the check reports on the commitments, or the error it refuses them with."""
    try:
        analysis = Analysis(cs, xs)
        return (
            analysis.consistency(),
            analysis.violations(),
            analysis.formulas(),
            [(g.ids, shape(g)) for g in analysis.groups],
        )
    except ScenarioError as error:
        return error.problems


# -- the tests ----------------------------------------------------------------------------------


@SLOW
@given(commitment_sets(), exclusion_lists)
def test_groups_and_their_shapes_are_the_reference_s(cs: list[Commitment], xs: list[str]) -> None:
    entries = entries_of(cs)
    exclusions = exclusions_of(xs)
    found, loose = groups(entries, exclusions)
    expected, expected_loose = old_groups(entries, exclusions)
    assert (found, loose) == (expected, expected_loose)
    for g in found:
        assert shape(g) == old_shape(g)


@SLOW
@given(commitment_sets(), exclusion_lists)
def test_the_analysis_is_the_slow_path_s(cs: list[Commitment], xs: list[str]) -> None:
    fast = analysed(cs, xs)
    with slow_paths():
        slow = analysed(cs, xs)
    assert fast == slow


@SLOW
@given(commitment_sets())
def test_commitments_print_as_grouped_by_their_forms(cs: list[Commitment]) -> None:
    formulas = Analysis(cs).formulas()
    lines = _commitment_lines(formulas)
    unwrapped = " ".join(lines).split()  # the fast path wraps its lines; compare the words
    assert unwrapped == " ".join(old_commitment_lines(formulas)).split()
    # nothing is lost: each commitment has a line of its own or is counted in a family's
    firsts = [line for line in lines if not line.startswith("    ")]
    families = [re.match(r"  (\d+) x ", line) for line in firsts]
    counted = sum(int(m[1]) if m else 1 for m in families)
    assert counted == len(formulas)


@given(propositions(IDS, max_leaves=6), st.integers(1, 6))
def test_facts_are_counted_by_shape_as_exactly(text: str, limit: int) -> None:
    limits = Limits(check_atoms=limit)
    exact = len(atoms(parse(text)))
    assert limits.exceeded("check_atoms", _count(text, limits)) == limits.exceeded(
        "check_atoms", exact
    )


@pytest.mark.parametrize("varied", [False, True])
def test_thresholds_solved_once_per_inputs_are_those_solved_for_each_agent(varied: bool) -> None:
    data = collective_crisis(5)
    if varied:  # members with different costs of war: their thresholds differ
        for i, agent in enumerate(data["agents"][1:]):
            agent["params"]["cost_war"] = 1.0 + i % 3
    scenario = scenario_from_dict(data)
    found = thresholds(scenario)
    direct = []
    for report in found:
        agent = scenario.agent(report.agent)
        rule, values = next((r, v) for r, v in _rules_of(agent, scenario) if r.name == report.rule)
        direct.append([rule.threshold(t.param, values) for t in report.thresholds])
    assert [list(r.thresholds) for r in found] == direct
    if varied:
        assert len({r.thresholds for r in found if r.rule == "support"}) > 1


def _rules_of(agent: Any, scenario: Any) -> Any:
    from negsim.analysis._thresholds import _rules
    from negsim.plugins import default_registry

    return _rules(default_registry(), agent, scenario)


# -- commitment templates -----------------------------------------------------------------------

MEMBERS = ("M1", "M2", "M3", "M4")


@st.composite
def templates(draw: st.DrawFn) -> dict[str, Any]:
    """A ``[[commitment_templates]]`` table over the alliance ``ALL``."""
    table: dict[str, Any] = {
        "id": draw(st.sampled_from(("t-{debtor}-{creditor}", "{creditor}.{debtor}"))),
        "for_each_pair": "ALL",
        "antecedent": draw(propositions(("{debtor}", "{creditor}", "OUT"), max_leaves=3)),
        "consequent": draw(propositions(("{debtor}", "{creditor}", "OUT"), max_leaves=3)),
        "source": draw(st.sampled_from(("", "Art. 5 ({debtor} to {creditor})"))),
    }
    for key, values in (("deadline", st.integers(0, 5)), ("expires", st.integers(0, 9))):
        if draw(st.booleans()):
            table[key] = draw(values)
    if draw(st.booleans()):
        table["standing"] = True
    return table


def _scenario_data(members: Sequence[str]) -> dict[str, Any]:
    agents = [{"id": i, "name": i, "doctrine": "collective"} for i in (*members, "OUT")]
    alliance = {
        "id": "ALL",
        "name": "all",
        "kind": "collective",
        "members": list(members),
        "decision_rule": "consensus",
    }
    return {"scenario": {"name": "t"}, "agents": agents, "alliances": [alliance]}


def _expanded(table: dict[str, Any], members: Sequence[str]) -> list[dict[str, Any]]:
    out = []
    for d in sorted(members):
        for c in sorted(members):
            if d == c:
                continue
            row = {k: v for k, v in table.items() if k != "for_each_pair"}
            for key in ("id", "antecedent", "consequent", "source"):
                row[key] = row[key].replace("{debtor}", d).replace("{creditor}", c)
            out.append({**row, "debtor": d, "creditor": c})
    return out


@SLOW
@given(
    st.lists(templates(), min_size=1, max_size=2),
    st.lists(st.sampled_from(MEMBERS), min_size=2, unique=True),
)
def test_a_template_expands_to_the_commitments_it_stands_for(
    tables: list[dict[str, Any]], members: list[str]
) -> None:
    tables = [{**t, "id": f"{i}:{t['id']}"} for i, t in enumerate(tables)]
    templated = {**_scenario_data(members), "commitment_templates": tables}
    listed = {
        **_scenario_data(members),
        "commitments": [row for t in tables for row in _expanded(t, members)],
    }
    from_template = scenario_from_dict(templated)
    assert from_template == scenario_from_dict(listed)
    assert len(from_template.commitments) == len(tables) * len(members) * (len(members) - 1)
    # and through a file
    assert scenario_from_dict(tomllib.loads(scenario_toml(templated))) == from_template


@pytest.mark.parametrize("members", [3, 8])
def test_the_templated_synthetic_crisis_is_the_listed_one(members: int) -> None:
    assert scenario_from_dict(collective_crisis(members, templated=True)) == scenario_from_dict(
        collective_crisis(members)
    )


# -- listed commitments, structured in bulk --------------------------------------------------------

_FAULTS: dict[str, tuple[str, Any]] = {
    "unknown debtor": ("debtor", "NOBODY"),
    "unknown creditor": ("creditor", "NOBODY"),
    "negative deadline": ("deadline", -1),
    "true for a deadline": ("deadline", True),
    "text for a deadline": ("deadline", "2"),
    "a number for standing": ("standing", 1),
    "a number for a proposition": ("consequent", 3),
    "a proposition that does not parse": ("antecedent", "attacked("),
    "an unknown agent in a proposition": ("antecedent", "attacked(NOBODY)"),
    "a lower-case argument (valid)": ("consequent", "holds(x)"),
    "spaces (valid)": ("antecedent", "attacked( M1 )"),
    "an engine key": ("state", "detached"),
    "an unknown key": ("bogus", 1),
    "no id": ("id", None),
}


@st.composite
def commitment_tables(draw: st.DrawFn) -> dict[str, Any]:
    """A ``[[commitments]]`` table, its keys in any order; now and then with one fault."""
    known = st.sampled_from((*MEMBERS, "OUT"))
    table: dict[str, Any] = {
        "id": draw(st.sampled_from(("c1", "c2", "c3", "c4", "c5", "c6", "c7"))),
        "debtor": draw(known),
        "creditor": draw(known),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "antecedent": propositions((*MEMBERS, "OUT"), max_leaves=3),
        "consequent": propositions((*MEMBERS, "OUT"), max_leaves=2),
        "deadline": st.integers(0, 5),
        "expires": st.integers(0, 9),
        "source": st.sampled_from(("", "Art. 5")),
        "standing": st.booleans(),
    }
    for key, values in optional.items():
        if draw(st.booleans()):
            table[key] = draw(values)
    fault = draw(st.one_of(st.none(), st.none(), st.sampled_from(sorted(_FAULTS))))
    if fault is not None:
        key, value = _FAULTS[fault]
        if value is None:
            del table[key]
        else:
            table[key] = value
    order = draw(st.permutations(sorted(table)))
    return {key: table[key] for key in order}


def _structured(data: dict[str, Any]) -> Any:
    """The scenario, or the problems it is refused with."""
    try:
        return scenario_from_dict(data)
    except ScenarioError as exc:
        return type(exc), str(exc), exc.problems


@settings(SLOW, max_examples=500)
@given(st.lists(commitment_tables(), max_size=4))
def test_commitments_in_bulk_are_the_one_by_one_commitments(tables: list[dict[str, Any]]) -> None:
    from negsim.scenario import _loader

    data = {**_scenario_data(MEMBERS), "commitments": tables}
    with mock.patch.object(_loader, "_commitments_in_bulk", return_value=None):
        one_by_one = _structured(data)
    assert _structured(data) == one_by_one


def test_the_bulk_path_knows_every_key_a_commitment_table_may_hold() -> None:
    from negsim.scenario import _loader

    assert tuple(_loader._COMMITMENT_KINDS) == _loader.FIELDS["commitments"]


@pytest.mark.parametrize("members", [3, 8])
def test_the_synthetic_crisis_s_commitments_are_structured_in_bulk(members: int) -> None:
    from negsim.plugins import default_registry
    from negsim.scenario import _loader

    data = collective_crisis(members)
    context = _loader._Context.of(data, default_registry())
    in_bulk = _loader._commitments_in_bulk(data["commitments"], context)
    assert in_bulk is not None
    with mock.patch.object(_loader, "_commitments_in_bulk", return_value=None):
        one_by_one = scenario_from_dict(data)
    assert tuple(sorted(in_bulk, key=lambda c: c.id)) == one_by_one.commitments
    assert scenario_from_dict(data) == one_by_one


@SLOW
@given(
    st.one_of(
        propositions(IDS, max_leaves=2),
        st.text(alphabet="aAzZ09_-(), ~&|", max_size=20),
        st.sampled_from(("true(A)", "not", "a(b,c)", "a()", "a(,b)", "x" * 10_001)),
    )
)
def test_a_plain_atom_is_what_the_parser_reads(text: str) -> None:
    from negsim.logic import plain_atom

    parts = plain_atom(text)
    if parts is not None:
        assert Atom(*parts) == parse(text)


# -- the wedge challenger's chance of consensus, kept to the refusals that matter ----------------


def _at_most_refuse_in_full(consents: Sequence[float], k: int) -> float:
    """The reference: the whole distribution of refusals, then the chance of at most k."""
    refusals = [1.0]
    for c in consents:
        refusals = [
            (refusals[j] * c if j < len(refusals) else 0.0)
            + (refusals[j - 1] * (1.0 - c) if j else 0.0)
            for j in range(len(refusals) + 1)
        ]
    return math.fsum(refusals[: k + 1])


@given(
    st.lists(st.one_of(st.sampled_from((0.0, 1.0)), st.floats(0, 1)), max_size=40),
    st.integers(-3, 45),
)
def test_the_chance_of_at_most_k_refusals_is_the_full_distribution_s(
    consents: list[float], k: int
) -> None:
    from negsim_wedge import _at_most_refuse

    assert _at_most_refuse(consents, k) == _at_most_refuse_in_full(consents, k)
