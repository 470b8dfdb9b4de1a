"""Commitment and credibility analysis: what a scenario's treaties demand, and when doctrines flip.

Static questions about a set of commitments and the world's exclusions (propositions that
hold in every world), answered with :func:`negsim.logic.satisfiable` (sympy's
satisfiability checker; this package builds propositions and never imports sympy itself).
A world is a truth value for every atom; a commitment is *honoured* in it when its
antecedent does not hold or its consequent does (``antecedent >> consequent``); a detached
commitment owes its consequent outright.

* :func:`check_consistency` — can the commitments be honoured together? In every world the
  exclusions allow, can the commitments detached there all be discharged at once? If not,
  a minimal conflicting subset, the world in which they clash, and why
  (:func:`minimal_conflict` returns just the first). Commitments whose antecedents can
  never hold together are reported apart: they never detach together.
* :func:`reachable_violations` — sets of commitments that can all detach although their
  consequents cannot all hold in any world: one of them is bound to be violated.
* :func:`entails` — "if the ROK is attacked, is Japan obliged to grant access?": does the
  proposition hold in every world where the condition holds and every commitment is
  honoured? A counter-world if not, the commitments it rests on if so.
* :func:`thresholds` — each agent's decision rules (:hook:`negsim_decision_rules`) at the
  scenario's values, solved for the value of each parameter at which they flip.
* :func:`check_scenario` — all of these for a scenario: what ``negsim check`` prints.

Commitments are split into groups connected by shared atoms (commitments that share no
atom cannot clash), every verdict is cached under the names of the commitments it is
about, and groups that are the same formulas up to a renaming of atoms are decided once,
so the 992 Art. 5 commitments of the Baltic scenario are checked in well under a second.
sympy is imported (by :mod:`negsim.logic`) only when a question needs it, never by
``import negsim.analysis``, and never in a simulation run.

>>> from negsim.analysis import entails
>>> from negsim.model import Commitment
>>> art6 = Commitment("art6", "JPN", "USA", "true", "~denies_access(JPN,USA)")
>>> exclusion = "~(grants_access(JPN,USA) & denies_access(JPN,USA))"
>>> answer = entails([art6], [exclusion], given="attacked(ROK)",
...                  obliged="grants_access(JPN,USA)")
>>> answer.verdict
False
>>> dict(answer.witness)
{'attacked(ROK)': True, 'denies_access(JPN,USA)': False, 'grants_access(JPN,USA)': False}
"""

from __future__ import annotations

from negsim.analysis._commitments import (
    check_consistency,
    entails,
    minimal_conflict,
    reachable_violations,
)
from negsim.analysis._report import check_scenario
from negsim.analysis._results import (
    CommitmentFormula,
    Conflict,
    Consistency,
    Entailment,
    NeverTogether,
    Report,
    RuleReport,
    Violation,
)
from negsim.analysis._thresholds import thresholds

__all__ = [
    "CommitmentFormula",
    "Conflict",
    "Consistency",
    "Entailment",
    "NeverTogether",
    "Report",
    "RuleReport",
    "Violation",
    "check_consistency",
    "check_scenario",
    "entails",
    "minimal_conflict",
    "reachable_violations",
    "thresholds",
]

# Document and show the public names where users import them from.
for _public in (
    CommitmentFormula,
    Conflict,
    Consistency,
    Entailment,
    NeverTogether,
    Report,
    RuleReport,
    Violation,
    check_consistency,
    check_scenario,
    entails,
    minimal_conflict,
    reachable_violations,
    thresholds,
):
    _public.__module__ = __name__
del _public
