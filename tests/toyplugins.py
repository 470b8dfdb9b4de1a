"""Small in-process plugins shared by the tests (import as ``tests.toyplugins``).

* :class:`ToyWorld` ("toy"): world rules where every action sets a fact, so tests can
  steer the world with plain actions; it classifies an outcome only at ``stop_round``.
* :class:`Scripted` ("scripted"): a doctrine that plays a script keyed by
  ``(agent, round)`` and records every view it is given.
* :class:`Chatter` ("chatter"): a doctrine that talks, pledges, proposes, votes and
  attacks at random, using only ``view.rng``; it records inboxes for protocol checks.
* :class:`Raiser` ("raiser"): a doctrine whose helper raises in a given round.
* :class:`Recorder`: an observer that records what the world relay tells it.

Helpers build registries, scenarios and the JSONL of a reference run, so that a
subprocess can run exactly what an in-process test runs::

    python -c "from tests.toyplugins import demo_jsonl; print(demo_jsonl(7), end='')"
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

import negsim
from negsim import AgentView, ParamSpec, PluginSpec, hookimpl
from negsim.model import (
    Action,
    ActionKind,
    Adjudication,
    Event,
    Message,
    Narration,
    Outcome,
    Scenario,
    WorldState,
)
from negsim.scenario import scenario_from_dict

__all__ = [
    "Chatter",
    "Dies",
    "Raiser",
    "Recorder",
    "Scripted",
    "ToyWorld",
    "agent",
    "demo_data",
    "demo_jsonl",
    "demo_toml",
    "make_registry",
    "make_scenario",
]

Script = Callable[[AgentView], Sequence[object]]


# --------------------------------------------------------------------------------------
# World rules
# --------------------------------------------------------------------------------------

_FACT_OF = {
    ActionKind.ATTACK: "attacked({target})",
    ActionKind.RESPOND: "responds({actor},{target})",
    ActionKind.GRANT_ACCESS: "grants_access({actor},{target})",
    ActionKind.DENY_ACCESS: "denies_access({actor},{target})",
    ActionKind.CONCEDE: "concedes({actor},{target})",
    ActionKind.NUCLEAR_STRIKE: "nuclear_used({actor})",
}


class ToyWorld:
    """World rules "toy".

    * ``attack`` sets ``attacked(T)`` and adds its magnitude to the variable ``tension``;
      ``respond``, ``grant_access``, ``deny_access``, ``concede``, ``nuclear_strike`` set
      ``responds(A,T)``, ``grants_access(A,T)``, ... (see ``_FACT_OF``);
    * ``withdraw`` clears ``attacked(T)``;
    * ``mobilize`` with ``set="fact"`` / ``unset="fact"`` sets or clears any fact, so a
      test can drive the world exactly;
    * each action is narrated.

    The outcome is ``settlement`` once the round reaches the world parameter
    ``stop_round`` (0: never, so runs end ``unresolved`` at ``max_rounds``), and
    ``escalation`` as soon as a ``nuclear_used(...)`` fact holds.
    """

    @hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return PluginSpec(
            role="world",
            summary="toy world rules for tests",
            params=[ParamSpec("stop_round", 0, "round that ends the run (0: never)", 0, 1000)],
        )

    @hookimpl
    def negsim_adjudicate(self, world: WorldState, actions: tuple[Action, ...]) -> Adjudication:
        facts = set(world.facts)
        variables = dict(world.variables)
        events: list[Event] = []
        for a in actions:
            if a.kind in _FACT_OF:
                facts.add(_FACT_OF[a.kind].format(actor=a.actor, target=a.target))
            if a.kind is ActionKind.ATTACK:
                variables["tension"] = round(variables.get("tension", 0.0) + a.magnitude, 9)
            elif a.kind is ActionKind.WITHDRAW:
                facts.discard(f"attacked({a.target})")
            elif a.kind is ActionKind.MOBILIZE:
                if "set" in a.params:
                    facts.add(str(a.params["set"]))
                if "unset" in a.params:
                    facts.discard(str(a.params["unset"]))
            events.append(Narration(world.round, f"{a.actor} {a.kind} {a.target or ''}", a.actor))
        new = attrs.evolve(world, facts=facts, variables=variables)
        return Adjudication(world=new, events=events)

    @hookimpl
    def negsim_classify_outcome(
        self, world: WorldState, scenario: Scenario
    ) -> tuple[Outcome, str] | None:
        if any(f.startswith("nuclear_used(") for f in world.facts):
            return Outcome.ESCALATION, "nuclear use"
        stop = int(scenario.world_params.get("stop_round", 0))
        if stop and world.round >= stop:
            return Outcome.SETTLEMENT, f"stop_round {stop} reached"
        return None


# --------------------------------------------------------------------------------------
# Doctrines
# --------------------------------------------------------------------------------------


class Scripted:
    """Doctrine "scripted": plays ``script[(agent, round)](view)``; records every view.

    Args:
        script: Moves by ``(agent id, round)``; a missing key means no moves.
        params: The parameters it declares (to test the loader's checks).
        honour: Honour decisions by commitment id; a missing id is left undecided.
    """

    def __init__(
        self,
        script: Mapping[tuple[str, int], Script] | None = None,
        params: Iterable[ParamSpec] = (
            ParamSpec("aggr", 0.5, "aggressiveness", 0.0, 1.0),
            ParamSpec("patience", 3, "rounds of patience", 0, 100),
            ParamSpec("loud", False, "whether it shouts"),
        ),
        honour: Mapping[str, bool] | None = None,
    ) -> None:
        self.script = dict(script or {})
        self.params = tuple(params)
        self.honours = dict(honour or {})
        self.views: dict[tuple[str, int], AgentView] = {}
        self.asked: list[tuple[str, int, str]] = []

    @hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return PluginSpec(role="doctrine", summary="plays a script", params=self.params)

    @hookimpl
    def negsim_decide(self, view: AgentView) -> Sequence[object]:
        self.views[(view.me, view.round)] = view
        play = self.script.get((view.me, view.round))
        return list(play(view)) if play else []

    @hookimpl
    def negsim_honour(self, view: AgentView, commitment: negsim.Commitment) -> bool | None:
        self.asked.append((view.me, view.round, commitment.id))
        return self.honours.get(commitment.id)

    def view(self, agent: str, round: int) -> AgentView:
        """The view ``agent`` was given in ``round``."""
        return self.views[(agent, round)]


class Chatter:
    """Doctrine "chatter": random but legal talk and action, from ``view.rng`` only.

    Each round, for each other agent in id order, with probability ``p_talk`` it sends
    one of inform / demand / offer / pledge / threaten; pledges and threats carry an
    antecedent and consequent over the toy world's facts. It answers every offer and
    demand, proposes to its alliances when it is attacked, votes at random on open
    proposals, and attacks a random other agent with probability ``p_attack``. It
    records each inbox under ``(agent, round)`` in :attr:`inboxes`.
    """

    def __init__(self) -> None:
        self.inboxes: dict[tuple[str, int], tuple[Message, ...]] = {}

    @hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return PluginSpec(
            role="doctrine",
            summary="random chatter",
            params=[
                ParamSpec("p_talk", 0.5, "chance to message each other agent", 0.0, 1.0),
                ParamSpec("p_attack", 0.15, "chance to attack each round", 0.0, 1.0),
            ],
        )

    @hookimpl
    def negsim_agent_start(self, agent: negsim.Agent) -> dict[str, int]:
        return {"said": 0}

    @hookimpl
    def negsim_decide(self, view: AgentView) -> list[object]:
        self.inboxes[(view.me, view.round)] = view.inbox
        rng = view.rng
        me = view.me
        others = [a for a in view.public.agents if a != me]
        moves: list[object] = []
        for other in others:
            if rng.random() < float(view.param("p_talk")):
                kind = rng.choice(["inform", "demand", "offer", "pledge", "threaten"])
                if kind in ("pledge", "threaten"):
                    moves.append(
                        view.say(
                            other,
                            kind,
                            antecedent=f"attacked({other})",
                            consequent=f"responds({me},{other})",
                            deadline=rng.randint(0, 3),
                        )
                    )
                else:
                    moves.append(view.say(other, kind, value=round(rng.random(), 6)))
                view.state["said"] += 1
        for m in view.inbox:
            if m.performative in ("offer", "demand"):
                answer = "accept" if rng.random() < 0.5 else "reject"
                moves.append(view.say(m.sender, answer, in_reply_to=m.id))
        if view.holds(f"attacked({me})"):
            for al in view.public.alliances_of(me):
                if not any(p.alliance == al.id for p in view.proposals):
                    others_in = [x for x in al.members if x != me]
                    moves.append(view.say(others_in, "propose", alliance=al.id))
        for p in view.proposals:
            if me not in p.votes:
                others_in = [x for x in view.public.alliance(p.alliance).members if x != me]
                moves.append(view.say(others_in, "vote", proposal=p.id, consent=rng.random() < 0.7))
        if others and view.public.capabilities[me].conventional > 0:
            if rng.random() < float(view.param("p_attack")):
                moves.append(view.act("attack", rng.choice(others), round(rng.random(), 6)))
            elif rng.random() < 0.3:
                moves.append(view.act("respond", rng.choice([me, *others])))
        return moves


class Raiser:
    """Doctrine "raiser": from round ``when`` on, a helper raises ``error``."""

    def __init__(self, when: int = 1, error: Exception | None = None) -> None:
        self.when = when
        self.error = error if error is not None else ValueError("raiser: deliberate failure")

    @hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return PluginSpec(role="doctrine", summary="raises")

    @hookimpl
    def negsim_decide(self, view: AgentView) -> list[object]:
        if view.round >= self.when:
            self._helper()
        return []

    def _helper(self) -> None:
        raise self.error


class Dies:
    """Doctrine "dies": from round ``when`` on, ends its process at once (``os._exit``).

    As a crashed worker would: nothing in the process can report it.
    """

    def __init__(self, when: int = 1, code: int = 3) -> None:
        self.when = when
        self.code = code

    @hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return PluginSpec(role="doctrine", summary="ends its process")

    @hookimpl
    def negsim_decide(self, view: AgentView) -> list[object]:
        if view.round >= self.when:
            os._exit(self.code)
        return []


class Recorder:
    """Observer: records the world relay's hooks it hears, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    @hookimpl
    def negsim_simulation_start(self, scenario: Scenario) -> None:
        self.calls.append(("start", scenario.name))

    @hookimpl
    def negsim_round_end(self, round: int, events: tuple[Event, ...]) -> None:
        self.calls.append(("round_end", (round, events)))

    @hookimpl
    def negsim_simulation_end(self, result: negsim.Result) -> None:
        self.calls.append(("end", result))


# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------


def make_registry(
    *extra: tuple[str, object], script: Scripted | None = None
) -> negsim.PluginRegistry:
    """A registry of "toy", "scripted" (``script`` or an empty one), "chatter" and ``extra``."""
    plugins: list[tuple[str, object]] = [
        ("toy", ToyWorld()),
        ("scripted", script if script is not None else Scripted()),
        ("chatter", Chatter()),
    ]
    plugins += extra
    return negsim.PluginRegistry(plugins, discover=False)


def agent(
    id: str, doctrine: str = "scripted", conventional: float = 1.0, **more: Any
) -> dict[str, Any]:
    """An ``[[agents]]`` table."""
    table: dict[str, Any] = {
        "id": id,
        "name": f"State {id}",
        "doctrine": doctrine,
        "capabilities": {"conventional": conventional},
    }
    for key, value in more.items():
        if key in ("nuclear", "forces_hosted"):
            table["capabilities"][key] = value
        else:
            table[key] = value
    return table


def make_scenario(
    registry: negsim.PluginRegistry,
    agents: Sequence[dict[str, Any]] = (),
    *,
    alliances: Sequence[dict[str, Any]] = (),
    commitments: Sequence[dict[str, Any]] = (),
    facts: Sequence[str] = (),
    max_rounds: int = 10,
    stop_round: int = 0,
    name: str = "test",
    negotiations: Sequence[dict[str, Any]] = (),
) -> Scenario:
    """A scenario from tables, checked against ``registry`` (world rules "toy")."""
    data: dict[str, Any] = {
        "scenario": {"name": name, "world_rules": "toy", "max_rounds": max_rounds},
        "world": {"facts": list(facts), "params": {"stop_round": stop_round}},
        "agents": list(agents) or [agent("A"), agent("B"), agent("C")],
        "alliances": list(alliances),
        "commitments": list(commitments),
        "negotiations": list(negotiations),
    }
    return scenario_from_dict(data, registry=registry)


def demo_data(reverse: bool = False) -> dict[str, Any]:
    """The determinism reference scenario: four chatter agents, an alliance, treaties."""
    agents = [
        agent("ROK", "chatter", 5.0),
        agent("JPN", "chatter", 3.0, forces_hosted={"USA": 54000}),
        agent("USA", "chatter", 10.0, nuclear=100, params={"p_attack": 0.05}),
        agent("DPRK", "chatter", 8.0, nuclear=50, params={"p_attack": 0.6, "p_talk": 0.8}),
    ]
    if reverse:
        agents.reverse()
    return {
        "scenario": {"name": "demo", "world_rules": "toy", "max_rounds": 12, "seed": 5},
        "world": {
            "facts": ["tension_high", "exercise(USA,ROK)", "exercise(USA,JPN)", "alert(JPN)"],
            "variables": {"tension": 1.5, "readiness(ROK)": 0.4},
            "params": {"stop_round": 0},
        },
        "agents": agents,
        "alliances": [
            {
                "id": "TRI",
                "name": "trilateral",
                "kind": "collective",
                "members": ["USA", "JPN", "ROK"],
                "decision_rule": "consensus",
                "decision_deadline": 2,
            },
            {
                "id": "US-ROK",
                "name": "U.S.-ROK",
                "kind": "bilateral",
                "members": ["ROK", "USA"],
                "decision_rule": "hub",
                "hub": "USA",
            },
        ],
        "commitments": [
            {
                "id": "us-rok",
                "debtor": "USA",
                "creditor": "ROK",
                "antecedent": "attacked(ROK)",
                "consequent": "responds(USA,ROK)",
                "deadline": 2,
            },
            {
                "id": "us-jpn",
                "debtor": "USA",
                "creditor": "JPN",
                "antecedent": "attacked(JPN)",
                "consequent": "responds(USA,JPN)",
                "deadline": 1,
            },
            {
                "id": "jpn-bases",
                "debtor": "JPN",
                "creditor": "USA",
                "antecedent": "attacked(ROK) | attacked(JPN)",
                "consequent": "~denies_access(JPN,USA)",
                "expires": 8,
            },
        ],
    }


def demo_toml(reverse: bool = False) -> str:
    """:func:`demo_data` as a TOML scenario file (agents reversed if ``reverse``)."""
    data = demo_data(reverse)
    out = io.StringIO()

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f'"{k}" = {value(x)}' for k, x in v.items()) + "}"
        return repr(v)

    for section in ("scenario", "world"):
        out.write(f"[{section}]\n")
        for k, v in data[section].items():
            out.write(f"{k} = {value(v)}\n")
        out.write("\n")
    for section in ("agents", "alliances", "commitments"):
        for table in data[section]:
            out.write(f"[[{section}]]\n")
            for k, v in table.items():
                out.write(f"{k} = {value(v)}\n")
            out.write("\n")
    return out.getvalue()


def demo_jsonl(seed: int = 7, path: str | Path | None = None) -> str:
    """The JSONL of the demo run with a fresh registry (from ``path`` if given)."""
    registry = make_registry()
    if path is None:
        scenario = scenario_from_dict(demo_data(), registry=registry)
    else:
        scenario = negsim.load_scenario(path, registry=registry)
    result = negsim.simulate(scenario, seed=seed, registry=registry)
    buf = io.StringIO()
    negsim.write_jsonl(result, buf)
    return buf.getvalue()
