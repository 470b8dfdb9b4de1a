"""Private information in the core: types, visibility, observations, honouring, outcomes."""

from __future__ import annotations

import math
import random
from collections import Counter
from typing import Any

import attrs
import pytest

import negsim
import negsim.engine._engine
from negsim import hookimpl
from negsim.errors import SimulationError
from negsim.model import (
    ActionTaken,
    AgentType,
    AgentView,
    DiscretePrior,
    Event,
    HonourDecided,
    MessageSent,
    MoveRejected,
    OutcomeSpec,
    PluginSpec,
    Scenario,
    UniformPrior,
    Visibility,
)
from tests.toyplugins import Scripted, agent, make_registry, make_scenario

SENTINEL = 0.918273645  # a value only the drawn type holds, to look for in other views
RESOLVE = DiscretePrior(
    [
        AgentType("resolute", {"aggr": SENTINEL}, 0.3),
        AgentType("irresolute", {"aggr": 0.1}, 0.7),
    ]
)


def _with_prior(scenario: Scenario, agent_id: str, prior: Any) -> Scenario:
    agents = [attrs.evolve(a, prior=prior) if a.id == agent_id else a for a in scenario.agents]
    return attrs.evolve(scenario, agents=agents)


def _observed(script: Scripted, agent_id: str, round: int) -> tuple[Event, ...]:
    return script.view(agent_id, round).observed


# -- visibility and observations ----------------------------------------------------------


def _moves_run() -> Scripted:
    script = Scripted(
        {
            ("A", 1): lambda v: [
                v.say("B", "inform", topic="private"),
                v.say(["B", "C"], "inform", topic="public", visibility="public"),
                v.say("B", "inform", topic="secret", visibility="secret"),
                v.act("mobilize", "B", visibility="recipients"),
                v.act("mobilize", None, visibility="secret"),
                v.act("mobilize", "C"),
                v.say("A", "inform"),  # rejected: to itself
            ]
        }
    )
    registry = make_registry(script=script)
    negsim.simulate(make_scenario(registry, max_rounds=3), registry=registry)
    return script


def _topics(events: tuple[Event, ...]) -> set[str]:
    return {str(e.message.content["topic"]) for e in events if isinstance(e, MessageSent)}


def _actions(events: tuple[Event, ...]) -> list[tuple[str | None, Visibility]]:
    return [(e.action.target, e.action.visibility) for e in events if isinstance(e, ActionTaken)]


def test_messages_are_observed_by_their_visibility() -> None:
    script = _moves_run()
    assert _topics(_observed(script, "A", 2)) == {"private", "public", "secret"}
    assert _topics(_observed(script, "B", 2)) == {"private", "public", "secret"}
    assert _topics(_observed(script, "C", 2)) == {"public"}


def test_actions_are_observed_by_their_visibility() -> None:
    script = _moves_run()
    assert _actions(_observed(script, "A", 2)) == [
        ("B", Visibility.RECIPIENTS),
        (None, Visibility.SECRET),
        ("C", Visibility.PUBLIC),
    ]
    assert _actions(_observed(script, "B", 2)) == [
        ("B", Visibility.RECIPIENTS),
        ("C", Visibility.PUBLIC),
    ]
    assert _actions(_observed(script, "C", 2)) == [("C", Visibility.PUBLIC)]


def test_a_rejected_move_is_observed_by_its_agent_alone() -> None:
    script = _moves_run()
    rejected = {
        a: [e for e in _observed(script, a, 2) if isinstance(e, MoveRejected)] for a in "ABC"
    }
    assert [e.agent for e in rejected["A"]] == ["A"]
    assert rejected["B"] == rejected["C"] == []


def test_round_one_observes_the_opening_and_each_round_only_the_last() -> None:
    script = _moves_run()
    assert _observed(script, "C", 1) == ()  # no treaties: nothing happened at set-up
    assert _topics(_observed(script, "C", 3)) == set()  # round 2 was quiet


def test_visibility_is_recorded_in_the_event_log(tmp_path: Any) -> None:
    script = Scripted({("A", 1): lambda v: [v.say("B", "inform", visibility="public")]})
    registry = make_registry(script=script)
    result = negsim.simulate(make_scenario(registry, max_rounds=1), registry=registry)
    path = tmp_path / "log.jsonl"
    negsim.write_jsonl(result, path)
    assert '"visibility":"public"' in path.read_text(encoding="utf-8")
    assert negsim.read_jsonl(path) == result


# -- beliefs are updated from exactly what was observed ------------------------------------


class Observer:
    """A doctrine that records what it was given to update its beliefs on."""

    def __init__(self) -> None:
        self.updates: list[tuple[str, int, tuple[Event, ...]]] = []

    @hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return PluginSpec(role="doctrine", summary="records its observations")

    @hookimpl
    def negsim_update_beliefs(self, view: AgentView) -> None:
        self.updates.append((view.me, view.round, view.observed))

    @hookimpl
    def negsim_decide(self, view: AgentView) -> list[object]:
        if view.me == "A" and view.round == 1:
            return [view.say("B", "inform", topic="private")]
        return []


def test_update_beliefs_is_called_every_round_with_the_observations() -> None:
    observer = Observer()
    registry = make_registry(("observer", observer))
    scenario = make_scenario(
        registry, [agent("A", "observer"), agent("B", "observer"), agent("C")], max_rounds=3
    )
    negsim.simulate(scenario, registry=registry)
    assert [(who, t) for who, t, _ in observer.updates] == [
        (who, t) for t in (1, 2, 3) for who in ("A", "B")
    ]
    second = {who: seen for who, t, seen in observer.updates if t == 2}
    assert _topics(second["B"]) == {"private"}
    assert _topics(second["A"]) == {"private"}
    assert observer.updates[0][2] == ()


# -- honouring is a decision ----------------------------------------------------------------

TREATY = {
    "id": "art5",
    "debtor": "A",
    "creditor": "B",
    "antecedent": "attacked(B)",
    "consequent": "responds(A,B)",
    "deadline": 3,
}


def _honour_run(decision: bool | None) -> tuple[Scripted, negsim.Result]:
    script = Scripted(
        {("C", 1): lambda v: [v.act("attack", "B")]},
        honour={} if decision is None else {"art5": decision},
    )
    registry = make_registry(script=script)
    scenario = make_scenario(registry, commitments=[TREATY], max_rounds=5)
    return script, negsim.simulate(scenario, registry=registry)


def test_the_debtor_decides_once_the_round_after_detachment() -> None:
    script, result = _honour_run(False)
    assert script.asked == [("A", 2, "art5")]
    [decision] = result.events_of(HonourDecided)
    assert decision == HonourDecided(2, "art5", "A", "B", False)


def test_an_undecided_commitment_logs_no_decision() -> None:
    script, result = _honour_run(None)
    assert script.asked == [("A", 2, "art5")]
    assert result.events_of(HonourDecided) == ()


def test_a_decision_to_honour_is_not_credited_as_honouring() -> None:
    # The debtor says it will honour, then does nothing: the commitment is violated.
    _, result = _honour_run(True)
    [final] = [c for c in result.commitments if c.id == "art5"]
    assert str(final.state) == "violated"


def test_only_the_debtor_observes_its_decision() -> None:
    script, _ = _honour_run(True)
    for who, sees in (("A", True), ("B", False), ("C", False)):
        got = any(isinstance(e, HonourDecided) for e in _observed(script, who, 3))
        assert got is sees, who


# -- private types ---------------------------------------------------------------------------


def _typed_run(seed: int, prior: Any = RESOLVE) -> tuple[Scripted, negsim.Result]:
    script = Scripted()
    registry = make_registry(script=script)
    scenario = _with_prior(make_scenario(registry, max_rounds=2), "A", prior)
    return script, negsim.simulate(scenario, seed=seed, registry=registry)


def test_the_drawn_type_is_the_agents_own_and_sets_its_params() -> None:
    script, _ = _typed_run(seed=0)
    view = script.view("A", 1)
    assert view.type is not None
    assert view.type in RESOLVE.types
    assert view.agent.params["aggr"] == view.type.params["aggr"]
    assert script.view("B", 1).type is None


def test_types_are_drawn_with_their_prior_probabilities() -> None:
    # 2,000 seeds; P(resolute) = 0.3, standard error 0.0102: within 4 standard errors.
    n = 2000
    counts = Counter(_typed_run(seed)[0].view("A", 1).type.name for seed in range(n))  # type: ignore[union-attr]
    share = counts["resolute"] / n
    assert abs(share - 0.3) < 4 * math.sqrt(0.3 * 0.7 / n), counts


def test_the_same_seed_draws_the_same_type_and_log() -> None:
    a_script, a = _typed_run(seed=7)
    b_script, b = _typed_run(seed=7)
    assert a_script.view("A", 1).type == b_script.view("A", 1).type
    assert a == b


def test_a_prior_leaves_the_other_agents_streams_alone() -> None:
    # The type is drawn from a stream of its own: adding a prior changes no other draw.
    script = Scripted()
    registry = make_registry(script=script)
    plain = make_scenario(registry, max_rounds=2)
    negsim.simulate(plain, seed=4, registry=registry)
    before = {a: script.view(a, 1).rng.random() for a in "ABC"}
    negsim.simulate(_with_prior(plain, "A", RESOLVE), seed=4, registry=registry)
    after = {a: script.view(a, 1).rng.random() for a in "ABC"}
    assert before == after


def _leaves(root: object, depth: int = 10) -> list[str]:
    """Every plain value reachable from ``root`` through public attributes, mappings and
    sequences (its random stream left out), as sorted reprs."""
    seen: set[int] = set()
    out: list[str] = []
    stack: list[tuple[object, int]] = [(root, 0)]
    while stack:
        obj, d = stack.pop()
        if d > depth or isinstance(obj, random.Random):
            continue
        if isinstance(obj, str | int | float | bool) or obj is None:
            out.append(repr(obj))
            continue
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if hasattr(obj, "items"):
            for k, v in obj.items():
                stack += [(k, d + 1), (v, d + 1)]
        elif isinstance(obj, tuple | list | frozenset | set):
            stack += [(v, d + 1) for v in obj]
        else:
            for name in dir(obj):
                if name.startswith("_"):
                    continue
                try:
                    value = getattr(obj, name)
                except Exception:  # a property that cannot be read here
                    continue
                if not callable(value):
                    stack.append((value, d + 1))
    return sorted(out)


def test_no_view_depends_on_another_agents_drawn_type(monkeypatch: pytest.MonkeyPatch) -> None:
    # A's type is forced to each of its two types in turn, on the same seed: every value
    # reachable from B's and C's views is the same either way, while A's own view (the
    # control) differs, so the walk can see a type where one is reachable.
    seen: dict[str, dict[str, list[str]]] = {}
    for forced in RESOLVE.types:
        monkeypatch.setattr(negsim.engine._engine, "draw", lambda prior, rng, t=forced: t)
        script, _ = _typed_run(seed=5)
        seen[forced.name] = {a: _leaves(script.view(a, 2)) for a in "ABC"}
    first, second = seen["resolute"], seen["irresolute"]
    assert first["A"] != second["A"]
    assert repr(SENTINEL) in first["A"]
    assert first["B"] == second["B"]
    assert first["C"] == second["C"]


def test_a_continuous_prior_draws_one_of_its_points() -> None:
    prior = UniformPrior("aggr", 0.0, 1.0, points=5)
    script, _ = _typed_run(seed=3, prior=prior)
    drawn = script.view("A", 1).type
    assert drawn in prior.types
    assert script.view("A", 1).agent.params["aggr"] == drawn.params["aggr"]  # type: ignore[union-attr]


def test_the_public_info_holds_the_priors_not_the_types() -> None:
    script, _ = _typed_run(seed=1)
    public = script.view("B", 1).public
    assert public.prior_of("A") == RESOLVE
    assert public.prior_of("B") is None


# -- outcomes declared by the world rules -----------------------------------------------------


class GameWorld:
    """World rules that declare their own outcomes and end after ``stop_round``."""

    def __init__(self, outcome: str) -> None:
        self.outcome = outcome

    @hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return PluginSpec(
            role="world",
            summary="a game of its own",
            outcomes=[OutcomeSpec("mutual_cooperation", "Both cooperated to the end.")],
        )

    @hookimpl
    def negsim_classify_outcome(self, world: negsim.WorldState) -> tuple[str, str] | None:
        return (self.outcome, "the game is over") if world.round >= 2 else None


def _game(outcome: str) -> negsim.Result:
    registry = make_registry(("game", GameWorld(outcome)))
    scenario = attrs.evolve(make_scenario(registry, max_rounds=5), world_rules="game")
    return negsim.simulate(scenario, registry=registry)


def test_a_world_ends_runs_with_its_declared_outcome() -> None:
    result = _game("mutual_cooperation")
    assert result.outcome == "mutual_cooperation"
    assert result.rounds == 2
    registry = make_registry(("game", GameWorld("x")))
    scenario = attrs.evolve(make_scenario(registry), world_rules="game")
    assert negsim.Simulation(scenario, registry=registry).outcomes == ("mutual_cooperation",)


def test_an_undeclared_outcome_is_an_error_naming_the_world() -> None:
    declared = r"'deterred', which the world rules do not declare; declared: mutual_cooperation"
    with pytest.raises(SimulationError, match=r"plugin 'game' returned the outcome " + declared):
        _game("deterred")


def test_an_outcome_declared_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="'outcomes' declares 'won' twice"):
        PluginSpec(role="world", outcomes=[("won", "a"), ("won", "b")])


def test_crisis_outcomes_are_still_the_enum_members() -> None:
    scenario = negsim.load_scenario("examples/scenarios/korea_integrated.toml")
    result = negsim.simulate(scenario, seed=3)
    assert result.outcome is negsim.Outcome(result.outcome)


# -- priors in scenario files ---------------------------------------------------------------

PRIOR_FILE = """
[scenario]
name = "priors"
world_rules = "toy"
max_rounds = 2

[[agents]]
id = "A"
name = "State A"
doctrine = "scripted"
[agents.prior]
kind = "discrete"
[[agents.prior.types]]
name = "hawk"
probability = 0.25
params = { aggr = 0.9 }
[[agents.prior.types]]
name = "dove"
probability = 0.75
params = { aggr = 0.1 }

[[agents]]
id = "B"
name = "State B"
doctrine = "scripted"
[agents.prior]
kind = "uniform"
param = "aggr"
low = 0.0
high = 1.0
points = 4
"""


def _load(text: str) -> Scenario:
    import tomllib

    from negsim.scenario import scenario_from_dict

    return scenario_from_dict(tomllib.loads(text), registry=make_registry())


def test_a_scenario_file_declares_priors() -> None:
    scenario = _load(PRIOR_FILE)
    assert [t.name for t in scenario.agent("A").prior.types] == ["hawk", "dove"]  # type: ignore[union-attr]
    assert scenario.agent("B").prior == UniformPrior("aggr", 0.0, 1.0, points=4)


def test_priors_round_trip_through_dump_and_overrides() -> None:
    from negsim.scenario import dump_scenario, scenario_from_dict

    scenario = _load(PRIOR_FILE)
    again = scenario_from_dict(dump_scenario(scenario), registry=make_registry())
    assert again == scenario
    changed = negsim.apply_overrides(
        scenario, ["agents.B.prior.high=0.5"], registry=make_registry()
    )
    assert changed.agent("B").prior == UniformPrior("aggr", 0.0, 0.5, points=4)
    swapped = negsim.apply_overrides(
        scenario,
        [
            "agents.A.prior.types.hawk.probability=0.75",
            "agents.A.prior.types.dove.probability=0.25",
        ],
        registry=make_registry(),
    )
    assert [t.probability for t in swapped.agent("A").prior.types] == [0.75, 0.25]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        ("probability = 0.75", "agents[0].prior.types", "must sum to 1 (within 1e-09): 0.9"),
        (
            "params = { aggr = 0.1 }",
            "agents[0].prior.types",
            "every type must set the same parameters: 'hawk' sets ['aggr'], 'dove' sets",
        ),
        ('kind = "uniform"', "agents[1].prior", "'kind' must be one of discrete, normal"),
        ('param = "aggr"', "agents[1].prior.param", "'scripted' has no parameter 'x'"),
        ("params = { aggr = 0.9 }", "agents[0].prior.types[0].params.aggr", "must be <= 1.0: 7"),
    ],
)
def test_a_bad_prior_is_one_clear_problem(edit: str, path: str, message: str) -> None:
    broken = {
        "probability = 0.75": "probability = 0.65",
        "params = { aggr = 0.1 }": "params = { agr = 0.1 }",
        'kind = "uniform"': 'kind = "gaussian"',
        'param = "aggr"': 'param = "x"',
        "params = { aggr = 0.9 }": "params = { aggr = 7 }",
    }[edit]
    with pytest.raises(negsim.ScenarioError) as info:
        _load(PRIOR_FILE.replace(edit, broken, 1))
    text = str(info.value)
    assert path in text, text
    assert message in text, text


def test_a_plugin_declaring_an_outcome_twice_is_named() -> None:
    class Twice:
        @hookimpl
        def negsim_plugin_spec(self) -> PluginSpec:
            return PluginSpec(role="world", outcomes=[("won", "a"), ("won", "b")])

    with pytest.raises(
        negsim.PluginError,
        match="plugin 'twice': its negsim_plugin_spec is invalid: 'outcomes' declares 'won' twice",
    ):
        negsim.PluginRegistry([("twice", Twice())], discover=False)


class CoinWorld:
    """Declares ``tails`` before ``heads``; ends each run in round 1 by a coin."""

    @hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        return PluginSpec(
            role="world",
            outcomes=[OutcomeSpec("tails", "the coin fell tails"), ("heads", "it fell heads")],
        )

    @hookimpl
    def negsim_classify_outcome(self, world: negsim.WorldState) -> tuple[str, str]:
        return ("heads" if "heads" in world.facts else "tails", "the coin fell")

    @hookimpl
    def negsim_adjudicate(self, world: negsim.WorldState, rng: random.Random) -> Any:
        facts = {"heads"} if rng.random() < 0.5 else set()
        return negsim.model.Adjudication(world=attrs.evolve(world, facts=facts))


def test_summaries_follow_the_declared_outcomes(tmp_path: Any) -> None:
    from negsim.experiments import SweepError, read_results, summarize, sweep

    registry = make_registry(("coin", CoinWorld()))
    scenario = attrs.evolve(
        make_scenario(registry, max_rounds=1), world_rules="coin", world_params={}
    )
    out = tmp_path / "coins.parquet"
    sweep(scenario, runs=40, seed=1, backend="serial", out=out, registry=registry, progress=False)
    frame = read_results(out)
    assert frame.attrs["outcomes"] == ["tails", "heads", "unresolved"]
    table = summarize(frame)
    assert list(table["outcome"]) == ["tails", "heads"]  # declared order, not alphabetical
    with pytest.raises(SweepError, match="no outcome 'deterred'; choose from tails, heads"):
        summarize(frame, outcomes=["deterred"])


def test_a_prior_whose_fields_disagree_is_one_clear_problem() -> None:
    # high below low: a check across two fields, reported with the prior's path
    bad = PRIOR_FILE.replace("low = 0.0\nhigh = 1.0", "low = 0.5\nhigh = 0.1", 1)
    with pytest.raises(negsim.ScenarioError, match=r"agents\[1\]\.prior: 'high' must be greater"):
        _load(bad)
    extra = PRIOR_FILE.replace("points = 4", "points = 4\ntypez = 1", 1)
    with pytest.raises(
        negsim.ScenarioError, match=r"unknown key; valid: param, low, high, points$"
    ):
        _load(extra)
