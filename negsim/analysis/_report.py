"""``check_scenario``: every commitment and credibility check of a scenario, in one report."""

from __future__ import annotations

from collections.abc import Iterable

from negsim.analysis._commitments import DEFAULT_BUDGET, Analysis
from negsim.analysis._results import Report
from negsim.analysis._thresholds import thresholds
from negsim.logic import Prop
from negsim.model import Scenario
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

    Returns:
        The report.

    Raises:
        negsim.errors.ScenarioError: A proposition does not parse, or the exclusions
            contradict each other.
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
    analysis = Analysis(scenario.commitments, scenario.exclusions, budget=budget)
    consistency = analysis.consistency()
    violations, complete = analysis.violations()
    entailment = None
    if obliged is not None:
        entailment = analysis.entails("true" if given is None else given, obliged, debtor)
    return Report(
        scenario=scenario.name,
        commitments=analysis.formulas(),
        exclusions=scenario.exclusions,
        consistency=consistency,
        violations=violations,
        entailment=entailment,
        rules=thresholds(scenario, registry, params=params) if rules else (),
        violations_complete=complete,
    )
