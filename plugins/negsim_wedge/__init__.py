"""The wedge-driving adversary: the ``wedge`` doctrine.

The challenger sizes up an alliance, tries to split it, and grabs when the grab pays,
all from what it believes and what it sees:

* **Beliefs about helpers** (Leeds, Long & Mitchell 2000; Huth & Russett 1984): for
  each state pledged to a target it holds a belief over that state's type (its
  public prior over ``stakes``, or a point at ``est_stakes``) and works out the
  probability it honours by the allies' own support rule: the chance the defence
  wins, forward-deployed troops (Fuhrmann & Sechser 2014), ties, and public pledges,
  which it updates on (Fearon 1997). It starts from the public prior moved by each
  helper's public record of honouring in earlier crises (Weisiger & Yarhi-Milo 2015;
  Bayes' rule, each past case weighing ``record_weight``). Under consensus every
  member must consent, so a collective alliance helps only with the product of its
  members' consents.
* **Coercion and reward per ally** (Crawford, IS 2011; Izumikawa, SS 2013): it arms a
  threat against each host of helpers' forces at the hazard that maximises its
  expected gain, weighing the host's chance of shutting its bases (from its belief
  over the host's ``alliance_value``) against the cost of carrying the threat out; it
  offers ``reward_budget`` to a host whose price it can meet, paid only on compliance.
  It reads the hosts' public answers as evidence.
* **Target, size and timing** (Quackenbush 2006; Snyder 1965; Powell 2015; Altman
  2017): each day after ``probe_rounds`` it evaluates every target and attack size
  with the world's combat model, :data:`ATTACK`; it attacks when the best beats the
  status quo, and stands down after ``patience`` days without such a plan. A
  survivable arsenal (more warheads) discounts the escalation risk of limited probes
  (the stability-instability paradox).
* **During the war** it keeps its threats armed (a secret ``arm`` action each day:
  the world carries them out with the hazard chosen) and watches who comes: a helper
  that stays away past the day it was due is less likely to come (Bayes' rule on the
  record of honouring in this crisis, ``learn_from_absence``). With ``reassess`` it
  weighs the war each day as it stands (the ground held, who came) and withdraws when
  fighting on is worth less than the status quo it attacked to escape. Where the scenario
  declares an armistice, it demands the share of the ground that pays best against
  its belief about the target's cost of war (Fearon, IO 1995).
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable, Mapping, Sequence

import attrs

import negsim
from negsim.beliefs import Belief
from negsim.crisis import (
    FEARON,
    FEARON_1995,
    KEEP,
    RECORD_WEIGHT,
    Rung,
    armistice_sessions,
    attacking,
    best_keep,
    defence_by_day,
    exposure,
    grab_stands,
    nominal_view,
    past_honour_chance,
    record_likelihood,
    responds,
    tripwire_hazard,
)
from negsim.logic import Rule
from negsim.model import (
    Agent,
    AgentType,
    AgentView,
    Move,
    ParamSpec,
    ParamValue,
    Performative,
    PluginSpec,
    PublicInfo,
    Scenario,
)

__all__ = ["ATTACK", "PARAMS", "Challenger", "Plan", "attack_values", "shares_problem"]

HUTH = "Huth & Russett, World Politics 1984 (expected-utility deterrence)"
ASSUMED = "value an assumption"


def shares_problem(value: ParamValue) -> str | None:
    """What is wrong with a list of shares (``sizes``, ``hazards``), or ``None``.

    >>> shares_problem("0.2,0.5,1.0") is None
    True
    >>> print(shares_problem(""))
    expected comma-separated numbers in [0, 1], at least one: ''
    >>> print(shares_problem("0.5,2"))
    expected comma-separated numbers in [0, 1], at least one: '0.5,2'
    """
    try:
        shares = [float(x) for x in str(value).split(",") if x.strip()]
    except ValueError:
        shares = []
    if not shares or any(not 0.0 <= x <= 1.0 for x in shares):
        return f"expected comma-separated numbers in [0, 1], at least one: {value!r}"
    return None


def _rung_problem(value: ParamValue) -> str | None:
    """What is wrong with a ``rung`` value (empty, or one rung of the ladder), or ``None``."""
    known = [r.value for r in Rung]
    if value and value not in known:
        return f"unknown rung {value!r}; choices: {', '.join(known)} (or empty)"
    return None


PARAMS = (
    ParamSpec(
        "targets",
        "",
        "Comma-separated candidate targets; empty: every protected state.",
        source="Quackenbush, JCR 2006",
        refers="agents",
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
        "survivable_half",
        25.0,
        "Warheads at which its arsenal counts as half survivable.",
        0,
        1e5,
        f"Snyder 1965; Powell, IO 2015 (stability-instability paradox); {ASSUMED}",
    ),
    ParamSpec(
        "sizes",
        "0.2,0.5,1.0",
        "Comma-separated attack magnitudes it considers (0-1].",
        source="Altman, ISQ 2017 (limited grabs)",
        refine=shares_problem,
    ),
    ParamSpec(
        "hazards",
        "0,0.01,0.03,0.1,0.3",
        "Comma-separated daily hazards it may arm a threat with (one value fixes it).",
        source="Schelling 1960; Powell, IO 2015 (the threatener chooses the risk)",
        refine=shares_problem,
    ),
    ParamSpec("coerce", True, "Whether it threatens rear-area hosts.", source="Crawford, IS 2011"),
    ParamSpec(
        "rung",
        "",
        "The rung it threatens; empty: the highest on the ladder its arsenal allows.",
        source="Schelling 1966; 2017: KCNA named U.S. bases in Japan as targets",
        refine=_rung_problem,
    ),
    ParamSpec(
        "execution_cost",
        1.0,
        "Its own cost of carrying out a demonstration; a conventional strike costs twice "
        "as much; nuclear use costs its share of cost_nuclear.",
        0,
        1000,
        ASSUMED,
    ),
    ParamSpec(
        "reward_budget",
        0.0,
        "Reward it can offer an ally to shut its bases, paid only on compliance.",
        0,
        1000,
        "Crawford, IS 2011 (selective accommodation)",
    ),
    ParamSpec(
        "reward_hub",
        False,
        "Whether it offers the hub its whole reward budget to concede (exercise suspension).",
        source="2018 Singapore summit",
    ),
    ParamSpec(
        "est_stakes",
        5.0,
        "Its estimate of a helper's stakes when the helper has no public prior.",
        0,
        1000,
        ASSUMED,
    ),
    ParamSpec(
        "est_cost_war",
        3.0,
        "Its estimate of a helper's or a target's cost of war, when the state has no "
        "public prior over cost_war.",
        0,
        1000,
        ASSUMED,
    ),
    ParamSpec(
        "est_ground_value",
        10.0,
        "Its estimate of what the ground it grabs is worth to the target.",
        0.01,
        10000,
        f"{FEARON_1995}; {ASSUMED}",
    ),
    ParamSpec(
        "est_helper_nuclear_cost",
        50.0,
        "Its estimate of what nuclear escalation would cost a helper.",
        0,
        1e6,
        f"Schelling 1966 (the risk deters the defender too); {ASSUMED}",
    ),
    ParamSpec(
        "est_ties",
        1.0,
        "Its estimate of what ties add to a helper's support (dependence times the cost "
        "of abandonment).",
        0,
        1000,
        f"{HUTH} (close ties); {ASSUMED}",
    ),
    ParamSpec(
        "est_forward_stake",
        4.0,
        "Its estimate of the stake forward-deployed troops add, at most.",
        0,
        1000,
        "Fuhrmann & Sechser, AJPS 2014",
    ),
    ParamSpec(
        "est_audience_cost",
        0.5,
        "Its estimate of a helper's audience cost per level of public escalation.",
        0,
        100,
        "Tomz, IO 2007",
    ),
    ParamSpec(
        "est_isolation",
        2.0,
        "Its estimate of what blocking a consensus costs a member whose partners have all "
        "consented (isolation and reassurance): above a member's audience cost, a member "
        "that refuses abstains where the alliance allows it.",
        0,
        1000,
        f"NATO practice (consensus: a lone blocker is pressed); {ASSUMED}",
    ),
    ParamSpec(
        "est_host_resolve",
        5.0,
        "Its estimate of a host's alliance value plus ties when the host has no public prior.",
        0,
        1000,
        ASSUMED,
    ),
    ParamSpec(
        "est_strike_cost",
        20.0,
        "Its estimate of a host's cost of a conventional strike on its bases.",
        0,
        1e5,
        ASSUMED,
    ),
    ParamSpec(
        "est_nuclear_cost",
        100.0,
        "Its estimate of a host's cost of nuclear use against it.",
        0,
        1e6,
        ASSUMED,
    ),
    ParamSpec(
        "horizon",
        5.0,
        "Days of war over which it weighs a daily hazard: its own risk of escalation, "
        "and (it expects) a host's of a threat carried out.",
        1,
        100,
        f"Powell, IO 2015; {ASSUMED}",
    ),
    ParamSpec(
        "est_candour",
        0.9,
        "How far it takes a host's public answer as evidence: the chance a host that "
        "would hold firm rejects in public, and that one that would not stays silent "
        "rather than bluff (hosts bluff when defiance is cheap: negsim.crisis.BLUFF).",
        0.5,
        1,
        f"{FEARON}; {ASSUMED}",
    ),
    ParamSpec(
        "est_consensus_delay",
        1.5,
        "Days per doubling of members it expects a consensus alliance to need.",
        0,
        60,
        "NATO practice (DOMAIN: 1 to 32 days)",
    ),
    ParamSpec(
        "est_alone_delay",
        4.0,
        "Days after which it expects members of a blocked consensus alliance to act alone.",
        0,
        60,
        f"NATO 2003: about 32 days to the DPC route; {ASSUMED}",
    ),
    ParamSpec(
        "est_hub_delay",
        1.0,
        "Days it expects a hub to need to respond.",
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
        "assumption: private resolve (Fearon, IO 1995), spread unknown",
    ),
    ParamSpec(
        "reassess",
        False,
        "Whether it weighs the war each day and withdraws when holding on no longer pays "
        "for the escalation risk.",
        source="Altman, ISQ 2017 (grabs abandoned under pressure); Powell, IO 2015",
    ),
    ParamSpec(
        "learn_from_absence",
        True,
        "Whether each day a helper stays away past its due day lowers its belief that the "
        "helper will come (Bayes' rule).",
        source="Leeds, Long & Mitchell, JCR 2000 (honouring is a decision others observe)",
    ),
    RECORD_WEIGHT,
    ParamSpec(
        "probe_rounds",
        2,
        "Days it threatens and listens before it may attack.",
        0,
        60,
        "2017: months of threats before any move; value an assumption",
    ),
    ParamSpec(
        "patience",
        6,
        "Last day on which it will start a war; after it, it stands down.",
        1,
        10000,
        ASSUMED,
    ),
)
"""The wedge doctrine's parameters."""

ATTACK = Rule(
    name="attack",
    expr="p_s*value_gain*m - (1 - p_s)*cost_fail*m - risk*cost_nuclear - coercion_cost"
    " - status_quo",
    doc="the challenger attacks with magnitude m",
    source=HUTH + "; Powell, IO 2015; Altman, ISQ 2017",
)
"""The challenger attacks while this expression is > 0 (at its best plan)."""

_SPEC = PluginSpec(
    role="doctrine", summary="Wedge-driving adversary: coerce, reward, grab", params=PARAMS
)


@attrs.frozen
class Plan:
    """The challenger's best plan against one target.

    Attributes:
        target: The state attacked.
        size: The magnitude.
        p_s: The chance the grab stands, as it estimates it.
        risk: The escalation risk it perceives.
        hazards: The hazard armed against each host.
        utility: The value of :data:`ATTACK` for the plan.
        round: The round it attacked in (0 until it does).
    """

    target: str
    size: float
    p_s: float
    risk: float
    hazards: Mapping[str, float]
    utility: float
    round: int = 0


@attrs.define
class Challenger:
    """The challenger's private memory.

    Attributes:
        resolve: This run's multiplier on ``value_gain``.
        helpers: Its belief about each helper's stakes.
        hosts: Its belief about each host's alliance value plus ties.
        hazards: The hazard it arms against each host.
        rung: The rung it threatens.
        plan: The plan it attacked with.
        standing_down: Whether it has stood down.
        delays: The days it expects each helper to need (worked out once).
        defender: Its belief about the target's cost of war, once it bargains.
        demanded: The share it last demanded in an armistice (``None``: none yet).
    """

    resolve: float = 1.0
    helpers: dict[str, Belief] = attrs.field(factory=dict)
    hosts: dict[str, Belief] = attrs.field(factory=dict)
    hazards: dict[str, float] = attrs.field(factory=dict)
    rung: str = ""
    plan: Plan | None = None
    standing_down: bool = False
    delays: dict[str, int] = attrs.field(factory=dict)
    defender: Belief | None = None
    demanded: float | None = None


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    """Declare the wedge doctrine."""
    return _SPEC


@negsim.hookimpl
def negsim_agent_start(agent: Agent, rng: random.Random) -> Challenger:
    """Draw this run's resolve."""
    sigma = agent.number("resolve_noise")
    return Challenger(resolve=rng.lognormvariate(0.0, sigma) if sigma else 1.0)


def attack_values(
    params: Mapping[str, ParamValue],
    *,
    p_s: float,
    risk: float,
    m: float,
    coercion: float,
    resolve: float = 1.0,
) -> dict[str, float]:
    """The values of :data:`ATTACK`'s symbols."""
    return {
        "p_s": p_s,
        "value_gain": float(params["value_gain"]) * resolve,
        "m": m,
        "cost_fail": float(params["cost_fail"]),
        "risk": risk,
        "cost_nuclear": float(params["cost_nuclear"]),
        "coercion_cost": coercion,
        "status_quo": float(params["status_quo"]),
    }


@negsim.hookimpl
def negsim_decision_rules(
    agent: Agent, scenario: Scenario
) -> Sequence[tuple[Rule, Mapping[str, float]]]:
    """The attack rule for its best plan at the start, before any answer."""
    view = nominal_view(agent, scenario)
    state = Challenger()
    view = attrs.evolve(view, state=state)
    _size_up(view, state)
    plan = _best_plan(view, state)
    if plan is None:
        return []
    return [(ATTACK, _plan_values(view, state, plan))]


@negsim.hookimpl
def negsim_decide(view: AgentView) -> list[Move]:
    """Size up, coerce and offer, listen, then grab or stand down; keep threats armed."""
    state: Challenger = view.state
    if state.standing_down:
        return []
    if not state.helpers and not state.hosts:
        _size_up(view, state)
    moves: list[Move] = []
    if view.round == 1:
        moves += _coerce_and_offer(view, state)
    _read_answers(view, state)
    if state.plan is None and view.round > view.whole("probe_rounds"):
        moves += _grab_or_wait(view, state)
    if state.plan is not None:
        _watch_who_comes(view, state, state.plan)
        moves += _hold_or_withdraw(view, state)
    return moves


# -- sizing up ---------------------------------------------------------------------------


def _targets(view: AgentView) -> list[str]:
    """The candidates it may attack: those named (other states), or every protected one."""
    named = [t.strip() for t in str(view.param("targets")).split(",") if t.strip()]
    if named:
        return [t for t in named if t != view.me and t in view.public.agents]
    return sorted({c.creditor for c in view.public.treaties if c.creditor != view.me})


def _helpers(public: PublicInfo, target: str, me: str) -> list[str]:
    """:func:`_find_helpers`, worked out once per scenario."""
    key = (id(public), target, me)
    hit = _HELPERS.get(key)
    if hit is not None and hit[0] is public:
        return hit[1]
    found = _find_helpers(public, target, me)
    if len(_HELPERS) > 4096:
        _HELPERS.clear()
    _HELPERS[key] = (public, found)
    return found


_HELPERS: dict[tuple[int, str, str], tuple[PublicInfo, list[str]]] = {}
"""Helpers by (identity of the public information, target, challenger): worked out once
per scenario, the public information kept with its entry so a recycled id never hits."""


def _find_helpers(public: PublicInfo, target: str, me: str) -> list[str]:
    """States that may come to ``target``'s aid, sorted.

    Those pledged to it by treaty, and the members of a collective alliance it belongs
    to (they all decide).
    """
    pledged = {c.debtor for c in public.treaties if c.consequent == responds(c.debtor, target)}
    members = {
        m for al in public.alliances_of(target) if al.kind == "collective" for m in al.members
    }
    return sorted((pledged | members) - {me, target})


def _rear_hosts(public: PublicInfo, target: str, helpers: Sequence[str], me: str) -> list[str]:
    """States other than the target (and itself) that host helpers' forces, sorted."""
    return sorted(
        {h for helper in helpers for h in public.hosts_of(helper) if h not in (target, me)}
    )


def _size_up(view: AgentView, state: Challenger) -> None:
    """Beliefs from the public priors: each helper's stakes, each host's resolve."""
    public = view.public
    for target in _targets(view):
        helpers = _helpers(public, target, view.me)
        for h in helpers:
            if h not in state.helpers:
                state.helpers[h] = _reputation(view, h)
        for host in _rear_hosts(public, target, helpers, view.me):
            state.hosts.setdefault(
                host,
                _belief(public, host, "alliance_value", view.number("est_host_resolve")),
            )
    state.rung = _rung(view)


def _reputation(view: AgentView, helper: str) -> Belief:
    """Its belief about a helper's stakes: the public prior, moved by the helper's record.

    Each past case on the public record (:meth:`negsim.model.PublicInfo.record_of`) is
    evidence with the likelihood its own model gives each type (:func:`_past_honour`),
    weighed by ``record_weight`` (Weisiger & Yarhi-Milo 2015: beliefs carry over).
    """
    belief = _belief(view.public, helper, "stakes", view.number("est_stakes"))
    record = view.public.record_of(helper)
    weight = view.number("record_weight")
    if record.cases and weight > 0.0:
        belief.update_with(record_likelihood(_past_honour(view), record, weight))
    return belief


def _past_honour(view: AgentView) -> Callable[[AgentType], float]:
    """The chance a helper of a given type honoured a past case, as it models one.

    The allies' support rule with the helper's own terms as it estimates them (its
    ties, its cost of war) and the chance of winning unknown, uniform on [0, 1]
    (:func:`negsim.crisis.past_honour_chance`). What belongs to this crisis (forces at
    risk here, a pledge made here, this crisis's nuclear shadow) is left out: the
    record does not say how past cases stood.
    """
    margin = view.number("est_ties") - view.number("est_cost_war")
    return lambda t: past_honour_chance(float(t.params["stakes"]), margin)


def _belief(public: PublicInfo, who: str, param: str, point: float) -> Belief:
    """A fresh belief about ``who``'s ``param``: the public prior, or ``point`` for sure.

    A copy of one built once per scenario (the public information is kept with its
    entry so that a recycled id can never hit).
    """
    key = (id(public), who, param, point)
    hit = _BELIEFS.get(key)
    if hit is not None and hit[0] is public:
        return hit[1].copy()
    prior = public.prior_of(who)
    if prior is not None and any(param in t.params for t in prior.types):
        belief = Belief(who, prior)
    else:
        belief = Belief(who, (AgentType(f"{param}={point:g}", {param: point}, 1.0),))
    if len(_BELIEFS) > 4096:
        _BELIEFS.clear()
    _BELIEFS[key] = (public, belief)
    return belief.copy()


_BELIEFS: dict[tuple[object, ...], tuple[PublicInfo, Belief]] = {}


def _rung(view: AgentView) -> str:
    named = str(view.param("rung"))
    if named:
        return named
    ladder = [n.strip() for n in str(view.public.world_params.get("ladder", "")).split(",")]
    usable = [r for r in ladder if r and (r != Rung.NUCLEAR_USE or view.agent.capabilities.nuclear)]
    return usable[-1] if usable else Rung.DEMONSTRATION.value


# -- coercion and reward -----------------------------------------------------------------


def _coerce_and_offer(view: AgentView, state: Challenger) -> list[Move]:
    """Reward each rear host it can out-bid the patron for; threaten the others.

    Selective accommodation (Crawford 2011): a host whose expected price (its alliance
    value plus ties) is below the budget gets a conditional offer; one it cannot buy
    is threatened, at the hazard worth arming, if coercion pays at all.
    """
    plan = _best_plan(view, state)
    budget = view.number("reward_budget")
    moves: list[Move] = []
    for host in sorted(state.hosts):
        if _offer_to(view, state, host):
            moves.append(view.say(host, "offer", value=budget, demand="deny_access"))
            continue
        hazard = plan.hazards.get(host, 0.0) if plan is not None else 0.0
        if view.flag("coerce") and hazard > 0.0:
            state.hazards[host] = hazard
            moves.append(
                view.say(
                    host,
                    "threaten",
                    rung=state.rung,
                    nuclear=state.rung == Rung.NUCLEAR_USE,
                    demand="deny_access",
                    visibility="public",
                )
            )
    if budget > 0.0 and view.flag("reward_hub"):
        for hub in sorted({al.hub for al in view.public.alliances if al.hub}):
            moves.append(view.say(hub, "offer", value=budget, demand="concede"))
    return moves


def _read_answers(view: AgentView, state: Challenger) -> None:
    """Update on the hosts' public answers to its threats (Fearon 1997).

    A public rejection ties the host's hands; silence after a day is weaker evidence
    the other way. Helpers' public pledges enter through :func:`_p_honour`.
    """
    answered = set()
    for m in view.inbox:
        if m.performative is Performative.REJECT and m.sender in state.hosts:
            answered.add(m.sender)
            _update_host(view, state, m.sender, rejected=True)
    if view.round == 2:
        for host in state.hazards:
            if host not in answered:
                _update_host(view, state, host, rejected=False)


def _update_host(view: AgentView, state: Challenger, host: str, *, rejected: bool) -> None:
    hazard = state.hazards.get(host, 0.0)
    threshold = _host_breaking_point(view, state, hazard)

    candour = view.number("est_candour")

    def likelihood(t: AgentType) -> float:
        firm = float(t.params["alliance_value"]) + view.number("est_ties") > threshold
        return candour if firm == rejected else 1.0 - candour

    state.hosts[host].update_with(likelihood)


def _host_breaking_point(view: AgentView, state: Challenger, hazard: float) -> float:
    """The resolve a host needs to keep its bases open against ``hazard``."""
    cost = view.number("est_strike_cost")
    if state.rung == Rung.NUCLEAR_USE:
        cost = view.number("est_nuclear_cost")
    elif state.rung == Rung.DEMONSTRATION:
        cost = 0.0
    return hazard * view.number("horizon") * cost


def _p_deny(view: AgentView, state: Challenger, host: str, hazard: float, reward: float) -> float:
    """Its belief that ``host`` shuts its bases against a threat of ``hazard``."""
    threshold = _host_breaking_point(view, state, hazard) + reward
    ties = view.number("est_ties")
    belief = state.hosts[host]
    key = (id(belief), belief.probabilities, threshold, ties)
    hit = _DENY.get(key)
    if hit is not None and hit[0] is belief:
        return hit[1]
    p = 1.0 - belief.expect(lambda t: float(float(t.params["alliance_value"]) + ties > threshold))
    if len(_DENY) > 4096:  # a run's own beliefs: bounded, so that memory stays flat
        _DENY.clear()
    _DENY[key] = (belief, p)
    return p


_DENY: dict[tuple[object, ...], tuple[Belief, float]] = {}
""":func:`_p_deny` by (identity of the belief, its probabilities, the threshold, the
ties): a belief's types never change, and it is kept with its entry so that a recycled
id can never hit."""


# -- the plan ----------------------------------------------------------------------------


def _hazard_choices(view: AgentView) -> tuple[float, ...]:
    return _numbers(str(view.param("hazards")))


def _sizes(view: AgentView) -> tuple[float, ...]:
    return _numbers(str(view.param("sizes")))


@functools.lru_cache(maxsize=256)
def _numbers(text: str) -> tuple[float, ...]:
    """The numbers of a comma-separated list, parsed once per text."""
    return tuple(float(x) for x in text.split(",") if x.strip())


def _best_plan(view: AgentView, state: Challenger) -> Plan | None:
    """Its best plan over targets and sizes, or ``None`` with no forces to attack with."""
    if view.agent.capabilities.conventional <= 0.0:
        return None
    best: Plan | None = None
    for target in _targets(view):
        for size in _sizes(view):
            plan = _plan(view, state, target, size)
            if best is None or plan.utility > best.utility:
                best = plan
    return best


def _plan(view: AgentView, state: Challenger, target: str, size: float) -> Plan:
    """The best hazards against the rear hosts for one target and size, and its value."""
    helpers = _helpers(view.public, target, view.me)
    hosts = _rear_hosts(view.public, target, helpers, view.me)
    p_win = _coalition_wins(view, target, size)
    honour = {h: _p_honour(view, state, h, target, size, p_win) for h in helpers}
    hazards = {h: state.hazards.get(h, 0.0) for h in hosts}
    if view.flag("coerce") and view.round == 1:
        for host in hosts:  # one host at a time: the hazard worth arming
            hazards[host] = max(
                _hazard_choices(view),
                key=lambda x: _evaluate(view, state, target, size, honour, {**hazards, host: x})[0],
            )
    utility, p_s, risk = _evaluate(view, state, target, size, honour, hazards)
    return Plan(target, size, p_s, risk, hazards, utility)


def _evaluate(
    view: AgentView,
    state: Challenger,
    target: str,
    size: float,
    honour: Mapping[str, float],
    hazards: Mapping[str, float],
) -> tuple[float, float, float]:
    p_s = _grab_odds(view, state, target, size, honour, hazards)
    risk = _risk(view, target, size)
    values = attack_values(
        view.agent.params,
        p_s=p_s,
        risk=risk,
        m=size,
        coercion=_coercion_cost(view, state, hazards),
        resolve=state.resolve,
    )
    return ATTACK.value(values), p_s, risk


def _plan_values(view: AgentView, state: Challenger, plan: Plan) -> dict[str, float]:
    return attack_values(
        view.agent.params,
        p_s=plan.p_s,
        risk=plan.risk,
        m=plan.size,
        coercion=_coercion_cost(view, state, plan.hazards),
        resolve=state.resolve,
    )


def _grab_odds(
    view: AgentView,
    state: Challenger,
    target: str,
    size: float,
    honour: Mapping[str, float],
    hazards: Mapping[str, float],
) -> float:
    """The chance the grab stands, with helpers and hosts as it believes them.

    Memoised on everything it reads (the scenario, the facts, the round, the beliefs
    about the hosts, the honour and the hazards): runs of a scenario ask the same
    questions in their first rounds.
    """
    key = (
        id(view.public),
        view.world.facts,
        view.round,
        target,
        size,
        tuple(sorted(honour.items())),
        tuple(sorted(hazards.items())),
        tuple((h, b.probabilities) for h, b in sorted(state.hosts.items())),
    )
    hit = _ODDS.get(key)
    if hit is not None and hit[0] is view.public:
        return hit[1]
    odds = _reckon_odds(view, state, target, size, honour, hazards)
    if len(_ODDS) > 65536:
        _ODDS.clear()
    _ODDS[key] = (view.public, odds)
    return odds


_ODDS: dict[tuple[object, ...], tuple[PublicInfo, float]] = {}


def _reckon_odds(
    view: AgentView,
    state: Challenger,
    target: str,
    size: float,
    honour: Mapping[str, float],
    hazards: Mapping[str, float],
    *,
    elapsed: int = 0,
    came: frozenset[str] = frozenset(),
    control: float | None = None,
    held: int = 0,
) -> float:
    """The chance a grab stands: before it (the defaults) or ``elapsed`` days into it.

    In a war under way, the helpers that ``came`` fight from the start and the others
    are ``elapsed`` days closer to their due day; ``control`` and ``held`` say how the
    grab stands.
    """
    public = view.public
    deny = {h: _p_deny(view, state, h, x, _offer_to(view, state, h)) for h, x in hazards.items()}
    facts = view.world.facts

    def access(host: str, user: str) -> float:
        if f"denies_access({host},{user})" in facts:
            return 0.0
        if f"grants_access({host},{user})" in facts:
            return 1.0
        return 1.0 - deny.get(host, 0.0)

    helpers = list(honour)
    start = {
        h: 0 if h in came else max(0, _expected_delay(view, state, h) - elapsed) for h in helpers
    }
    days = max(1, public.max_rounds - view.round + 1)
    alliances = [al for al in public.alliances_of(target) if al.kind == "collective"]
    members = [m for m in helpers if any(m in al.members for al in alliances)]
    if not members:
        defence = defence_by_day(
            public, target, size, helpers=honour, start=start, access=access, days=days
        )
        return grab_stands(public, view.me, size, defence, control=control, held=held)
    # under consensus all must consent, less the members the alliance lets abstain;
    # without consensus, members act alone later
    consents = [honour[m] * (1.0 - deny.get(m, 0.0)) for m in members]
    agreed = math.prod(consents)
    may_abstain = max(math.floor(al.abstention_share * len(al.members)) for al in alliances)
    if view.number("est_isolation") <= view.number("est_audience_cost"):
        may_abstain = 0  # it expects a member that refuses to block: blocking costs it less
    decided = _at_most_refuse(consents, may_abstain)
    jointly = defence_by_day(
        public,
        target,
        size,
        helpers={**honour, **dict.fromkeys(members, 1.0)},
        start=start,
        access=access,
        integrated=members,
        days=days,
    )
    late = max(0, round(view.number("est_alone_delay")) - elapsed)
    alone = defence_by_day(
        public,
        target,
        size,
        helpers=honour,
        start={**start, **{m: late for m in members if m not in came}},
        access=access,
        days=days,
    )
    partly = jointly
    if decided > agreed:  # decided with abstainers: the consenting members, integrated
        partly = defence_by_day(
            public,
            target,
            size,
            helpers=honour,
            start=start,
            access=access,
            integrated=members,
            days=days,
        )
    defence = [
        agreed * j + (decided - agreed) * p + (1.0 - decided) * a
        for j, p, a in zip(jointly, partly, alone, strict=True)
    ]
    return grab_stands(public, view.me, size, defence, control=control, held=held)


def _at_most_refuse(consents: Sequence[float], k: int) -> float:
    """The chance that at most ``k`` members refuse, each consenting with its chance.

    >>> round(_at_most_refuse([0.5, 0.5], 1), 2)
    0.75
    """
    refusals = [1.0]  # refusals[j]: the chance that exactly j refuse so far
    # More than k refusals never flow back to k or fewer: those chances are not kept.
    kept = k + 1 if k >= 0 else len(consents) + 1
    for c in consents:
        refusals = [
            (refusals[j] * c if j < len(refusals) else 0.0)
            + (refusals[j - 1] * (1.0 - c) if j else 0.0)
            for j in range(min(len(refusals) + 1, kept))
        ]
    return math.fsum(refusals[: k + 1])


def _coalition_wins(view: AgentView, target: str, size: float) -> float:
    """The chance every helper of ``target``, all coming at once, wins its ground back.

    The chance of winning each helper weighs, as the allies themselves reckon it. A
    function of the public information only: worked out once per scenario.
    """
    public = view.public
    key = (id(public), view.me, target, size)
    hit = _WINS.get(key)
    if hit is not None and hit[0] is public:
        return hit[1]
    coalition = dict.fromkeys(_helpers(public, target, view.me), 1.0)
    full = defence_by_day(
        public, target, size, helpers=coalition, start={}, access=lambda h, u: 1.0, days=10
    )
    wins = 1.0 - grab_stands(public, view.me, size, full)
    if len(_WINS) > 4096:
        _WINS.clear()
    _WINS[key] = (public, wins)
    return wins


_WINS: dict[tuple[object, ...], tuple[PublicInfo, float]] = {}
""":func:`_coalition_wins` by (identity of the public information, challenger, target,
size); the public information is kept with its entry so that a recycled id can never
hit."""


def _p_honour(
    view: AgentView, state: Challenger, helper: str, target: str, size: float, p_win: float
) -> float:
    """Its belief that ``helper`` honours: the allies' support rule over its types."""
    honours = _honours(view, helper, target, size, p_win)
    return state.helpers[helper].expect(lambda t: float(honours(t)))


def _honours(
    view: AgentView, helper: str, target: str, size: float, p_win: float
) -> Callable[[AgentType], bool]:
    """Whether a helper of a given type would honour.

    The allies' support rule, with its estimates of the terms it cannot see.
    """
    pledged = 1.0 if f"pledged({helper},{target})" in view.world.facts else 0.0
    fixed = (
        view.number("est_forward_stake") * exposure(view.public, helper, target)
        - view.number("est_cost_war")
        - _risk(view, target, size) * view.number("est_helper_nuclear_cost")
        + view.number("est_ties")
        + view.number("est_audience_cost") * pledged
    )
    return lambda t: p_win * float(t.params["stakes"]) + fixed > 0.0


def _watch_who_comes(view: AgentView, state: Challenger, plan: Plan) -> None:
    """Each day of war, a helper that stays away past its due day is less likely to come.

    A helper that will honour moves after the delay it expects of it, ``d`` days, and is
    late by one more day with probability ``(d + 0.5)/(d + 1.5)`` (a geometric delay of
    mean ``d + 0.5``); one that will not never comes. So each day past the due day that
    a helper stays away multiplies the odds that it honours by that probability (Bayes'
    rule on the record of honouring in this crisis: Leeds, Long & Mitchell 2000).
    """
    target = plan.target
    if not view.flag("learn_from_absence") or not view.holds(attacking(view.me, target)):
        return
    p_win = _coalition_wins(view, target, plan.size)
    for helper in _helpers(view.public, target, view.me):
        due = _expected_delay(view, state, helper)
        if view.holds(responds(helper, target)) or view.round - plan.round <= due:
            continue
        late = (due + 0.5) / (due + 1.5)
        state.helpers[helper].update_with(
            _absent(_honours(view, helper, target, plan.size, p_win), late)
        )


def _absent(honours: Callable[[AgentType], bool], late: float) -> Callable[[AgentType], float]:
    """The likelihood of a day's absence: ``late`` for a type that honours, 1 otherwise."""
    return lambda t: late if honours(t) else 1.0


def _expected_delay(view: AgentView, state: Challenger, helper: str) -> int:
    """Days it expects ``helper`` to need before its forces move (worked out once)."""
    delay = state.delays.get(helper)
    if delay is None:
        collective = [al for al in view.public.alliances_of(helper) if al.kind == "collective"]
        if collective:
            n = max(len(al.members) for al in collective)
            delay = round(view.number("est_consensus_delay") * math.log2(max(2, n)))
        else:
            delay = round(view.number("est_hub_delay"))
        state.delays[helper] = delay
    return delay


def _risk(view: AgentView, target: str, size: float) -> float:
    """The escalation risk it perceives, discounted for limited probes by survivability.

    Memoised on what it reads: the public information, the target, the size, its
    horizon and survivability.
    """
    public = view.public
    horizon = view.number("horizon")
    survivable = _survivable(view)
    key = (id(public), target, size, horizon, survivable)
    hit = _RISKS.get(key)
    if hit is not None and hit[0] is public:
        return hit[1]
    wp = public.world_params
    troops = sum(view.public.capabilities[target].forces_hosted.values())
    daily = (
        float(wp.get("escalation_base", 0.0))
        + float(wp.get("escalation_per_size", 0.0)) * size
        + tripwire_hazard(
            troops,
            risk=float(wp.get("tripwire_risk", 0.0)),
            half=float(wp.get("tripwire_half", 10000.0)),
        )
    )
    risk: float = 1.0 - (1.0 - min(1.0, daily)) ** horizon
    perceived = risk * (1.0 - survivable * (1.0 - size))
    if len(_RISKS) > 4096:
        _RISKS.clear()
    _RISKS[key] = (public, perceived)
    return perceived


_RISKS: dict[tuple[object, ...], tuple[PublicInfo, float]] = {}
""":func:`_risk` by what it reads, the public information kept with its entry."""


def _survivable(view: AgentView) -> float:
    warheads = view.agent.capabilities.nuclear
    half = view.number("survivable_half")
    return warheads / (warheads + half) if warheads > 0 else 0.0


def _coercion_cost(view: AgentView, state: Challenger, hazards: Mapping[str, float]) -> float:
    """What its threats and rewards would cost it, in expectation.

    A threat is carried out (over the horizon) only against a host that defies it; a
    conditional reward is paid only by a host that complies.
    """
    if state.rung == Rung.NUCLEAR_USE:
        each = view.number("cost_nuclear") * (1.0 - _survivable(view))
    else:
        each = view.number("execution_cost") * Rung(state.rung).level
    cost = 0.0
    horizon = view.number("horizon")
    for host, x in hazards.items():
        reward = _offer_to(view, state, host)
        complies = _p_deny(view, state, host, x, reward)
        cost += x * horizon * each * (1.0 - complies) + reward * complies
    return cost


def _offer_to(view: AgentView, state: Challenger, host: str) -> float:
    """The reward it offers ``host``: its budget if it can out-bid the patron, else 0."""
    budget = view.number("reward_budget")
    if budget <= 0.0:
        return 0.0
    price = state.hosts[host].expect("alliance_value") + view.number("est_ties")
    return budget if budget > 0.0 and price < budget else 0.0


# -- the grab ----------------------------------------------------------------------------


def _grab_or_wait(view: AgentView, state: Challenger) -> list[Move]:
    """Attack with the best plan if it beats the status quo; stand down when out of patience."""
    plan = _best_plan(view, state)
    if plan is not None and plan.utility > 0.0:
        state.plan = attrs.evolve(plan, round=view.round)
        return [view.act("attack", plan.target, magnitude=plan.size)]
    if view.round >= view.whole("patience"):
        state.standing_down = True
        return [view.act("stand_down")]
    return []


def _hold_or_withdraw(view: AgentView, state: Challenger) -> list[Move]:
    """Each day of the war, hold on (threats armed again) or withdraw.

    With ``reassess`` it weighs the war as it now stands, by the world's model: the
    ground held, the responders that came (a record of honouring it has seen), the
    others as it believes them. Fighting on is worth
    ``p_s*value_gain*m - (1 - p_s)*cost_fail*m - risk*cost_nuclear``; withdrawing, the
    status quo it attacked to escape less the cost of a failed attack,
    ``status_quo - cost_fail*m``. It withdraws when that is worth more (deterred in
    the field): a challenger whose status quo is bad enough holds on to the end.
    """
    plan = state.plan
    if plan is None:
        return []
    under_way = view.holds(attacking(view.me, plan.target))
    if view.flag("reassess") and under_way and view.round > plan.round:
        p_s = _odds_now(view, state, plan)
        gain = (view.number("value_gain") * state.resolve + view.number("cost_fail")) * plan.size
        risk = plan.risk * view.number("cost_nuclear")
        if p_s * gain < risk + view.number("status_quo"):
            state.standing_down = True
            return [view.act("withdraw")]
    return _keep_threats_armed(view, state) + _bargain(view, state, plan)


def _bargain(view: AgentView, state: Challenger, plan: Plan) -> list[Move]:
    """Bargain over an armistice while fighting: demand, or take a counter-offer.

    It reckons the war as it stands (:func:`_odds_now`) and takes the target to reckon
    it alike: a target of cost of war ``c`` then accepts up to ``p_s + c/V``, with ``V``
    what it believes the ground is worth to the target. Over its belief about ``c`` (the
    target's public prior, or a point at ``est_cost_war``) it demands the share that
    trades the chance of a refusal against a better line best
    (:func:`negsim.crisis.best_keep`; Fearon, IO 1995). It takes a counter-offer worth
    more to it than fighting on; one worth less tells it that its last demand was
    refused, and the types that would have accepted it become unlikely (Bayes' rule, a
    refusal by such a type being a slip of :data:`_SLIP`) before it demands again.
    """
    moves: list[Move] = []
    for session in armistice_sessions(view):
        if plan.target not in session.negotiation.parties or session.author == view.me:
            continue
        p_s = _odds_now(view, state, plan)
        gain = view.number("value_gain") * state.resolve * plan.size
        war = (
            p_s * gain
            - (1.0 - p_s) * view.number("cost_fail") * plan.size
            - plan.risk * view.number("cost_nuclear")
        )
        if state.defender is None:
            state.defender = _belief(
                view.public, plan.target, "cost_war", view.number("est_cost_war")
            )
        threshold = _acceptable(p_s, view.number("est_ground_value"))
        if session.text:  # the target's counter-offer
            if float(session.text[KEEP]) * gain >= war:
                moves.append(view.accept(session))
                continue
            if state.demanded is not None:
                state.defender.update_with(_refused(threshold, state.demanded))
        belief = state.defender
        keep, _ = best_keep(
            [(threshold(t), p) for t, p in zip(belief.types, belief.probabilities, strict=True)],
            gain=gain,
            war=war,
        )
        state.demanded = round(keep, 6)
        moves.append(view.offer(session, keep=state.demanded))
    return moves


_SLIP = 0.05
"""The chance a target refuses a demand its own reckoning says to accept."""


def _acceptable(p_s: float, worth: float) -> Callable[[AgentType], float]:
    """The largest share a target of a given type accepts: ``p_s + cost_war/worth``."""
    return lambda t: p_s + float(t.params["cost_war"]) / worth


def _refused(
    threshold: Callable[[AgentType], float], demand: float
) -> Callable[[AgentType], float]:
    """The likelihood that a type refused ``demand``: a slip for one that accepts it."""
    return lambda t: _SLIP if threshold(t) >= demand else 1.0


def _odds_now(view: AgentView, state: Challenger, plan: Plan) -> float:
    """The chance the grab under way stands, from what it sees today.

    The same reckoning as its plan's (:func:`_reckon_odds`), with the helpers that came
    counted in and the others as it now believes them.
    """
    public, target = view.public, plan.target
    facts = view.world.facts
    helpers = _helpers(public, target, view.me)
    came = frozenset(h for h in helpers if responds(h, target) in facts)
    p_win = _coalition_wins(view, target, plan.size)
    honour = {
        h: 1.0 if h in came else _p_honour(view, state, h, target, plan.size, p_win)
        for h in helpers
    }
    v = view.world.variables
    return _reckon_odds(
        view,
        state,
        target,
        plan.size,
        honour,
        plan.hazards,
        elapsed=view.round - plan.round,
        came=came,
        control=v.get(f"control({target})", 0.0),
        held=int(v.get(f"held({target})", 0.0)),
    )


def _keep_threats_armed(view: AgentView, state: Challenger) -> list[Move]:
    """Each day of the war, arm each threat again with its hazard (a secret act)."""
    return [
        view.act(
            "arm",
            host,
            magnitude=hazard,
            rung=state.rung,
            demand="deny_access",
            visibility="secret",
        )
        for host, hazard in sorted(state.hazards.items())
        if hazard > 0.0
    ]
