"""Synthetic collective-defence scenarios of any size, for experiments and benchmarks.

>>> from negsim.scenario import scenario_from_dict
>>> scenario = scenario_from_dict(collective_crisis(8))
>>> len(scenario.agents), len(scenario.commitments)
(9, 56)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["collective_crisis"]


def collective_crisis(
    members: int,
    *,
    perceptions: Sequence[float] | None = None,
    silence_procedure: bool = False,
    decision_deadline: int = 8,
    pairwise: bool = True,
    max_rounds: int = 20,
    consolidation_rounds: int = 6,
    challenger: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Scenario data of a challenger against a consensus alliance of ``members`` states.

    Load it with :func:`negsim.scenario.scenario_from_dict`.

    Member ``M000`` is the frontline target; ``M001`` hosts the forces of ``M002`` (a
    rear-area host). Powers are equal shares of 100 so the alliance's total does not
    depend on its size.

    Args:
        members: How many members (at least 3).
        perceptions: Each member's threat perception, cycled over the members; all 0.5
            when ``None``.
        silence_procedure: Whether the alliance decides by silence procedure.
        decision_deadline: Rounds a proposal stays open.
        pairwise: One Art. 5 commitment per ordered pair of members (``n*(n-1)``);
            otherwise one per member to the target only.
        max_rounds: The last round.
        consolidation_rounds: Rounds before a grab is consolidated.
        challenger: Extra parameters of the ``wedge`` challenger ``CHL``.

    Raises:
        ValueError: Fewer than 3 members.
    """
    if members < 3:
        raise ValueError(f"'members' must be >= 3: {members}")
    ids = [f"M{i:03d}" for i in range(members)]
    levels = list(perceptions) if perceptions else [0.5]
    agents: list[dict[str, Any]] = [
        {
            "id": "CHL",
            "name": "Challenger",
            "doctrine": "wedge",
            "capabilities": {"conventional": 100.0, "nuclear": 100},
            "params": {"targets": ids[0], **(challenger or {})},
        }
    ]
    for i, mid in enumerate(ids):
        agent: dict[str, Any] = {
            "id": mid,
            "name": f"Member {i}",
            "doctrine": "collective",
            "capabilities": {"conventional": 150.0 / members},
            "params": {"threat_perception": levels[i % len(levels)]},
        }
        if i == 1:
            agent["capabilities"]["forces_hosted"] = {ids[2]: 1000.0}
        agents.append(agent)
    pairs = (
        [(d, c) for d in ids for c in ids if d != c] if pairwise else [(d, ids[0]) for d in ids[1:]]
    )
    return {
        "scenario": {"name": f"collective-{members}", "max_rounds": max_rounds, "seed": 0},
        "world": {"params": {"challenger": "CHL", "consolidation_rounds": consolidation_rounds}},
        "agents": agents,
        "alliances": [
            {
                "id": "ALLIANCE",
                "name": f"Collective alliance of {members}",
                "kind": "collective",
                "members": ids,
                "decision_rule": "consensus",
                "silence_procedure": silence_procedure,
                "decision_deadline": decision_deadline,
            }
        ],
        "commitments": [
            {
                "id": f"art5-{d}-{c}",
                "debtor": d,
                "creditor": c,
                "antecedent": f"attacked({c})",
                "consequent": f"responds({d},{c})",
                "deadline": 5,
                "source": "synthetic Art. 5",
            }
            for d, c in pairs
        ],
    }
