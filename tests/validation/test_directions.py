"""The directions a good simulator of alliance crises reproduces, each with its placebo.

Each test runs arms of ``RUNS`` seeded runs (200 by default; set
``NEGSIM_VALIDATION_RUNS``) that differ in one thing, asserts the predicted direction
with a one-sided 99% lower confidence bound on the difference of proportions (see
``_stats.py``), then switches off the mechanism said to cause it and asserts that the
effect vanishes (:func:`_stats.assert_vanishes`: not significant at 99%, and at most
half the size). Nothing here forces an outcome: where an arm makes the challenger
attack, it does so by making the status quo bad for it (its private type's prior),
and it still chooses its target, size and threats.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

import pytest

from negsim.model import ActionKind, ActionTaken, DecisionReached, HonourDecided, Outcome, Result
from negsim.scenario import scenario_from_dict
from negsim_collective.synthetic import collective_crisis

from ._stats import RUNS, assert_greater, assert_vanishes, load, runs, share

pytestmark = pytest.mark.slow

DESPERATE = ("agents.DPRK.prior.mean=-60",)
"""The DPRK's status quo so bad that it attacks in every run (it still chooses how)."""

RESOLUTE_JAPAN = (
    "agents.JPN.prior.types.resolute.probability=1.0",
    "agents.JPN.prior.types.middling.probability=0.0",
    "agents.JPN.prior.types.wavering.probability=0.0",
)
"""Japan known to be of the resolute type: a host the DPRK cannot expect to split off."""

IMMUNE_JAPAN = ("agents.JPN.params.cost_strike=0", "agents.JPN.params.cost_nuclear=0")
"""A Japan to which no threat carried out costs anything: coercion cannot work on it."""


def _failed_defence(r: Result) -> bool:
    return r.outcome in (Outcome.FAIT_ACCOMPLI, Outcome.WEDGE_SUCCESS)


def _deterred(r: Result) -> bool:
    return r.outcome is Outcome.DETERRED


def _denied(host: str, user: str):
    return lambda r: f"denies_access({host},{user})" in r.world.facts


def _granted(host: str, user: str):
    return lambda r: f"grants_access({host},{user})" in r.world.facts


def _bilateral(event: Callable[[Result], bool], *overrides: str) -> tuple[float, int]:
    """The share of runs of ``korea_bilateral`` under ``overrides`` where ``event`` holds."""
    return share(runs(load("korea_bilateral", *overrides)), event)


def _korea(*overrides: str) -> tuple[list[Result], list[Result]]:
    """Bilateral and integrated arms under the same overrides."""
    return runs(load("korea_bilateral", *overrides)), runs(load("korea_integrated", *overrides))


# -- consensus: size and heterogeneity -------------------------------------------------


def _consensus_arm(members: int, perceptions: list[float], **member: Any) -> list[Result]:
    data = collective_crisis(
        members, perceptions=perceptions, challenger={"status_quo": -60.0, "coerce": False}
    )
    for agent in data["agents"][1:]:
        agent["params"].update(member)
    return runs(scenario_from_dict(data))


def test_more_members_under_consensus_more_faits_accomplis() -> None:
    """More members (same spread of threat perceptions) -> slower consensus -> more
    faits accomplis: 16 members vs 4. Placebo: members that consent at once
    (``max_deliberation = 0``) remove the effect."""
    spread = [0.9, 0.3, 0.6]
    small, large = _consensus_arm(4, spread), _consensus_arm(16, spread)
    effect = (share(large, _failed_defence), share(small, _failed_defence))
    assert_greater(*effect, "fait accompli, 16 vs 4 members")
    quick = {"max_deliberation": 0}
    placebo = (
        share(_consensus_arm(16, spread, **quick), _failed_defence),
        share(_consensus_arm(4, spread, **quick), _failed_defence),
    )
    assert_vanishes(placebo, effect, "fait accompli, 16 vs 4 members, instant consent")


def test_heterogeneous_threat_perception_delays_consensus() -> None:
    """Heterogeneous threat perception (0.9/0.3/0.6) vs uniform (0.9) among 16 members:
    the decision comes later (mean delay at least 0.5 day longer) and faits accomplis
    are more frequent. Placebo: instant consent removes the effect."""
    uniform, mixed = _consensus_arm(16, [0.9]), _consensus_arm(16, [0.9, 0.3, 0.6])

    def delays(results: list[Result]) -> list[float]:
        out = []
        for r in results:
            decided = [e.round for e in r.events if isinstance(e, DecisionReached)]
            if decided and r.metrics["attacked"]:
                out.append(decided[0] - r.metrics["attack_round"])
        return out

    d_uniform, d_mixed = delays(uniform), delays(mixed)
    assert len(d_uniform) > RUNS // 4
    assert len(d_mixed) > RUNS // 4
    assert statistics.fmean(d_mixed) - statistics.fmean(d_uniform) >= 0.5
    effect = (share(mixed, _failed_defence), share(uniform, _failed_defence))
    assert_greater(*effect, "fait accompli, heterogeneous vs uniform")
    quick = {"max_deliberation": 0}
    placebo = (
        share(_consensus_arm(16, [0.9, 0.3, 0.6], **quick), _failed_defence),
        share(_consensus_arm(16, [0.9], **quick), _failed_defence),
    )
    assert_vanishes(placebo, effect, "fait accompli, heterogeneous vs uniform, instant consent")


# -- the rear-area host under nuclear threat -------------------------------------------


def test_a_credible_threat_makes_the_host_deny_access_more_often() -> None:
    """A threat armed with a daily hazard of 0.1 rather than 0.01 is carried out more
    often (a demonstration first); Japan learns the hazard from what it sees and denies
    the U.S. its bases more often in a limited attack on the ROK. Placebo: a Japan to
    which no strike costs anything learns the same and denies no more often (it never
    denies: with nothing to fear, nothing weighs against its alliance value, which is
    the model's honest answer, not a threshold placed for the test)."""
    credible = ('agents.DPRK.params.hazards="0.1"', *DESPERATE)
    idle = ('agents.DPRK.params.hazards="0.01"', *DESPERATE)
    effect = (
        _bilateral(_denied("JPN", "USA"), *credible),
        _bilateral(_denied("JPN", "USA"), *idle),
    )
    assert_greater(*effect, "access denied, hazard 0.1 vs 0.01")
    placebo = (
        _bilateral(_denied("JPN", "USA"), *credible, *IMMUNE_JAPAN),
        _bilateral(_denied("JPN", "USA"), *idle, *IMMUNE_JAPAN),
    )
    assert_vanishes(placebo, effect, "access denied, hazard 0.1 vs 0.01, immune host")


# -- the dilemma as a crossover ----------------------------------------------------------

TEMPTED = ("agents.DPRK.params.value_gain=70",)
"""A DPRK that values the grab highly: the regime where the alliance's design decides."""


def test_integration_deters_better_when_the_host_cannot_be_coerced() -> None:
    """No coercion, and Japan known to be resolute: the integrated alliance deters the
    DPRK more often than the bilateral ones (its estimate counts Japan's forces and
    integrated command). Placebo: without Japan's forces and the integration
    multiplier, the integrated design no longer deters better."""
    settings = (*TEMPTED, "agents.DPRK.params.coerce=false", *RESOLUTE_JAPAN)
    bilateral, integrated = _korea(*settings)
    effect = (share(integrated, _deterred), share(bilateral, _deterred))
    assert_greater(*effect, "deterred, integrated vs bilateral, host not coercible")
    off = ("world.params.integration_multiplier=1.0", "agents.JPN.capabilities.conventional=0")
    placebo_b, placebo_i = _korea(*settings, *off)
    placebo = (share(placebo_i, _deterred), share(placebo_b, _deterred))
    assert_vanishes(placebo, effect, "deterred, integrated vs bilateral, no integration gain")


def test_integration_collapses_more_completely_when_the_host_is_coerced() -> None:
    """The DPRK coerces Japan (nuclear threat, Japan's type private): the defence fails
    (fait accompli or wedge) more often under integration, where Japan's refusal
    blocks the consensus every member waits for, than under bilateral alliances. With
    the test above, the dilemma is a crossover. Placebo: against a Japan that no
    threat can hurt, the excess failure under integration vanishes."""
    bilateral, integrated = _korea(*TEMPTED, *DESPERATE)
    effect = (share(integrated, _failed_defence), share(bilateral, _failed_defence))
    assert_greater(*effect, "defence failed, integrated vs bilateral, host coerced")
    placebo_b, placebo_i = _korea(*TEMPTED, *DESPERATE, *IMMUNE_JAPAN)
    placebo = (share(placebo_i, _failed_defence), share(placebo_b, _failed_defence))
    assert_vanishes(placebo, effect, "defence failed, integrated vs bilateral, immune host")


# -- the divider's modes and backfire ----------------------------------------------------


def _offered_and_threatened(results: list[Result], host: str) -> tuple[int, int]:
    offered = threatened = 0
    for r in results:
        for e in r.events:
            if e.kind == "message" and e.message.sender == "DPRK" and host in e.message.recipients:
                offered += e.message.performative == "offer"
                threatened += e.message.performative == "threaten"
    return offered, threatened


def test_divider_rewards_the_receptive_and_coerces_the_one_it_cannot_buy() -> None:
    """With a reward budget of 4, the DPRK offers a reward to a Japan known to value the
    alliance little (1) and threatens a Japan known to value it highly (6) instead.

    The choice of mode is deterministic given what the DPRK knows: Crawford's rule is
    a comparison of the target's price with the budget, and here the price is public,
    so "always" is the model's honest answer. Placebo: with no budget, nobody is
    offered anything."""
    budget = ("agents.DPRK.params.reward_budget=4", *DESPERATE)
    receptive = (
        "agents.JPN.prior.types.wavering.probability=1.0",
        "agents.JPN.prior.types.middling.probability=0.0",
        "agents.JPN.prior.types.resolute.probability=0.0",
    )
    bought = runs(load("korea_bilateral", *budget, *receptive), RUNS // 4)
    coerced = runs(load("korea_bilateral", *budget, *RESOLUTE_JAPAN), RUNS // 4)
    assert _offered_and_threatened(bought, "JPN") == (len(bought), 0)
    offered, threatened = _offered_and_threatened(coerced, "JPN")
    assert offered == 0
    assert threatened > 0
    unpaid = runs(load("korea_bilateral", *DESPERATE, *receptive), RUNS // 4)
    assert _offered_and_threatened(unpaid, "JPN")[0] == 0


def test_coercion_backfires() -> None:
    """A backfire coefficient raises the coerced host's cohesion: Japan grants access
    more often with backfire 8 than 0 under the DPRK's threat. Placebo: without a
    threat (no coercion) the coefficient has nothing to act on (and every type of Japan
    grants access when asked: nothing weighs against its alliance value)."""
    plain = runs(load("korea_bilateral", *DESPERATE, "agents.JPN.params.backfire=0"))
    backfire = runs(load("korea_bilateral", *DESPERATE, "agents.JPN.params.backfire=8"))
    effect = (share(backfire, _granted("JPN", "USA")), share(plain, _granted("JPN", "USA")))
    assert_greater(*effect, "access granted, backfire 8 vs 0")
    calm = (*DESPERATE, "agents.DPRK.params.coerce=false")
    placebo = (
        _bilateral(_granted("JPN", "USA"), *calm, "agents.JPN.params.backfire=8"),
        _bilateral(_granted("JPN", "USA"), *calm, "agents.JPN.params.backfire=0"),
    )
    assert_vanishes(placebo, effect, "access granted, backfire 8 vs 0, no threat")


# -- stability-instability ---------------------------------------------------------------


def _limited(r: Result) -> bool:
    sizes = [
        e.action.magnitude
        for e in r.events
        if isinstance(e, ActionTaken) and e.action.kind is ActionKind.ATTACK
    ]
    return bool(sizes) and sizes[0] < 1.0


def test_survivable_arsenal_shifts_to_limited_probes() -> None:
    """A large arsenal (500 warheads, mostly survivable) rather than a token one (1)
    shifts the DPRK from large attacks to limited probes. Placebo: when no arsenal
    counts as survivable (``survivable_half`` 1e5), the warheads make no difference."""
    big = runs(load("korea_bilateral", *DESPERATE, "agents.DPRK.capabilities.nuclear=500"))
    token = runs(load("korea_bilateral", *DESPERATE, "agents.DPRK.capabilities.nuclear=1"))
    effect = (share(big, _limited), share(token, _limited))
    assert_greater(*effect, "limited probes, 500 vs 1 warheads")
    fragile = (*DESPERATE, "agents.DPRK.params.survivable_half=100000")
    placebo = (
        share(
            runs(load("korea_bilateral", *fragile, "agents.DPRK.capabilities.nuclear=500")),
            _limited,
        ),
        share(
            runs(load("korea_bilateral", *fragile, "agents.DPRK.capabilities.nuclear=1")), _limited
        ),
    )
    assert_vanishes(placebo, effect, "limited probes, 500 vs 1 warheads, nothing survivable")


# -- audience costs ----------------------------------------------------------------------


def test_public_defiance_with_audience_costs_lowers_defection() -> None:
    """Audience costs attach to public escalation (Tomz 2007): a resolute Japan that has
    rejected a (conventional) threat in public, with audience costs of 10 per level,
    later denies access less often than one without audience costs, though the
    demonstrations that follow raise its estimate of the hazard. Placebo: a Japan that
    answers in private (``public_replies = false``) does not escalate in public, and
    audience costs make no difference."""
    base = (*DESPERATE, *RESOLUTE_JAPAN, "agents.DPRK.capabilities.nuclear=0")
    costly = runs(load("korea_bilateral", *base, "agents.JPN.params.audience_cost=10"))
    free = runs(load("korea_bilateral", *base, "agents.JPN.params.audience_cost=0"))
    effect = (share(free, _denied("JPN", "USA")), share(costly, _denied("JPN", "USA")))
    assert_greater(*effect, "access denied, no audience cost vs 10")
    private = (*base, "agents.JPN.params.public_replies=false")
    placebo = (
        _bilateral(_denied("JPN", "USA"), *private, "agents.JPN.params.audience_cost=0"),
        _bilateral(_denied("JPN", "USA"), *private, "agents.JPN.params.audience_cost=10"),
    )
    assert_vanishes(placebo, effect, "access denied, audience costs, private replies")


# -- targeting -------------------------------------------------------------------------


def _targeting(garrisoned: tuple[str, ...]) -> list[Result]:
    """Three frontline candidates; ``M004`` stations 5,000 troops in each of
    ``garrisoned``."""
    data = collective_crisis(
        8, perceptions=[0.8], challenger={"status_quo": -60.0, "coerce": False}
    )
    data["agents"][0]["params"]["targets"] = "M000,M002,M003"
    for agent in data["agents"]:
        if agent["id"] in garrisoned:
            agent["capabilities"].setdefault("forces_hosted", {})["M004"] = 5000.0
    return runs(scenario_from_dict(data))


def test_adversary_targets_the_member_whose_partners_are_least_committed() -> None:
    """Three frontline candidates of a consensus alliance; a partner stations troops in
    two of them (M000, M003) but not in M002: its partners are least committed to M002
    (Quackenbush 2006; commitment shown by forces, not by the treaty's bare existence:
    Fuhrmann & Sechser 2014). The challenger picks M002 most often. Placebo: with the
    same troops in all three, M002 is not preferred."""

    def target(name: str):
        return lambda r: f"attacked({name})" in r.world.facts

    results = _targeting(("M000", "M003"))
    control = _targeting(("M000", "M002", "M003"))
    for other in ("M000", "M003"):
        effect = (share(results, target("M002")), share(results, target(other)))
        assert_greater(*effect, f"targeted M002 vs {other}")
        placebo = (share(control, target("M002")), share(control, target(other)))
        assert_vanishes(placebo, effect, f"targeted M002 vs {other}, all garrisoned")


def test_a_patron_that_fights_raises_its_hosts_fear_of_entrapment() -> None:
    """Japan, weighing a cost of being drawn into a war beyond its own stakes
    (``cost_entrapment``), shuts its bases to the United States more often: each act
    of the patron's commitment it sees (the United States fighting for the ROK) raises
    its fear of entrapment as it lowers its fear of abandonment (Snyder 1984; Cha 1999).
    Placebo: a Japan whose fears do not move with what its partners do
    (``fear_learning = 0``, starting with no fear of entrapment) is not moved by that
    cost at all."""
    denied = _denied("JPN", "USA")
    entrapped = "agents.JPN.params.cost_entrapment=20"
    effect = (_bilateral(denied, *DESPERATE, entrapped), _bilateral(denied, *DESPERATE))
    assert_greater(*effect, "Japan denies access, with a cost of entrapment vs without")
    fixed = "agents.JPN.params.fear_learning=0"
    placebo = (
        _bilateral(denied, *DESPERATE, fixed, entrapped),
        _bilateral(denied, *DESPERATE, fixed),
    )
    assert_vanishes(placebo, effect, "Japan denies access, its fears fixed")


# -- quasi-alliance --------------------------------------------------------------------


def test_symmetric_fear_of_abandonment_raises_spoke_cooperation() -> None:
    """Cha's quasi-alliance: Japan grants access more often when its fear of abandonment
    and the ROK's are symmetric (0.8/0.8) than when the ROK's is low (0.8/0.1).
    Placebo: with no weight on spoke-to-spoke cooperation (``quasi_weight = 0``) the
    symmetry makes no difference."""
    base = (*DESPERATE, "agents.JPN.params.quasi_weight=8", "agents.JPN.params.history=0")
    fears = {
        "sym": ("agents.JPN.params.fear_abandonment=0.8", "agents.ROK.params.fear_abandonment=0.8"),
        "asym": (
            "agents.JPN.params.fear_abandonment=0.8",
            "agents.ROK.params.fear_abandonment=0.1",
        ),
    }
    sym = runs(load("korea_bilateral", *base, *fears["sym"]))
    asym = runs(load("korea_bilateral", *base, *fears["asym"]))
    effect = (share(sym, _granted("JPN", "USA")), share(asym, _granted("JPN", "USA")))
    assert_greater(*effect, "access granted, symmetric vs asymmetric fear")
    off = (*DESPERATE, "agents.JPN.params.quasi_weight=0", "agents.JPN.params.history=0")
    placebo = (
        _bilateral(_granted("JPN", "USA"), *off, *fears["sym"]),
        _bilateral(_granted("JPN", "USA"), *off, *fears["asym"]),
    )
    assert_vanishes(placebo, effect, "access granted, symmetric vs asymmetric fear, no weight")


# -- honouring is a decision -----------------------------------------------------------


def _honour_share(results: list[Result]) -> tuple[float, int]:
    """The share of the U.S.'s decisions on its pledges to the ROK that honour them."""
    decisions = [
        e.honour
        for r in results
        for e in r.events
        if isinstance(e, HonourDecided) and e.debtor == "USA" and e.creditor == "ROK"
    ]
    return sum(decisions) / len(decisions), len(decisions)


def test_forward_deployed_troops_make_the_patron_honour_more_often() -> None:
    """Honouring is decided when the casus foederis arrives (Leeds et al. 2000): the U.S.
    honours its pledge to the ROK more often with 28,500 troops there than with 500
    (Fuhrmann & Sechser 2014), for a U.S. to which war is costly (10). Shares are of
    the honour decisions taken. Placebo: with no stake attached to forward troops
    (``forward_stake = 0``) at most a quarter of the effect is left: what the troops
    add to the chance of winning."""
    costly = (*DESPERATE, "agents.USA.params.cost_war=10")
    many = runs(load("korea_bilateral", *costly, "agents.USA.params.forward_stake=6"))
    few = runs(
        load(
            "korea_bilateral",
            *costly,
            "agents.USA.params.forward_stake=6",
            "agents.ROK.capabilities.forces_hosted.USA=500",
        )
    )
    effect = (_honour_share(many), _honour_share(few))
    assert_greater(*effect, "U.S. honours, 28,500 vs 500 troops")
    off = (*costly, "agents.USA.params.forward_stake=0")
    placebo = (
        _honour_share(runs(load("korea_bilateral", *off))),
        _honour_share(
            runs(load("korea_bilateral", *off, "agents.ROK.capabilities.forces_hosted.USA=500"))
        ),
    )
    # Troops also put power in place, which raises the chance of winning the U.S.
    # weighs; that channel stays on, so the check is that most of the effect goes.
    (pa, _), (pb, _) = effect
    (qa, _), (qb, _) = placebo
    assert qa - qb <= (pa - pb) / 4, (
        f"U.S. honours, troops, no forward stake: {qa - qb:.3f} left of {pa - pb:.3f}"
    )


# -- graded war and consolidation ------------------------------------------------------


def test_a_late_counter_offensive_succeeds_less_often() -> None:
    """The U.S. decides at once, but its forces staged in Japan arrive after 19 days
    (60 km a day) rather than 2 (1,000 km a day): by then the grab has been held for
    days, and the counter-offensive wins the ground back less often, though it often
    still can (Altman 2017, 2020: consolidation, here ``entrenchment = 0.3``). The
    escalation hazard is switched off in every arm, so that a longer war's nuclear
    risk does not stand in for consolidation. Placebo: with no entrenchment the delay
    makes no difference."""

    def won_back(r: Result) -> bool:
        return r.outcome is Outcome.COLLECTIVE_RESPONSE

    base = (
        *DESPERATE,
        "agents.DPRK.params.coerce=false",
        "scenario.max_rounds=40",
        "world.params.escalation_per_size=0",
        "world.params.tripwire_risk=0",
    )
    fast, slow = "world.params.deploy_km_per_day=1000", "world.params.deploy_km_per_day=60"
    on = (*base, "world.params.entrenchment=0.3")
    effect = (
        _bilateral(won_back, *on, fast),
        _bilateral(won_back, *on, slow),
    )
    assert_greater(*effect, "won back, U.S. reinforcements after 2 vs 19 days")
    off = (*base, "world.params.entrenchment=0")
    placebo = (
        _bilateral(won_back, *off, fast),
        _bilateral(won_back, *off, slow),
    )
    assert_vanishes(placebo, effect, "won back, early vs late, no entrenchment")


# -- withdrawal ----------------------------------------------------------------------


def test_a_challenger_that_reassesses_withdraws_from_a_war_turning_against_it() -> None:
    """A Russia that weighs the war each day as it stands (``reassess``) withdraws once
    fighting on is worth less than the status quo it attacked to escape: when the
    alliance's forces arrive, its odds of keeping the Baltic grab collapse (to about
    0.003) and it withdraws before the counter-offensive wins the ground back, so its
    attack is defeated far less often than when it holds on regardless. That no attack
    is defeated in the reassessing arm (over ``RUNS // 4`` runs) is the model's honest
    answer to that imbalance of forces, not a threshold: the same Russia, desperate,
    holds on. Placebo: with a status quo so bad (-500) that any war beats it, it never
    withdraws, and both arms end alike."""

    def defeated(r: Result) -> bool:
        return r.outcome is Outcome.COLLECTIVE_RESPONSE

    def arm(*overrides: str) -> tuple[float, int]:
        return share(runs(load("baltic_nato", *overrides), RUNS // 4), defeated)

    effect = (arm("agents.RUS.params.reassess=false"), arm("agents.RUS.params.reassess=true"))
    assert_greater(*effect, "attack defeated, holding on vs reassessing")
    desperate = "agents.RUS.params.status_quo=-500"
    placebo = (
        arm(desperate, "agents.RUS.params.reassess=false"),
        arm(desperate, "agents.RUS.params.reassess=true"),
    )
    assert_vanishes(placebo, effect, "attack defeated, reassessing vs not, status quo unbearable")
