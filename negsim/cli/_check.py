"""``negsim check``: a scenario's commitments and credibility thresholds, checked statically."""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import math
import os
import re
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

import negsim
from negsim.analysis import check_scenario
from negsim.analysis._results import world_text
from negsim.cli import _registry
from negsim.cli._errors import handle_errors
from negsim.cli._options import limit_option
from negsim.logic import parse, parse_shape

if TYPE_CHECKING:
    from negsim.analysis import CommitmentFormula, Report, RuleReport
    from negsim.logic import Prop
    from negsim.model import Limits

__all__ = ["CONFLICT_EXIT", "check"]

CONFLICT_EXIT = 3
"""Exit code when the check finds a conflict or a reachable violation."""

_WIDTH = 100
_INDENT = "  "

_HELP = """Check the commitments of the scenario FILE, and where its agents' rules flip.

Prints the commitments as formulas (antecedent >> consequent) and the world's
exclusions, then:

\b
- consistency: in every world the exclusions allow, can the commitments
  detached there all be honoured together? If not, a minimal conflicting
  set, the world in which they clash, and why. Commitments that never
  detach together (Kishi-Herter and Art. V) are listed apart;
- reachable violations: commitments that can all detach although their
  consequents cannot all hold, so one of them will be violated;
- with --obliged (and --given): does honouring every commitment oblige
  the proposition once the condition holds? A counter-world if not, the
  commitments it rests on if so;
- each agent's decision rules at the scenario's values, with the value of
  each parameter at which a rule flips and the margin from the scenario.

\b
Exit codes: 0 no conflict; 3 a conflict or a reachable violation was found;
2 bad command line or bad scenario; 1 a plugin misbehaved.

\b
Examples:
  negsim check crisis.toml
  negsim check crisis.toml --given "attacked(ROK)" --obliged "grants_access(JPN,USA)"
  negsim check crisis.toml --param p_nuc --json
"""


@click.command(
    "check", help=_HELP, short_help="Check a scenario's commitments and rule thresholds."
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option(
    "--given",
    metavar="PROP",
    default=None,
    help='The condition of the entailment question, e.g. "attacked(ROK)" (needs --obliged).',
)
@click.option(
    "--obliged",
    metavar="PROP",
    default=None,
    help='Ask whether honouring every commitment obliges PROP, e.g. "grants_access(JPN,USA)".',
)
@click.option(
    "--debtor",
    metavar="AGENT",
    default=None,
    help="With --obliged: ask whether AGENT's own commitments oblige it.",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME",
    help="Solve the rules for NAME (e.g. p_nuc) instead of each agent's "
    "numeric parameters. Repeatable.",
)
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a value of the file by its dotted path, e.g. "
    "agents.JPN.params.cost_strike=30. Repeatable.",
)
@limit_option
def check(
    file: Path,
    as_json: bool,
    given: str | None,
    obliged: str | None,
    debtor: str | None,
    params: tuple[str, ...],
    sets: tuple[str, ...],
    limits: Limits,
) -> None:
    """Check a scenario file and print the report (text or JSON).

    Args:
        file: The TOML scenario file.
        as_json: Print JSON instead of text.
        given: The condition of the entailment question.
        obliged: The proposition of the entailment question.
        debtor: The state the entailment question is about.
        params: Parameters to solve the rules for.
        sets: ``PATH=VALUE`` overrides.
        limits: The limits (``--limit``): ``check_atoms`` and ``check_seconds``.

    Raises:
        click.UsageError: ``--given`` or ``--debtor`` without ``--obliged``.
        click.BadParameter: A ``--param`` that no rule depends on, or an unknown
            ``--debtor``.
        click.exceptions.Exit: With code 3 when a conflict or violation is found; with 2
            for bad scenario input, 1 for a misbehaving plugin.
    """
    if obliged is None and (given is not None or debtor is not None):
        raise click.UsageError("--given and --debtor need --obliged (the question to ask)")
    with _without_cycle_collection():
        _check(file, as_json, given, obliged, debtor, params, sets, limits)


def _check(
    file: Path,
    as_json: bool,
    given: str | None,
    obliged: str | None,
    debtor: str | None,
    params: tuple[str, ...],
    sets: tuple[str, ...],
    limits: Limits,
) -> None:
    with handle_errors():
        registry = _registry.get_registry()
        scenario = negsim.load_scenario(file, overrides=sets, registry=registry, limits=limits)
        if debtor is not None and debtor not in scenario.agent_ids:
            raise click.BadParameter(
                f"no agent {debtor!r}; known: {', '.join(scenario.agent_ids)}",
                param_hint="'--debtor'",
            )
        questions = {"--given": given, "--obliged": obliged}
        _check_propositions(scenario, {k: v for k, v in questions.items() if v is not None})
        report = check_scenario(
            scenario,
            registry,
            given=given,
            obliged=obliged,
            debtor=debtor,
            params=params,
            limits=limits,
        )
    _check_params(params, report)
    if as_json:
        record = _finite(report.to_dict())
        record["file"] = os.fspath(file)
        click.echo(json.dumps(record, indent=2, sort_keys=True, allow_nan=False))
    else:
        click.echo("\n".join(report_lines(report, file, solved_only=bool(params))))
    if report.conflicted:
        raise click.exceptions.Exit(CONFLICT_EXIT)


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector while the check runs.

    A large alliance's check builds hundreds of thousands of small objects that live to
    the end (commitments, their trees, formulas), and the collector would walk all of
    them again and again as they pile up: a third of the check's time at 512 members.
    They hold no reference cycles; what cycles sympy leaves are collected once the
    collector is back on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_propositions(scenario: negsim.Scenario, texts: dict[str, str]) -> None:
    """Parse the question's propositions; refuse agent ids the scenario does not have."""
    from negsim.errors import Problem, ScenarioError
    from negsim.logic import atoms, parse

    known = set(scenario.agent_ids) | {al.id for al in scenario.alliances}
    choices = ", ".join(sorted(known))
    problems = []
    for option, text in texts.items():
        prop = parse(text, source=option)
        for key in sorted(atoms(prop)):
            args = key[key.index("(") + 1 : -1].split(",") if "(" in key else []
            problems += [
                Problem(option, f"unknown agent {arg!r} in {key}; known: {choices}")
                for arg in args
                if arg.isupper() and arg not in known
            ]
    if problems:
        raise ScenarioError("<command line>", problems)


def _check_params(params: Sequence[str], report: Report) -> None:
    used = {t.param for r in report.rules for t in r.thresholds}
    missing = [p for p in params if p not in used]
    if missing:
        raise click.BadParameter(
            f"no decision rule of any agent depends on {', '.join(map(repr, missing))}",
            param_hint="'--param'",
        )


def _finite(value: Any) -> Any:
    """JSON-ready data with infinite or NaN floats replaced by ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


# -- text -----------------------------------------------------------------------------------


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        text,
        _WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + _INDENT,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _pattern(c: CommitmentFormula, text: str) -> str:
    """Text with the commitment's debtor and creditor ids replaced by placeholders."""
    for who, name in ((c.debtor, "<debtor>"), (c.creditor, "<creditor>")):
        text = re.sub(rf"(?<=[(,]){re.escape(who)}(?=[,)])", name, text)
    return text


def _commitment_lines(commitments: Sequence[CommitmentFormula]) -> list[str]:
    """One line per commitment; three or more of the same form share one line.

    The form is the formula with the debtor's and the creditor's ids as placeholders
    (:func:`_pattern`). Working it out for each of a large alliance's commitments would
    parse and print every formula, so the commitments are first grouped by their
    propositions' shapes (:func:`negsim.logic.parse_shape`) and by which arguments are the
    debtor or the creditor: every commitment of such a group has the same form, worked
    out once from its first. Groups with the same form are then merged, in the order the
    commitments came, so the lines are those of grouping by form directly.
    """

    # Texts shared by many commitments (``attacked(EST)``) are looked up once; a cache
    # of all of them would hold another tuple for each of a large alliance's commitments.
    @functools.lru_cache(maxsize=4096)
    def shape(text: str) -> tuple[Prop, tuple[str, ...]]:
        return parse_shape(text) or (parse(text), ())  # parse raises

    by_shape: dict[tuple[object, ...], list[int]] = {}
    for i, c in enumerate(commitments):
        (a_shape, a_args), (q_shape, q_args) = shape(c.antecedent), shape(c.consequent)
        role = {c.creditor: "<creditor>", c.debtor: "<debtor>"}  # the debtor's if both
        roles = tuple([role.get(arg, arg) for arg in a_args + q_args])
        by_shape.setdefault((a_shape, q_shape, roles, c.source), []).append(i)
    forms: dict[tuple[str, str], list[int]] = {}
    for indexes in by_shape.values():
        first = commitments[indexes[0]]
        same = forms.setdefault((_pattern(first, first.formula), first.source), [])
        if same:
            indexes = sorted([*same, *indexes])
            same.clear()
        same += indexes
    del by_shape
    lines = []
    width = max((len(c.id) for c in commitments), default=0)
    for (form, source), indexes in forms.items():
        src = f"  [{source}]" if source else ""
        first = commitments[indexes[0]]
        if len(indexes) >= 3 and form != first.formula:
            ids = [commitments[i].id for i in indexes]
            prefix = os.path.commonprefix(ids)  # noqa: RUF071 - ids, not paths
            lines += _wrap(
                f"{len(indexes)} x {prefix}*  C(<debtor>, <creditor>): {form}{src}  "
                f"(e.g. {first.id}: {first.debtor} -> {first.creditor})",
                _INDENT,
            )
            continue
        for c in (commitments[i] for i in indexes):
            state = "" if c.state == "conditional" else f"  ({c.state})"
            lines += _wrap(
                f"{c.id.ljust(width)}  {c.debtor} -> {c.creditor}: {c.formula}{state}{src}",
                _INDENT,
            )
    return lines


def _ids(ids: Iterable[str]) -> str:
    return ", ".join(ids)


def _rule_lines(rules: Sequence[RuleReport], *, solved_only: bool) -> list[str]:
    """Rules grouped across agents when identical (the Baltic members' support rule)."""
    groups: dict[tuple[Any, ...], list[RuleReport]] = {}
    for r in rules:
        if solved_only and not r.thresholds:
            continue
        key = (r.doctrine, r.rule, r.value, r.thresholds, r.outside)
        groups.setdefault(key, []).append(r)
    lines = []
    for (doctrine, rule, value, found, outside), rs in groups.items():
        who = _ids(r.agent for r in rs)
        count = "" if len(rs) == 1 else f", {len(rs)} agents"
        verdict = "holds" if value > 0 else "fails"
        lines += _wrap(
            f"{who} ({doctrine}{count}) {rule}: {verdict} at the scenario's values "
            f"(value {value:.4g}): {rs[0].doc}",
            _INDENT,
        )
        if not found and not outside:
            lines.append(_INDENT * 2 + "(no parameter to solve for)")
        ordered = sorted(found, key=lambda t: (t.margin is None, abs(t.margin or 0.0)))
        for t in ordered:
            lines += _wrap(t.describe(), _INDENT * 2)
        if outside:
            lines += _wrap(
                f"{rule} does not flip within the documented range of: {', '.join(outside)}",
                _INDENT * 2,
            )
    return lines


def report_lines(report: Report, file: Path | str, *, solved_only: bool = False) -> list[str]:
    """The text report of ``negsim check``.

    Args:
        report: The report.
        file: The file it was loaded from.
        solved_only: List only the rules that were solved for a parameter (``--param``).

    Returns:
        The lines to print.
    """
    c = report.consistency
    lines = [
        f"negsim check {report.scenario} ({os.fspath(file)}): "
        f"{_plural(len(report.commitments), 'commitment')}, "
        f"{_plural(len(report.exclusions), 'exclusion')}",
        "",
        "Commitments (debtor -> creditor: antecedent >> consequent)",
    ]
    lines += _commitment_lines(report.commitments) or [_INDENT + "(none)"]
    lines.append("Exclusions (hold in every world)")
    lines += [line for x in report.exclusions for line in _wrap(x, _INDENT)] or [_INDENT + "(none)"]
    lines.append("")
    groups = (
        f"{_plural(c.commitments, 'commitment')} in "
        f"{_plural(c.groups, 'independent group')}, {c.distinct_groups} distinct"
    )
    if c.consistent:
        lines += _wrap(
            f"Consistency: consistent ({groups}): in every world the exclusions allow, the "
            "commitments detached there can all be honoured together.",
            "",
        )
    else:
        found = _plural(len(c.conflicts), "conflict")
        lines.append(f"Consistency: INCONSISTENT ({groups}): {found}")
        for conflict in c.conflicts:
            lines.append(f"{_INDENT}conflict: {_ids(conflict.commitments)}")
            lines += _wrap(conflict.explanation, _INDENT * 2)
            lines += _wrap(f"clash world: {world_text(conflict.world)}", _INDENT * 2)
    if c.never_together:
        lines.append(f"{_INDENT}never detached together ({len(c.never_together)}):")
        for n in c.never_together:
            lines += _wrap(n.explanation, _INDENT * 2)
    lines.append("")
    if report.violations:
        lines.append(f"Reachable violations: {len(report.violations)}")
        for v in report.violations:
            lines.append(f"{_INDENT}violation: {_ids(v.commitments)}")
            lines += _wrap(v.explanation, _INDENT * 2)
            lines += _wrap(f"witness: {world_text(v.world)}", _INDENT * 2)
    else:
        lines.append("Reachable violations: none")
    if not report.violations_complete:
        lines += _wrap(
            "(the search for violations of three or more commitments stopped at its budget)",
            _INDENT,
        )
    e = report.entailment
    if e is not None:
        lines.append("")
        whose = f" of {e.debtor}" if e.debtor else ""
        answer = "yes" if e.verdict else "no"
        if e.vacuous:
            answer = "vacuously yes"
        lines += _wrap(f"Entailment: given {e.given}, is {e.obliged} obliged{whose}? {answer}", "")
        lines += _wrap(e.explanation, _INDENT)
    if report.rules:
        lines.append("")
        lines.append(
            "Decision rules at the scenario's values (a rule holds while its value is > 0; "
            "thresholds tightest first)"
        )
        lines += _rule_lines(report.rules, solved_only=solved_only)
    lines.append("")
    if report.conflicted:
        kinds = []
        if not c.consistent:
            kinds.append(_plural(len(c.conflicts), "conflict"))
        if report.violations:
            kinds.append(_plural(len(report.violations), "reachable violation"))
        lines.append(f"Result: {' and '.join(kinds)} found (exit {CONFLICT_EXIT})")
    else:
        lines.append("Result: no conflict, no reachable violation (exit 0)")
    return lines
