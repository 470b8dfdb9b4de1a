"""The crisis world rules: negsim's default adjudication plugin (``world_rules = "crisis"``).

They turn the agents' actions into the next world state and classify how a crisis
ends. The mechanics, with their sources (see ``docs/explanation/world-rules``):

* **Attacks and the local balance.** ``attack`` (magnitude ``m``) commits ``m`` of the
  challenger's conventional power against a target: ``attacked(T)`` becomes true and
  the grab starts its clock. The attack is repelled in a round where the response
  power reaches ``reversal_ratio`` times the attack power (Huth & Russett 1984: the
  local balance, not the bare treaty, decides).
* **Response timing.** A grab not repelled within ``consolidation_rounds`` is
  consolidated: a fait accompli (Altman 2017; Shlapak & Johnson 2016: the Baltic
  capitals fall within 36-60 hours).
* **Access.** A responder whose forces sit in a rear-area host other than the target
  loses ``rear_dependency`` of its effectiveness unless the host permits combat
  operations from its bases: ``denies_access(H,R)`` blocks; ``grants_access(H,R)``
  permits; with neither, ``access_requires_consent`` decides (the Kishi-Herter prior
  consultation gate, 1960).
* **Integration.** Responders acting on a collective decision of an alliance that
  includes the target (``decided(A,collective_response)``) fight under integrated
  command: their power is multiplied by ``integration_multiplier``.
* **Escalation.** Each round of fighting in which an outside power responds carries a
  risk ``r = escalation_base + escalation_per_size * m + tripwire_risk * tripwire``
  of nuclear escalation, ``tripwire`` being 1 when foreign forces are stationed in the
  target (Schelling 1966; Powell 2015). A ``nuclear_strike`` escalates at once.
* **Messages that change facts.** A nuclear ``threaten`` makes
  ``nuclear_threat(S,R)`` true; a ``request_support`` for access makes
  ``consulted(S,R)`` true (prior consultation under Kishi-Herter); an ``accept`` of a
  demand makes ``complied(S,R)`` true.
* **Concessions and settlements.** ``concede`` to the challenger settles the crisis;
  ``withdraw`` by the challenger ends its attack; ``stand_down`` keeps a state out.

Outcomes, checked in this order after every round: escalation; settlement;
collective response (attack repelled); deterred (challenger withdrew); wedge success
or fait accompli (grab consolidated; a wedge when an ally denied access, stood down or
conceded); deterred (challenger stood down, or the status quo held to the end).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping

import attrs

import negsim
from negsim.model import (
    Action,
    ActionKind,
    Adjudication,
    Event,
    Message,
    Narration,
    Outcome,
    OutcomeSpec,
    ParamSpec,
    PluginSpec,
    Scenario,
    WorldState,
)

__all__ = [
    "OUTCOMES",
    "PARAMS",
    "attack_power",
    "has_access",
    "negsim_adjudicate",
    "negsim_classify_outcome",
    "negsim_collect_metrics",
    "negsim_plugin_spec",
    "response_power",
]

PARAMS = (
    ParamSpec("challenger", "", "Id of the challenging state; empty: the first state to attack."),
    ParamSpec(
        "consolidation_rounds",
        4,
        "Rounds after an attack starts by which a grab not repelled is consolidated.",
        1,
        60,
        "Altman, ISQ 2017; Shlapak & Johnson, RAND 2016 (36-60 hours)",
    ),
    ParamSpec(
        "reversal_ratio",
        1.0,
        "Response power needed, as a multiple of the attack power, to repel an attack.",
        0.1,
        10,
        "Huth & Russett, World Politics 1984 (local balance); value an assumption",
    ),
    ParamSpec(
        "rear_dependency",
        0.5,
        "Share of an outside responder's effectiveness lost without access to its rear-area "
        "host's bases.",
        0,
        1,
        "UNC-Rear: seven bases in Japan stage forces for Korea; value an assumption",
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
        "assumption (NATO integrated command as a force multiplier)",
    ),
    ParamSpec(
        "escalation_base",
        0.0,
        "Per-round escalation risk of any fighting with outside powers.",
        0,
        1,
        "Powell, IO 2015; value an assumption",
    ),
    ParamSpec(
        "escalation_per_size",
        0.04,
        "Extra per-round escalation risk per unit of attack magnitude.",
        0,
        1,
        "Schelling 1966; Powell 2015 (risk grows with the size of the attack)",
    ),
    ParamSpec(
        "tripwire_risk",
        0.02,
        "Extra per-round escalation risk when foreign forces are stationed in the target.",
        0,
        1,
        "Schelling 1966 (tripwire forces); value an assumption",
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
        "The allies responded together in time and the attack was defeated.",
    ),
    OutcomeSpec(
        Outcome.WEDGE_SUCCESS,
        "An ally denied access, stood down or conceded under coercion or reward, and the "
        "response failed for it.",
    ),
    OutcomeSpec(Outcome.SETTLEMENT, "A negotiated settlement ended the crisis."),
    OutcomeSpec(Outcome.ESCALATION, "The crisis escalated to nuclear use."),
)
"""The outcome classes a crisis ends in (``unresolved`` is the engine's own)."""

_SPEC = PluginSpec(
    role="world",
    summary="Crisis world: attacks, access, escalation, outcomes",
    params=PARAMS,
    outcomes=OUTCOMES,
)

# fact and variable names
ATTACK_START = "attack_start({})"
ATTACK_SIZE = "attack_size({})"
RESPONSE = "response_power({})"


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    """Declare the crisis world rules."""
    return _SPEC


def attack_power(world: WorldState, scenario: Scenario, attacker: str, target: str) -> float:
    """The conventional power ``attacker`` commits against ``target`` this round."""
    size = world.variables.get(ATTACK_SIZE.format(target), 0.0)
    return size * scenario.agent(attacker).capabilities.conventional


def has_access(facts: frozenset[str], host: str, user: str, requires_consent: bool) -> bool:
    """Whether ``user`` may launch combat operations from ``host``'s bases."""
    if f"denies_access({host},{user})" in facts:
        return False
    if f"grants_access({host},{user})" in facts:
        return True
    return not requires_consent


def response_power(
    facts: frozenset[str], scenario: Scenario, target: str, params: Mapping[str, object]
) -> tuple[float, list[str]]:
    """The power responding to an attack on ``target``, and the responders by id.

    Each responder with ``responds(R,T)`` contributes its conventional power; an outside
    responder loses ``rear_dependency`` for each rear-area host it depends on that does
    not permit operations; responders acting on a collective decision of an alliance
    including the target get ``integration_multiplier``.
    """
    dependency = float(params["rear_dependency"])  # type: ignore[arg-type]
    consent = bool(params["access_requires_consent"])
    multiplier = float(params["integration_multiplier"])  # type: ignore[arg-type]
    integrated = {
        m
        for al in scenario.alliances
        if target in al.members and f"decided({al.id},collective_response)" in facts
        for m in al.members
    }
    total = 0.0
    responders = []
    for agent in scenario.agents:
        if f"responds({agent.id},{target})" not in facts:
            continue
        responders.append(agent.id)
        power = agent.capabilities.conventional
        if agent.id != target:
            for host in scenario.agents:
                if host.id in (target, agent.id) or agent.id not in host.capabilities.forces_hosted:
                    continue
                if not has_access(facts, host.id, agent.id, consent):
                    power *= 1.0 - dependency
        if agent.id in integrated:
            power *= multiplier
        total += power
    return total, responders


@negsim.hookimpl
def negsim_adjudicate(
    world: WorldState,
    actions: tuple[Action, ...],
    messages: tuple[Message, ...],
    scenario: Scenario,
    rng: random.Random,
) -> Adjudication:
    """Apply the round's actions, then fighting, access and escalation."""
    t = world.round
    p = scenario.world_params
    facts = set(world.facts)
    variables = dict(world.variables)
    events: list[Event] = []

    def say(text: str, agent: str | None = None) -> None:
        events.append(Narration(round=t, text=text, agent=agent))

    for a in actions:
        _apply(a, facts, variables, say, t)
    for m in messages:
        if m.performative is negsim.Performative.THREATEN and m.content.get("nuclear"):
            for r in m.recipients:
                facts.add(f"nuclear_threat({m.sender},{r})")
        elif m.performative is negsim.Performative.REQUEST_SUPPORT and m.content.get("access"):
            for r in m.recipients:
                facts.add(f"consulted({m.sender},{r})")
        elif m.performative is negsim.Performative.ACCEPT and m.content.get("demand"):
            for r in m.recipients:
                facts.add(f"complied({m.sender},{r})")
    frozen = frozenset(facts)
    for target in _targets_under_attack(frozen, scenario):
        attacker = _attacker_of(frozen, scenario, target)
        if attacker is None:
            continue
        strength = attack_power(world, scenario, attacker, target)
        power, responders = response_power(frozen, scenario, target, p)
        variables[RESPONSE.format(target)] = round(power, 6)
        if responders and power >= float(p["reversal_ratio"]) * strength:
            facts.add(f"repelled({target})")
            facts.discard(f"attacking({attacker},{target})")
            say(
                f"the attack on {target} is repelled: response {power:.1f} "
                f"against {strength:.1f} ({', '.join(responders)})"
            )
            continue
        outsiders = [r for r in responders if r != target]
        if outsiders:
            tripwire = 1.0 if scenario.agent(target).capabilities.forces_hosted else 0.0
            size = variables.get(ATTACK_SIZE.format(target), 0.0)
            risk = (
                float(p["escalation_base"])
                + float(p["escalation_per_size"]) * size
                + float(p["tripwire_risk"]) * tripwire
            )
            variables["escalation_risk"] = round(risk, 6)
            if rng.random() < risk:
                facts.add("escalated")
                say(f"fighting over {target} escalates to nuclear use (risk {risk:.2f})")
    return Adjudication(world=attrs.evolve(world, facts=facts, variables=variables), events=events)


def _apply(a: Action, facts: set[str], variables: dict[str, float], say: object, t: int) -> None:
    actor, target = a.actor, a.target
    narrate = say
    kind = a.kind
    if kind is ActionKind.ATTACK and target is not None:
        if f"attacking({actor},{target})" not in facts:
            facts.add(f"attacking({actor},{target})")
            facts.add(f"attacked({target})")
            variables.setdefault(ATTACK_START.format(target), float(t))
            narrate(f"{actor} attacks {target} with {a.magnitude:.2f} of its forces", actor)  # type: ignore[operator]
        variables[ATTACK_SIZE.format(target)] = a.magnitude
    elif kind is ActionKind.NUCLEAR_STRIKE:
        facts.add("nuclear_used")
        facts.add(f"struck({target})")
        narrate(f"{actor} uses nuclear weapons against {target}", actor)  # type: ignore[operator]
    elif kind is ActionKind.RESPOND and target is not None:
        facts.add(f"responds({actor},{target})")
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


def _targets_under_attack(facts: frozenset[str], scenario: Scenario) -> list[str]:
    return [
        a.id
        for a in scenario.agents
        if f"attacked({a.id})" in facts and f"repelled({a.id})" not in facts
    ]


def _attacker_of(facts: frozenset[str], scenario: Scenario, target: str) -> str | None:
    for a in scenario.agents:
        if f"attacking({a.id},{target})" in facts:
            return a.id
    return None


def _challenger(world: WorldState, scenario: Scenario) -> str | None:
    named = str(scenario.world_params.get("challenger", ""))
    if named:
        return named
    for fact in sorted(world.facts):
        if fact.startswith("attacking("):
            return fact[len("attacking(") :].split(",")[0]
    return None


def _wedged(facts: Iterable[str], challenger: str | None) -> list[str]:
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
    challenger = _challenger(world, scenario)
    if "nuclear_used" in facts or "escalated" in facts:
        return Outcome.ESCALATION, "the crisis crossed the nuclear threshold"
    conceded = sorted(f for f in facts if f.startswith("conceded("))
    if conceded:
        return Outcome.SETTLEMENT, "settled on concessions: " + ", ".join(conceded)
    attacked = [a.id for a in scenario.agents if f"attacked({a.id})" in facts]
    if attacked:
        repelled = [t for t in attacked if f"repelled({t})" in facts]
        if repelled and len(repelled) == len(attacked):
            who = sorted(
                f.split("(")[1].split(",")[0]
                for f in facts
                if f.startswith("responds(") and f.endswith(f",{repelled[0]})")
            )
            return Outcome.COLLECTIVE_RESPONSE, (
                f"the attack on {', '.join(repelled)} was repelled by {', '.join(who)}"
            )
        if challenger and f"withdrew({challenger})" in facts:
            return Outcome.DETERRED, f"{challenger} withdrew"
        for target in attacked:
            start = world.variables.get(ATTACK_START.format(target), float(world.round))
            held = world.round - start
            rounds = int(scenario.world_params["consolidation_rounds"])
            if held >= rounds or final:
                wedge = _wedged(facts, challenger)
                if wedge:
                    return Outcome.WEDGE_SUCCESS, (
                        f"{challenger} consolidated its grab on {target}; the allies split: "
                        + ", ".join(wedge)
                    )
                return Outcome.FAIT_ACCOMPLI, (
                    f"{challenger} consolidated its grab on {target} after {held:.0f} rounds "
                    "without an effective response"
                )
        return None
    if challenger and f"stands_down({challenger})" in facts:
        return Outcome.DETERRED, f"{challenger} stood down without attacking"
    if final:
        return Outcome.DETERRED, "the status quo held to the last round"
    return None


@negsim.hookimpl
def negsim_collect_metrics(world: WorldState, events: tuple[Event, ...]) -> dict[str, float]:
    """Crisis metrics: attack round, response power, access denials."""
    facts = world.facts
    starts = [v for k, v in world.variables.items() if k.startswith("attack_start(")]
    return {
        "attacked": float(bool(starts)),
        "attack_round": min(starts) if starts else -1.0,
        "access_denied": float(any(f.startswith("denies_access(") for f in facts)),
        "access_granted": float(any(f.startswith("grants_access(") for f in facts)),
        "response_power": max(
            (v for k, v in world.variables.items() if k.startswith("response_power(")), default=0.0
        ),
    }
