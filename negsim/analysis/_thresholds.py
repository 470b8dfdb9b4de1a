"""Credibility thresholds: where each agent's decision rules flip, from its doctrine."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from negsim.analysis._results import RuleReport
from negsim.errors import PluginError
from negsim.logic import Rule, Threshold
from negsim.model import Agent, Scenario
from negsim.plugins import PluginRegistry, default_registry

__all__ = ["numeric_params", "thresholds"]

_HOOK = "negsim_decision_rules"


def numeric_params(agent: Agent) -> frozenset[str]:
    """The names of an agent's numeric parameters (not booleans or strings).

    Args:
        agent: The agent.

    Returns:
        The parameter names.
    """
    return frozenset(
        name
        for name, value in agent.params.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    )


def _rules(
    registry: PluginRegistry, agent: Agent, scenario: Scenario
) -> Sequence[tuple[Rule, Mapping[str, float]]]:
    relay = registry.agent_relay(agent.stack)
    try:
        pairs = relay.negsim_decision_rules(agent=agent, scenario=scenario)
    except Exception as exc:
        raise PluginError(
            f"plugin {agent.doctrine!r} raised {type(exc).__name__} in {_HOOK} for agent "
            f"{agent.id!r}: {exc}"
        ) from exc
    out = []
    for item in pairs or ():
        try:
            rule, values = item
        except (TypeError, ValueError):
            rule, values = None, None
        if not isinstance(rule, Rule) or not isinstance(values, Mapping):
            raise PluginError(
                f"plugin {agent.doctrine!r}: {_HOOK} for agent {agent.id!r} must return "
                f"(negsim.logic.Rule, mapping of values) pairs, got {item!r}"
            )
        out.append((rule, values))
    return out


def thresholds(
    scenario: Scenario,
    registry: PluginRegistry | None = None,
    *,
    params: Iterable[str] = (),
) -> tuple[RuleReport, ...]:
    """Report every agent's decision rules at the scenario's values, with their thresholds.

    For each agent, its doctrine's :hook:`negsim_decision_rules` gives the rules it decides
    by, each with the values of its symbols at the scenario's nominal setting. For each
    rule, :meth:`negsim.logic.Rule.threshold` solves it for each parameter examined: every
    symbol of the rule that is one of the agent's numeric parameters, or, when ``params``
    is given, each of those names that the rule depends on (agent parameter or not, such
    as ``p_win`` or ``hazard``, which the allies derive from the combat model and from
    what they have learned). Each threshold's ``scenario_value`` is the value the
    doctrine gives the rule at the start of the crisis, which may be derived rather than
    set: ``fear_abandonment``, for one, moves during a run.

    Args:
        scenario: The scenario.
        registry: The plugins; the installed ones by default.
        params: The parameters to solve for instead of the agents' numeric parameters.

    Returns:
        One report per (agent, rule), by agent id, rules in the doctrine's order.

    Raises:
        negsim.errors.PluginError: A doctrine raised in :hook:`negsim_decision_rules`,
            returned something else than (rule, values) pairs, or left a symbol without a
            value.
    """
    registry = registry or default_registry()
    chosen = tuple(dict.fromkeys(params))
    # The members of a large alliance share their rules and, mostly, their values: each
    # threshold is solved once per distinct (rule, parameter, values of the rule's symbols).
    solved_at: dict[tuple[Rule, str, tuple[float, ...]], Threshold] = {}
    ranges_of: dict[tuple[str, ...], dict[str, tuple[float | None, float | None]]] = {}

    def threshold(rule: Rule, name: str, values: Mapping[str, float]) -> Threshold:
        key = (rule, name, tuple(float(values[s]) for s in rule.symbols))
        found = solved_at.get(key)
        if found is None:
            found = solved_at[key] = rule.threshold(name, values)
        return found

    out = []
    for agent in scenario.agents:
        own = numeric_params(agent)
        for rule, values in _rules(registry, agent, scenario):
            names = (
                [p for p in chosen if p in rule.symbols]
                if chosen
                else [s for s in rule.symbols if s in own]
            )
            try:
                value = rule.value(values)
                solved = [threshold(rule, name, values) for name in names]
            except (KeyError, ArithmeticError, ValueError) as exc:
                raise PluginError(
                    f"plugin {agent.doctrine!r}: rule {rule.name!r} for agent {agent.id!r} "
                    f"cannot be evaluated at the values from {_HOOK}: {exc}"
                ) from exc
            ranges = ranges_of.get(agent.stack)
            if ranges is None:
                ranges = ranges_of[agent.stack] = _ranges(registry, agent)
            inside = [t for t in solved if _within(t, ranges.get(t.param))]
            out.append(
                RuleReport(
                    agent=agent.id,
                    doctrine=agent.doctrine,
                    rule=rule.name,
                    doc=rule.doc,
                    source=rule.source,
                    value=value,
                    thresholds=inside,
                    outside=[t.param for t in solved if t not in inside],
                )
            )
    return tuple(out)


def _ranges(registry: PluginRegistry, agent: Agent) -> dict[str, tuple[float | None, float | None]]:
    """The documented range of each parameter of the agent's doctrine and modifiers."""
    out: dict[str, tuple[float | None, float | None]] = {}
    for name in agent.stack:
        for p in registry.spec(name).params:
            out.setdefault(p.name, (p.low, p.high))
    return out


def _within(threshold: Threshold, bounds: tuple[float | None, float | None] | None) -> bool:
    """Whether a threshold flips the rule inside a parameter's documented range.

    A threshold on a bound counts only when the rule holds on the range's side of it
    (``holds while x < 0`` with ``x`` from 0 up never flips). Unknown: keep it.
    """
    value = threshold.value
    if value is None or bounds is None:
        return True
    low, high = bounds
    if (low is not None and value < low) or (high is not None and value > high):
        return False
    if value == low and threshold.holds_when == "<":
        return False
    return not (value == high and threshold.holds_when == ">")
