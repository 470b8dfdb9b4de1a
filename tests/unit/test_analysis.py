"""Tests of negsim.analysis: consistency, violations, entailment and thresholds.

Small hand-built commitment sets with known answers, a brute-force oracle that enumerates
every world of random small sets and checks each verdict against the definitions, the
flagship scenarios, and the agreement of each built-in rule with its sympy expression.
"""

from __future__ import annotations

import importlib
import itertools
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import negsim
from negsim.analysis import (
    Conflict,
    Report,
    check_consistency,
    check_scenario,
    entails,
    minimal_conflict,
    reachable_violations,
    thresholds,
)
from negsim.analysis._commitments import Analysis
from negsim.analysis._solver import antecedent, exclusion, honour
from negsim.errors import PluginError, PropositionError, ScenarioError
from negsim.logic import Rule, atoms, evaluate, parse
from negsim.model import Agent, Commitment, CommitmentState, PluginSpec, Scenario
from negsim.plugins import PluginRegistry, default_registry
from tests import _processes as processes

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "examples" / "scenarios"

EXCLUDE_BOTH = "~(grants_access(JPN,USA) & denies_access(JPN,USA))"


def c(
    cid: str, antecedent: str, consequent: str, debtor: str = "A", creditor: str = "B", **kw: object
) -> Commitment:
    return Commitment(cid, debtor, creditor, antecedent, consequent, **kw)  # type: ignore[arg-type]


def load(name: str) -> Scenario:
    return negsim.load_scenario(SCENARIOS / f"{name}.toml")


# -- consistency -------------------------------------------------------------------------


def test_consistent_treaties() -> None:
    verdict = check_consistency(
        [
            c("art3", "attacked(ROK)", "responds(USA,ROK)"),
            c("art6", "true", "~denies_access(JPN,USA)"),
            c("art5", "attacked(JPN)", "responds(USA,JPN)"),
        ],
        [EXCLUDE_BOTH],
    )
    assert verdict.consistent
    assert verdict.conflicts == ()
    assert verdict.conflict is None
    assert (verdict.commitments, verdict.groups) == (3, 3)


def test_empty_set_is_consistent() -> None:
    verdict = check_consistency([])
    assert verdict.consistent
    assert verdict.groups == 0


def test_conflict_is_the_smallest_clashing_pair_with_its_world() -> None:
    commitments = [
        c("art3", "attacked(ROK)", "responds(USA,ROK)"),
        c("art6", "true", "~denies_access(JPN,USA)", "JPN", "USA"),
        c("neutral", "threatened(JPN)", "denies_access(JPN,USA)", "JPN", "DPRK"),
        c("other", "threatened(JPN)", "consulted(USA,JPN)"),
    ]
    verdict = check_consistency(commitments)
    assert not verdict.consistent
    conflict = verdict.conflict
    assert conflict is not None
    assert conflict.commitments == ("art6", "neutral")
    assert conflict.exclusions == ()
    assert dict(conflict.world) == {"threatened(JPN)": True}
    assert "art6 (JPN owes USA) requires ~denies_access(JPN,USA)" in conflict.explanation
    assert "neutral (JPN owes DPRK) requires denies_access(JPN,USA)" in conflict.explanation
    assert minimal_conflict(commitments) == conflict


def test_conflict_through_an_exclusion_names_it() -> None:
    commitments = [
        c("grant", "attacked(ROK)", "grants_access(JPN,USA)", "JPN", "USA"),
        c("deny", "threatened(JPN)", "denies_access(JPN,USA)", "JPN", "DPRK"),
    ]
    assert check_consistency(commitments).consistent  # no exclusion: grant and deny coexist
    conflict = minimal_conflict(commitments, [EXCLUDE_BOTH, "~(war & peace)"])
    assert conflict is not None
    assert conflict.commitments == ("deny", "grant")
    assert conflict.exclusions == (EXCLUDE_BOTH,)
    assert dict(conflict.world) == {
        "attacked(ROK)": True,
        "denies_access(JPN,USA)": False,
        "grants_access(JPN,USA)": False,
        "threatened(JPN)": True,
    }


def test_three_way_conflict_with_no_clashing_pair() -> None:
    commitments = [
        c("x", "a", "x"),
        c("y", "b", "y"),
        c("z", "a & b", "z"),
        c("free", "a", "w"),
    ]
    conflict = minimal_conflict(commitments, ["~(x & y & z)"])
    assert conflict is not None
    assert conflict.commitments == ("x", "y", "z")
    assert {k for k, v in conflict.world.items() if v} == {"a", "b"}


def test_commitments_that_never_detach_together_are_not_in_conflict() -> None:
    # Kishi-Herter applies "other than under Art. V": the two never detach together, so
    # their clashing consequents are no conflict.
    commitments = [
        c("kishi-herter", "responds(USA,ROK) & ~attacked(JPN)", "consulted(USA,JPN)", "USA", "JPN"),
        c("art5", "attacked(JPN)", "~consulted(USA,JPN)", "USA", "JPN"),
    ]
    verdict = check_consistency(commitments)
    assert verdict.consistent
    assert [n.commitments for n in verdict.never_together] == [("art5", "kishi-herter")]
    assert "never detach together" in verdict.never_together[0].explanation


def test_conflict_found_among_antecedents_that_cannot_all_hold() -> None:
    # All four antecedents cannot hold together (p and ~p), but x1 and x2 detach together
    # and clash: the world-by-world search must find them.
    commitments = [
        c("x1", "p", "x"),
        c("x2", "p & q", "~x"),
        c("y1", "~p", "y"),
        c("y2", "~p", "z"),
    ]
    conflict = minimal_conflict(commitments)
    assert conflict is not None
    assert conflict.commitments == ("x1", "x2")
    assert dict(conflict.world) == {"p": True, "q": True}


def test_commitment_that_undoes_its_own_antecedent_conflicts_alone() -> None:
    # Honouring it in the world where it detaches is impossible; but its consequent can
    # hold later, so it is not a reachable violation.
    commitments = [c("undo", "occupied(EST)", "~occupied(EST)")]
    conflict = minimal_conflict(commitments)
    assert conflict is not None
    assert conflict.commitments == ("undo",)
    assert "cannot be honoured once it detaches" in conflict.explanation
    assert reachable_violations(commitments) == ()


def test_never_detaching_commitment_is_reported() -> None:
    verdict = check_consistency([c("dead", "a & ~a", "x")])
    assert verdict.consistent
    assert [n.commitments for n in verdict.never_together] == [("dead",)]


def test_states_detached_and_terminal() -> None:
    detached = c(
        "pledge", "attacked(ROK)", "denies_access(JPN,USA)", state=CommitmentState.DETACHED
    )
    released = c("gone", "true", "grants_access(JPN,USA)", state=CommitmentState.RELEASED)
    grant = c("grant", "never_happens", "grants_access(JPN,USA)")
    analysis = Analysis([detached, released, grant], [EXCLUDE_BOTH])
    assert [f.id for f in analysis.formulas()] == ["grant", "pledge"]
    assert analysis.formulas()[1].antecedent == "true"  # owed now
    conflict = analysis.consistency().conflict
    assert conflict is not None
    assert conflict.commitments == ("grant", "pledge")
    assert {k for k, v in conflict.world.items() if v} == {"never_happens"}


def test_contradictory_exclusions_are_bad_input() -> None:
    with pytest.raises(ScenarioError, match="cannot all hold in any world") as info:
        check_consistency([c("x", "a", "b")], ["war", "peace", "~war"])
    assert "exclusions[0] 'war'" in str(info.value)
    assert "exclusions[2] '~war'" in str(info.value)
    assert "peace" not in str(info.value)


def test_bad_proposition_is_bad_input() -> None:
    with pytest.raises(ScenarioError, match=r"commitments\[bad\].consequent"):
        check_consistency([c("bad", "a", "b &")])
    with pytest.raises(PropositionError):
        check_consistency([], ["a |"])


# -- reachable violations -----------------------------------------------------------------


def test_reachable_violation_pair_with_witness() -> None:
    commitments = [
        c("grant", "attacked(ROK)", "grants_access(JPN,USA)", "JPN", "USA"),
        c("deny", "threatened(JPN)", "denies_access(JPN,USA)", "JPN", "DPRK"),
        c("art3", "attacked(ROK)", "responds(USA,ROK)", "USA", "ROK"),
    ]
    found = reachable_violations(commitments, [EXCLUDE_BOTH])
    assert len(found) == 1
    violation = found[0]
    assert violation.commitments == ("deny", "grant")
    assert violation.exclusions == (EXCLUDE_BOTH,)
    assert violation.world["attacked(ROK)"]
    assert violation.world["threatened(JPN)"]
    assert "at least one will be violated" in violation.explanation


def test_pair_that_never_detaches_together_is_not_a_violation() -> None:
    commitments = [
        c("grant", "attacked(ROK) & ~threatened(JPN)", "grants_access(JPN,USA)"),
        c("deny", "threatened(JPN)", "denies_access(JPN,USA)"),
    ]
    assert reachable_violations(commitments, [EXCLUDE_BOTH]) == ()


def test_impossible_consequent_is_a_single_violation() -> None:
    found = reachable_violations([c("x", "a", "b & ~b"), c("y", "a", "b")])
    assert [v.commitments for v in found] == [("x",)]
    assert "can never hold" in found[0].explanation


def test_three_way_violation() -> None:
    commitments = [c("x", "a", "x"), c("y", "b", "y"), c("z", "d", "z"), c("w", "a", "x")]
    found = reachable_violations(commitments, ["~(x & y & z)"])
    assert {v.commitments for v in found} == {("w", "y", "z"), ("x", "y", "z")}
    assert {k for k, v in found[0].world.items() if v} == {"a", "b", "d"}


def test_violation_search_budget() -> None:
    # Nine consequents, any three of which clash: the tree of candidate sets is large.
    names = [f"q{i}" for i in range(9)]
    exclusions = [f"~({a} & {b} & {d})" for a, b, d in itertools.combinations(names, 3)]
    commitments = [c(f"c{i}", "true", name) for i, name in enumerate(names)]
    analysis = Analysis(commitments, exclusions, budget=5)
    found, complete = analysis.violations()
    assert not complete
    assert found  # some were found before the budget ran out
    assert all(len(v.commitments) == 3 for v in found)


def test_conflict_is_not_always_a_violation_and_vice_versa() -> None:
    # x >> ~a is a conflict together with a >> x (the world where both detach has a & x,
    # so ~a fails), but both consequents (x, ~a) can hold later: no violation.
    commitments = [c("p", "a", "x"), c("q", "x", "~a")]
    assert minimal_conflict(commitments) is not None
    assert reachable_violations(commitments) == ()


# -- entailment ---------------------------------------------------------------------------

KOREA = [
    c("art3", "attacked(ROK)", "responds(USA,ROK)", "USA", "ROK"),
    c("kishi-herter", "responds(USA,ROK) & ~attacked(JPN)", "consulted(USA,JPN)", "USA", "JPN"),
    c("art5", "attacked(JPN)", "responds(USA,JPN)", "USA", "JPN"),
    c("art6", "true", "~denies_access(JPN,USA)", "JPN", "USA"),
]


def test_entailed_with_the_commitments_it_rests_on() -> None:
    answer = entails(
        KOREA, [EXCLUDE_BOTH], given="attacked(ROK) & ~attacked(JPN)", obliged="consulted(USA,JPN)"
    )
    assert answer.verdict
    assert not answer.vacuous
    assert answer.witness is None
    assert answer.because == ("art3", "kishi-herter")
    assert answer.explanation.startswith("Yes:")


def test_not_entailed_gives_a_counter_world() -> None:
    answer = entails(KOREA, [EXCLUDE_BOTH], given="attacked(ROK)", obliged="consulted(USA,JPN)")
    assert not answer.verdict
    assert answer.because == ()
    witness = answer.witness
    assert witness is not None
    facts = {k for k, v in witness.items() if v}
    # The counter-world: Japan attacked too, so Art. V applies and Kishi-Herter does not.
    assert facts == {"attacked(ROK)", "attacked(JPN)", "responds(USA,ROK)", "responds(USA,JPN)"}
    for commitment in KOREA:
        assert evaluate(parse(f"({commitment.antecedent}) >> ({commitment.consequent})"), facts)


def test_japan_is_not_obliged_to_grant_access() -> None:
    answer = entails(
        KOREA, [EXCLUDE_BOTH], given="attacked(ROK)", obliged="grants_access(JPN,USA)", debtor="JPN"
    )
    assert not answer.verdict
    assert answer.witness is not None
    assert answer.witness["grants_access(JPN,USA)"] is False
    assert answer.witness["denies_access(JPN,USA)"] is False
    # Art. VI only forbids a denial:
    assert entails(
        KOREA,
        [EXCLUDE_BOTH],
        given="attacked(ROK)",
        obliged="~denies_access(JPN,USA)",
        debtor="JPN",
    ).because == ("art6",)


def test_debtor_must_be_the_one_obliged() -> None:
    question = {"given": "attacked(ROK)", "obliged": "responds(USA,ROK)"}
    usa = entails(KOREA, **question, debtor="USA")
    jpn = entails(KOREA, **question, debtor="JPN")
    assert usa.verdict
    assert usa.because == ("art3",)
    assert not jpn.verdict
    assert jpn.witness is None
    assert jpn.because == ("art3",)
    assert "not because of any commitment of JPN" in jpn.explanation


def test_entailed_by_the_exclusions_alone() -> None:
    answer = entails(
        [], [EXCLUDE_BOTH], given="grants_access(JPN,USA)", obliged="~denies_access(JPN,USA)"
    )
    assert answer.verdict
    assert answer.because == ()
    assert "exclusions" in answer.explanation


def test_vacuous_entailment_is_flagged() -> None:
    answer = entails(KOREA, given="denies_access(JPN,USA)", obliged="war")
    assert answer.verdict
    assert answer.vacuous
    assert answer.because == ("art6",)
    assert "note: war appears in no commitment".lower() in answer.explanation.lower()


def test_unrelated_commitments_do_not_make_an_answer_vacuous() -> None:
    broken = [c("x", "true", "war"), c("y", "true", "~war")]  # a conflict, elsewhere
    answer = entails([*KOREA, *broken], given="attacked(ROK)", obliged="responds(USA,ROK)")
    assert answer.verdict
    assert not answer.vacuous
    assert answer.because == ("art3",)


def test_entailment_minimal_set_is_small_in_a_large_group() -> None:
    members = [f"M{i:02d}" for i in range(40)]
    art5 = [
        c(f"art5-{d}-{cr}", f"attacked({cr})", f"responds({d},{cr})", d, cr)
        for d in members
        for cr in members
        if d != cr
    ]
    analysis = Analysis(art5, [f"~(attacked({m}) & surrendered({m}))" for m in members])
    answer = analysis.entails("attacked(M07)", "responds(M03,M07)", "M03")
    assert answer.verdict
    assert answer.because == ("art5-M03-M07",)
    assert analysis.solver.sympy_calls < 40  # QuickXplain, not one question per commitment


# -- structure: groups, shapes and caches ---------------------------------------------------


def _collective(n: int, exclusions: bool = True) -> tuple[list[Commitment], list[str]]:
    ids = [f"S{i}" for i in range(n)]
    commitments = [
        c(f"art5-{d}-{cr}", f"attacked({cr})", f"responds({d},{cr})", d, cr)
        for d in ids
        for cr in ids
        if d != cr
    ]
    excl = [f"~(responds({d},{cr}) & neutral({d},{cr}))" for d in ids for cr in ids if d != cr]
    return commitments, excl if exclusions else []


def test_identical_groups_are_decided_once() -> None:
    one = Analysis(*_collective(6))
    verdict = one.consistency()
    one.violations()
    assert verdict.consistent
    assert (verdict.groups, verdict.distinct_groups) == (6, 1)
    calls_for_six = one.solver.sympy_calls
    assert calls_for_six > 0  # the exclusions are not literals: sympy decided one group
    commitments, exclusions = _collective(6)
    first_group = [x for x in commitments if x.creditor == "S0"]
    single = Analysis(first_group, [x for x in exclusions if ",S0)" in x])
    single.consistency()
    single.violations()
    assert single.solver.sympy_calls == calls_for_six


def test_renamed_verdicts_name_their_own_group() -> None:
    commitments, exclusions = _collective(3)
    commitments += [
        c(f"stay-{d}-{cr}", "true", f"neutral({d},{cr})", d, cr)
        for d, cr in [("S0", "S1"), ("S0", "S2"), ("S1", "S0")]
    ]
    analysis = Analysis(commitments, exclusions)
    conflicts = analysis.consistency().conflicts
    assert [x.commitments for x in conflicts] == [  # groups by their first commitment id
        ("art5-S0-S1", "stay-S0-S1"),  # attacked(S1): art5-S0-S1, art5-S2-S1, stay-S0-S1
        ("art5-S0-S2", "stay-S0-S2"),
        ("art5-S1-S0", "stay-S1-S0"),
    ]
    assert {k for k, v in conflicts[1].world.items() if v} == {"attacked(S2)"}
    assert conflicts[1].exclusions == ("~(responds(S0,S2) & neutral(S0,S2))",)


def test_verdicts_are_cached_by_the_names_of_their_parts() -> None:
    analysis = Analysis(KOREA, [EXCLUDE_BOTH, "~(a & b)"])
    parts = frozenset({exclusion(0), antecedent("art3"), honour("kishi-herter")})
    first = analysis.solver.solve(parts)
    calls = analysis.solver.sympy_calls
    assert analysis.solver.solve(set(parts)) is first
    assert analysis.solver.sympy_calls == calls


def test_literal_groups_never_reach_sympy() -> None:
    analysis = Analysis(*_collective(5, exclusions=False))
    assert analysis.consistency().consistent
    assert analysis.violations() == ((), True)
    assert analysis.solver.sympy_calls == 0


def test_import_is_cheap() -> None:
    code = "import sys, negsim.analysis; print('sympy' in sys.modules)"
    out = processes.run([sys.executable, "-c", code], check=True)
    assert out.stdout.strip() == "False"


# -- an oracle: every world of small random sets ---------------------------------------------

ATOMS = ("a", "b", "d", "e")


def _props(depth: int = 2) -> st.SearchStrategy[str]:
    leaf = st.sampled_from([*ATOMS, *(f"~{x}" for x in ATOMS), "true"])
    if depth == 0:
        return leaf
    sub = _props(depth - 1)
    return st.one_of(
        leaf,
        st.builds(lambda x, y: f"({x} & {y})", sub, sub),
        st.builds(lambda x, y: f"({x} | {y})", sub, sub),
        st.builds(lambda x: f"~({x})", sub),
    )


WORLDS = [frozenset(w) for n in range(len(ATOMS) + 1) for w in itertools.combinations(ATOMS, n)]


def _holds(texts: Iterable[str], world: frozenset[str]) -> bool:
    return all(evaluate(parse(t), world) for t in texts)


def _sat(texts: Sequence[str]) -> bool:
    return any(_holds(texts, w) for w in WORLDS)


def _world_ok(world: Mapping[str, bool], texts: Sequence[str]) -> bool:
    """Whether a world (its atoms as given, the others free) can make all the texts hold."""
    return any(_holds(texts, w) for w in WORLDS if all((k in w) == v for k, v in world.items()))


def _connected(focus: set[str], cs: Sequence[Commitment], excl: Sequence[str]) -> list[str]:
    """The ids of the commitments connected to the focus atoms by shared atoms."""
    items: list[tuple[str | None, frozenset[str]]] = [
        (x.id, atoms(parse(x.antecedent)) | atoms(parse(x.consequent))) for x in cs
    ]
    items += [(None, atoms(parse(x))) for x in excl]
    reached, ids = set(focus), set()
    changed = True
    while changed:
        changed = False
        for cid, keys in items:
            if keys & reached:
                if not keys <= reached:
                    reached |= keys
                    changed = True
                if cid is not None:
                    ids.add(cid)
    return sorted(ids)


commitment_sets = st.lists(st.tuples(_props(), _props()), min_size=1, max_size=5)
exclusion_sets = st.lists(_props(1), max_size=2)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(commitment_sets, exclusion_sets)
def test_verdicts_agree_with_every_world(pairs: list[tuple[str, str]], excl: list[str]) -> None:
    if not _sat(excl):
        with pytest.raises(ScenarioError):
            check_consistency([], excl)
        return
    cs = [c(f"c{i}", a, q) for i, (a, q) in enumerate(pairs)]
    by_id = {x.id: x for x in cs}
    analysis = Analysis(cs, excl)

    def ante(ids: Iterable[str]) -> list[str]:
        return [by_id[i].antecedent for i in ids]

    def cons(ids: Iterable[str]) -> list[str]:
        return [by_id[i].consequent for i in ids]

    # Consistency: for every world, the commitments detached there can be honoured together.
    consistent = all(
        _sat([*excl, *ante(d), *cons(d)])
        for w in WORLDS
        if _holds(excl, w)
        for d in [[x.id for x in cs if evaluate(parse(x.antecedent), w)]]
    )
    verdict = analysis.consistency()
    assert verdict.consistent == consistent
    for conflict in verdict.conflicts:
        ids = conflict.commitments
        assert _world_ok(conflict.world, [*excl, *ante(ids)])
        assert not _sat([*excl, *ante(ids), *cons(ids)])
        for drop in ids:  # minimal
            rest = [i for i in ids if i != drop]
            assert _sat([*excl, *ante(rest), *cons(rest)])
    for never in verdict.never_together:
        assert not _sat([*excl, *ante(never.commitments)])

    # Reachable violations: sound, minimal and complete.
    found, complete = analysis.violations()
    assert complete
    for violation in found:
        ids = violation.commitments
        assert _world_ok(violation.world, [*excl, *ante(ids)])
        assert not _sat([*excl, *cons(ids)])
        for drop in ids:
            assert _sat([*excl, *cons([i for i in ids if i != drop])])
    expected = {
        ids
        for n in range(1, len(by_id) + 1)
        for ids in itertools.combinations(sorted(by_id), n)
        if _sat([*excl, *ante(ids)])
        and not _sat([*excl, *cons(ids)])
        and all(_sat([*excl, *cons(sub)]) for sub in itertools.combinations(ids, n - 1) if sub)
    }
    assert {v.commitments for v in found} == expected

    # Entailment of an atom (and of a negation) from a random given, using the commitments
    # connected to the question (as documented).
    given_text = pairs[0][0]
    for obliged in ("a", "~b"):
        focus = set(atoms(parse(given_text)) | atoms(parse(obliged)))
        honour = [
            f"({by_id[i].antecedent}) >> ({by_id[i].consequent})"
            for i in _connected(focus, cs, excl)
        ]
        answer = analysis.entails(given_text, obliged)
        follows = not _sat([*excl, given_text, *honour, f"~({obliged})"])
        assert answer.verdict == follows
        if answer.witness is not None:
            assert _world_ok(answer.witness, [given_text, f"~({obliged})"])
        if follows and not answer.vacuous:
            rest = [f"({by_id[i].antecedent}) >> ({by_id[i].consequent})" for i in answer.because]
            assert not _sat([*excl, given_text, *rest, f"~({obliged})"])


# -- flagship scenarios ---------------------------------------------------------------------


def _treaties_only(name: str):
    """The scenario without Japan's compliance commitment (the wedge's seam)."""
    scenario = load(name)
    kept = [c for c in scenario.commitments if c.id != "jpn-complies"]
    return attrs.evolve(scenario, commitments=kept)


def test_korea_bilateral_treaties_are_consistent_with_the_article_v_carve_out() -> None:
    report = check_scenario(
        _treaties_only("korea_bilateral"),
        given="attacked(ROK)",
        obliged="grants_access(JPN,USA)",
        debtor="JPN",
        rules=False,
    )
    assert not report.conflicted
    assert report.consistency.consistent
    assert report.violations == ()
    pairs = [n.commitments for n in report.consistency.never_together]
    assert ("kishi-herter", "us-jpn-art5") in pairs
    entailment = report.entailment
    assert entailment is not None
    assert not entailment.verdict  # Art. VI forbids a denial; it does not oblige a grant
    assert entailment.witness is not None
    assert entailment.witness["attacked(ROK)"] is True
    assert entailment.witness["grants_access(JPN,USA)"] is False


def test_flagship_korea_files_show_the_seam() -> None:
    """Japan's compliance with the DPRK's demand clashes with its Art. VI grant."""
    for name in ("korea_bilateral", "korea_integrated"):
        report = check_scenario(load(name), rules=False)
        assert report.conflicted
        conflict = report.consistency.conflict
        assert conflict is not None
        assert conflict.commitments == ("jpn-complies", "jpn-us-art6")
        assert {k for k, v in conflict.world.items() if v} == {
            "attacked(ROK)",
            "complied(JPN,DPRK)",
        }


def test_korea_contingency_obliges_us_response_and_consultation() -> None:
    scenario = load("korea_bilateral")
    answer = check_scenario(
        scenario,
        given="attacked(ROK) & ~attacked(JPN)",
        obliged="responds(USA,ROK) & consulted(USA,JPN)",
        debtor="USA",
        rules=False,
    ).entailment
    assert answer is not None
    assert answer.verdict
    assert answer.because == ("kishi-herter", "us-rok-art3")


def test_coerced_neutrality_conflicts_with_the_article_vi_grant() -> None:
    # The commitment recommended for the Korea files to exhibit the wedge's seam.
    scenario = _treaties_only("korea_bilateral")
    pledge = Commitment(
        id="jpn-dprk-neutrality",
        debtor="JPN",
        creditor="DPRK",
        antecedent="nuclear_threat(DPRK,JPN) & attacked(ROK) & ~attacked(JPN)",
        consequent="denies_access(JPN,USA)",
        source="Coerced neutrality (Crawford 2011; Izumikawa 2013)",
    )
    scenario = attrs.evolve(scenario, commitments=[*scenario.commitments, pledge])
    report = check_scenario(scenario, rules=False)
    assert report.conflicted
    conflict = report.consistency.conflict
    assert conflict is not None
    assert conflict.commitments == ("jpn-dprk-neutrality", "jpn-us-art6")
    assert {k for k, v in conflict.world.items() if v} == {
        "attacked(ROK)",
        "nuclear_threat(DPRK,JPN)",
    }
    assert [v.commitments for v in report.violations] == [("jpn-dprk-neutrality", "jpn-us-art6")]


def test_baltic_art5_groups_are_decided_once() -> None:
    report = check_scenario(
        load("baltic_nato"),
        given="attacked(EST)",
        obliged="responds(USA,EST)",
        debtor="USA",
        rules=False,
    )
    assert not report.conflicted
    assert len(report.commitments) == 992
    assert (report.consistency.groups, report.consistency.distinct_groups) == (32, 1)
    assert report.entailment is not None
    assert report.entailment.because == ("art5-usa-est",)


def test_report_to_dict_is_json_ready() -> None:
    import json

    report = check_scenario(_treaties_only("korea_integrated"), obliged="~denies_access(JPN,USA)")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["conflicted"] is False
    assert data["entailment"]["because"] == ["jpn-us-art6"]
    assert {r["agent"] for r in data["rules"]} >= {"JPN", "USA"}
    formulas = {x["id"]: x["formula"] for x in data["commitments"]}
    assert formulas["kishi-herter"] == "responds(USA,ROK) & ~attacked(JPN) >> consulted(USA,JPN)"
    assert isinstance(report, Report)


# -- thresholds -----------------------------------------------------------------------------


def test_thresholds_of_the_host_access_rule() -> None:
    scenario = load("korea_bilateral")
    # ``reward`` is no agent parameter: the largest conditional reward offered the host
    reports = thresholds(scenario, params=["reward"])
    japan = next(r for r in reports if r.agent == "JPN" and r.rule == "grant_access")
    (threshold,) = japan.thresholds
    assert threshold.param == "reward"
    assert threshold.holds_when == "<"
    assert threshold.value is not None
    assert threshold.scenario_value == 0.0  # nothing offered at the start of a crisis
    assert threshold.margin == pytest.approx(threshold.value - threshold.scenario_value)
    # The rule does flip there, at the doctrine's own values:
    agent = scenario.agent("JPN")
    relay = default_registry().agent_relay(agent.stack)
    pairs = relay.negsim_decision_rules(agent=agent, scenario=scenario)
    ((rule, values),) = [(r, v) for r, v in pairs if r.name == "grant_access"]
    assert rule.holds({**values, "reward": threshold.value - 1e-6})
    assert not rule.holds({**values, "reward": threshold.value + 1e-6})
    assert japan.holds == (japan.value > 0) == rule.holds(values)
    assert "reward <" in threshold.describe()
    # the support rule has no reward term: it is not reported for it
    support = next(r for r in reports if r.agent == "JPN" and r.rule == "support")
    assert support.thresholds == ()
    assert support.outside == ()


def test_default_thresholds_are_the_agents_numeric_params() -> None:
    scenario = load("korea_bilateral")
    for report in thresholds(scenario):
        agent = scenario.agent(report.agent)
        for t in report.thresholds:
            value = agent.params[t.param]
            assert isinstance(value, int | float)
            assert not isinstance(value, bool)
            assert t.scenario_value == pytest.approx(float(value))


class _Broken:
    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return PluginSpec(role="doctrine")

    @negsim.hookimpl
    def negsim_decision_rules(self, agent: Agent) -> object:
        if agent.id == "A":
            raise RuntimeError("boom")
        return [(Rule("r", "x - 1", "", ""), {})]


def test_misbehaving_doctrine_is_named() -> None:
    registry = PluginRegistry([("broken", _Broken())], discover=False)
    agents = [Agent(id=i, name=i, doctrine="broken") for i in ("A", "B")]
    scenario = Scenario(name="t", agents=agents[:1])
    with pytest.raises(PluginError, match=r"plugin 'broken' raised RuntimeError.*agent 'A': boom"):
        thresholds(scenario, registry)
    scenario = Scenario(name="t", agents=agents[1:])
    with pytest.raises(PluginError, match="rule 'r' for agent 'B' cannot be evaluated"):
        thresholds(scenario, registry)


# -- the built-in rules agree with their sympy expressions ------------------------------------

DOCTRINES = ("bilateral", "collective", "wedge")


def _builtin_rules() -> list[tuple[str, Rule]]:
    out = []
    for doctrine in DOCTRINES:
        module = importlib.import_module(f"negsim_{doctrine}")
        out += [(doctrine, v) for v in vars(module).values() if isinstance(v, Rule)]
    return out


BUILTIN_RULES = _builtin_rules()


@pytest.mark.parametrize(("doctrine", "rule"), BUILTIN_RULES, ids=lambda x: getattr(x, "name", x))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_compiled_rule_agrees_with_sympy(doctrine: str, rule: Rule, data: st.DataObject) -> None:
    import sympy  # type: ignore[import-untyped,unused-ignore]

    specs = {p.name: p for p in default_registry().spec(doctrine).params}
    values: dict[str, float] = {}
    for name in rule.symbols:
        spec = specs.get(name)
        low = spec.low if spec is not None and spec.low is not None else 0.0
        high = spec.high if spec is not None and spec.high is not None else 10.0
        values[name] = data.draw(
            st.floats(min_value=low, max_value=min(high, 1e4), allow_nan=False), label=name
        )
    expr = rule.to_sympy()
    exact = expr.xreplace({sympy.Symbol(k): sympy.Float(v, 30) for k, v in values.items()})
    number = float(exact.evalf(30))
    if math.isclose(number, 0.0, abs_tol=1e-9 * max(1.0, *map(abs, values.values()))):
        return  # on the boundary rounding decides
    assert rule.holds(values) == (number > 0)
    assert rule.value(values) == pytest.approx(number, rel=1e-9, abs=1e-9)


def test_builtin_rules_are_found() -> None:
    assert {r.name for _, r in BUILTIN_RULES} >= {"support", "grant_access", "attack"}


def test_conflict_objects_are_frozen_values() -> None:
    conflict = Conflict(["b", "a"], [], {"z": True, "a": False}, "x")
    assert conflict.commitments == ("b", "a")
    assert list(conflict.world) == ["a", "z"]
    assert hash(conflict) == hash(Conflict(("b", "a"), (), {"a": False, "z": True}, "x"))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        conflict.explanation = "y"  # type: ignore[misc]


# -- layering: only negsim.logic talks to sympy ------------------------------------------------

_SYMPY_IMPORT = (
    r"^\s*import\s+sympy\b"
    r"|^\s*from\s+sympy\b"
    r"|import_module\(\s*[\"']sympy"
    r"|__import__\(\s*[\"']sympy"
)


def test_analysis_never_imports_sympy() -> None:
    import re

    pattern = re.compile(_SYMPY_IMPORT, re.MULTILINE)
    sources = sorted((ROOT / "negsim" / "analysis").glob("**/*.py"))
    assert sources
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for path in sources
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "negsim.analysis must ask negsim.logic, not import sympy"
    # The pattern does catch what it is meant to.
    assert pattern.search('x = importlib.import_module("sympy.logic.inference")')
    assert pattern.search("    from sympy.logic import inference")


def test_auxiliary_atoms_never_collide_with_real_ones() -> None:
    # The world-by-world search (antecedents that cannot all hold) numbers an auxiliary
    # atom per commitment; here the ids hold characters no atom may, and the real atoms
    # are named like the auxiliary ones.
    commitments = [
        c("msg-1/x1", "aux_detached(0)", "x"),
        c("msg-1/x2", "aux_detached(0) & aux_detached", "~x"),
        c("y 1", "~aux_detached(0)", "y"),
        c("y 2", "~aux_detached(0)", "z"),
    ]
    analysis = Analysis(commitments)
    conflict = analysis.consistency().conflict
    assert conflict is not None
    assert conflict.commitments == ("msg-1/x1", "msg-1/x2")
    assert dict(conflict.world) == {"aux_detached": True, "aux_detached(0)": True}
    assert analysis.solver.sympy_calls > 0
    # A question about an atom named like the auxiliary atoms (now aux_detached1) renames
    # them, and keeps that atom in its world.
    answer = analysis.entails("aux_detached1(0) & ~aux_detached(0)", "x")
    assert answer.verdict is False
    assert answer.witness is not None
    assert answer.witness["aux_detached1(0)"] is True
    assert analysis.consistency().conflict == conflict


def test_thresholds_outside_a_parameters_documented_range_are_set_apart() -> None:
    registry = default_registry()
    reports = thresholds(load("korea_bilateral"))
    for report in reports:
        specs = {p.name: p for p in registry.spec(report.doctrine).params}
        for t in report.thresholds:
            spec = specs.get(t.param)
            if spec is None or t.value is None:
                continue
            assert spec.low is None or t.value >= spec.low, t.describe()
            assert spec.high is None or t.value <= spec.high, t.describe()
    usa = next(r for r in reports if r.agent == "USA" and r.rule == "support")
    # the support rule would flip only at a negative dependence, below its range (0-1)
    assert "dependence" in usa.outside
    assert "dependence" not in {t.param for t in usa.thresholds}
    assert usa.to_dict()["outside"] == list(usa.outside)
    # on a bound, with the rule holding only beyond it: Japan's bluff would hold only at
    # a negative audience cost, and the threshold sits on the range's bound of 0
    bluff = next(r for r in reports if r.agent == "JPN" and r.rule == "bluff")
    assert "audience_cost" in bluff.outside
    # what is set apart is a threshold the rule does have, outside the documented range
    scenario = load("korea_bilateral")
    for report in reports:
        if not report.outside:
            continue
        agent = scenario.agent(report.agent)
        pairs = registry.agent_relay(agent.stack).negsim_decision_rules(
            agent=agent, scenario=scenario
        )
        ((rule, values),) = [(r, v) for r, v in pairs if r.name == report.rule]
        specs = {p.name: p for p in registry.spec(report.doctrine).params}
        for name in report.outside:
            threshold = rule.threshold(name, values)
            value, side = threshold.value, threshold.holds_when
            low, high = specs[name].low, specs[name].high
            assert value is not None
            # beyond the range, or on a bound with the rule holding only beyond it
            assert (low is not None and (value < low or (value == low and side == "<"))) or (
                high is not None and (value > high or (value == high and side == ">"))
            ), threshold.describe()
