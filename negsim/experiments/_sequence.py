"""``simulate_sequence``: crises one after another, each one's record public in the next.

Weisiger & Yarhi-Milo, IO 2015: states that backed down are challenged more often
later; beliefs carry over between crises. A sequence runs a scenario several times in
a row; after each crisis, which states honoured or failed the commitments whose casus
foederis arrived (:func:`honour_record`) is added to their public record
(:class:`negsim.model.HonourRecord`) for the next crisis, as overrides of
``agents.<id>.record`` (:func:`with_record`), so each result's provenance says what its
scenario carried over. Doctrines that read records (the ``wedge`` doctrine, through
its ``record_weight``) start the next crisis from priors moved by it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from negsim._api import simulate
from negsim.engine import derive_seed
from negsim.model import CommitmentState, HonourRecord, Result, Scenario
from negsim.plugins import PluginRegistry
from negsim.scenario import Override, apply_overrides

__all__ = ["honour_record", "simulate_sequence", "with_record"]


_SETTLED = (CommitmentState.DISCHARGED, CommitmentState.VIOLATED)


def honour_record(result: Result, scenario: Scenario) -> dict[str, HonourRecord]:
    """The case of honouring a run of ``scenario`` adds to each state's record, by id.

    A state's casus foederis arrived in the run when one of its commitments to a state
    it shares an alliance with (a treaty article or a pledge made during the run;
    standing grants are not cases) detached and was then discharged or violated. The
    run is then one case on its record, as a dispute is one observation of whether a
    state backed down (Weisiger & Yarhi-Milo, IO 2015): failed if it violated any such
    commitment, honoured otherwise. A commitment still detached when the run ended
    decides nothing, and one owed outside its alliances (a concession to the
    challenger) is no case.

    Args:
        result: A finished run.
        scenario: The scenario it ran (for its alliances).

    Returns:
        One record of one case per state whose casus foederis arrived, sorted by id.
    """
    allied = {(a, b) for al in scenario.alliances for a in al.members for b in al.members if a != b}
    failed: dict[str, bool] = {}
    for c in result.commitments:
        if c.standing or c.state not in _SETTLED or (c.debtor, c.creditor) not in allied:
            continue
        failed[c.debtor] = failed.get(c.debtor, False) or c.state is CommitmentState.VIOLATED
    return {
        debtor: HonourRecord(failed=1) if broke else HonourRecord(honoured=1)
        for debtor, broke in sorted(failed.items())
    }


def with_record(
    scenario: Scenario,
    cases: Mapping[str, HonourRecord],
    *,
    registry: PluginRegistry | None = None,
) -> Scenario:
    """``scenario`` with ``cases`` added to its states' public records.

    A pure transformation of the data: the new records are set by overrides
    (``agents.USA.record.failed=1``), so the scenario's
    :attr:`~negsim.Scenario.overrides`, and the provenance of a run of it, record them.

    Args:
        scenario: The scenario of the crisis that just ended.
        cases: The cases to add, by state id (:func:`honour_record`).
        registry: The plugins to check the scenario against; the installed ones when
            ``None``.

    Returns:
        The scenario for the next crisis (``scenario`` itself when there are no cases).

    >>> import negsim
    >>> korea = negsim.load_scenario("examples/scenarios/korea_bilateral.toml")
    >>> later = with_record(korea, {"USA": HonourRecord(failed=1)})
    >>> later.overrides
    ('agents.USA.record.honoured=0', 'agents.USA.record.failed=1')
    """
    overrides: list[Override] = []
    for agent in scenario.agents:
        added = cases.get(agent.id)
        if added is None or not added.cases:
            continue
        total = (agent.record or HonourRecord()) + added
        path = f"agents.{agent.id}.record"
        overrides += [(f"{path}.honoured", total.honoured), (f"{path}.failed", total.failed)]
    return apply_overrides(scenario, overrides, registry=registry)


def simulate_sequence(
    scenario: Scenario,
    *,
    crises: int = 2,
    seed: int | None = None,
    overrides: Iterable[Override | str] = (),
    registry: PluginRegistry | None = None,
) -> list[Result]:
    """Run ``crises`` crises of ``scenario`` in a row, each one's record public in the next.

    After each crisis, :func:`honour_record` of its result is added to the states'
    public records (:func:`with_record`) for the next one. Nothing else carries over:
    each crisis draws its types, resolve and chance afresh, with the seed ``seed`` for
    the first (so it is the run :func:`negsim.simulate` gives) and
    ``derive_seed(seed, "crisis", k)`` for crisis ``k`` (from 1), so a state's behaviour
    in one crisis can reach the next only through what others believe.

    Args:
        scenario: From :func:`negsim.load_scenario` or built in code.
        crises: How many crises (>= 1).
        seed: The first crisis's seed; the scenario's when ``None``.
        overrides: ``"PATH=VALUE"`` strings applied to a copy of the scenario first.
        registry: The plugins to use; the installed ones when ``None``.

    Returns:
        The crises' results, in order; each one's provenance lists the record
        overrides its scenario carried.

    Raises:
        ValueError: ``crises`` is below 1.
        negsim.errors.ScenarioError: An override is invalid.

    Example:
        >>> import negsim
        >>> korea = negsim.load_scenario("examples/scenarios/korea_bilateral.toml")
        >>> first, second = negsim.simulate_sequence(korea, crises=2, seed=4)
        >>> first.events == negsim.simulate(korea, seed=4).events
        True
        >>> second.provenance.overrides
        ('agents.USA.record.honoured=1', 'agents.USA.record.failed=0')
    """
    if crises < 1:
        raise ValueError(f"crises must be >= 1: {crises}")
    scenario = apply_overrides(scenario, overrides, registry=registry)
    first = scenario.seed if seed is None else seed
    results: list[Result] = []
    for k in range(crises):
        crisis_seed = first if k == 0 else derive_seed(first, "crisis", k)
        result = simulate(scenario, seed=crisis_seed, registry=registry)
        results.append(result)
        if k + 1 < crises:
            scenario = with_record(scenario, honour_record(result, scenario), registry=registry)
    return results
