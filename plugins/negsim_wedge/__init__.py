"""The wedge-driving adversary: the ``wedge`` doctrine.

The challenger probes an alliance, tries to split it, and grabs when the grab pays:

* **Target** (Quackenbush, JCR 2006): among its candidate ``targets``, the state whose
  partners are least likely to help in time, which falls out of the expected utility
  below since only states with treaty commitments to the target count as helpers.
* **Mode per ally** (Crawford, IS 2011; Izumikawa, SS 2013): in the first round it
  coerces the rear-area hosts of the target's helpers with a nuclear threat (``threaten``,
  which is also a commitment: if the host grants access, the host is struck), and offers
  ``reward_budget`` to allies it can out-bid the patron for (those hosting no patron
  forces); with ``reward_hub`` it offers the hub a reward to stand aside.
* **Attack size** (Snyder 1965; Powell 2015; Altman 2017): in round ``attack_round`` it
  attacks with the magnitude ``m`` (from ``sizes``) that maximises
  :data:`ATTACK`: ``p_s*value_gain*m - (1 - p_s)*cost_fail*m - risk*cost_nuclear -
  status_quo``, where ``p_s`` is the chance of a fait accompli (the expected response
  comes too late or too weak) and ``risk`` the escalation risk it perceives. A survivable
  arsenal discounts the risk of small probes: ``risk = r(m)*(1 - survivable*(1 - m))``.
  If no attack pays it stands down (deterred).
* It reads the host's answer to its threat before attacking: an ``accept`` raises its
  estimate that access will be denied.
* A detached threat is carried out with probability ``p_execute`` per round (escalation).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence

import attrs

import negsim
from negsim.logic import Rule
from negsim.model import (
    Agent,
    AgentView,
    Commitment,
    CommitmentState,
    Move,
    ParamSpec,
    ParamValue,
    PluginSpec,
    PublicInfo,
    Scenario,
)
from negsim_crisis.vocabulary import attacked, grants_access, perception_noise

__all__ = ["ATTACK", "PARAMS", "Estimate", "WedgeState", "attack_values", "estimate"]

HUTH = "Huth & Russett, World Politics 1984 (expected-utility deterrence)"

PARAMS = (
    ParamSpec(
        "targets",
        "",
        "Comma-separated candidate targets; empty: every protected state.",
        source="Quackenbush, JCR 2006",
    ),
    ParamSpec("value_gain", 10.0, "Value of a full grab (V).", 0, 10000, HUTH),
    ParamSpec(
        "cost_fail", 6.0, "Cost of a failed attack per unit of size (C_fail).", 0, 10000, HUTH
    ),
    ParamSpec(
        "cost_nuclear", 200.0, "Its own cost of nuclear war (C_nuc).", 0, 1e6, "Powell, IO 2015"
    ),
    ParamSpec("status_quo", 0.0, "Utility of the status quo (U_sq).", -1000, 1000, HUTH),
    ParamSpec(
        "survivable",
        0.5,
        "Survivability of its arsenal; discounts the escalation risk of limited probes.",
        0,
        1,
        "Snyder 1965; Powell, IO 2015 (stability-instability paradox)",
    ),
    ParamSpec(
        "sizes",
        "0.2,0.5,1.0",
        "Comma-separated attack magnitudes it considers (0-1].",
        source="Altman, ISQ 2017 (limited grabs)",
    ),
    ParamSpec(
        "threat_credibility",
        0.3,
        "Declared credibility of its nuclear threat against a rear-area host.",
        0,
        1,
        "2017 KCNA threats against U.S. bases in Japan; SIPRI warhead counts",
    ),
    ParamSpec("coerce", True, "Whether it threatens rear-area hosts.", source="Crawford, IS 2011"),
    ParamSpec(
        "reward_budget",
        0.0,
        "Reward it can offer an ally to stay out.",
        0,
        1000,
        "Crawford, IS 2011 (selective accommodation)",
    ),
    ParamSpec(
        "reward_hub",
        False,
        "Whether it offers the hub a reward (exercise suspension).",
        source="2018 Singapore summit",
    ),
    ParamSpec(
        "est_host_resolve",
        5.0,
        "Its estimate of a host's resolve (alliance value plus abandonment cost).",
        0,
        1000,
        "assumption",
    ),
    ParamSpec(
        "est_strike_cost",
        20.0,
        "Its estimate of a host's cost of being struck.",
        0,
        1e5,
        "assumption",
    ),
    ParamSpec(
        "est_consensus_delay",
        1.5,
        "Rounds per doubling of members it expects a consensus alliance to need.",
        0,
        60,
        "NATO practice (DOMAIN: 1 to 32 days)",
    ),
    ParamSpec(
        "est_hub_delay",
        1.0,
        "Rounds it expects a hub to need to respond.",
        0,
        60,
        "U.S.-ROK MDT Art. III",
    ),
    ParamSpec(
        "resolve_noise",
        0.3,
        "Log-normal spread of its resolve (value_gain) per run.",
        0,
        2,
        "assumption",
    ),
    ParamSpec(
        "attack_round",
        3,
        "Round in which it decides whether to attack.",
        1,
        10000,
        "assumption (coercion first, then the grab)",
    ),
    ParamSpec(
        "p_execute",
        0.0,
        "Per-round probability of carrying out a detached nuclear threat.",
        0,
        1,
        "assumption",
    ),
)
"""The wedge doctrine's parameters."""

ATTACK = Rule(
    name="attack",
    expr="p_s*value_gain*m - (1 - p_s)*cost_fail*m - risk*cost_nuclear - status_quo",
    doc="the challenger attacks with magnitude m",
    source=HUTH + "; Powell, IO 2015; Altman, ISQ 2017",
)
"""The challenger attacks while this expression is > 0 (at its best magnitude)."""

_SPEC = PluginSpec(
    role="doctrine", summary="Wedge-driving adversary: coerce, reward, grab", params=PARAMS
)


@attrs.define
class WedgeState:
    """The challenger's private memory.

    Attributes:
        resolve: This run's multiplier on ``value_gain``.
        p_deny: Its estimate, per host, that the host denies access.
        target: The state it attacks, once chosen.
        size: The magnitude of its attack.
        decided: Whether the attack decision has been taken.
    """

    resolve: float = 1.0
    p_deny: dict[str, float] = attrs.field(factory=dict)
    target: str | None = None
    size: float = 0.0
    decided: bool = False


@attrs.frozen
class Estimate:
    """The challenger's estimate for one (target, size).

    Attributes:
        target: The state attacked.
        size: The magnitude.
        p_s: Probability of a fait accompli.
        risk: Perceived escalation risk.
        utility: Value of :data:`ATTACK` at these values.
    """

    target: str
    size: float
    p_s: float
    risk: float
    utility: float


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    """Declare the wedge doctrine."""
    return _SPEC


@negsim.hookimpl
def negsim_agent_start(agent: Agent, rng: random.Random) -> WedgeState:
    """Draw this run's resolve."""
    sigma = float(agent.params["resolve_noise"])
    return WedgeState(resolve=perception_noise(rng, sigma))


def attack_values(
    params: Mapping[str, ParamValue], *, p_s: float, risk: float, m: float, resolve: float = 1.0
) -> dict[str, float]:
    """The values of :data:`ATTACK`'s symbols."""
    return {
        "p_s": p_s,
        "value_gain": float(params["value_gain"]) * resolve,
        "m": m,
        "cost_fail": float(params["cost_fail"]),
        "risk": risk,
        "cost_nuclear": float(params["cost_nuclear"]),
        "status_quo": float(params["status_quo"]),
    }


def _helpers(public: PublicInfo, target: str, me: str) -> list[str]:
    """States with a treaty commitment to come to ``target``'s aid, sorted."""
    treaties = public.treaties
    cached = _HELPERS.get(id(treaties))
    if cached is None or cached[0] is not treaties:  # worked out once per scenario
        table: dict[str, set[str]] = {}
        for c in treaties:
            if attacked(c.creditor) in c.antecedent:
                table.setdefault(c.creditor, set()).add(c.debtor)
        if len(_HELPERS) >= 16:
            _HELPERS.clear()
        cached = _HELPERS[id(treaties)] = (treaties, table)
    return sorted(cached[1].get(target, set()) - {me})


_HELPERS: dict[int, tuple[tuple[Commitment, ...], dict[str, set[str]]]] = {}


def estimate(
    public: PublicInfo,
    params: Mapping[str, ParamValue],
    me: str,
    target: str,
    size: float,
    p_deny: Mapping[str, float],
    resolve: float = 1.0,
) -> Estimate:
    """The challenger's expected utility of attacking ``target`` with ``size``.

    Response power counts the target and its treaty helpers. A helper whose forces sit
    in a rear-area host loses ``rear_dependency`` with the probability the host denies
    access. Helpers in a consensus alliance with the target need
    ``est_consensus_delay * log2(members)`` rounds and cannot act if a member host is
    expected to veto; others need ``est_hub_delay``. A response arriving after
    ``consolidation_rounds`` is too late.
    """
    w = public.world_params
    caps = public.capabilities
    attack = size * caps[me].conventional
    rounds = float(w.get("consolidation_rounds", 4))
    dependency = float(w.get("rear_dependency", 0.5))
    multiplier = float(w.get("integration_multiplier", 1.0))
    power = caps[target].conventional
    consensus = [
        al
        for al in public.alliances
        if target in al.members and al.decision_rule == "consensus" and len(al.members) > 1
    ]
    collective_ok = 1.0
    delay_c = 0.0
    if consensus:
        al = max(consensus, key=lambda a: len(a.members))
        delay_c = float(params["est_consensus_delay"]) * math.log2(len(al.members))
        for host in al.members:
            if caps[host].forces_hosted and host != target:
                collective_ok *= 1.0 - p_deny.get(host, 0.0)
    in_consensus = {m for al in consensus for m in al.members}
    for helper in _helpers(public, target, me):
        strength = caps[helper].conventional
        for host in public.hosts_of(helper):
            if host not in (target, helper):
                strength *= 1.0 - dependency * p_deny.get(host, 0.0)
        if helper in in_consensus:
            late = delay_c >= rounds
            strength *= 0.0 if late else collective_ok * multiplier
        elif float(params["est_hub_delay"]) >= rounds:
            strength = 0.0
        power += strength
    ratio = power / attack if attack > 0 else math.inf
    reversal = float(w.get("reversal_ratio", 1.0))
    p_s = 1.0 / (1.0 + math.exp(min(50.0, 4.0 * (ratio - reversal))))
    tripwire = 1.0 if caps[target].forces_hosted else 0.0
    r = (
        float(w.get("escalation_base", 0.0))
        + float(w.get("escalation_per_size", 0.0)) * size
        + float(w.get("tripwire_risk", 0.0)) * tripwire
    )
    risk = r * (1.0 - float(params["survivable"]) * (1.0 - size))
    utility = ATTACK.value(attack_values(params, p_s=p_s, risk=risk, m=size, resolve=resolve))
    return Estimate(target=target, size=size, p_s=p_s, risk=risk, utility=utility)


def _targets(view: AgentView) -> list[str]:
    named = [t for t in str(view.param("targets")).split(",") if t]
    if named:
        return named
    return sorted(
        {
            c.creditor
            for c in view.public.treaties
            if attacked(c.creditor) in c.antecedent and c.creditor != view.me
        }
    )


def _sizes(params: Mapping[str, ParamValue]) -> list[float]:
    return [float(s) for s in str(params["sizes"]).split(",") if s.strip()]


@negsim.hookimpl
def negsim_decision_rules(
    agent: Agent, scenario: Scenario
) -> Sequence[tuple[Rule, Mapping[str, float]]]:
    """The attack rule at the challenger's best (target, size) before any answer."""
    public = PublicInfo.of(scenario)
    named = [t for t in str(agent.params["targets"]).split(",") if t]
    targets = named or sorted(
        {c.creditor for c in scenario.commitments if attacked(c.creditor) in c.antecedent}
    )
    if not targets:
        return []
    best = max(
        (
            estimate(public, agent.params, agent.id, t, s, {})
            for t in targets
            for s in _sizes(agent.params)
        ),
        key=lambda e: e.utility,
    )
    return [(ATTACK, attack_values(agent.params, p_s=best.p_s, risk=best.risk, m=best.size))]


@negsim.hookimpl
def negsim_decide(view: AgentView) -> list[Move]:
    """Coerce and reward first; attack, stand down, or carry on."""
    state: WedgeState = view.state
    me = view.me
    moves: list[Move] = []
    targets = _targets(view)
    for m in view.inbox:  # hosts' answers to its threats
        if (
            m.performative in (negsim.Performative.ACCEPT, negsim.Performative.REJECT)
            and m.content.get("demand") == "deny_access"
        ):
            state.p_deny[m.sender] = 0.9 if m.performative is negsim.Performative.ACCEPT else 0.1
    if view.round == 1:
        moves += _first_round(view, state, targets)
    if not state.decided and view.round >= int(view.param("attack_round")):
        state.decided = True
        options = [
            estimate(view.public, view.agent.params, me, t, s, state.p_deny, state.resolve)
            for t in targets
            for s in _sizes(view.agent.params)
        ]
        best = max(options, key=lambda e: (e.utility, -e.size), default=None)
        armed = view.agent.capabilities.conventional > 0
        if armed and best is not None and best.utility > 0:
            state.target, state.size = best.target, best.size
            others = [a for a in view.public.agents if a != me]
            if others:
                moves.append(view.say(others, "inform", about="operation", target=best.target))
        else:
            moves.append(view.act("stand_down"))
    if state.target is not None and f"repelled({state.target})" not in view.world.facts:
        moves.append(view.act("attack", state.target, state.size))
    p_execute = float(view.param("p_execute"))
    for c in view.commitments:  # only its own threats, not treaty obligations it may owe
        threat = c.debtor == me and c.consequent == f"struck({c.creditor})"
        due = threat and c.state is CommitmentState.DETACHED and p_execute > 0
        if due and view.rng.random() < p_execute:
            moves.append(view.act("nuclear_strike", c.creditor))
    return moves


def _first_round(view: AgentView, state: WedgeState, targets: list[str]) -> list[Move]:
    me = view.me
    moves: list[Move] = []
    public = view.public
    helpers = sorted({h for t in targets for h in _helpers(public, t, me)})
    hosts = sorted(
        {h for helper in helpers for h in public.hosts_of(helper) if h not in (*targets, me)}
    )
    hubs = sorted({al.hub for al in public.alliances if al.hub})
    if view.param("coerce") and public.capabilities[me].nuclear > 0:
        credibility = float(view.param("threat_credibility"))
        for host in hosts:
            for user in sorted(set(public.capabilities[host].forces_hosted) & set(helpers)):
                moves.append(
                    view.say(
                        host,
                        "threaten",
                        nuclear=True,
                        credibility=credibility,
                        demand="deny_access",
                        antecedent=grants_access(host, user),
                        consequent=f"struck({host})",
                        deadline=3,
                    )
                )
    budget = float(view.param("reward_budget"))
    if budget > 0:
        for ally in helpers:
            if ally in hubs and not view.param("reward_hub"):
                continue
            if ally not in hubs and public.capabilities[ally].forces_hosted:
                continue  # it hosts the patron: cannot out-bid the patron for it
            moves.append(view.say(ally, "offer", value=budget, demand="stand_down"))
    return moves
