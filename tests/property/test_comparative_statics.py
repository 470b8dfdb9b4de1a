"""Comparative statics of the built-in doctrines, as metamorphic properties.

Each property moves one parameter in one direction, everything else (other parameters,
drawn within their documented ranges by ``negsim.testing.doctrine_params``, and the
seed) held fixed, and states the direction the decision may move in: first on the
doctrine's own rule functions, then, where the doctrine's choice can be isolated from
the other agents' reactions, through whole runs with the same seed.

The allied doctrines decide by the rules they share, :data:`negsim.crisis.SUPPORT`
and :data:`negsim.crisis.ACCESS`, with what an ally has learned in the crisis
(:class:`negsim.crisis.Standing`: its fear, its public escalation, its belief about
the hazard of each threat from the threats carried out so far). The challenger
decides by :data:`negsim_wedge.ATTACK` at its best plan, which it finds with the
world's combat model (:func:`negsim.crisis.contest`, :func:`negsim.crisis.grab_odds`),
whose own monotonicity is stated last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
from hypothesis import assume, example, given, note
from hypothesis import strategies as st

import negsim
import negsim_collective as collective
import negsim_wedge as wedge
from negsim.crisis import (
    ACCESS,
    SUPPORT,
    Rung,
    Standing,
    access_values,
    contest,
    defence_by_day,
    grab_odds,
    grab_stands,
    nominal_view,
    support_values,
    tripwire_hazard,
)
from negsim.model import (
    ActionTaken,
    AgentView,
    MessageSent,
    ParamValue,
    Performative,
    PublicInfo,
    Scenario,
)
from negsim.scenario import scenario_from_dict
from negsim.testing import doctrine_params, registry_with
from negsim.testing._stimulus import Step, script_text

REGISTRY = registry_with()


def full_params(name: str) -> st.SearchStrategy[dict[str, ParamValue]]:
    """All of a doctrine's parameters, each within its documented range."""
    spec = REGISTRY.spec(name)
    return doctrine_params(spec).map(lambda p: spec.defaults | p)


def ordered(low: float, high: float) -> st.SearchStrategy[tuple[float, float]]:
    floats = st.floats(low, high, allow_nan=False, allow_infinity=False)
    return st.tuples(floats, floats).map(lambda ab: (min(ab), max(ab)))


# --------------------------------------------------------------------------------------
# what an ally has learned: its standing
# --------------------------------------------------------------------------------------

Threat = tuple[str, Rung, tuple[bool, ...]]
"""A threat an ally heard: who made it, its rung, and for each day of war since
whether the world carried it out."""


def standing(fear: float, level: int, reward: float, threats: Sequence[Threat]) -> Standing:
    """An ally's standing after hearing ``threats`` and watching them carried out."""
    out = Standing(fear=fear, level=level, reward=reward)
    for sender, rung, days in threats:
        out.hear_threat(sender, rung)
        count = 0.0
        for carried_out in days:
            count += carried_out
            out.observe_execution(sender, count, at_war=True)
    return out


def threats(rungs: Sequence[Rung] = tuple(Rung)) -> st.SearchStrategy[list[Threat]]:
    return st.lists(
        st.tuples(
            st.sampled_from(("X", "Y")),
            st.sampled_from(rungs),
            st.lists(st.booleans(), max_size=8).map(tuple),
        ),
        max_size=2,
        unique_by=lambda t: t[0],
    )


situations = st.fixed_dictionaries(
    {
        "fear": st.floats(0, 1),
        "level": st.integers(0, 2),
        "reward": st.floats(0, 1000),
        "threats": threats(),
    }
)


@st.composite
def carried_out_once_more(
    draw: st.DrawFn, rungs: Sequence[Rung] = tuple(Rung)
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two situations that differ in one day only: one threat carried out on a day
    it was not in the other."""
    base = draw(situations.map(lambda s: s | {"threats": []}))
    heard = draw(threats(rungs).filter(lambda ts: any(False in days for _, _, days in ts)))
    which = draw(st.sampled_from([i for i, (_, _, days) in enumerate(heard) if False in days]))
    sender, rung, days = heard[which]
    day = draw(st.sampled_from([d for d, hit in enumerate(days) if not hit]))
    more = list(heard)
    more[which] = (sender, rung, (*days[:day], True, *days[day + 1 :]))
    return base | {"threats": heard}, base | {"threats": more}


def _agent(
    id_: str, doctrine: str, caps: dict[str, Any], params: Mapping[str, ParamValue] = {}
) -> dict[str, Any]:
    return {
        "id": id_,
        "name": id_,
        "doctrine": doctrine,
        "params": dict(params),
        "capabilities": caps,
    }


def view_of(scenario: Scenario, who: str, params: Mapping[str, ParamValue]) -> AgentView:
    """``who``'s view at the start of ``scenario``, with ``params`` as its parameters."""
    return nominal_view(attrs.evolve(scenario.agent(who), params=dict(params)), scenario)


# --------------------------------------------------------------------------------------
# bilateral: a host's access decision
# --------------------------------------------------------------------------------------

HOSTING = scenario_from_dict(
    {
        "scenario": {"name": "hosting", "world_rules": "crisis"},
        "agents": [
            _agent("H", "bilateral", {"conventional": 60.0, "nuclear": 100}),
            _agent("J", "bilateral", {"conventional": 20.0, "forces_hosted": {"H": 54000.0}}),
            _agent("X", "wedge", {"conventional": 100.0, "nuclear": 50}),
        ],
        "alliances": [
            {
                "id": "H-J",
                "name": "H-J",
                "kind": "bilateral",
                "members": ["H", "J"],
                "decision_rule": "hub",
                "hub": "H",
            }
        ],
    },
    registry=REGISTRY,
)
"""J hosts the forces of its hub H; X threatens."""


def access(
    params: Mapping[str, ParamValue], situation: Mapping[str, Any], cooperation: float
) -> float:
    """The value of the host J's access rule (it keeps its bases open while > 0)."""
    values = access_values(view_of(HOSTING, "J", params), standing(**situation), cooperation)
    return ACCESS.value(values)


@given(
    params=full_params("bilateral"),
    costs=ordered(0, 1e6),
    situation=situations,
    cooperation=st.floats(-3, 1),
)
def test_bilateral_higher_strike_cost_never_makes_a_host_more_willing_to_grant_access(
    params: dict[str, ParamValue],
    costs: tuple[float, float],
    situation: dict[str, Any],
    cooperation: float,
) -> None:
    low, high = costs
    at_low = access(params | {"cost_strike": low}, situation, cooperation)
    at_high = access(params | {"cost_strike": high}, situation, cooperation)
    assert at_high <= at_low
    if at_high > 0:  # a denial at the lower cost stays a denial at the higher
        assert at_low > 0


@given(
    params=full_params("bilateral"),
    values=ordered(0, 1000),
    situation=situations,
    cooperation=st.floats(-3, 1),
)
def test_bilateral_a_higher_alliance_value_never_turns_a_grant_into_a_denial(
    params: dict[str, ParamValue],
    values: tuple[float, float],
    situation: dict[str, Any],
    cooperation: float,
) -> None:
    low, high = values
    at_low = access(params | {"alliance_value": low}, situation, cooperation)
    at_high = access(params | {"alliance_value": high}, situation, cooperation)
    assert at_high >= at_low
    if at_low > 0:
        assert at_high > 0


@given(
    params=full_params("bilateral"),
    twins=carried_out_once_more(),
    cooperation=st.floats(-3, 1),
)
def test_bilateral_a_threat_carried_out_more_often_never_makes_a_host_more_willing(
    params: dict[str, ParamValue],
    twins: tuple[dict[str, Any], dict[str, Any]],
    cooperation: float,
) -> None:
    # The host learns a threat's hazard from the days it was carried out; one more such
    # day raises the hazard it believes, and so the expected cost of keeping its bases
    # open. (Going from no threat to one adds the backfire term by design: coercion can
    # backfire; here both situations hold the same threats.)
    fewer, more = twins
    a, b = standing(**fewer), standing(**more)
    for sender in a.hazard:
        assert b.expected_hazard(sender) >= a.expected_hazard(sender)
    at_fewer = access(params, fewer, cooperation)
    at_more = access(params, more, cooperation)
    note(f"access value {at_fewer} -> {at_more}")
    assert at_more <= at_fewer + 1e-9 * max(1.0, abs(at_fewer))


def _access_runs_scenario(
    host: Mapping[str, ParamValue],
    hub: Mapping[str, ParamValue],
    spoke: Mapping[str, ParamValue],
    script: str,
    max_rounds: int,
) -> dict[str, Any]:
    """Hub H (bilateral) with spokes S (attacked) and J (hosts H's forces); a scripted
    challenger X that never reacts, so J's inputs are the same in both runs."""

    def agent(
        id_: str, doctrine: str, params: Mapping[str, ParamValue], caps: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "id": id_,
            "name": id_,
            "doctrine": doctrine,
            "params": dict(params),
            "capabilities": caps,
        }

    return {
        "scenario": {"name": "access", "world_rules": "crisis", "max_rounds": max_rounds},
        "world": {"params": {"challenger": "X", "access_requires_consent": True}},
        "agents": [
            agent("H", "bilateral", hub, {"conventional": 60.0, "nuclear": 100}),
            agent("S", "bilateral", spoke, {"conventional": 30.0}),
            agent("J", "bilateral", host, {"conventional": 20.0, "forces_hosted": {"H": 54000.0}}),
            agent("X", "stimulus", {"script": script}, {"conventional": 100.0, "nuclear": 50}),
        ],
        "alliances": [
            {
                "id": "H-S",
                "name": "H-S",
                "kind": "bilateral",
                "members": ["H", "S"],
                "decision_rule": "hub",
                "hub": "H",
            },
            {
                "id": "H-J",
                "name": "H-J",
                "kind": "bilateral",
                "members": ["H", "J"],
                "decision_rule": "hub",
                "hub": "H",
            },
        ],
        "commitments": [
            {
                "id": "h-s",
                "debtor": "H",
                "creditor": "S",
                "antecedent": "attacked(S)",
                "consequent": "responds(H,S)",
                "deadline": 2,
            },
        ],
    }


challenger_scripts = st.builds(
    lambda attack, threat, cred, offer: script_text(
        sorted(
            [Step(attack, "attack", "S", 0.5), Step(threat, "threaten", "J", cred)]
            + ([Step(offer[0], "offer", "J", offer[1])] if offer else []),
            key=lambda s: s.round,
        )
    ),
    st.integers(1, 2),
    st.integers(1, 3),
    st.sampled_from((0.25, 0.5, 0.75, 1.0)),
    st.one_of(st.none(), st.tuples(st.integers(1, 3), st.sampled_from((0.0, 0.25, 1.0)))),
)


def _host_acts(result: negsim.Result, kind: str) -> list[int]:
    return [
        e.round
        for e in result.events_of(ActionTaken)
        if isinstance(e, ActionTaken) and e.action.actor == "J" and e.action.kind == kind
    ]


@given(
    host=full_params("bilateral"),
    hub=full_params("bilateral"),
    spoke=full_params("bilateral"),
    costs=ordered(0, 200),
    script=challenger_scripts,
    max_rounds=st.integers(3, 8),
    seed=st.integers(0, 2**16),
)
def test_bilateral_in_runs_access_granted_at_a_higher_strike_cost_is_granted_at_a_lower(
    host: dict[str, ParamValue],
    hub: dict[str, ParamValue],
    spoke: dict[str, ParamValue],
    costs: tuple[float, float],
    script: str,
    max_rounds: int,
    seed: int,
) -> None:
    low, high = costs
    results = {}
    for cost in (low, high):
        data = _access_runs_scenario(host | {"cost_strike": cost}, hub, spoke, script, max_rounds)
        scenario = scenario_from_dict(data, registry=REGISTRY)
        results[cost] = negsim.simulate(scenario, seed=seed, registry=REGISTRY)
    granted_high = _host_acts(results[high], "grant_access")
    granted_low = _host_acts(results[low], "grant_access")
    note(f"granted in rounds {granted_low} (cost {low}) and {granted_high} (cost {high})")
    if granted_high:
        assert granted_low
        assert granted_low[0] <= granted_high[0]
    if _host_acts(results[low], "deny_access"):
        assert _host_acts(results[high], "deny_access")


# --------------------------------------------------------------------------------------
# collective: a member's consent
# --------------------------------------------------------------------------------------

STATIONED = scenario_from_dict(
    {
        "scenario": {"name": "stationed", "world_rules": "crisis"},
        "agents": [
            _agent("P", "collective", {"conventional": 10.0, "forces_hosted": {"M": 5000.0}}),
            _agent("M", "collective", {"conventional": 30.0}),
            _agent("X", "wedge", {"conventional": 100.0, "nuclear": 50}),
        ],
        "alliances": [
            {
                "id": "PM",
                "name": "P-M",
                "kind": "collective",
                "members": ["P", "M"],
                "decision_rule": "consensus",
            }
        ],
    },
    registry=REGISTRY,
)
"""M has troops stationed in P, its ally under attack."""


def support(params: Mapping[str, ParamValue], situation: Mapping[str, Any], p_win: float) -> float:
    """The value of member M's support rule for P (it consents and honours while > 0)."""
    values = support_values(view_of(STATIONED, "M", params), standing(**situation), "P", p_win)
    return SUPPORT.value(values)


@given(
    params=full_params("collective"),
    costs=ordered(0, 1e6),
    situation=situations,
    p_win=st.floats(0, 1),
)
def test_collective_a_higher_nuclear_cost_never_makes_a_member_more_willing(
    params: dict[str, ParamValue],
    costs: tuple[float, float],
    situation: dict[str, Any],
    p_win: float,
) -> None:
    low, high = costs
    at_low = support(params | {"cost_nuclear": low}, situation, p_win)
    at_high = support(params | {"cost_nuclear": high}, situation, p_win)
    assert at_high <= at_low


@given(
    params=full_params("collective"),
    twins=carried_out_once_more([Rung.NUCLEAR_USE]),
    p_win=st.floats(0, 1),
)
def test_collective_a_nuclear_threat_carried_out_more_often_never_makes_a_member_more_willing(
    params: dict[str, ParamValue],
    twins: tuple[dict[str, Any], dict[str, Any]],
    p_win: float,
) -> None:
    fewer, more = twins
    at_fewer = support(params, fewer, p_win)
    at_more = support(params, more, p_win)
    note(f"support value {at_fewer} -> {at_more}")
    assert at_more <= at_fewer + 1e-9 * max(1.0, abs(at_fewer))


@given(
    params=full_params("collective"),
    chances=ordered(0, 1),
    situation=situations,
)
def test_collective_a_likelier_win_never_makes_a_member_less_willing(
    params: dict[str, ParamValue],
    chances: tuple[float, float],
    situation: dict[str, Any],
) -> None:
    low, high = chances
    assert support(params, situation, high) >= support(params, situation, low)


@given(
    perception_of_threat=ordered(0, 1),
    max_deliberation=st.integers(0, 60),
    perception=st.floats(0.05, 20.0),
)
def test_collective_a_more_threatened_member_never_consents_later(
    perception_of_threat: tuple[float, float],
    max_deliberation: int,
    perception: float,
) -> None:
    low, high = perception_of_threat
    assert collective.consent_delay(high, max_deliberation, perception) <= collective.consent_delay(
        low, max_deliberation, perception
    )


def _vote_runs_scenario(
    member: Mapping[str, ParamValue],
    proposer: Mapping[str, ParamValue],
    attack_round: int,
    max_rounds: int,
) -> dict[str, Any]:
    """P (collective) is attacked by a scripted X and proposes a collective response to
    alliance P-M (consensus, no silence procedure); M deliberates, then votes."""
    return {
        "scenario": {"name": "vote", "world_rules": "crisis", "max_rounds": max_rounds},
        "world": {"params": {"challenger": "X", "ceasefire_rounds": 60}},
        "agents": [
            {
                "id": "P",
                "name": "P",
                "doctrine": "collective",
                "params": dict(proposer),
                "capabilities": {"conventional": 1.0},
            },
            {
                "id": "M",
                "name": "M",
                "doctrine": "collective",
                "params": dict(member),
                "capabilities": {"conventional": 1.0},
            },
            {
                "id": "X",
                "name": "X",
                "doctrine": "stimulus",
                "params": {"script": f"{attack_round}:attack:P:1"},
                "capabilities": {"conventional": 100.0},
            },
        ],
        "alliances": [
            {
                "id": "PM",
                "name": "P-M",
                "kind": "collective",
                "members": ["P", "M"],
                "decision_rule": "consensus",
                "decision_deadline": 40,
            }
        ],
    }


def _first_vote(result: negsim.Result) -> int | None:
    return next(
        (
            e.round
            for e in result.events_of(MessageSent)
            if isinstance(e, MessageSent)
            and e.message.sender == "M"
            and e.message.performative is Performative.VOTE
        ),
        None,
    )


@given(
    member=full_params("collective").map(
        lambda p: p | {"max_deliberation": min(int(p["max_deliberation"]), 8)}
    ),
    proposer=full_params("collective"),
    perception_of_threat=ordered(0, 1),
    attack_round=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_collective_in_runs_a_more_threatened_member_never_votes_later(
    member: dict[str, ParamValue],
    proposer: dict[str, ParamValue],
    perception_of_threat: tuple[float, float],
    attack_round: int,
    seed: int,
) -> None:
    low, high = perception_of_threat
    rounds = {}
    for tp in (low, high):
        data = _vote_runs_scenario(
            member | {"threat_perception": tp}, proposer, attack_round, max_rounds=40
        )
        scenario = scenario_from_dict(data, registry=REGISTRY)
        rounds[tp] = _first_vote(negsim.simulate(scenario, seed=seed, registry=REGISTRY))
    note(f"first vote in round {rounds[low]} (perception {low}), {rounds[high]} ({high})")
    if rounds[low] is not None:
        assert rounds[high] is not None
        assert rounds[high] <= rounds[low]


# --------------------------------------------------------------------------------------
# wedge: the challenger's attack
# --------------------------------------------------------------------------------------


def _choice(scenario: Scenario, params: Mapping[str, ParamValue]) -> float | None:
    """The size of the challenger X's attack on A at its best plan at the start (its
    hook ``negsim_decision_rules``); ``None`` when the attack rule fails there."""
    agent = attrs.evolve(scenario.agent("X"), params=dict(params))
    rules = wedge.negsim_decision_rules(agent=agent, scenario=scenario)
    if not rules:
        return None
    ((rule, values),) = rules
    assert rule is wedge.ATTACK
    return values["m"] if rule.holds(values) else None


def _risk(scenario: Scenario, params: Mapping[str, ParamValue]) -> float | None:
    agent = attrs.evolve(scenario.agent("X"), params=dict(params))
    rules = wedge.negsim_decision_rules(agent=agent, scenario=scenario)
    return rules[0][1]["risk"] if rules else None


ANY = st.booleans()


def duel(
    world: Mapping[str, ParamValue],
    params: Mapping[str, ParamValue],
    *,
    attack: float,
    defence: float,
    a_hosts_b: bool = False,
    helper: tuple[float, float] | None = None,
) -> tuple[Scenario, dict[str, ParamValue]]:
    """Challenger X (wedge, ``attack`` power, 20 warheads) and its target A
    (``defence``); with ``helper`` (its power, its distance in km), B pledged to A,
    whose forces H hosts (and A too with ``a_hosts_b``)."""
    agents = [
        _agent("X", "wedge", {"conventional": attack, "nuclear": 20}, params),
        _agent(
            "A",
            "wedge",
            {"conventional": defence, "forces_hosted": {"B": 1000.0} if a_hosts_b else {}},
        ),
    ]
    commitments = []
    if helper is not None:
        agents += [
            _agent("B", "wedge", {"conventional": helper[0], "distance_km": helper[1]}),
            _agent("H", "wedge", {"forces_hosted": {"B": 1000.0}}),
        ]
        commitments = [
            {
                "id": "b-a",
                "debtor": "B",
                "creditor": "A",
                "antecedent": "attacked(A)",
                "consequent": "responds(B,A)",
            }
        ]
    data = {
        "scenario": {"name": "duel", "world_rules": "crisis"},
        "world": {"params": dict(world)},
        "agents": agents,
        "commitments": commitments,
    }
    scenario = scenario_from_dict(data, registry=REGISTRY)
    return scenario, dict(scenario.agent("X").params)


ANY = st.booleans()


@st.composite
def duels(
    draw: st.DrawFn, helpers: st.SearchStrategy[bool] = ANY
) -> tuple[Scenario, dict[str, ParamValue]]:
    """A :func:`duel`, world parameters and the challenger's within their ranges."""
    world = draw(
        doctrine_params(REGISTRY.spec("crisis")).map(
            lambda p: {k: v for k, v in p.items() if k != "challenger"}
        )
    )
    params = draw(full_params("wedge")) | {"targets": "A"}
    sizes = draw(
        st.lists(
            st.sampled_from((0.1, 0.2, 0.3, 0.5, 0.7, 1.0)), min_size=1, max_size=4, unique=True
        )
    )
    params["sizes"] = ",".join(str(s) for s in sorted(sizes))
    return duel(
        world,
        params,
        attack=draw(st.floats(1, 200)),
        defence=draw(st.sampled_from((0.0, 5.0, 20.0, 80.0))),
        a_hosts_b=draw(st.booleans()),
        helper=(
            (draw(st.floats(0, 100)), draw(st.sampled_from((0.0, 800.0, 5000.0))))
            if draw(helpers)
            else None
        ),
    )


# Without helpers the challenger's arsenal changes only its own calculus: a more
# survivable arsenal (a smaller survivable_half) discounts the escalation risk of
# limited probes and nothing else. With helpers it also lowers the risk the helpers
# run, which the challenger expects to make them likelier to honour (the paradox cuts
# both ways), so no direction is promised there: with a helper B of power 80 next to A
# (5), X (50) probing with 0.5, cost_nuclear 0, est_helper_nuclear_cost 20 and
# escalation_base 0.05, X attacks at survivable_half 1e5 and is deterred at 0.


@given(duel=duels(helpers=st.just(False)), halves=ordered(0, 1e5))
def test_wedge_a_more_survivable_arsenal_never_turns_a_probe_into_a_full_attack(
    duel: tuple[Scenario, dict[str, ParamValue]],
    halves: tuple[float, float],
) -> None:
    """Stability-instability: a more survivable arsenal never moves the choice from a
    limited probe (m < 1) to the full attack (m = 1); it discounts only limited war's
    risk. (It may move it to a larger probe: limited war gets safer, so a larger
    limited probe may pay.) With the defaults, cost_nuclear 100 and an unarmed target,
    a barely survivable arsenal (survivable_half 1e5) attacks in full, one with the
    default survivable_half (25) probes with 0.5."""
    scenario, params = duel
    more, less = halves  # a smaller survivable_half: more survivable
    at_less = _choice(scenario, params | {"survivable_half": less})
    at_more = _choice(scenario, params | {"survivable_half": more})
    assume(at_less is not None)
    assert at_more is not None
    note(f"size {at_less} at survivable_half={less}, {at_more} at survivable_half={more}")
    if at_less < 1.0:
        assert at_more < 1.0


@given(duel=duels(helpers=st.just(False)), halves=ordered(0, 1e5))
def test_wedge_a_more_survivable_arsenal_never_deters_an_attack(
    duel: tuple[Scenario, dict[str, ParamValue]],
    halves: tuple[float, float],
) -> None:
    # the stability-instability paradox: survivability makes probing more attractive
    scenario, params = duel
    more, less = halves
    if _choice(scenario, params | {"survivable_half": less}) is not None:
        assert _choice(scenario, params | {"survivable_half": more}) is not None


@given(duel=duels(), costs=ordered(0, 1e6))
def test_wedge_a_higher_cost_of_nuclear_war_never_turns_deterrence_into_an_attack(
    duel: tuple[Scenario, dict[str, ParamValue]],
    costs: tuple[float, float],
) -> None:
    scenario, params = duel
    low, high = costs
    if _choice(scenario, params | {"cost_nuclear": high}) is not None:
        # deterred at the lower cost -> deterred at the higher
        assert _choice(scenario, params | {"cost_nuclear": low}) is not None


@given(
    duel=duels(),
    costs=ordered(0, 1e6),
    rung=st.sampled_from((Rung.DEMONSTRATION, Rung.CONVENTIONAL_STRIKE)),
)
def test_wedge_a_higher_cost_of_nuclear_war_never_raises_the_attack_size(
    duel: tuple[Scenario, dict[str, ParamValue]],
    costs: tuple[float, float],
    rung: Rung,
) -> None:
    # Below the nuclear rung, carrying a threat out costs it nothing nuclear, so the
    # cost of nuclear war weighs only the escalation risk, which grows with the size.
    scenario, params = duel
    params = params | {"rung": rung.value}
    low, high = costs
    at_low = _choice(scenario, params | {"cost_nuclear": low})
    at_high = _choice(scenario, params | {"cost_nuclear": high})
    note(f"size {at_low} at cost_nuclear={low}, {at_high} at {high}")
    if at_high is not None:
        assert at_low is not None
        assert at_high <= at_low


@given(duel=duels())
@example(  # the full attack, with a daily hazard of 1 + 1 * 1.0
    duel=duel(
        {"escalation_base": 1.0, "escalation_per_size": 1.0},
        REGISTRY.spec("wedge").defaults | {"targets": "A", "sizes": "1.0"},
        attack=10.0,
        defence=1.0,
    )
)
def test_wedge_the_escalation_risk_it_perceives_is_a_probability(
    duel: tuple[Scenario, dict[str, ParamValue]],
) -> None:
    scenario, params = duel
    risk = _risk(scenario, params)
    assume(risk is not None)
    assert risk is not None
    assert 0.0 <= risk <= 1.0


@given(
    duel=duels(helpers=st.just(True)),
    p_deny=ordered(0, 1),
    p_honour=st.floats(0, 1),
    size=st.sampled_from((0.2, 0.5, 1.0)),
)
def test_a_likelier_access_denial_never_lowers_the_chance_of_a_fait_accompli(
    duel: tuple[Scenario, dict[str, ParamValue]],
    p_deny: tuple[float, float],
    p_honour: float,
    size: float,
) -> None:
    """The defence the grab is expected to meet (the challenger's and the allies'
    estimate) never grows as the rear host H gets likelier to shut its bases, so the
    chance the grab stands never falls."""
    scenario, _ = duel
    public = PublicInfo.of(scenario)
    low, high = p_deny

    def defence(deny: float) -> list[float]:
        return defence_by_day(
            public,
            "A",
            size,
            helpers={"B": p_honour},
            start={},
            access=lambda host, user: 1.0 - deny,
            days=12,
        )

    at_low, at_high = defence(low), defence(high)
    assert all(shut <= opened + 1e-9 for shut, opened in zip(at_high, at_low, strict=True))
    stands_low = grab_stands(public, "X", size, at_low)
    assert grab_stands(public, "X", size, at_high) >= stands_low - 1e-12


# --------------------------------------------------------------------------------------
# the combat model
# --------------------------------------------------------------------------------------

# Forces from none to 10^4 (an index of 100 is a large army); positive forces below
# 10^-6 are left to the test of scale below, as their powers underflow.
powers = st.one_of(st.just(0.0), st.floats(1e-6, 1e4))
decisiveness = st.floats(0.1, 10)
advantages = st.floats(1, 5)


def ordered_powers() -> st.SearchStrategy[tuple[float, float]]:
    return st.tuples(powers, powers).map(lambda ab: (min(ab), max(ab)))


@given(
    attack=st.floats(0, 1e4),
    defence=st.floats(0, 1e4),
    d=decisiveness,
    a=advantages,
)
@example(attack=1e-200, defence=1e-200, d=2.0, a=1.0)  # both powers underflow to 0
def test_a_day_of_fighting_has_a_chance_at_any_scale_of_forces(
    attack: float, defence: float, d: float, a: float
) -> None:
    """``contest`` is a probability for any forces, however small: scaling both sides
    down alike changes nothing (the ratio form), so tiny forces meet as large ones do."""
    chance = contest(attack, defence, decisiveness=d, advantage=a)
    assert 0.0 <= chance <= 1.0


@given(attack=powers, defence=ordered_powers(), d=decisiveness, a=advantages)
def test_more_defence_never_raises_the_attackers_chance_of_winning_a_day(
    attack: float, defence: tuple[float, float], d: float, a: float
) -> None:
    low, high = defence
    at_low = contest(attack, low, decisiveness=d, advantage=a)
    at_high = contest(attack, high, decisiveness=d, advantage=a)
    assert 0.0 <= at_high <= at_low <= 1.0


@given(attack=ordered_powers(), defence=powers, d=decisiveness, a=advantages)
def test_more_attack_never_lowers_the_attackers_chance_of_winning_a_day(
    attack: tuple[float, float], defence: float, d: float, a: float
) -> None:
    low, high = attack
    at_low = contest(low, defence, decisiveness=d, advantage=a)
    at_high = contest(high, defence, decisiveness=d, advantage=a)
    assert 0.0 <= at_low <= at_high <= 1.0


@st.composite
def grabs(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "advance": draw(st.sampled_from((0.2, 0.35, 0.5, 1.0))),
        "decisiveness": draw(st.floats(0.5, 3)),
        "advantage": draw(advantages),
        "entrenchment": draw(st.floats(0, 1)),
        "ceasefire": draw(st.integers(1, 6)),
    }


@given(
    attack=powers,
    days=st.lists(st.tuples(powers, powers), min_size=1, max_size=10),
    rules=grabs(),
)
def test_grab_odds_fall_as_the_defence_rises(
    attack: float, days: list[tuple[float, float]], rules: dict[str, Any]
) -> None:
    weaker = [min(a, b) for a, b in days]
    stronger = [max(a, b) for a, b in days]
    against_weaker = grab_odds(attack, weaker, **rules)
    against_stronger = grab_odds(attack, stronger, **rules)
    note(f"{against_weaker} against {weaker}, {against_stronger} against {stronger}")
    assert 0.0 <= against_stronger <= against_weaker + 1e-12
    assert against_weaker <= 1.0


@given(
    attack=ordered_powers(),
    defence=st.lists(powers, min_size=1, max_size=10),
    rules=grabs(),
)
def test_grab_odds_rise_with_the_attack(
    attack: tuple[float, float], defence: list[float], rules: dict[str, Any]
) -> None:
    low, high = attack
    assert grab_odds(low, defence, **rules) <= grab_odds(high, defence, **rules) + 1e-12


@given(troops=ordered(0, 1e6), risk=st.floats(0, 1), half=st.floats(1, 1e7))
def test_the_tripwire_hazard_grows_with_the_troops_at_risk(
    troops: tuple[float, float], risk: float, half: float
) -> None:
    low, high = troops
    at_low = tripwire_hazard(low, risk=risk, half=half)
    at_high = tripwire_hazard(high, risk=risk, half=half)
    assert 0.0 <= at_low <= at_high <= risk
