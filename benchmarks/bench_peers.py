"""Peers: negsim against the libraries that play the same games, measured in one run.

Install the peers first (they are the optional extra ``bench``), then run from the
repository root::

    pip install -e ".[bench]"
    python benchmarks/bench_peers.py             # 7 repeats of about 0.3 s per side
    python benchmarks/bench_peers.py --quick     # a smoke run
    python benchmarks/bench_peers.py --repeats 11

Three comparisons, each the same work on both sides:

1. **Iterated prisoner's dilemma** against the Axelrod library: tit for tat against
   always-defect, 200 rounds, Axelrod's payoffs (R=3, T=5, S=0, P=1). negsim plays the
   reference game of ``examples/negsim-games`` (its world rules ``ipd``, doctrines
   ``tit_for_tat`` and ``always_defect``, scenario ``ipd_tft_vs_alld.toml``) with
   :func:`negsim.simulate`; Axelrod plays ``axelrod.Match`` of ``TitForTat`` against
   ``Defector`` with the scenario's payoffs. Figure: matches per second, each match
   built and played from scratch. The scores must be equal (199 and 204), or the
   benchmark stops.
2. **Bilateral negotiation** against NegMAS: one issue of ten values (0 to 9), the
   first party's utility of ``v`` is ``v/9`` and the second's ``1 - v/9``; both parties
   concede by NegMAS's ``AspirationNegotiator`` curve (its default, "boulware":
   ``u(t) = 1 - t**4``) and accept an offer worth at least their current aspiration.
   NegMAS runs ``SAOMechanism`` with ``n_steps=20``, in which each party moves once per
   step. negsim runs the reference game's ``bargaining`` world rules with the
   ``alternating_offers`` protocol and two ``time_dependent`` doctrines with ``e=0.25``
   (the same curve: ``u(t) = 1 - (t/T)**(1/e)``) and a deadline of 40 rounds, one
   party moving per round, so each party has the same 20 moves. Figure: negotiations
   per second. Both must reach an agreement, or the benchmark stops; the report gives
   each side's agreed value.
3. **Trivial agents** against Mesa 3: 100 agents for 100 steps. Mesa's agent's
   ``step`` adds one to a counter (``model.agents.do("step")``, in a fixed order as
   negsim's agents decide); negsim's doctrine :class:`Idle` decides nothing, under world
   rules :class:`IdleWorld` that change nothing. Figure: microseconds per agent-step,
   whole runs (set-up included) divided by agents times steps, on both sides.

For the IPD match and the trivial agents the report also gives negsim's rules alone
(:func:`rules_alone`): the doctrines and world rules called directly in a bare loop on
views built the engine's way, with no dispatch, time guard, validation, event log or
result. Their ratio to the peer is the best an engine that cost nothing could reach: the
part of the gap that is the game as negsim's value objects express it, not the engine.

Each side is timed in samples of about the same length (``--quick``: shorter), the two
sides' samples alternating (A B B A A B ...) so both see the same machine load, each
sample starting from a full garbage collection so that neither side pays for the
other's garbage. A figure is the median over ``--repeats`` samples with the min and max
in brackets; a ratio is of the two medians, with the range of the ratios of the samples
taken side by side in brackets. Nothing here is asserted about time: the machines are
shared and noisy. Exit status 2, with a one-line message, when a peer is not installed.

The reference games' plugins are the installed ones when ``negsim-games`` is installed;
otherwise they are registered from ``examples/negsim-games/src`` by the entry points its
``pyproject.toml`` declares, as the test suite does.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
import os
import platform
import statistics
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import negsim
from negsim.engine import public_info, stream
from negsim.model import AgentView, Move, PluginSpec, Result, Scenario, WorldState
from negsim.model._view import build_view
from negsim.scenario import scenario_from_dict

ROOT = Path(__file__).resolve().parents[1]
GAMES = ROOT / "examples" / "negsim-games"
IPD_SCENARIO = GAMES / "scenarios" / "ipd_tft_vs_alld.toml"
INSTALL = 'pip install -e ".[bench]"'

PEERS = {"axelrod": "axelrod", "negmas": "negmas", "mesa": "mesa"}
"""Import name -> distribution name of each peer."""

NEGOTIATION_STEPS = 20
"""NegMAS's ``n_steps``: each party moves once per step, so 20 moves each."""
ASPIRATION_EXPONENT = 4.0
"""NegMAS's "boulware" aspiration exponent: ``u(t) = 1 - t**4``."""
TRIVIAL_AGENTS = 100
"""Agents in the trivial comparison, on both sides."""
TRIVIAL_STEPS = 100
"""Steps (negsim: rounds) in the trivial comparison, on both sides."""


# -- what is installed -------------------------------------------------------------------


def missing_peers() -> list[str]:
    """The peers that are not installed (or Mesa older than 3), as pip would name them."""
    missing = [dist for module, dist in PEERS.items() if importlib.util.find_spec(module) is None]
    if "mesa" not in missing:
        found = version("mesa")
        if int(found.split(".")[0]) < 3:
            missing.append(f"mesa>=3 (found {found})")
    return missing


def versions() -> str:
    """The versions of the peers and of what negsim's side runs on."""
    names = ["axelrod", "negmas", "mesa", "negsim", "pluggy", "attrs"]
    parts = []
    for name in names:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    return f"Python {platform.python_version()}; " + ", ".join(parts)


# -- negsim's side -----------------------------------------------------------------------


class Idle:
    """Doctrine ``bench_idle``: decides nothing, every round (the trivial agent)."""

    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        """Declare the doctrine."""
        return PluginSpec(role="doctrine", summary="benchmark: decides nothing")

    @negsim.hookimpl
    def negsim_decide(self, view: AgentView) -> list[Move]:
        """No move."""
        return []


class IdleWorld:
    """World rules ``bench_idle_world``: nothing changes; a run ends at ``max_rounds``."""

    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        """Declare the world rules (no adjudication, no outcome: ``unresolved`` at the end)."""
        return PluginSpec(role="world", summary="benchmark: nothing changes")


def _entry_point(value: str) -> object:
    """The object an entry point's value names (``module`` or ``module:attribute``)."""
    module_name, _, attribute = value.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def registry() -> negsim.PluginRegistry:
    """The installed plugins, the reference games' and this benchmark's trivial ones."""
    reg = negsim.PluginRegistry()
    games = tomllib.loads((GAMES / "pyproject.toml").read_text())["project"]["entry-points"]
    entry_points: dict[str, str] = games["negsim"]
    if not set(entry_points) <= set(reg.names()):
        if importlib.util.find_spec("negsim_games") is None:
            sys.path.insert(0, str(GAMES / "src"))
        for name, value in entry_points.items():
            if name not in reg.names():
                reg.register(_entry_point(value), name)
    reg.register(Idle(), "bench_idle")
    reg.register(IdleWorld(), "bench_idle_world")
    return reg


def ipd_scenario(reg: negsim.PluginRegistry) -> Scenario:
    """The reference game's match: tit for tat against always-defect, 200 rounds."""
    return negsim.load_scenario(IPD_SCENARIO, registry=reg)


def ipd_scores(result: Result) -> tuple[float, float]:
    """(tit for tat's score, always-defect's score) of a negsim match."""
    return result.metrics["ipd_score(TFT)"], result.metrics["ipd_score(ALLD)"]


def ipd_scores_of(world: WorldState, scenario: Scenario) -> tuple[float, float]:
    """(tit for tat's score, always-defect's score) in a match's last world state."""
    return world.value("score(TFT)"), world.value("score(ALLD)")


def negotiation_scenario(reg: negsim.PluginRegistry) -> Scenario:
    """Two aspiration negotiators over one issue of ten values, as NegMAS's SAO plays it.

    Each party moves once in two rounds, so a deadline of ``2 * NEGOTIATION_STEPS``
    rounds gives each the moves of NegMAS's ``n_steps``; ``e = 1/ASPIRATION_EXPONENT``
    gives the time-dependent tactic NegMAS's aspiration curve.
    """
    deadline = 2 * NEGOTIATION_STEPS
    aspiration = {"e": 1 / ASPIRATION_EXPONENT, "u_min": 0.0, "u_max": 1.0}
    data: dict[str, Any] = {
        "scenario": {
            "name": "aspiration-vs-aspiration",
            "description": "Bilateral negotiation, one issue of ten values (benchmarks).",
            "world_rules": "bargaining",
            "max_rounds": deadline,
        },
        "agents": [
            {"id": a, "name": a, "doctrine": "time_dependent", "params": aspiration}
            for a in ("A", "B")
        ],
        "negotiations": [
            {
                "id": "split",
                "protocol": "alternating_offers",
                "parties": ["A", "B"],
                "deadline": deadline,
                "issues": [{"name": "value", "kind": "discrete", "values": list(range(10))}],
            }
        ],
    }
    return scenario_from_dict(data, registry=reg)


def agreement(result: Result) -> int | None:
    """The value a negsim negotiation agreed on, or ``None`` without an agreement."""
    if result.outcome != "agreement":
        return None
    return int(result.metrics["bargaining_value"])


def trivial_scenario(reg: negsim.PluginRegistry, agents: int, rounds: int) -> Scenario:
    """``agents`` idle agents under idle world rules, for ``rounds`` rounds."""
    data: dict[str, Any] = {
        "scenario": {
            "name": "trivial",
            "description": "Agents that decide nothing in a world that never changes.",
            "world_rules": "bench_idle_world",
            "max_rounds": rounds,
        },
        "agents": [
            {"id": f"A{i:04d}", "name": f"A{i:04d}", "doctrine": "bench_idle"}
            for i in range(agents)
        ],
    }
    return scenario_from_dict(data, registry=reg)


# -- negsim's rules alone: the floor an engine that cost nothing would reach ------------


def rules_alone(reg: negsim.PluginRegistry, scenario: Scenario) -> Callable[[], WorldState]:
    """A function playing ``scenario``'s rules in a bare loop; it returns the last world.

    The doctrines' ``negsim_decide`` and the world rules' ``negsim_adjudicate`` and
    ``negsim_classify_outcome`` are called directly, once per agent and once per round,
    on views the engine's own way (the cheapest there is): no hook dispatch, time guard,
    validation, event log, commitment monitor or result. Written for scenarios without
    messages, commitments or negotiations (the IPD match, the trivial agents), it is the
    cost of the game as negsim's value objects express it, the lower bound of what the
    engine could reach on it.
    """
    world_rules = reg.pm.get_plugin(scenario.world_rules)
    deciders = [(a, reg.pm.get_plugin(a.doctrine).negsim_decide) for a in scenario.agents]
    adjudicate = getattr(world_rules, "negsim_adjudicate", None)
    classify = getattr(world_rules, "negsim_classify_outcome", None)
    public = public_info(scenario)
    last = scenario.max_rounds

    def play() -> WorldState:
        world = scenario.world
        rngs = {a.id: stream(0, "agent", a.id) for a in scenario.agents}
        seen = lambda agent: ()  # noqa: E731 (nothing observed: no events kept)
        for t in range(1, last + 1):
            world = WorldState(t, world.facts, world.variables)
            actions: list[Move] = []
            for agent, decide in deciders:
                view = build_view(
                    agent, t, world, (), (), (), public, None, rngs[agent.id], None, (), seen
                )
                actions.extend(decide(view))
            if adjudicate is not None:
                world = adjudicate(world=world, actions=tuple(actions), scenario=scenario).world
            if classify is not None and classify(world=world, scenario=scenario, final=t == last):
                break
        return world

    return play


# -- the peers' side (imported only when the peers are installed) -------------------------


def axelrod_match(payoffs: dict[str, float], turns: int) -> tuple[float, float]:
    """Tit for tat against always-defect in ``axelrod.Match``: (its score, Defector's)."""
    import axelrod

    game = axelrod.Game(r=payoffs["R"], s=payoffs["S"], t=payoffs["T"], p=payoffs["P"])
    match = axelrod.Match((axelrod.TitForTat(), axelrod.Defector()), turns=turns, game=game)
    match.play()
    first, second = match.final_score()
    return float(first), float(second)


def negmas_domain() -> tuple[Any, Any, Any]:
    """NegMAS's outcome space (one issue, values 0 to 9) and the two parties' utilities."""
    from negmas import make_issue, make_os
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.preferences.value_fun import AffineFun

    space = make_os([make_issue(10, "value")])
    first = LinearAdditiveUtilityFunction(
        values={"value": AffineFun(1 / 9, 0.0)}, outcome_space=space
    )
    second = LinearAdditiveUtilityFunction(
        values={"value": AffineFun(-1 / 9, 1.0)}, outcome_space=space
    )
    return space, first, second


def negmas_negotiation(domain: tuple[Any, Any, Any]) -> int | None:
    """One SAO negotiation of two aspiration negotiators: the agreed value, or ``None``."""
    from negmas import AspirationNegotiator, SAOMechanism

    space, first, second = domain
    mechanism = SAOMechanism(outcome_space=space, n_steps=NEGOTIATION_STEPS)
    mechanism.add(AspirationNegotiator(name="A", aspiration_type="boulware"), ufun=first)
    mechanism.add(AspirationNegotiator(name="B", aspiration_type="boulware"), ufun=second)
    state = mechanism.run()
    return None if state.agreement is None else int(state.agreement[0])


def mesa_runner(agents: int, steps: int) -> Callable[[], Any]:
    """A function that builds and runs a Mesa 3 model of ``agents`` counters, ``steps`` steps."""
    import mesa

    class Counter(mesa.Agent):
        def __init__(self, model: mesa.Model) -> None:
            super().__init__(model)
            self.count = 0

        def step(self) -> None:
            self.count += 1

    class Counting(mesa.Model):
        def __init__(self, n: int) -> None:
            super().__init__(seed=0)
            Counter.create_agents(self, n)

        def step(self) -> None:
            self.agents.do("step")

    def run() -> Any:
        model = Counting(agents)
        for _ in range(steps):
            model.step()
        return model

    return run


# -- timing ------------------------------------------------------------------------------


@dataclass
class Timed:
    """Seconds per unit of work of each sample of one side."""

    per_unit: list[float]

    @property
    def median(self) -> float:
        """The median seconds per unit."""
        return statistics.median(self.per_unit)


def alternate(sides: Sequence[Callable[[], object]], repeats: int, sample: float) -> list[Timed]:
    """Time each of ``sides``, one unit of work per call, in alternating samples.

    Each side is warmed up once and sized so that one sample lasts about ``sample``
    seconds; the samples then run in turn, the order reversed every other time (A B C,
    C B A, A B C ...), ``repeats`` of each, each after a full garbage collection.
    """
    counts = []
    for fn in sides:
        fn()
        start = time.perf_counter()
        fn()
        one = time.perf_counter() - start
        counts.append(max(1, round(sample / max(one, 1e-9))))
    results: list[list[float]] = [[] for _ in sides]
    forward = list(range(len(sides)))
    for i in range(repeats):
        for side in forward if i % 2 == 0 else forward[::-1]:
            fn, n = sides[side], counts[side]
            gc.collect()  # no side pays for another's garbage
            start = time.perf_counter()
            for _ in range(n):
                fn()
            results[side].append((time.perf_counter() - start) / n)
    return [Timed(r) for r in results]


def rate(t: Timed) -> str:
    """Units per second: ``median (min-max)``."""
    rates = [1 / x for x in t.per_unit]
    return f"{statistics.median(rates):,.0f} ({min(rates):,.0f}-{max(rates):,.0f})/s"


def micros(t: Timed, per: int) -> str:
    """Microseconds per ``1/per`` of a unit: ``median (min-max) us``."""
    us = [x / per * 1e6 for x in t.per_unit]
    return f"{statistics.median(us):.3g} ({min(us):.3g}-{max(us):.3g}) us"


def ratio(top: Timed, bottom: Timed) -> tuple[float, str]:
    """``top``'s median over ``bottom``'s, and the range of the side-by-side ratios."""
    value = top.median / bottom.median
    pairs = [x / y for x, y in zip(top.per_unit, bottom.per_unit, strict=True)]
    return value, f"{value:.2f}x ({min(pairs):.2f}-{max(pairs):.2f})"


# -- the comparisons -----------------------------------------------------------------------


@dataclass
class Row:
    """One line of the report's table."""

    comparison: str
    peer: str
    peer_figure: str
    negsim_figure: str
    ratio: str
    target: str
    met: bool
    floor: str
    """negsim's rules alone (:func:`rules_alone`): their figure, and their ratio to the peer."""
    check: str


def compare_ipd(reg: negsim.PluginRegistry, repeats: int, sample: float) -> Row:
    """negsim's IPD match against ``axelrod.Match``: matches per second, scores equal."""
    scenario = ipd_scenario(reg)
    payoffs = {k: float(scenario.world_params[k]) for k in ("R", "T", "S", "P")}
    turns = scenario.max_rounds
    ours = ipd_scores(negsim.simulate(scenario, registry=reg))
    theirs = axelrod_match(payoffs, turns)
    if ours != theirs:
        raise SystemExit(f"IPD: the scores differ: negsim {ours}, Axelrod {theirs}")
    n_events = len(negsim.simulate(scenario, registry=reg).events)
    bare = rules_alone(reg, scenario)
    if ipd_scores_of(bare(), scenario) != theirs:
        raise SystemExit(f"IPD: the rules alone score {ipd_scores_of(bare(), scenario)}")
    mine, floor, peer = alternate(
        [
            lambda: negsim.simulate(scenario, registry=reg),
            bare,
            lambda: axelrod_match(payoffs, turns),
        ],
        repeats,
        sample,
    )
    value, shown = ratio(peer, mine)  # negsim's rate over Axelrod's
    return Row(
        f"IPD, TFT vs ALLD, {turns} rounds (matches/s)",
        "Axelrod `Match`",
        rate(peer),
        rate(mine),
        shown,
        ">= 1.0x",
        value >= 1.0,
        f"{rate(floor)}; {ratio(peer, floor)[1]}",
        f"scores {ours[0]:g}-{ours[1]:g} on both sides; negsim logs {n_events} events a match",
    )


def compare_negotiation(reg: negsim.PluginRegistry, repeats: int, sample: float) -> Row:
    """negsim's alternating offers against NegMAS's SAO: negotiations per second."""
    scenario = negotiation_scenario(reg)
    domain = negmas_domain()
    result = negsim.simulate(scenario, registry=reg)
    ours, theirs = agreement(result), negmas_negotiation(domain)
    if ours is None or theirs is None:
        raise SystemExit(f"negotiation: no agreement: negsim {ours}, NegMAS {theirs}")
    mine, peer = alternate(
        [lambda: negsim.simulate(scenario, registry=reg), lambda: negmas_negotiation(domain)],
        repeats,
        sample,
    )
    value, shown = ratio(peer, mine)
    same = "same agreement" if ours == theirs else "DIFFERENT agreements"
    return Row(
        "bilateral negotiation, 1 issue of 10 values (negotiations/s)",
        "NegMAS `SAOMechanism`",
        rate(peer),
        rate(mine),
        shown,
        ">= 10x, same agreement",
        value >= 10.0 and ours == theirs,
        "not measured (the negotiation's sessions and protocol are the engine's)",
        f"agreed value {ours} (negsim, round {result.rounds} of {scenario.max_rounds}), "
        f"{theirs} (NegMAS): {same}; negsim logs {len(result.events)} events",
    )


def compare_trivial(reg: negsim.PluginRegistry, repeats: int, sample: float) -> Row:
    """negsim's idle doctrine against Mesa 3's counting agent: cost per agent-step."""
    agents, steps = TRIVIAL_AGENTS, TRIVIAL_STEPS
    scenario = trivial_scenario(reg, agents, steps)
    mesa_run = mesa_runner(agents, steps)
    result = negsim.simulate(scenario, registry=reg)
    model = mesa_run()
    counted = sum(a.count for a in model.agents)
    if result.rounds != steps or counted != agents * steps:
        raise SystemExit(
            f"trivial: negsim played {result.rounds} rounds, Mesa counted {counted} agent-steps"
        )
    bare = rules_alone(reg, scenario)
    mine, floor, peer = alternate(
        [lambda: negsim.simulate(scenario, registry=reg), bare, mesa_run], repeats, sample
    )
    value, shown = ratio(mine, peer)  # negsim's cost over Mesa's
    per = agents * steps
    return Row(
        f"trivial agent, {agents} agents x {steps} steps (us per agent-step)",
        "Mesa 3 `Agent.step`",
        micros(peer, per),
        micros(mine, per),
        shown,
        "<= 5x",
        value <= 5.0,
        f"{micros(floor, per)}; {ratio(floor, peer)[1]}",
        f"{agents * steps:,} agent-steps on both sides, whole runs with set-up",
    )


def report(rows: Sequence[Row], repeats: int, sample: float) -> list[str]:
    """The Markdown report: a table, then the checks."""
    lines = [
        f"negsim against its peers: {repeats} alternating samples of about {sample:g} s per "
        f"side, median (min-max); ratios of medians (range of side-by-side ratios). "
        f"{versions()}.",
        "",
        "| comparison | peer | peer figure | negsim figure | ratio, negsim / peer | target | met "
        "| negsim's rules alone; their ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.comparison} | {r.peer} | {r.peer_figure} | {r.negsim_figure} | {r.ratio} | "
            f"{r.target} | {'yes' if r.met else 'no'} | {r.floor} |"
        )
    lines.append("")
    lines += [f"- {r.comparison.split(' (')[0]}: {r.check}." for r in rows]
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    """Run the three comparisons and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 short samples per side")
    parser.add_argument("--repeats", type=int, help="samples per side (default 7; quick 3)")
    args = parser.parse_args(argv)
    if args.repeats is not None and args.repeats < 1:
        parser.error(f"--repeats must be at least 1: {args.repeats}")
    missing = missing_peers()
    if missing:
        print(
            f"bench_peers.py: not installed: {', '.join(missing)}; run {INSTALL}",
            file=sys.stderr,
        )
        raise SystemExit(2)
    repeats = args.repeats or (3 if args.quick else 7)
    sample = 0.05 if args.quick else 0.3
    reg = registry()
    before = os.getloadavg()[0]
    rows = [
        compare_ipd(reg, repeats, sample),
        compare_negotiation(reg, repeats, sample),
        compare_trivial(reg, repeats, sample),
    ]
    after = os.getloadavg()[0]
    print("\n".join(report(rows, repeats, sample)))
    print(f"\nLoad average before the comparisons: {before:.2f}, after: {after:.2f}.")


if __name__ == "__main__":
    main()
