"""``check_scenario``: every commitment and credibility check of a scenario, in one report."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

from negsim.analysis._commitments import DEFAULT_BUDGET, Analysis
from negsim.analysis._results import Report
from negsim.analysis._thresholds import thresholds
from negsim.engine._guard import Guard, Overtime
from negsim.errors import Problem, ScenarioError, TimeLimitError
from negsim.logic import Prop, atoms, parse, parse_shape
from negsim.model import Limits, Scenario
from negsim.plugins import PluginRegistry

__all__ = ["check_scenario"]


def check_scenario(
    scenario: Scenario,
    registry: PluginRegistry | None = None,
    *,
    given: str | Prop | None = None,
    obliged: str | Prop | None = None,
    debtor: str | None = None,
    params: Iterable[str] = (),
    rules: bool = True,
    budget: int = DEFAULT_BUDGET,
    limits: Limits | None = None,
) -> Report:
    """Check a scenario's commitments and its agents' decision rules.

    Runs :func:`~negsim.analysis.check_consistency` and
    :func:`~negsim.analysis.reachable_violations` on the scenario's commitments and
    exclusions (sharing one cache), :func:`~negsim.analysis.entails` when ``obliged`` is
    given, and :func:`~negsim.analysis.thresholds` on its agents. This is what
    ``negsim check`` prints.

    Args:
        scenario: The scenario.
        registry: The plugins whose doctrines supply the decision rules; the installed
            ones by default.
        given: The condition of the entailment question (``true`` when only ``obliged``
            is given).
        obliged: The proposition of the entailment question; ``None`` to ask none.
        debtor: The state the entailment question is about, if any.
        params: The parameters to solve the rules for (default: each agent's numeric
            parameters that its rules use).
        rules: Whether to report the decision rules and thresholds at all.
        budget: The search budget for violations of three or more commitments.
        limits: ``check_atoms``, the most distinct facts one proposition may name
            (the symbolic checks' cost doubles with each), and ``check_seconds``, the
            time the checks may take; the defaults (:class:`negsim.Limits`) when ``None``.

    Returns:
        The report.

    Raises:
        negsim.errors.ScenarioError: A proposition does not parse, names more facts
            than ``check_atoms``, or the exclusions contradict each other.
        negsim.errors.TimeLimitError: The checks took longer than ``check_seconds``;
            the message says which checks finished.
        negsim.errors.PluginError: A doctrine's :hook:`negsim_decision_rules` misbehaved.

    Example:
        >>> import negsim
        >>> from negsim.analysis import check_scenario
        >>> scenario = negsim.load_scenario("examples/scenarios/korea_bilateral.toml")
        >>> report = check_scenario(scenario, given="attacked(ROK)",
        ...                         obliged="responds(USA,ROK)", rules=False)
        >>> report.conflicted, report.consistency.conflict.commitments
        (True, ('jpn-complies', 'jpn-us-art6'))
        >>> report.entailment.verdict, report.entailment.because
        (True, ('us-rok-art3',))
    """
    limits = limits or Limits()
    _check_sizes(scenario, limits, {"--given": given, "--obliged": obliged})
    guard = Guard(Limits(run_seconds=limits.check_seconds, decision_seconds=0))
    finished: list[str] = []
    step = "set-up"
    guard.on()
    try:
        analysis = Analysis(scenario.commitments, scenario.exclusions, budget=budget)
        step = "consistency"
        consistency = analysis.consistency()
        finished.append(
            "consistency (" + ("a conflict" if consistency.conflict else "no conflict") + ")"
        )
        step = "violations"
        violations, complete = analysis.violations()
        finished.append(f"violations ({len(violations)} found)")
        entailment = None
        if obliged is not None:
            step = "entailment"
            entailment = analysis.entails("true" if given is None else given, obliged, debtor)
            finished.append(f"entailment ({'yes' if entailment.verdict else 'no'})")
        step = "decision rules"
        found_rules = thresholds(scenario, registry, params=params) if rules else ()
    except Overtime:
        raise TimeLimitError(
            "check_seconds",
            float(limits.check_seconds),
            0,
            detail=(f"stopped in the {step} check; finished: {', '.join(finished) or 'nothing'}"),
        ) from None
    finally:
        guard.off()
    if guard.run_over():
        raise TimeLimitError(
            "check_seconds",
            float(limits.check_seconds),
            0,
            detail=f"finished: {', '.join(finished)}",
        )
    return Report(
        scenario=scenario.name,
        commitments=analysis.formulas(),
        exclusions=scenario.exclusions,
        consistency=consistency,
        violations=violations,
        entailment=entailment,
        rules=found_rules,
        violations_complete=complete,
    )


def _where(kind: str, key: str | int) -> str:
    """The path of a proposition :func:`_check_sizes` looks at."""
    if kind == "exclusion":
        return f"world.exclusions[{key}]"
    if kind == "option":
        return str(key)
    return f"commitments[{key}].{kind}"


def _check_sizes(
    scenario: Scenario, limits: Limits, questions: dict[str, str | Prop | None]
) -> None:
    """Refuse propositions naming more distinct facts than ``check_atoms``, before sympy."""

    def texts() -> Iterator[tuple[str, str | int, str | Prop]]:
        """(kind, key, text); the path is spelt out only for a text that is refused."""
        for c in scenario.commitments:
            yield "antecedent", c.id, c.antecedent
            yield "consequent", c.id, c.consequent
        yield from (("exclusion", i, x) for i, x in enumerate(scenario.exclusions))
        yield from (("option", o, q) for o, q in questions.items() if q is not None)

    problems = []
    count = functools.lru_cache(maxsize=4096)(_count)  # texts repeat (``attacked(EST)``)
    short = 2 * limits.check_atoms  # text this short is surely under the limit (_count)
    for kind, key, text in texts():
        if limits.check_atoms and type(text) is str and len(text) <= short:
            continue  # what _count says, without its cache's look-up
        n = count(text, limits)
        if limits.exceeded("check_atoms", n):
            problems.append(
                Problem(
                    _where(kind, key),
                    f"names {n} distinct facts, more than the limit check_atoms="
                    f"{limits.check_atoms} of the symbolic checks (their cost doubles with "
                    f"each fact); {limits.hint('check_atoms')}",
                )
            )
    if problems:
        raise ScenarioError(scenario.name, problems)


def _count(text: str | Prop, limits: Limits) -> int:
    """How many distinct facts a proposition names, or 0 when it is surely under the limit.

    Surely under: ``k`` atoms take at least ``2k - 1`` characters (a name each, and an
    operator between two), so text of at most twice the limit's length is under it.
    Else by shape: a shape names at least as many distinct facts as any text of that
    shape (filling its slots can only make atoms equal), and each shape is parsed once.
    """
    limit = limits.check_atoms
    if not limit or (isinstance(text, str) and len(text) <= 2 * limit):
        return 0
    if isinstance(text, str):
        shaped = parse_shape(text)
        if shaped is not None and not limits.exceeded("check_atoms", len(atoms(shaped[0]))):
            return 0
        return len(atoms(parse(text)))
    return len(atoms(text))
