"""The frozen result objects of the commitment and credibility analyses.

Each has ``to_dict()``, giving plain JSON-ready data (``negsim check --json``). Worlds are
mappings from atom keys (``attacked(ROK)``) to truth values, sorted by key. A world lists
the atoms that bear on the result, with as few of them true as the result allows; the
atoms it does not mention do not matter (they may take any values the exclusions allow).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from negsim.logic import Implies, Threshold, parse
from negsim.model import FrozenMap, freeze

__all__ = [
    "CommitmentFormula",
    "Conflict",
    "Consistency",
    "Entailment",
    "NeverTogether",
    "Report",
    "RuleReport",
    "Violation",
]


def _world(value: Mapping[str, bool] | None) -> FrozenMap[str, bool]:
    return freeze(value or {})


def _optional_world(value: Mapping[str, bool] | None) -> FrozenMap[str, bool] | None:
    return None if value is None else freeze(value)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(value)


def _conflicts(value: Iterable[Conflict]) -> tuple[Conflict, ...]:
    return tuple(value)


def _never(value: Iterable[NeverTogether]) -> tuple[NeverTogether, ...]:
    return tuple(value)


def _violations(value: Iterable[Violation]) -> tuple[Violation, ...]:
    return tuple(value)


def _formulas(value: Iterable[CommitmentFormula]) -> tuple[CommitmentFormula, ...]:
    return tuple(value)


def _thresholds(value: Iterable[Threshold]) -> tuple[Threshold, ...]:
    return tuple(value)


def _rules(value: Iterable[RuleReport]) -> tuple[RuleReport, ...]:
    return tuple(value)


def world_text(world: Mapping[str, bool]) -> str:
    """Describe a world in one line: the atoms that hold, then those that do not.

    Args:
        world: Truth values by atom key.

    Returns:
        Text such as ``attacked(ROK), responds(USA,ROK) hold; attacked(JPN) does not``.
    """
    true = [key for key, value in world.items() if value]
    false = [key for key, value in world.items() if not value]
    parts = []
    if true:
        parts.append(f"{', '.join(true)} {'holds' if len(true) == 1 else 'hold'}")
    if false:
        parts.append(f"{', '.join(false)} {'does' if len(false) == 1 else 'do'} not")
    return "; ".join(parts) or "any world (no atom matters)"


@attrs.frozen
class CommitmentFormula:
    """A commitment as the analysis reads it: who owes whom, and its two propositions.

    Attributes:
        id: The commitment's id.
        debtor: Who owes.
        creditor: To whom.
        antecedent: The antecedent in canonical text; ``true`` for a detached commitment,
            whose consequent is owed now.
        consequent: The consequent in canonical text.
        source: The treaty article or message it comes from.
        state: Its lifecycle state (only ``conditional`` and ``detached`` commitments are
            analysed).
    """

    id: str
    debtor: str
    creditor: str
    antecedent: str
    consequent: str
    source: str = ""
    state: str = "conditional"

    @property
    def formula(self) -> str:
        """What honouring it means: ``antecedent >> consequent``."""
        return str(Implies(parse(self.antecedent), parse(self.consequent)))

    def to_dict(self) -> dict[str, Any]:
        """The commitment as JSON-ready data.

        Returns:
            Every attribute, plus ``formula``.
        """
        return attrs.asdict(self) | {"formula": self.formula}


@attrs.frozen
class _Clash:
    """What a conflict and a reachable violation both report (see their docstrings)."""

    commitments: tuple[str, ...] = attrs.field(converter=_strings)
    exclusions: tuple[str, ...] = attrs.field(converter=_strings)
    world: FrozenMap[str, bool] = attrs.field(converter=_world)
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: ``commitments``, ``exclusions``, ``world`` and ``explanation``."""
        return {
            "commitments": list(self.commitments),
            "exclusions": list(self.exclusions),
            "world": dict(self.world),
            "explanation": self.explanation,
        }


@attrs.frozen
class Conflict(_Clash):
    """A minimal set of commitments that can all detach together but not all be honoured.

    Attributes:
        commitments: The commitments' ids, sorted; no proper subset conflicts.
        exclusions: The exclusions (as written) the clash needs, minimal; empty when the
            commitments clash on their own.
        world: A world allowed by the exclusions in which every one of them has detached
            (all their antecedents hold).
        explanation: The clash in plain language.
    """


@attrs.frozen
class NeverTogether:
    """Two commitments whose antecedents cannot hold at once: they never detach together.

    Not a conflict, but worth knowing: a clause such as Kishi-Herter's "other than under
    Art. V" shows up here against Art. V itself.

    Attributes:
        commitments: The two ids, sorted (or one id, for a commitment whose antecedent can
            never hold under the exclusions: it never detaches at all).
        explanation: Why, in plain language.
    """

    commitments: tuple[str, ...] = attrs.field(converter=_strings)
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        """The pair as JSON-ready data.

        Returns:
            ``commitments`` and ``explanation``.
        """
        return {"commitments": list(self.commitments), "explanation": self.explanation}


@attrs.frozen
class Consistency:
    """The verdict on whether a set of commitments can be honoured together.

    A set is *consistent* when, in every world the exclusions allow, the commitments
    detached there can all be discharged together (see :func:`negsim.analysis.check_consistency`).

    Attributes:
        consistent: Whether no conflict exists.
        conflicts: One minimal conflict per independent group of commitments that has one,
            ordered by their first commitment id.
        never_together: Pairs of commitments that never detach together.
        commitments: How many commitments were analysed.
        groups: How many independent groups (connected by shared atoms) they form.
        distinct_groups: How many of those groups differ in shape; identical-shape groups
            are decided once.
    """

    consistent: bool
    conflicts: tuple[Conflict, ...] = attrs.field(converter=_conflicts)
    never_together: tuple[NeverTogether, ...] = attrs.field(converter=_never)
    commitments: int = 0
    groups: int = 0
    distinct_groups: int = 0

    @property
    def conflict(self) -> Conflict | None:
        """The first conflict, or ``None`` when consistent."""
        return self.conflicts[0] if self.conflicts else None

    def to_dict(self) -> dict[str, Any]:
        """The verdict as JSON-ready data.

        Returns:
            Every attribute, nested results as dicts.
        """
        return {
            "consistent": self.consistent,
            "conflicts": [c.to_dict() for c in self.conflicts],
            "never_together": [n.to_dict() for n in self.never_together],
            "commitments": self.commitments,
            "groups": self.groups,
            "distinct_groups": self.distinct_groups,
        }


@attrs.frozen
class Violation(_Clash):
    """Commitments that can all detach, after which one of them must be violated.

    Attributes:
        commitments: The ids, sorted: one commitment whose consequent can never hold, or
            two or more whose consequents cannot all hold together (none of its proper
            subsets is such a set).
        exclusions: The exclusions (as written) that make the consequents incompatible,
            minimal.
        world: A witnessing world allowed by the exclusions in which all of them have
            detached (every antecedent holds).
        explanation: The clash in plain language.
    """


@attrs.frozen
class Entailment:
    """Whether honouring the commitments obliges a proposition once another holds.

    Attributes:
        verdict: Whether ``obliged`` is obliged: it holds in every world allowed by the
            exclusions where ``given`` holds and every commitment is honoured (and, with a
            ``debtor``, only because of that debtor's commitments).
        given: The condition, in canonical text.
        obliged: The proposition asked about, in canonical text.
        debtor: The state asked about, if any.
        witness: When ``obliged`` does not follow, a world where ``given`` holds, every
            commitment is honoured and ``obliged`` fails; else ``None``.
        because: When it follows, a minimal set of commitment ids from which it follows
            (empty when the exclusions and ``given`` alone imply it).
        vacuous: ``given`` cannot hold while every commitment is honoured, so everything
            "follows"; the verdict is then true but says nothing.
        explanation: The answer in plain language.
    """

    verdict: bool
    given: str
    obliged: str
    debtor: str | None
    witness: FrozenMap[str, bool] | None = attrs.field(converter=_optional_world)
    because: tuple[str, ...] = attrs.field(converter=_strings)
    vacuous: bool = False
    explanation: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The answer as JSON-ready data.

        Returns:
            Every attribute; ``witness`` as a dict or ``None``.
        """
        return {
            "verdict": self.verdict,
            "given": self.given,
            "obliged": self.obliged,
            "debtor": self.debtor,
            "witness": None if self.witness is None else dict(self.witness),
            "because": list(self.because),
            "vacuous": self.vacuous,
            "explanation": self.explanation,
        }


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class RuleReport:
    """One of an agent's decision rules at the scenario's values, with its thresholds.

    Attributes:
        agent: The agent's id.
        doctrine: The doctrine that supplied the rule.
        rule: The rule's name.
        doc: What the rule decides, in plain language.
        source: The citation the rule rests on.
        value: The rule's expression at the scenario's values; the rule holds while > 0.
        thresholds: For each parameter examined, where the rule flips
            (:class:`negsim.logic.Threshold`), within the parameter's documented range.
        outside: Parameters whose threshold lies outside their documented range
            (:class:`negsim.ParamSpec` ``low``/``high``): within that range the rule's
            verdict does not change with them.
    """

    agent: str
    doctrine: str
    rule: str
    doc: str
    source: str
    value: float
    thresholds: tuple[Threshold, ...] = attrs.field(converter=_thresholds)
    outside: tuple[str, ...] = attrs.field(default=(), converter=_names)

    @property
    def holds(self) -> bool:
        """Whether the rule holds at the scenario's values."""
        return self.value > 0

    def to_dict(self) -> dict[str, Any]:
        """The rule's report as JSON-ready data.

        Returns:
            Every attribute plus ``holds``; each threshold with its attributes and its
            one-line ``description``.
        """
        return {
            "agent": self.agent,
            "doctrine": self.doctrine,
            "rule": self.rule,
            "doc": self.doc,
            "source": self.source,
            "value": self.value,
            "holds": self.holds,
            "thresholds": [
                attrs.asdict(t) | {"other_roots": list(t.other_roots), "description": t.describe()}
                for t in self.thresholds
            ],
            "outside": list(self.outside),
        }


@attrs.frozen
class Report:
    """Everything ``negsim check`` reports about a scenario.

    Attributes:
        scenario: The scenario's name.
        commitments: The commitments analysed, as formulas, sorted by id.
        exclusions: The world's exclusions, as written.
        consistency: Whether they can be honoured together.
        violations: Reachable violations, sorted by size, then ids.
        entailment: The answer to the entailment question, when one was asked.
        rules: The agents' decision rules with their thresholds, by agent id.
        violations_complete: ``False`` when the search for violations of three or more
            commitments stopped at its budget (pairs are always complete).
    """

    scenario: str
    commitments: tuple[CommitmentFormula, ...] = attrs.field(converter=_formulas)
    exclusions: tuple[str, ...] = attrs.field(converter=_strings)
    consistency: Consistency
    violations: tuple[Violation, ...] = attrs.field(converter=_violations)
    entailment: Entailment | None = None
    rules: tuple[RuleReport, ...] = attrs.field(default=(), converter=_rules)
    violations_complete: bool = True

    @property
    def conflicted(self) -> bool:
        """Whether a conflict or a reachable violation was found (``negsim check`` exits 3)."""
        return not self.consistency.consistent or bool(self.violations)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data.

        Returns:
            Every attribute, nested results as dicts, plus ``conflicted``.
        """
        return {
            "scenario": self.scenario,
            "conflicted": self.conflicted,
            "commitments": [c.to_dict() for c in self.commitments],
            "exclusions": list(self.exclusions),
            "consistency": self.consistency.to_dict(),
            "violations": [v.to_dict() for v in self.violations],
            "violations_complete": self.violations_complete,
            "entailment": None if self.entailment is None else self.entailment.to_dict(),
            "rules": [r.to_dict() for r in self.rules],
        }
