"""The directions DOMAIN.md says a good simulator reproduces, as statistical tests.

Each test runs two arms of ``RUNS`` seeded runs (200 by default; set
``NEGSIM_VALIDATION_RUNS``) that differ in one parameter, and asserts the predicted
direction with a one-sided 99% lower confidence bound on the difference of
proportions (see ``_stats.py``), or, for a mean, with its own stated tolerance.
"""

from __future__ import annotations

import statistics

import pytest

from negsim.model import ActionKind, ActionTaken, DecisionReached, Outcome, Result
from negsim.scenario import scenario_from_dict
from negsim_collective.synthetic import collective_crisis

from ._stats import RUNS, assert_greater, load, runs, share

pytestmark = pytest.mark.slow


def _failed_defence(r: Result) -> bool:
    return r.outcome in (Outcome.FAIT_ACCOMPLI, Outcome.WEDGE_SUCCESS)


def _denied(host: str, user: str):
    return lambda r: f"denies_access({host},{user})" in r.world.facts


def _granted(host: str, user: str):
    return lambda r: f"grants_access({host},{user})" in r.world.facts


# -- consensus: size and heterogeneity -------------------------------------------------


def _consensus_arm(members: int, perceptions: list[float]) -> list[Result]:
    data = collective_crisis(
        members, perceptions=perceptions, challenger={"status_quo": -50.0, "coerce": False}
    )
    return runs(scenario_from_dict(data))


def test_more_members_under_consensus_more_faits_accomplis() -> None:
    """More members (same spread of threat perceptions) -> slower consensus -> more
    faits accomplis: 16 members vs 4."""
    spread = [0.9, 0.3, 0.6]
    small, large = _consensus_arm(4, spread), _consensus_arm(16, spread)
    assert_greater(
        share(large, _failed_defence),
        share(small, _failed_defence),
        "fait accompli, 16 vs 4 members",
    )


def test_heterogeneous_threat_perception_delays_consensus() -> None:
    """Heterogeneous threat perception (0.9/0.3/0.6) vs uniform (0.6) among 16 members:
    the decision comes later (mean delay at least 0.5 round longer) and faits accomplis
    are more frequent."""
    uniform, mixed = _consensus_arm(16, [0.6]), _consensus_arm(16, [0.9, 0.3, 0.6])

    def delays(results: list[Result]) -> list[float]:
        out = []
        for r in results:
            decided = [e.round for e in r.events if isinstance(e, DecisionReached)]
            if decided and r.metrics["attack_round"] > 0:
                out.append(decided[0] - r.metrics["attack_round"])
        return out

    d_uniform, d_mixed = delays(uniform), delays(mixed)
    assert len(d_uniform) > RUNS // 2
    assert len(d_mixed) > RUNS // 4
    assert statistics.fmean(d_mixed) - statistics.fmean(d_uniform) >= 0.5
    assert_greater(
        share(mixed, _failed_defence),
        share(uniform, _failed_defence),
        "fait accompli, heterogeneous vs uniform",
    )


# -- the rear-area host under nuclear threat -------------------------------------------


def test_credible_threat_makes_the_host_deny_access_more_often() -> None:
    """A credible nuclear threat against Japan (0.5 vs 0.1) -> Japan denies the U.S.
    access more often in a limited attack on the ROK (the DPRK is made to attack in
    both arms: status_quo = -50)."""
    base = ("agents.DPRK.params.status_quo=-50",)
    low = runs(load("korea_bilateral", *base, "agents.DPRK.params.threat_credibility=0.1"))
    high = runs(load("korea_bilateral", *base, "agents.DPRK.params.threat_credibility=0.5"))
    assert all(r.metrics["attacked"] == 1.0 for r in low + high)
    assert_greater(
        share(high, _denied("JPN", "USA")),
        share(low, _denied("JPN", "USA")),
        "access denied, credibility 0.5 vs 0.1",
    )


# -- the dilemma as a crossover ----------------------------------------------------------


def _deterred(r: Result) -> bool:
    return r.outcome is Outcome.DETERRED


def test_integration_deters_better_when_the_host_cannot_be_coerced() -> None:
    """With no credible threat against the host (credibility 0) and a resolute DPRK
    (value_gain 16), integration raises deterrence success."""
    settings = ("agents.DPRK.params.threat_credibility=0.0", "agents.DPRK.params.value_gain=16")
    bilateral = runs(load("korea_bilateral", *settings))
    integrated = runs(load("korea_integrated", *settings))
    assert_greater(
        share(integrated, _deterred),
        share(bilateral, _deterred),
        "deterred, integrated vs bilateral, host not coercible",
    )


def test_integration_collapses_more_completely_when_the_host_is_coerced() -> None:
    """With a credible threat against the host (credibility 0.5), integration does
    worse: deterrence fails more often and the wedge succeeds more often than under
    bilateral alliances. With the test above, the dilemma is a crossover."""
    settings = ("agents.DPRK.params.threat_credibility=0.5",)
    bilateral = runs(load("korea_bilateral", *settings))
    integrated = runs(load("korea_integrated", *settings))
    assert_greater(
        share(bilateral, _deterred),
        share(integrated, _deterred),
        "deterred, bilateral vs integrated, host coerced",
    )

    def wedge(r: Result) -> bool:
        return r.outcome is Outcome.WEDGE_SUCCESS

    assert_greater(
        share(integrated, wedge),
        share(bilateral, wedge),
        "wedge success, integrated vs bilateral, host coerced",
    )


# -- the divider's modes and backfire ----------------------------------------------------


def test_divider_rewards_the_receptive_and_coerces_the_host() -> None:
    """With a reward budget, every offer goes to an ally hosting no patron forces and
    every threat to a rear-area host; a receptive ally (low stakes) takes the reward and
    breaks silence more often than a resolute one (stakes high)."""
    base = ("agents.RUS.params.reward_budget=4",)
    receptive = runs(load("baltic_nato", *base, "agents.HUN.params.stakes=2"), RUNS // 2)
    resolute = runs(load("baltic_nato", *base, "agents.HUN.params.stakes=12"), RUNS // 2)
    hosts = {"DEU", "POL", "ITA", "GBR", "EST", "LVA", "LTU"}
    for r in receptive:
        for e in r.events:
            if e.kind == "message" and e.message.sender == "RUS":
                to = set(e.message.recipients)
                if e.message.performative == "offer":
                    assert not to & hosts, e
                if e.message.performative == "threaten":
                    assert to <= hosts, e

    def hun_accepts(r: Result) -> bool:
        return any(
            e.kind == "message" and e.message.sender == "HUN" and e.message.performative == "accept"
            for e in r.events
        )

    assert_greater(
        share(receptive, hun_accepts),
        share(resolute, hun_accepts),
        "HUN accepts the reward, stakes 2 vs 12",
    )


def test_coercion_backfires() -> None:
    """A backfire coefficient raises the coerced host's cohesion: Japan grants access
    more often with backfire 8 than 0 under a credible threat (0.4), DPRK attacking."""
    base = ("agents.DPRK.params.status_quo=-50", "agents.DPRK.params.threat_credibility=0.4")
    plain = runs(load("korea_bilateral", *base, "agents.JPN.params.backfire=0"))
    backfire = runs(load("korea_bilateral", *base, "agents.JPN.params.backfire=8"))
    assert_greater(
        share(backfire, _granted("JPN", "USA")),
        share(plain, _granted("JPN", "USA")),
        "access granted, backfire 8 vs 0",
    )


# -- stability-instability ---------------------------------------------------------------


def test_survivable_arsenal_shifts_to_limited_probes() -> None:
    """A survivable arsenal (0.95 vs 0) shifts the DPRK from large attacks to limited
    probes: among runs with an attack, the share of attacks of magnitude < 1 rises."""

    def limited(r: Result) -> bool:
        sizes = [
            e.action.magnitude
            for e in r.events
            if isinstance(e, ActionTaken) and e.action.kind is ActionKind.ATTACK
        ]
        return bool(sizes) and sizes[0] < 1.0

    base = ("agents.DPRK.params.status_quo=-50",)
    exposed = runs(load("korea_bilateral", *base, "agents.DPRK.params.survivable=0"))
    survivable = runs(load("korea_bilateral", *base, "agents.DPRK.params.survivable=0.95"))
    assert_greater(
        share(survivable, limited), share(exposed, limited), "limited probes, survivable 0.95 vs 0"
    )


# -- audience costs ----------------------------------------------------------------------


def test_audience_costs_lower_defection_as_the_crisis_lengthens() -> None:
    """With audience costs (alpha = 1.5 per round), a host that decides later (after 4
    rounds of consultation rather than 1) denies access less often; without audience
    costs the delay does not lower denials (not asserted: a control, printed)."""
    base = (
        "agents.DPRK.params.status_quo=-50",
        "agents.DPRK.params.threat_credibility=0.4",
        "agents.JPN.params.audience_cost=1.5",
    )
    early = runs(load("korea_bilateral", *base, "agents.JPN.params.consultation_rounds=0"))
    late = runs(load("korea_bilateral", *base, "agents.JPN.params.consultation_rounds=4"))
    assert_greater(
        share(early, _denied("JPN", "USA")),
        share(late, _denied("JPN", "USA")),
        "access denied, decided early vs late, audience costs",
    )


# -- targeting -------------------------------------------------------------------------


def test_adversary_targets_the_least_committed_member() -> None:
    """Three frontline candidates; partners' Art. 5 commitments cover all three, except
    that half the members make none to M002. The challenger picks M002 most often."""
    data = collective_crisis(
        8, perceptions=[0.8], challenger={"status_quo": -50.0, "coerce": False}
    )
    data["agents"][0]["params"]["targets"] = "M000,M002,M003"
    data["commitments"] = [
        c
        for c in data["commitments"]
        if not (c["creditor"] == "M002" and int(c["debtor"][1:]) % 2 == 1)
    ]
    results = runs(scenario_from_dict(data))

    def target(name: str):
        return lambda r: f"attacked({name})" in r.world.facts

    for other in ("M000", "M003"):
        assert_greater(
            share(results, target("M002")),
            share(results, target(other)),
            f"targeted M002 vs {other}",
        )


# -- quasi-alliance --------------------------------------------------------------------


def test_symmetric_fear_of_abandonment_raises_spoke_cooperation() -> None:
    """Cha's quasi-alliance: Japan grants access more often when its fear of abandonment
    and the ROK's are symmetric (0.8/0.8) than when the ROK's is low (0.8/0.1), and less
    often when their threat perceptions diverge (0.6/0.6 vs 0.1/0.9)."""
    base = (
        "agents.DPRK.params.status_quo=-50",
        "agents.DPRK.params.threat_credibility=0.35",
        "agents.JPN.params.quasi_weight=8",
        "agents.JPN.params.history=0",
    )
    sym = runs(
        load(
            "korea_bilateral",
            *base,
            "agents.JPN.params.fear_abandonment=0.8",
            "agents.ROK.params.fear_abandonment=0.8",
        )
    )
    asym = runs(
        load(
            "korea_bilateral",
            *base,
            "agents.JPN.params.fear_abandonment=0.8",
            "agents.ROK.params.fear_abandonment=0.1",
        )
    )
    assert_greater(
        share(sym, _granted("JPN", "USA")),
        share(asym, _granted("JPN", "USA")),
        "access granted, symmetric vs asymmetric fear",
    )
    fear = ("agents.JPN.params.fear_abandonment=0.8", "agents.ROK.params.fear_abandonment=0.8")
    aligned = runs(
        load(
            "korea_bilateral",
            *base,
            *fear,
            "agents.JPN.params.threat_perception=0.6",
            "agents.ROK.params.threat_perception=0.6",
        )
    )
    diverged = runs(
        load(
            "korea_bilateral",
            *base,
            *fear,
            "agents.JPN.params.threat_perception=0.1",
            "agents.ROK.params.threat_perception=0.9",
        )
    )
    assert_greater(
        share(aligned, _granted("JPN", "USA")),
        share(diverged, _granted("JPN", "USA")),
        "access granted, aligned vs diverging threat perception",
    )
