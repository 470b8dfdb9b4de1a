"""Bargaining in war: an armistice offered under private information (Fearon, IO 1995).

The Korea flagship under bilateral planning, with the armistice negotiation a scenario
declares to let the attacker offer one (``docs/explanation/world-rules``): the DPRK,
once it has attacked, demands a share of the contested ground; the ROK accepts while
the share is below the chance the grab stands plus its cost of fighting on over what
the ground is worth to it. The DPRK's status quo is made bad enough that it attacks in
every run (it still chooses its size and threats), so every run has a war to settle.
``RUNS`` seeds per arm (200 by default).
"""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from negsim.model import MessageSent, NegotiationEnded, Outcome, Result
from negsim.scenario import scenario_from_dict

from ._stats import RUNS, SCENARIOS, assert_mean_greater, assert_mean_vanishes, runs

pytestmark = pytest.mark.slow

ARMISTICE = {
    "id": "armistice",
    "protocol": "alternating_offers",
    "parties": ["DPRK", "ROK"],
    "opens_on": "attacked(ROK)",
    "deadline": 20,
    "params": {"counter_offers": False},
    "issues": [{"name": "keep", "kind": "continuous", "low": 0.0, "high": 1.0}],
}
"""The armistice of the docs' example: take-it-or-leave-it, opened by the attack."""

PRIVATE = {"kind": "uniform", "param": "cost_war", "low": 0.0, "high": 8.0, "points": 9}
"""The ROK's cost of fighting on as its private type: the DPRK knows only this prior."""

PUBLIC = {
    "kind": "discrete",
    "types": [{"name": "known", "probability": 1.0, "params": {"cost_war": 4.0}}],
}
"""The same cost known to all: the prior's mean, as a single type."""


def _arm(
    prior: dict[str, Any], ground_value: float | None = None, *, counter_offers: bool = False
) -> list[Result]:
    """Runs with the armistice, the ROK's cost under ``prior``, and optionally the
    ground worth ``ground_value`` to the ROK (and known to the DPRK to be)."""
    data = tomllib.loads((SCENARIOS / "korea_bilateral.toml").read_text(encoding="utf-8"))
    data["negotiations"] = [{**ARMISTICE, "params": {"counter_offers": counter_offers}}]
    for agent in data["agents"]:
        if agent["id"] == "ROK":
            agent["prior"] = prior
            if ground_value is not None:
                agent["params"]["ground_value"] = ground_value
        if agent["id"] == "DPRK":
            agent["prior"]["mean"] = -60.0  # a status quo so bad that it attacks in every run
            if ground_value is not None:
                agent["params"]["est_ground_value"] = ground_value
    return runs(scenario_from_dict(data, source="korea_bilateral + armistice"))


def _kept(results: list[Result]) -> list[float]:
    """The share of the objective the attacker kept, in the runs an armistice ended."""
    return [
        r.metrics["armistice_keep"]
        for r in results
        if r.outcome == Outcome.SETTLEMENT and "armistice_keep" in r.metrics
    ]


def test_private_information_costs_the_attacker_ground() -> None:
    """An attacker unsure of the defender's cost of war demands less: the information
    rent of the bargaining model of war. Against a known cost it demands the most that
    cost accepts; against a prior it trades a risk of refusal against a better line.

    Placebo: make the ground worth so much to the ROK (and the DPRK know it) that no
    cost of war moves its answer: the types no longer differ in what they accept, and
    the rent vanishes (the two priors then give nearly the same runs, since the private
    type is the only thing the arms differ in and it hardly enters any decision).
    """
    private, public = _arm(PRIVATE), _arm(PUBLIC)
    kept_private, kept_public = _kept(private), _kept(public)
    assert 0.0 < len(kept_private) < RUNS, "the armistice is neither always nor never agreed"
    rent = assert_mean_greater(kept_public, kept_private, "ground kept, cost known vs private")
    placebo_private, placebo_public = _arm(PRIVATE, 1e4), _arm(PUBLIC, 1e4)
    assert_mean_vanishes(
        _kept(placebo_public), _kept(placebo_private), rent, "ground kept, cost irrelevant"
    )


def test_with_counter_offers_the_sides_bargain_while_they_fight() -> None:
    """With ``counter_offers`` the ROK answers a demand it refuses with the share the war
    would leave the DPRK as it reckons it, and the DPRK takes it when that is worth more
    than fighting on. A mechanism check over ``RUNS`` runs, not a direction: some wars end
    on the ROK's counter-offer, each below the DPRK's demand in that run; under
    take-it-or-leave-it none does."""

    def settled_on_counters(results: list[Result]) -> list[tuple[float, float]]:
        out = []
        for r in results:
            sent = [e.message for e in r.events_of(MessageSent) if isinstance(e, MessageSent)]
            demands = [
                float(m.terms["keep"])
                for m in sent
                if m.negotiation == "armistice" and m.sender == "DPRK" and m.terms
            ]
            for e in r.events_of(NegotiationEnded):
                if isinstance(e, NegotiationEnded) and e.agreed and e.note.startswith("DPRK"):
                    out.append((float(e.terms["keep"]), demands[-1]))
        return out

    bargaining = settled_on_counters(_arm(PRIVATE, counter_offers=True))
    assert bargaining, "no war ended on a counter-offer"
    assert all(counter < demand for counter, demand in bargaining), bargaining
    assert settled_on_counters(_arm(PRIVATE)) == []
