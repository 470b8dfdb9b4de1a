"""A relay's hooks call plain implementations directly: the same results as pluggy.

Each case calls a hook both ways (:meth:`negsim.plugins.Hook.call` and pluggy's own
caller, ``hook.caller(**kwargs)``) and compares what comes back, the order of the
calls, and the errors.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pluggy
import pytest

import negsim
from negsim import hookimpl
from negsim.model import AgentView, Event
from negsim.plugins import PluginRegistry
from tests.toyplugins import Recorder, Scripted, make_registry, make_scenario


class Metrics:
    """Observer: returns its own metrics, and records that it was called."""

    def __init__(self, name: str, value: float | None, log: list[str]) -> None:
        self.name, self.value, self.log = name, value, log

    @hookimpl
    def negsim_collect_metrics(self, events: tuple[Event, ...]) -> dict[str, float] | None:
        self.log.append(self.name)
        return None if self.value is None else {self.name: self.value}


class Ordered:
    """Observer with tryfirst / trylast and an optional argument (pluggy's kwargnames)."""

    def __init__(self, log: list[str]) -> None:
        self.log = log

    @hookimpl(tryfirst=True)
    def negsim_round_end(self, round: int, events: tuple[Event, ...] = ()) -> None:
        self.log.append(f"first {round} {len(events)}")


class Last:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    @hookimpl(trylast=True)
    def negsim_round_end(self, round: int) -> None:
        self.log.append(f"last {round}")


class Wrapper:
    """A new-style wrapper: pluggy must run it."""

    def __init__(self, log: list[str]) -> None:
        self.log = log

    @hookimpl(wrapper=True)
    def negsim_collect_metrics(self) -> Generator[None, Any, Any]:
        self.log.append("before")
        result = yield
        self.log.append("after")
        return [*result, {"wrapped": 1.0}]


def _world(registry: PluginRegistry) -> Any:
    return registry.world_relay("toy")


def _both(hook: Any, kwargs: dict[str, Any], log: list[str]) -> tuple[Any, Any]:
    """The direct call and pluggy's call, each with the calls it made."""
    log.clear()
    direct = hook.call(kwargs)
    direct_calls = list(log)
    log.clear()
    through = hook.caller(**kwargs)
    return (direct, direct_calls), (through, list(log))


def test_several_plain_implementations_in_pluggys_order_with_its_results():
    log: list[str] = []
    registry = make_registry(
        ("a", Metrics("a", 1.0, log)), ("b", Metrics("b", None, log)), ("c", Metrics("c", 3.0, log))
    )
    hook = _world(registry).negsim_collect_metrics
    kwargs = {"world": None, "events": (), "scenario": None}
    direct, through = _both(hook, kwargs, log)
    assert direct == through
    assert direct[0] == [{"c": 3.0}, {"a": 1.0}]  # last registered first, None left out


def test_tryfirst_trylast_and_optional_arguments_as_pluggy():
    log: list[str] = []
    registry = make_registry(("ordered", Ordered(log)), ("last", Last(log)), ("rec", Recorder()))
    hook = _world(registry).negsim_round_end
    with_events = {"round": 2, "world": None, "events": (1, 2)}
    direct, through = _both(hook, with_events, log)
    assert direct == through
    assert direct[1] == ["first 2 2", "last 2"]


class Verdict:
    """Observer answering a firstresult hook (or not, with ``None``)."""

    def __init__(self, name: str, verdict: tuple[str, str] | None, log: list[str]) -> None:
        self.name, self.verdict, self.log = name, verdict, log

    @hookimpl
    def negsim_classify_outcome(self, final: bool) -> tuple[str, str] | None:
        self.log.append(self.name)
        return self.verdict


@pytest.mark.parametrize(
    ("verdicts", "expected", "called"),
    [
        ((("deterred", "a"), None), ("deterred", "a"), ["b", "a"]),
        ((("deterred", "a"), ("escalation", "b")), ("escalation", "b"), ["b"]),
        ((None, None), None, ["b", "a"]),
    ],
)
def test_firstresult_stops_at_the_first_result(verdicts, expected, called):
    log: list[str] = []
    registry = make_registry(
        *((n, Verdict(n, v, log)) for n, v in zip("ab", verdicts, strict=True))
    )
    scenario = make_scenario(registry, max_rounds=2)
    hook = _world(registry).negsim_classify_outcome
    kwargs = {"world": scenario.world, "scenario": scenario, "final": False}
    direct, through = _both(hook, kwargs, log)
    assert direct == through
    assert direct[0] == expected
    assert direct[1][: len(called)] == called  # the world rules ("toy") are called last


def test_no_implementation_is_idle_and_returns_what_pluggy_returns():
    registry = make_registry()
    relay = _world(registry)
    assert relay.negsim_round_end.idle
    kwargs = {"round": 1, "world": None, "events": ()}
    assert relay.negsim_round_end.call(kwargs) == relay.negsim_round_end.caller(**kwargs) == []


def test_a_missing_argument_is_pluggys_error_both_ways():
    log: list[str] = []
    registry = make_registry(("a", Metrics("a", 1.0, log)))
    hook = _world(registry).negsim_collect_metrics
    with pytest.raises(pluggy.HookCallError, match="'events'"):
        hook.call({"world": None, "scenario": None})
    with (
        pytest.raises(pluggy.HookCallError, match="'events'"),
        pytest.warns(UserWarning, match="cannot be found"),
    ):
        hook.caller(world=None, scenario=None)


def test_a_wrapper_goes_through_pluggy():
    log: list[str] = []
    registry = make_registry(("a", Metrics("a", 1.0, log)), ("w", Wrapper(log)))
    hook = _world(registry).negsim_collect_metrics
    kwargs = {"world": None, "events": (), "scenario": None}
    direct, through = _both(hook, kwargs, log)
    assert direct == through
    assert direct[0] == [{"a": 1.0}, {"wrapped": 1.0}]
    assert direct[1] == ["before", "a", "after"]


def test_a_call_monitor_sees_every_call_while_it_is_on():
    registry = make_registry()
    hook = _world(registry).negsim_round_end
    seen: list[str] = []
    undo = registry.pm.add_hookcall_monitoring(
        lambda name, impls, kwargs: seen.append(name), lambda *args: None
    )
    assert not hook.idle  # the monitor would see the call
    hook.call({"round": 1, "world": None, "events": ()})
    assert seen == ["negsim_round_end"]
    undo()
    undo()  # twice: counted once
    assert hook.idle
    hook.call({"round": 2, "world": None, "events": ()})
    assert seen == ["negsim_round_end"]


@pytest.mark.parametrize("through_registry", [True, False])
def test_a_plugin_registered_later_takes_part_in_the_next_run(through_registry):
    registry = make_registry()
    scenario = make_scenario(registry, max_rounds=2)
    negsim.simulate(scenario, registry=registry)  # relays and set-up built and cached
    recorder = Recorder()
    if through_registry:
        registry.register(recorder, "recorder")
    else:
        registry.pm.register(recorder, name="recorder")  # past the registry: still seen
    negsim.simulate(scenario, registry=registry)
    assert [c[0] for c in recorder.calls] == ["start", "round_end", "round_end", "end"]
    registry.unregister("recorder")
    negsim.simulate(scenario, registry=registry)
    assert len(recorder.calls) == 4


def test_a_honour_hook_registered_later_is_asked():
    """Who implements the honour hook is worked out again when the plugins change."""

    class Honours:
        def __init__(self) -> None:
            self.asked = 0

        @hookimpl
        def negsim_honour(self) -> bool:
            self.asked += 1
            return True

    registry = make_registry()
    scenario = make_scenario(
        registry,
        commitments=[{"id": "c", "debtor": "A", "creditor": "B", "consequent": "responds(A,B)"}],
        max_rounds=2,
    )
    before = negsim.simulate(scenario, registry=registry)
    assert not [e for e in before.events if e.kind == "honour"]
    honours = Honours()
    registry.pm.register(honours, name="honours")  # an observer: in every agent's relay
    after = negsim.simulate(scenario, registry=registry)
    assert honours.asked == 1
    assert [e.debtor for e in after.events if e.kind == "honour"] == ["A"]


class Overruling:
    """An observer that implements ``negsim_decide`` too: a second implementation."""

    @hookimpl
    def negsim_decide(self) -> None:
        return None


def _decider(registry: PluginRegistry) -> Any:
    return registry.agent_relay(("scripted",)).negsim_decide


def test_plain_is_the_doctrines_function_when_a_decision_is_that_one_call():
    script = Scripted({("A", 1): lambda view: [view.act("mobilize")]})
    registry = make_registry(script=script)
    hook = _decider(registry)
    assert hook.plain == script.negsim_decide  # the bound method pluggy would call
    view = negsim.simulate(make_scenario(registry, max_rounds=1), registry=registry)
    assert view.rounds == 1
    seen = script.views[("A", 1)]
    assert hook.plain(seen) == hook.call({"view": seen}) == hook.caller(view=seen)


def test_plain_is_none_with_a_monitor_a_second_implementation_or_a_wrapper():
    registry = make_registry()
    hook = _decider(registry)
    assert hook.plain is not None
    undo = registry.pm.add_hookcall_monitoring(lambda *args: None, lambda *args: None)
    assert hook.plain is None  # the monitor must see the call: pluggy's path
    undo()
    assert hook.plain is not None
    registry.register(Overruling(), "overruling")  # an observer: in every agent's relay
    assert hook.plain is None
    registry.unregister("overruling")
    assert hook.plain is not None


def test_a_decider_that_joins_during_a_round_is_called_from_the_next_decision():
    """As pluggy would: the round loop's plain functions give way when the plugins change."""

    class Joiner:
        def __init__(self) -> None:
            self.decided: list[tuple[str, int]] = []

        @hookimpl
        def negsim_decide(self, view: AgentView) -> None:
            self.decided.append((view.me, view.round))

    joiner = Joiner()

    def join(view: AgentView) -> list[object]:
        if "joiner" not in registry.names():
            registry.register(joiner, "joiner")
        return []

    registry = make_registry(script=Scripted({("A", 2): join}))
    scenario = make_scenario(registry, max_rounds=4)
    negsim.simulate(scenario, registry=registry)
    assert scenario.agent_ids == ("A", "B", "C")
    later = [(a, r) for r in (3, 4) for a in "ABC"]
    assert joiner.decided == [("B", 2), ("C", 2), *later]  # from the next decision on
