"""The crisis world rules: negsim's default adjudication plugin (``world_rules = "crisis"``).

They turn the agents' actions into the next world state and classify how a crisis
ends. One round is one day. The mechanics, with their sources (see
``docs/explanation/world-rules``); the combat model itself is
:mod:`negsim.crisis` so that doctrines estimate with the same functions:

* **Graded war.** An ``attack`` of magnitude ``m`` commits ``m`` of the challenger's
  conventional power. The grabbed ground is contested: ``control(T)`` starts at 0 and
  takes one ``advance`` by surprise, then moves one ``advance`` up or down each day, up
  with the probability a contest success function gives for the attack against the
  defence (Hirshleifer 1989). The grabbed sector is held from the first day by
  ``m/concentration`` of the garrison (the attacker concentrates, Mearsheimer 1989):
  the target's own power and the forces foreign states station there (a tripwire
  fights because it is attacked); each responder adds the power it has
  staged where it can fight from, once it has arrived. The attacker and the garrison
  wear down by ``attrition`` (Lanchester 1916); reinforcements arrive fresh.
* **Consolidation.** Each day the ground has been fully held discounts the defence by
  ``exp(-entrenchment)`` (Altman, ISQ 2017 and IO 2020), so a late counter-offensive can
  still succeed, less often the later it comes.
* **Access.** Forces staged in a rear-area host fight only while the host permits
  combat operations from its bases: ``denies_access(H,R)`` blocks; ``grants_access(H,R)``
  permits; with neither, ``access_requires_consent`` decides (Kishi-Herter, 1960). What
  a denial removes is what is staged there, in proportion to the troops.
* **Integration.** Responders acting on a collective decision of an alliance that
  includes the target fight under integrated command: their power is multiplied by
  ``integration_multiplier``.
* **Escalation.** Each day of fighting in which outside forces have arrived carries a
  hazard ``escalation_base + escalation_per_size*m + tripwire`` of nuclear escalation,
  the tripwire growing with the outside troops stationed in the target (Schelling 1966;
  Powell 2015).
* **Threats carried out.** A threat is armed by a (secret) ``arm`` action with the
  hazard and rung its author chose; while its demand is unmet during an attack, the
  world carries it out each day with that hazard, climbing the ``ladder`` one rung per
  execution up to the rung threatened: a demonstration, a conventional strike
  destroying ``strike_damage`` of the forces staged at the host, nuclear use
  (Kahn 1965; Schelling 1960; Powell, IO 2015).
* **Conditional rewards.** An ``offer`` with a ``demand`` stands (``offer(S,R)``) and
  is paid once, when the recipient accepts the demand (``rewarded(S,R)``,
  ``reward_paid(S)`` grows).
* **Public pledges.** A public ``pledge`` to respond makes ``pledged(S,R)`` true.
* **Armistice.** An agreed negotiation with a numeric term :data:`negsim.crisis.KEEP`
  (the engine makes it the variable ``term(<id>,keep)``) ends the war in a
  settlement: the attacker keeps that share of the objective (Fearon, IO 1995).
* **How war ends.** Ground won back (``repelled``), the offensive exhausted, a
  settlement (``concede``, or an armistice), the challenger's ``withdraw``, or the line frozen: the
  ground fully held for ``ceasefire_rounds`` days while no outside state has committed
  forces to win it back (a fait accompli). While one has, the war goes on, however
  long its forces take to arrive. At the last round the side holding most of the ground keeps it.

Outcomes, checked in this order after every round: escalation; settlement; the
attack defeated (collective response); deterred (the challenger withdrew or stood down,
or the status quo held); the grab held: wedge success when an ally denied access,
stood down or conceded, fait accompli otherwise.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet

import attrs

import negsim
from negsim.crisis import (
    KEEP,
    Rung,
    arrival_delay,
    attacked,
    attacking,
    contest,
    deployments,
    executed,
    garrison,
    repelled,
    responds,
    tripwire_hazard,
)
from negsim.model import (
    Action,
    ActionKind,
    Adjudication,
    Capabilities,
    Event,
    Message,
    Narration,
    Outcome,
    OutcomeSpec,
    ParamSpec,
    ParamValue,
    Performative,
    PluginSpec,
    Scenario,
    Visibility,
    WorldState,
)

__all__ = [
    "OUTCOMES",
    "PARAMS",
    "Front",
    "has_access",
    "ladder_problem",
    "negsim_adjudicate",
    "negsim_classify_outcome",
    "negsim_collect_metrics",
    "negsim_plugin_spec",
]

_ASSUMED = "value an assumption"


def ladder_problem(value: ParamValue) -> str | None:
    """What is wrong with a ``ladder`` value, or ``None``: known rungs, lowest first.

    >>> ladder_problem("demonstration,nuclear_use") is None
    True
    >>> print(ladder_problem("nuclear_use,demonstration"))
    rungs must go up the ladder (demonstration, conventional_strike, nuclear_use): \
'nuclear_use,demonstration'
    >>> print(ladder_problem("demonstration,parade"))
    unknown rung 'parade'; choices: demonstration, conventional_strike, nuclear_use
    """
    names = [n.strip() for n in str(value).split(",") if n.strip()]
    known = [r.value for r in Rung]
    unknown = [n for n in names if n not in known]
    if unknown:
        return f"unknown rung {unknown[0]!r}; choices: {', '.join(known)}"
    levels = [Rung(n).level for n in names]
    if not names or levels != sorted(set(levels)):
        return f"rungs must go up the ladder ({', '.join(known)}): {value!r}"
    return None


PARAMS = (
    ParamSpec(
        "challenger",
        "",
        "Id of the challenging state; empty: the first state to attack.",
        refers="agent",
    ),
    ParamSpec(
        "decisiveness",
        1.0,
        "Exponent of the contest success function: how sharply the force ratio decides a day.",
        0.1,
        10,
        f"Tullock 1980; Hirshleifer, Public Choice 1989; {_ASSUMED}",
    ),
    ParamSpec(
        "defender_advantage",
        1.5,
        "Multiplier on the defence's power in a day's contest (the attacker needs this ratio "
        "for even odds).",
        1,
        5,
        "Mearsheimer, IS 1989 (the 3:1 rule) and Epstein, IS 1989 (its critique); " + _ASSUMED,
    ),
    ParamSpec(
        "concentration",
        2.0,
        "How much denser the attacker concentrates than the defence is spread: a grab of "
        "magnitude m meets m/concentration of the garrison until reinforcements come.",
        1,
        10,
        "Mearsheimer, IS 1989 (concentration at the point of attack); " + _ASSUMED,
    ),
    ParamSpec(
        "advance",
        0.35,
        "Share of the objective that changes hands in a day's fighting.",
        0.01,
        1,
        "Shlapak & Johnson, RAND 2016: the Baltic capitals fall in 36-60 hours",
    ),
    ParamSpec(
        "attrition",
        0.05,
        "Share of its committed power a side loses in a day it loses outright.",
        0,
        1,
        f"Lanchester 1916 (attrition in proportion to the enemy's success); {_ASSUMED}",
    ),
    ParamSpec(
        "exhaustion",
        0.5,
        "An offensive whose force has worn down to this share of what it committed collapses.",
        0,
        1,
        _ASSUMED,
    ),
    ParamSpec(
        "entrenchment",
        0.15,
        "Per day the ground has been fully held, the defence's power against it is "
        "multiplied by exp(-entrenchment).",
        0,
        5,
        f"Altman, ISQ 2017 and IO 2020 (consolidation); {_ASSUMED}",
    ),
    ParamSpec(
        "ceasefire_rounds",
        3,
        "Days of full control with no counter-offensive after which the line freezes.",
        1,
        60,
        f"Altman, ISQ 2017 (faits accomplis stand when unopposed); {_ASSUMED}",
    ),
    ParamSpec(
        "deploy_km_per_day",
        500.0,
        "Distance forces staged outside the theatre cover in a day.",
        1,
        20000,
        f"air and sea movement; {_ASSUMED}",
    ),
    ParamSpec(
        "access_requires_consent",
        True,
        "Whether combat operations from a host's bases need its explicit grant (the "
        "Kishi-Herter prior-consultation gate).",
        source="Kishi-Herter exchange of notes, 1960",
    ),
    ParamSpec(
        "integration_multiplier",
        1.3,
        "Force multiplier for responders acting on a collective decision under integrated command.",
        1,
        3,
        f"NATO integrated command as a force multiplier; {_ASSUMED}",
    ),
    ParamSpec(
        "escalation_base",
        0.0,
        "Daily escalation hazard of any fighting with outside powers.",
        0,
        1,
        f"Powell, IO 2015; {_ASSUMED}",
    ),
    ParamSpec(
        "escalation_per_size",
        0.02,
        "Extra daily escalation hazard per unit of attack magnitude.",
        0,
        1,
        f"Schelling 1966; Powell 2015 (risk grows with the size of the attack); {_ASSUMED}",
    ),
    ParamSpec(
        "tripwire_risk",
        0.03,
        "Daily escalation hazard that outside troops stationed in the target add, at most.",
        0,
        1,
        f"Schelling 1966 (tripwire forces); {_ASSUMED}",
    ),
    ParamSpec(
        "tripwire_half",
        10000.0,
        "Outside troops in the target at which the tripwire hazard is half its maximum.",
        1,
        1e7,
        f"Schelling 1966; {_ASSUMED}",
    ),
    ParamSpec(
        "strike_damage",
        0.3,
        "Share of the forces staged at a host that a conventional strike on it destroys.",
        0,
        1,
        _ASSUMED,
    ),
    ParamSpec(
        "ladder",
        "demonstration,conventional_strike,nuclear_use",
        "The rungs a threat may be armed at, lowest first (comma-separated).",
        source="Kahn 1965; Schelling 1966",
        refine=ladder_problem,
    ),
)
"""The world parameters, with ranges and sources."""

OUTCOMES = (
    OutcomeSpec(
        Outcome.DETERRED, "The challenger did not attack, or withdrew, and nothing was conceded."
    ),
    OutcomeSpec(
        Outcome.FAIT_ACCOMPLI, "The challenger seized and held ground before an effective response."
    ),
    OutcomeSpec(
        Outcome.COLLECTIVE_RESPONSE,
        "The attack was defeated: the ground won back or the offensive exhausted.",
    ),
    OutcomeSpec(
        Outcome.WEDGE_SUCCESS,
        "The challenger held the ground after an ally denied access, stood down or conceded.",
    ),
    OutcomeSpec(Outcome.SETTLEMENT, "A negotiated settlement ended the crisis."),
    OutcomeSpec(Outcome.ESCALATION, "The crisis escalated to nuclear use."),
)
"""The outcome classes a crisis ends in (``unresolved`` is the engine's own)."""

_SPEC = PluginSpec(
    role="world",
    summary="Crisis world: graded war, access, threats carried out, escalation",
    params=PARAMS,
    outcomes=OUTCOMES,
)


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    """Declare the crisis world rules."""
    return _SPEC


def has_access(facts: AbstractSet[str], host: str, user: str, requires_consent: bool) -> bool:
    """Whether ``user`` may launch combat operations from ``host``'s bases."""
    if f"denies_access({host},{user})" in facts:
        return False
    if f"grants_access({host},{user})" in facts:
        return True
    return not requires_consent


def _var(kind: str, *who: str) -> str:
    return f"{kind}({','.join(who)})"


@attrs.frozen
class Front:
    """The fighting over one target in one round, as the world reckons it.

    Attributes:
        target: The state attacked.
        attacker: Who attacks it.
        attack: The attacker's power there today.
        defence: The defence's power today, after access, arrival, losses and
            consolidation.
        outside: The power of outside responders that has arrived.
        responders: Who responds, by id.
    """

    target: str
    attacker: str
    attack: float
    defence: float
    outside: float
    responders: tuple[str, ...]


def _capabilities(scenario: Scenario) -> Mapping[str, Capabilities]:
    """The scenario's capabilities by agent, one table per scenario.

    What is worked out from the table, such as deployments, is then worked out once.
    """
    hit = _CAPABILITIES.get(id(scenario))
    if hit is not None and hit[0] is scenario:
        return hit[1]
    table = {a.id: a.capabilities for a in scenario.agents}
    if len(_CAPABILITIES) > 256:
        _CAPABILITIES.clear()
    _CAPABILITIES[id(scenario)] = (scenario, table)
    return table


_CAPABILITIES: dict[int, tuple[Scenario, Mapping[str, Capabilities]]] = {}


def _front(
    day: int,
    v: Mapping[str, float],
    facts: AbstractSet[str],
    scenario: Scenario,
    target: str,
    attacker: str,
) -> Front:
    """Reckon the forces on the front over ``target`` on ``day``, from facts and variables."""
    p = scenario.world_params
    caps = _capabilities(scenario)
    m = v.get(_var("attack_size", target), 0.0)
    attack = m * caps[attacker].conventional * (1.0 - v.get(_var("losses", attacker), 0.0))
    integrated = {
        member
        for al in scenario.alliances
        if target in al.members and f"decided({al.id},collective_response)" in facts
        for member in al.members
    }
    speed = float(p["deploy_km_per_day"])
    consent = bool(p["access_requires_consent"])
    local = m / float(p["concentration"])
    own = local * garrison(target, caps)  # the sector's defenders fight from the first day
    outside = 0.0
    responders = []
    for agent in scenario.agents:
        r = agent.id
        if responds(r, target) not in facts:
            continue
        responders.append(r)
        if r == target:
            continue
        since = day - v.get(_var("responding", r, target), float(day))
        power = 0.0
        for d in deployments(r, caps):
            where = d.location
            if where not in (target, r) and not has_access(facts, where, r, consent):
                continue
            if since < arrival_delay(caps[where].distance_km, speed):
                continue
            share = 1.0 - local if where == target else 1.0  # its sector share fights already
            power += share * d.power * (1.0 - v.get(_var("struck_loss", where), 0.0))
        if r in integrated:
            power *= float(p["integration_multiplier"])
        outside += power
    held = v.get(_var("held", target), 0.0)
    worn = 1.0 - v.get(_var("defence_losses", target), 0.0)
    entrench = math.exp(-float(p["entrenchment"]) * held)
    defence = (own * worn + outside) * entrench  # the garrison wears down; fresh forces do not
    return Front(target, attacker, attack, defence, outside, tuple(responders))


@negsim.hookimpl
def negsim_adjudicate(
    world: WorldState,
    actions: tuple[Action, ...],
    messages: tuple[Message, ...],
    scenario: Scenario,
    rng: random.Random,
) -> Adjudication:
    """Apply the round's actions and messages, then the fighting, threats and escalation."""
    t = world.round
    facts = set(world.facts)
    variables = dict(world.variables)
    events: list[Event] = []

    def say(text: str, agent: str | None = None) -> None:
        events.append(Narration(round=t, text=text, agent=agent))

    for a in actions:
        _apply(a, facts, variables, say, t, float(scenario.world_params["advance"]))
    _read_messages(messages, facts)
    fronts = []
    for target in _targets_under_attack(facts, scenario):
        attacker = _attacker_of(facts, scenario, target)
        if attacker is not None:
            fronts.append(_front(t, variables, facts, scenario, target, attacker))
    for front in fronts:
        _fight(front, scenario, facts, variables, rng, say)
    if fronts:
        _carry_out_threats(actions, scenario, facts, variables, rng, say)
    _pay_rewards(messages, facts, variables, say)
    return Adjudication(world=attrs.evolve(world, facts=facts, variables=variables), events=events)


def _apply(
    a: Action,
    facts: set[str],
    variables: dict[str, float],
    say: Callable[[str, str | None], None],
    t: int,
    advance: float,
) -> None:
    actor, target, kind = a.actor, a.target, a.kind
    if kind is ActionKind.ATTACK and target is not None:
        if attacking(actor, target) not in facts and repelled(target) not in facts:
            facts.add(attacking(actor, target))
            facts.add(attacked(target))
            variables.setdefault(_var("attack_start", target), float(t))
            variables.setdefault(_var("control", target), min(1.0, advance))  # by surprise
            variables.setdefault(_var("held", target), 1.0 if advance >= 1.0 else 0.0)
            variables[_var("attack_size", target)] = a.magnitude
            say(f"{actor} attacks {target} with {a.magnitude:.2f} of its forces", actor)
    elif kind is ActionKind.NUCLEAR_STRIKE:
        facts.add("nuclear_used")
        facts.add(f"struck({target})")
        say(f"{actor} uses nuclear weapons against {target}", actor)
    elif kind is ActionKind.RESPOND and target is not None:
        if responds(actor, target) not in facts:
            facts.add(responds(actor, target))
            variables[_var("responding", actor, target)] = float(t)
    elif kind is ActionKind.GRANT_ACCESS and target is not None:
        facts.discard(f"denies_access({actor},{target})")
        facts.add(f"grants_access({actor},{target})")
    elif kind is ActionKind.DENY_ACCESS and target is not None:
        facts.discard(f"grants_access({actor},{target})")
        facts.add(f"denies_access({actor},{target})")
    elif kind is ActionKind.MOBILIZE:
        facts.add(f"mobilized({actor})")
    elif kind is ActionKind.CONCEDE and target is not None:
        facts.add(f"conceded({actor},{target})")
    elif kind is ActionKind.WITHDRAW:
        for fact in [f for f in facts if f.startswith(f"attacking({actor},")]:
            facts.discard(fact)
            facts.add(f"withdrew({actor})")
        for fact in [f for f in facts if f.startswith(f"responds({actor},")]:
            facts.discard(fact)
    elif kind is ActionKind.STAND_DOWN:
        facts.add(f"stands_down({actor})")


def _read_messages(messages: tuple[Message, ...], facts: set[str]) -> None:
    """Messages that change facts: threats, consultation requests, acceptances."""
    for m in messages:
        if m.performative is Performative.THREATEN:
            for r in m.recipients:
                facts.add(f"threatened({m.sender},{r})")
                if m.content.get("nuclear") or m.content.get("rung") == Rung.NUCLEAR_USE:
                    facts.add(f"nuclear_threat({m.sender},{r})")
        elif m.performative is Performative.REQUEST_SUPPORT and m.content.get("access"):
            for r in m.recipients:
                facts.add(f"consulted({m.sender},{r})")
        elif m.performative is Performative.PLEDGE and m.visibility is Visibility.PUBLIC:
            consequent = str(m.content.get("consequent", ""))
            for r in m.recipients:
                if consequent == responds(m.sender, r):
                    facts.add(f"pledged({m.sender},{r})")
        elif m.performative is Performative.ACCEPT and m.content.get("demand"):
            for r in m.recipients:
                facts.add(f"complied({m.sender},{r})")


def _fight(
    front: Front,
    scenario: Scenario,
    facts: set[str],
    variables: dict[str, float],
    rng: random.Random,
    say: Callable[[str], None],
) -> None:
    """One day's fighting over ``front.target``: control, attrition, escalation."""
    p = scenario.world_params
    target, attacker = front.target, front.attacker
    day = contest(
        front.attack,
        front.defence,
        decisiveness=float(p["decisiveness"]),
        advantage=float(p["defender_advantage"]),
    )
    control_key, held_key = _var("control", target), _var("held", target)
    control = variables.get(control_key, 0.0)
    step = float(p["advance"])
    attrition = float(p["attrition"])
    won = rng.random() < day
    if won:
        control = min(1.0, control + step)
        _wear(variables, _var("defence_losses", target), attrition if front.defence else 0.0)
    else:
        control = max(0.0, control - step)
        _wear(variables, _var("losses", attacker), attrition)
    variables[control_key] = round(control, 9)
    variables[held_key] = variables.get(held_key, 0.0) + 1.0 if control >= 1.0 else 0.0
    variables[_var("response_power", target)] = round(front.defence, 6)
    quiet_key = _var("quiet", target)
    committed = any(r != target for r in front.responders)  # a counter-offensive is coming
    variables[quiet_key] = 0.0 if committed else variables.get(quiet_key, 0.0) + 1.0
    exhausted = variables.get(_var("losses", attacker), 0.0) >= 1.0 - float(p["exhaustion"])
    if (control <= 0.0 and front.defence > 0.0) or exhausted:
        facts.add(repelled(target))
        facts.discard(attacking(attacker, target))
        why = "its offensive is exhausted" if exhausted else "the ground is won back"
        by = f" ({', '.join(front.responders)})" if front.responders else ""
        say(
            f"the attack on {target} is defeated ({why}): defence {front.defence:.1f} "
            f"against {front.attack:.1f}{by}"
        )
        return
    if front.outside > 0.0:
        stationed = sum(
            troops
            for owner, troops in scenario.agent(target).capabilities.forces_hosted.items()
            if responds(owner, target) in facts
        )
        risk = min(
            1.0,
            float(p["escalation_base"])
            + float(p["escalation_per_size"]) * variables.get(_var("attack_size", target), 0.0)
            + tripwire_hazard(
                stationed,
                risk=float(p["tripwire_risk"]),
                half=float(p["tripwire_half"]),
            ),
        )
        variables["escalation_risk"] = round(risk, 6)
        if rng.random() < risk:
            facts.add("escalated")
            say(f"fighting over {target} escalates to nuclear use (hazard {risk:.3f})")


def _wear(variables: dict[str, float], key: str, share: float) -> None:
    variables[key] = round(min(1.0, variables.get(key, 0.0) + share), 9)


def _demand_met(facts: set[str], scenario: Scenario, who: str, demand: str) -> bool:
    if demand == "deny_access":
        hosted = scenario.agent(who).capabilities.forces_hosted
        return bool(hosted) and all(f"denies_access({who},{u})" in facts for u in hosted)
    if demand == "stand_down":
        return f"stands_down({who})" in facts
    if demand == "concede":
        return any(f.startswith(f"conceded({who},") for f in facts)
    return False


def _carry_out_threats(
    actions: tuple[Action, ...],
    scenario: Scenario,
    facts: set[str],
    variables: dict[str, float],
    rng: random.Random,
    say: Callable[..., None],
) -> None:
    """Each armed threat whose demand is unmet is carried out with its hazard.

    The world climbs the ladder: a threat's first execution is at the ladder's lowest
    rung, each further one a rung higher, up to the rung threatened (Kahn 1965;
    Schelling 1966: the risk is manipulated step by step).
    """
    ladder = [n.strip() for n in str(scenario.world_params["ladder"]).split(",") if n.strip()]
    damage = float(scenario.world_params["strike_damage"])
    for a in actions:
        if a.kind is not ActionKind.ARM or a.target is None:
            continue
        armed = str(a.params.get("rung", Rung.DEMONSTRATION))
        if armed not in ladder or _demand_met(facts, scenario, a.target, str(a.params["demand"])):
            continue
        if rng.random() >= a.magnitude:
            continue
        key = _var("executed", a.actor, a.target)
        done = int(variables.get(key, 0.0))
        rung = ladder[min(done, ladder.index(armed))]
        variables[key] = done + 1.0
        facts.add(executed(rung, a.actor, a.target))
        if rung == Rung.NUCLEAR_USE:
            facts.add("nuclear_used")
            say(f"{a.actor} carries out its nuclear threat against {a.target}", a.actor)
        elif rung == Rung.CONVENTIONAL_STRIKE:
            lost = _var("struck_loss", a.target)
            variables[lost] = round(1.0 - (1.0 - variables.get(lost, 0.0)) * (1.0 - damage), 9)
            say(f"{a.actor} strikes the bases in {a.target}", a.actor)
        else:
            say(f"{a.actor} stages a demonstration against {a.target}", a.actor)


def _pay_rewards(
    messages: tuple[Message, ...],
    facts: set[str],
    variables: dict[str, float],
    say: Callable[[str], None],
) -> None:
    """Offers with a demand stand until paid: once, when the recipient has complied."""
    for m in messages:
        if m.performative is Performative.OFFER and not m.negotiation and "demand" in m.content:
            for r in m.recipients:
                variables[_var("offer", m.sender, r)] = float(m.content.get("value", 0.0))
    for key, value in sorted(variables.items()):
        if not key.startswith("offer("):
            continue
        sender, r = key[len("offer(") : -1].split(",")
        if f"complied({r},{sender})" in facts and f"rewarded({sender},{r})" not in facts:
            facts.add(f"rewarded({sender},{r})")
            paid = _var("reward_paid", sender)
            variables[paid] = variables.get(paid, 0.0) + value
            say(f"{sender} pays {r} {value:.1f} for complying")


def _targets_under_attack(facts: set[str], scenario: Scenario) -> list[str]:
    return [
        a.id for a in scenario.agents if attacked(a.id) in facts and repelled(a.id) not in facts
    ]


def _attacker_of(facts: set[str], scenario: Scenario, target: str) -> str | None:
    for a in scenario.agents:
        if attacking(a.id, target) in facts:
            return a.id
    return None


def _challenger(world: WorldState, scenario: Scenario) -> str | None:
    named = str(scenario.world_params.get("challenger", ""))
    if named:
        return named
    for fact in sorted(world.facts):
        if fact.startswith("attacking(") or fact.startswith("withdrew("):
            return fact.partition("(")[2].split(",")[0].rstrip(")")
    return None


def _wedged(facts: frozenset[str], challenger: str | None) -> list[str]:
    out = []
    for fact in sorted(facts):
        name, _, rest = fact.partition("(")
        who = rest.split(",")[0].rstrip(")")
        if name in ("denies_access", "stands_down", "conceded") and who != challenger:
            out.append(fact)
    return out


@negsim.hookimpl
def negsim_classify_outcome(
    world: WorldState, scenario: Scenario, final: bool
) -> tuple[Outcome, str] | None:
    """Classify the crisis after a round, or let it go on."""
    facts = world.facts
    v = world.variables
    challenger = _challenger(world, scenario)
    if "nuclear_used" in facts or "escalated" in facts:
        return Outcome.ESCALATION, "the crisis crossed the nuclear threshold"
    conceded = sorted(f for f in facts if f.startswith("conceded("))
    if conceded:
        return Outcome.SETTLEMENT, "settled on concessions: " + ", ".join(conceded)
    for n in scenario.negotiations:
        keep = v.get(_var("term", n.id, KEEP))
        if keep is not None and f"agreed({n.id})" in facts:
            return Outcome.SETTLEMENT, (
                f"{' and '.join(n.parties)} agreed an armistice ({n.id}): the attacker keeps "
                f"{keep:.2f} of the objective"
            )
    attacked_ = [a.id for a in scenario.agents if attacked(a.id) in facts]
    if not attacked_:
        if challenger and f"stands_down({challenger})" in facts:
            return Outcome.DETERRED, f"{challenger} stood down without attacking"
        return (Outcome.DETERRED, "the status quo held to the last round") if final else None
    if all(repelled(t) in facts for t in attacked_):
        return Outcome.COLLECTIVE_RESPONSE, f"the attack on {', '.join(attacked_)} was defeated"
    if challenger and f"withdrew({challenger})" in facts:
        return Outcome.DETERRED, f"{challenger} withdrew"
    ceasefire = int(scenario.world_params["ceasefire_rounds"])
    for target in attacked_:
        control = v.get(_var("control", target), 0.0)
        frozen = v.get(_var("held", target), 0.0) >= ceasefire and (
            v.get(_var("quiet", target), 0.0) >= ceasefire
        )
        if frozen or (final and control >= 0.5):
            how = "the line froze" if frozen else "it held most of the ground at the end"
            wedge = _wedged(facts, challenger)
            if wedge:
                return Outcome.WEDGE_SUCCESS, (
                    f"{challenger} kept its grab on {target} ({how}); the allies split: "
                    + ", ".join(wedge)
                )
            return Outcome.FAIT_ACCOMPLI, f"{challenger} kept its grab on {target} ({how})"
    if final:
        return Outcome.COLLECTIVE_RESPONSE, "the defence held most of the ground at the end"
    return None


@negsim.hookimpl
def negsim_collect_metrics(world: WorldState, events: tuple[Event, ...]) -> dict[str, float]:
    """Crisis metrics: attack, control, response power, access, threats carried out.

    ``attack_round`` is reported only for runs with an attack: a run without one has no
    such round, and tables show it as missing, not as a number standing in for none;
    ``armistice_keep`` (the share of the objective an agreed armistice leaves the
    attacker) only for runs that ended in one.
    """
    facts = world.facts
    v = world.variables
    starts = [x for k, x in v.items() if k.startswith("attack_start(")]
    metrics = {
        "attacked": float(bool(starts)),
        "attack_size": max((x for k, x in v.items() if k.startswith("attack_size(")), default=0.0),
        "control": max((x for k, x in v.items() if k.startswith("control(")), default=0.0),
        "access_denied": float(any(f.startswith("denies_access(") for f in facts)),
        "access_granted": float(any(f.startswith("grants_access(") for f in facts)),
        "threats_executed": sum(x for k, x in v.items() if k.startswith("executed(")),
        "reward_paid": sum(x for k, x in v.items() if k.startswith("reward_paid(")),
        "response_power": max(
            (x for k, x in v.items() if k.startswith("response_power(")), default=0.0
        ),
    }
    if starts:
        metrics["attack_round"] = min(starts)
    kept = [x for k, x in v.items() if k.startswith("term(") and k.endswith(f",{KEEP})")]
    if kept:
        metrics["armistice_keep"] = max(kept)
    return metrics
