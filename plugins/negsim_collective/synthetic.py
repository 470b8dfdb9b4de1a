"""Synthetic collective-defence scenarios of any size, for experiments and benchmarks.

>>> from negsim.scenario import scenario_from_dict
>>> scenario = scenario_from_dict(collective_crisis(8))
>>> len(scenario.agents), len(scenario.commitments)
(9, 56)
>>> [a.capabilities.distance_km for a in scenario.agents[:5]]
[0.0, 0.0, 0.0, 500.0, 1000.0]
>>> scenario.world_params["ceasefire_rounds"]
5
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
    ceasefire_rounds: int = 5,
    challenger: dict[str, Any] | None = None,
    distances: Sequence[float] | None = None,
    templated: bool = False,
) -> dict[str, Any]:
    """Scenario data of a challenger against a consensus alliance of ``members`` states.

    Load it with :func:`negsim.scenario.scenario_from_dict`.

    The challenger ``CHL`` (``wedge`` doctrine, conventional power 100, 100 warheads)
    borders the theatre. Member ``M000`` is the frontline target, in the theatre
    (``distance_km = 0``); every other member stands ``distances`` away, so its forces
    arrive ``ceil(distance_km / deploy_km_per_day)`` days after it responds (at once, in
    one day or in two with the default distances and the world's 500 km a day).
    ``M001`` hosts 1,000 troops of ``M002``, and the crisis world stages all of
    ``M002``'s power there: a rear-area host whose access the challenger can try to
    deny. Powers are equal
    shares of 150 (the alliance together has 1.5 times the challenger's power), so the
    alliance's total does not depend on its size.

    Args:
        members: How many members (at least 3).
        perceptions: Each member's threat perception, cycled over the members; all 0.5
            when ``None``.
        silence_procedure: Whether the alliance decides by silence procedure.
        decision_deadline: Rounds a proposal stays open.
        pairwise: One Art. 5 commitment per ordered pair of members (``n*(n-1)``);
            otherwise one per member to the target only.
        max_rounds: The last round.
        ceasefire_rounds: Days the challenger must hold the grabbed ground in full, with
            no counter-offensive arrived, before the line freezes (a fait accompli).
        challenger: Extra parameters of the ``wedge`` challenger ``CHL``.
        distances: Each member's distance to the theatre in km, cycled over the members
            after the target (``M001``, ``M002``, ...); 0, 500 and 1,000 km when
            ``None`` (neighbours of the theatre, one day and two days away), so that the
            same shares of the alliance are near and far at any size.
        templated: With ``pairwise``, declare the Art. 5 commitments as one
            ``[[commitment_templates]]`` table over the alliance instead of listing them:
            the loaded scenario is the same, the file is a few hundred bytes instead of
            tens of megabytes at 512 members.

    Raises:
        ValueError: Fewer than 3 members, or a negative distance.
    """
    if members < 3:
        raise ValueError(f"'members' must be >= 3: {members}")
    far = list(distances) if distances else [0.0, 500.0, 1000.0]
    if any(d < 0 for d in far):
        raise ValueError(f"'distances' must be >= 0: {far}")
    ids = [f"M{i:03d}" for i in range(members)]
    levels = list(perceptions) if perceptions else [0.5]
    agents: list[dict[str, Any]] = [
        {
            "id": "CHL",
            "name": "Challenger",
            "doctrine": "wedge",
            "capabilities": {"conventional": 100.0, "nuclear": 100, "distance_km": 0.0},
            "params": {"targets": ids[0], **(challenger or {})},
        }
    ]
    for i, mid in enumerate(ids):
        agent: dict[str, Any] = {
            "id": mid,
            "name": f"Member {i}",
            "doctrine": "collective",
            "capabilities": {
                "conventional": 150.0 / members,
                "distance_km": 0.0 if i == 0 else float(far[(i - 1) % len(far)]),
            },
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
        "world": {"params": {"challenger": "CHL", "ceasefire_rounds": ceasefire_rounds}},
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
        **_art5(pairs, templated=templated and pairwise),
    }


def _art5(pairs: Sequence[tuple[str, str]], *, templated: bool) -> dict[str, Any]:
    """The Art. 5 commitments of :func:`collective_crisis`, listed or as one template."""
    if templated:
        template = {
            "id": "art5-{debtor}-{creditor}",
            "for_each_pair": "ALLIANCE",
            "antecedent": "attacked({creditor})",
            "consequent": "responds({debtor},{creditor})",
            "deadline": 5,
            "source": "synthetic Art. 5",
        }
        return {"commitment_templates": [template]}
    return {
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
