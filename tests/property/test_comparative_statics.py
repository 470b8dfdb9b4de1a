"""Comparative statics of the built-in doctrines, as metamorphic properties.

Each property moves one parameter in one direction, everything else (other parameters,
drawn within their documented ranges by ``negsim.testing.doctrine_params``, and the
seed) held fixed, and states the direction the decision may move in: first on the
doctrine's own rule functions, then, where the doctrine's choice can be isolated from
the other agents' reactions, through whole runs with the same seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import assume, example, given, note
from hypothesis import strategies as st

import negsim
import negsim_bilateral as bilateral
import negsim_collective as collective
import negsim_wedge as wedge
from negsim.model import ActionTaken, MessageSent, ParamValue, Performative, PublicInfo
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


perceptions = st.floats(0.05, 20.0)
credibilities = st.floats(0.0, 1.0)


# --------------------------------------------------------------------------------------
# bilateral: a host's access decision
# --------------------------------------------------------------------------------------


@given(
    params=full_params("bilateral"),
    costs=ordered(0, 100000),
    credibility=credibilities,
    reward=st.floats(0, 1000),
    cooperation=st.floats(-3, 1),
    t=st.integers(1, 60),
    perception=perceptions,
)
def test_bilateral_higher_strike_cost_never_makes_a_host_more_willing_to_grant_access(
    params: dict[str, ParamValue],
    costs: tuple[float, float],
    credibility: float,
    reward: float,
    cooperation: float,
    t: int,
    perception: float,
) -> None:
    def value(cost: float) -> float:
        values = bilateral.access_values(
            params | {"cost_strike": cost},
            credibility=credibility,
            reward=reward,
            cooperation=cooperation,
            t=t,
            perception=perception,
        )
        return bilateral.GRANT_ACCESS.value(values)

    low, high = costs
    assert value(high) <= value(low)
    if value(high) > 0:
        assert value(low) > 0


@given(
    params=full_params("bilateral"),
    credibility=ordered(1e-9, 1.0),
    t=st.integers(1, 60),
    perception=perceptions,
)
def test_bilateral_a_more_credible_threat_never_makes_a_threatened_host_more_willing(
    params: dict[str, ParamValue],
    credibility: tuple[float, float],
    t: int,
    perception: float,
) -> None:
    # Both threats are real (credibility > 0): going from no threat to one adds the
    # backfire term by design (coercion can backfire), so that step is not monotone.
    def value(c: float) -> float:
        return bilateral.GRANT_ACCESS.value(
            bilateral.access_values(
                params, credibility=c, reward=0.0, cooperation=0.0, t=t, perception=perception
            )
        )

    low, high = credibility
    assert value(high) <= value(low)


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


@given(
    perception_of_threat=ordered(0, 1),
    max_deliberation=st.integers(0, 60),
    perception=perceptions,
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


@given(
    params=full_params("collective"),
    costs=ordered(0, 100000),
    credibility=credibilities,
    t=st.integers(1, 60),
    perception=perceptions,
)
def test_collective_a_higher_nuclear_cost_never_makes_a_member_more_willing(
    params: dict[str, ParamValue],
    costs: tuple[float, float],
    credibility: float,
    t: int,
    perception: float,
) -> None:
    def value(cost: float) -> float:
        return collective.SUPPORT.value(
            collective.support_values(
                params | {"cost_nuclear": cost}, credibility=credibility, t=t, perception=perception
            )
        )

    low, high = costs
    assert value(high) <= value(low)


@given(
    params=full_params("collective"),
    credibility=ordered(1e-9, 1.0),
    t=st.integers(1, 60),
    perception=perceptions,
)
def test_collective_a_more_credible_threat_never_makes_a_member_more_willing(
    params: dict[str, ParamValue],
    credibility: tuple[float, float],
    t: int,
    perception: float,
) -> None:
    def value(c: float) -> float:
        return collective.SUPPORT.value(
            collective.support_values(params, credibility=c, t=t, perception=perception)
        )

    low, high = credibility
    assert value(high) <= value(low)


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
        "world": {"params": {"challenger": "X", "consolidation_rounds": 60}},
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


def _sizes(params: Mapping[str, ParamValue]) -> list[float]:
    return [float(s) for s in str(params["sizes"]).split(",") if s.strip()]


def _choice(
    public: PublicInfo,
    params: Mapping[str, ParamValue],
    p_deny: Mapping[str, float] = {},
) -> wedge.Estimate | None:
    """The challenger X's attack on A as negsim_decide picks it: the best (utility, then
    the smaller size); ``None`` when no attack pays (it stands down)."""
    options = [wedge.estimate(public, params, "X", "A", m, p_deny) for m in _sizes(params)]
    best = max(options, key=lambda e: (e.utility, -e.size))
    return best if best.utility > 0 else None


@st.composite
def duels(draw: st.DrawFn) -> tuple[PublicInfo, dict[str, ParamValue]]:
    """A challenger X (wedge) and its target A, maybe with a helper B whose forces a host
    H holds; world parameters within their ranges."""
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
    agents = [
        {
            "id": "X",
            "name": "X",
            "doctrine": "wedge",
            "params": params,
            "capabilities": {"conventional": draw(st.floats(1, 200)), "nuclear": 20},
        },
        {
            "id": "A",
            "name": "A",
            "doctrine": "wedge",
            "capabilities": {
                "conventional": draw(st.sampled_from((0.0, 5.0, 20.0, 80.0))),
                "forces_hosted": {"B": 1000.0} if draw(st.booleans()) else {},
            },
        },
    ]
    commitments = []
    if draw(st.booleans()):
        agents += [
            {
                "id": "B",
                "name": "B",
                "doctrine": "wedge",
                "capabilities": {"conventional": draw(st.floats(0, 100))},
            },
            {
                "id": "H",
                "name": "H",
                "doctrine": "wedge",
                "capabilities": {"forces_hosted": {"B": 1000.0}},
            },
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
        "world": {"params": world},
        "agents": agents,
        "commitments": commitments,
    }
    scenario = scenario_from_dict(data, registry=REGISTRY)
    return PublicInfo.of(scenario), scenario.agent("X").params | {}


# The defaults, a nuclear cost of 300, and a target without forces or helpers: raising
# survivable from its default 0.5 to 1 makes a medium probe (0.5) beat a small one (0.2).
# That is the stability-instability paradox at work (limited war gets safer, so a larger
# limited probe pays); what DOMAIN.md predicts is the shift away from *large* attacks.
_SURVIVABLE_CASE = (
    PublicInfo.of(
        scenario_from_dict(
            {
                "scenario": {"name": "duel", "world_rules": "crisis"},
                "agents": [
                    {
                        "id": "X",
                        "name": "X",
                        "doctrine": "wedge",
                        "capabilities": {"conventional": 10.0, "nuclear": 20},
                    },
                    {
                        "id": "A",
                        "name": "A",
                        "doctrine": "wedge",
                        "capabilities": {"conventional": 0.0},
                    },
                ],
            },
            registry=REGISTRY,
        )
    ),
    REGISTRY.spec("wedge").defaults | {"cost_nuclear": 300.0, "targets": "A"},
)


@given(duel=duels(), survivable=ordered(0, 1))
@example(duel=_SURVIVABLE_CASE, survivable=(0.5, 1.0))
def test_wedge_a_more_survivable_arsenal_never_turns_a_probe_into_a_full_attack(
    duel: tuple[PublicInfo, dict[str, ParamValue]],
    survivable: tuple[float, float],
) -> None:
    """Stability-instability: a more survivable arsenal never moves the choice from a
    limited probe (m < 1) to the largest attack; it discounts only limited war's risk."""
    public, params = duel
    low, high = survivable
    at_low = _choice(public, params | {"survivable": low})
    at_high = _choice(public, params | {"survivable": high})
    assume(at_low is not None)
    assume(at_high is not None)
    assert at_low is not None
    assert at_high is not None
    largest = max(float(s) for s in str(params["sizes"]).split(","))
    note(f"size {at_low.size} at survivable={low}, {at_high.size} at survivable={high}")
    if at_low.size < largest:
        assert at_high.size < largest


@given(duel=duels(), survivable=ordered(0, 1))
def test_wedge_a_more_survivable_arsenal_never_deters_an_attack(
    duel: tuple[PublicInfo, dict[str, ParamValue]],
    survivable: tuple[float, float],
) -> None:
    # the stability-instability paradox: survivability makes probing more attractive
    public, params = duel
    low, high = survivable
    if _choice(public, params | {"survivable": low}) is not None:
        assert _choice(public, params | {"survivable": high}) is not None


@given(duel=duels(), costs=ordered(0, 1e6))
def test_wedge_a_higher_cost_of_nuclear_war_never_raises_the_attack_size(
    duel: tuple[PublicInfo, dict[str, ParamValue]],
    costs: tuple[float, float],
) -> None:
    public, params = duel
    low, high = costs
    at_low = _choice(public, params | {"cost_nuclear": low})
    at_high = _choice(public, params | {"cost_nuclear": high})
    if at_high is not None:
        assert at_low is not None  # deterred at the lower cost -> deterred at the higher
        assert at_high.size <= at_low.size


@given(duel=duels(), p_deny=ordered(0, 1), size=st.sampled_from((0.2, 0.5, 1.0)))
def test_wedge_a_likelier_access_denial_never_lowers_the_chance_of_a_fait_accompli(
    duel: tuple[PublicInfo, dict[str, ParamValue]],
    p_deny: tuple[float, float],
    size: float,
) -> None:
    public, params = duel
    low, high = p_deny
    at_low = wedge.estimate(public, params, "X", "A", size, {"H": low, "A": low})
    at_high = wedge.estimate(public, params, "X", "A", size, {"H": high, "A": high})
    assert at_high.p_s >= at_low.p_s
