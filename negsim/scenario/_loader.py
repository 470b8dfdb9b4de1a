"""Scenario files (TOML) to model objects, with every problem reported at once.

Loading is data only: TOML is parsed with :mod:`tomllib`, structured with cattrs, and
propositions are parsed by negsim's own parser. Nothing in a file is ever executed.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from negsim.converters import converter
from negsim.errors import (
    Problem,
    PropositionError,
    ScenarioError,
    ScenarioFileError,
    UnknownDoctrineError,
)
from negsim.logic import Atom, atoms, parse
from negsim.model import (
    Agent,
    Alliance,
    Capabilities,
    Commitment,
    FrozenMap,
    ParamValue,
    PluginRole,
    Scenario,
    WorldState,
    freeze,
)
from negsim.plugins import PluginRegistry, default_registry
from negsim.scenario._overrides import Override, apply_overrides_to_data

__all__ = ["FIELDS", "apply_overrides", "dump_scenario", "load_scenario", "scenario_from_dict"]

SECTIONS = ("scenario", "world", "agents", "alliances", "commitments")
"""The top-level tables of a scenario file, in order."""
_SCENARIO_KEYS = ("name", "description", "max_rounds", "seed", "world_rules")
_WORLD_KEYS = ("facts", "variables", "params", "exclusions")
_ENGINE_SET = ("state", "detached_at")

FIELDS: dict[str, tuple[str, ...]] = {
    "scenario": _SCENARIO_KEYS,
    "world": _WORLD_KEYS,
    "agents": tuple(f.name for f in attrs.fields(Agent)),
    "alliances": tuple(f.name for f in attrs.fields(Alliance)),
    "commitments": tuple(f.name for f in attrs.fields(Commitment) if f.name not in _ENGINE_SET),
    "capabilities": tuple(f.name for f in attrs.fields(Capabilities)),
}
"""The keys each kind of table may hold (an override may set one the file leaves out)."""


def load_scenario(
    path: str | Path,
    overrides: Iterable[Override | str] = (),
    *,
    registry: PluginRegistry | None = None,
) -> Scenario:
    """Load a scenario file.

    Args:
        path: A TOML scenario file.
        overrides: ``"PATH=VALUE"`` strings or ``(path, value)`` pairs applied first.
        registry: The plugins to check doctrines against; the installed ones by default.

    Returns:
        The scenario, parameters' defaults filled in.

    Raises:
        ScenarioFileError: The file is missing, unreadable or not TOML (with the line).
        ScenarioError: Anything else wrong, every problem listed.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioFileError(str(p), ["no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioFileError(str(p), [f"cannot read: {exc}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioFileError(str(p), [f"not valid TOML: {exc}"]) from None
    return scenario_from_dict(data, source=str(p), overrides=overrides, registry=registry)


def scenario_from_dict(
    data: Mapping[str, Any],
    *,
    source: str = "<mapping>",
    overrides: Iterable[Override | str] = (),
    registry: PluginRegistry | None = None,
) -> Scenario:
    """Build a scenario from data shaped like a scenario file (see the format reference).

    Raises:
        ScenarioError: Every problem found, each with its path.
    """
    registry = registry or default_registry()
    raw: dict[str, Any] = copy.deepcopy(dict(data))
    apply_overrides_to_data(raw, overrides, source, FIELDS)
    data = raw
    problems: list[Problem] = []
    _check_keys(data, SECTIONS, "", problems)
    head = _table(data, "scenario", problems)
    world = _table(data, "world", problems)
    _check_keys(head, _SCENARIO_KEYS, "scenario", problems)
    _check_keys(world, _WORLD_KEYS, "world", problems)
    if "name" not in head:
        problems.append(Problem("scenario.name", "required: a short name for the scenario"))
    for key, low in (("max_rounds", 1), ("seed", None)):
        value = head.get(key, 1)
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(Problem(f"scenario.{key}", f"expected an integer, got {value!r}"))
        elif low is not None and value < low:
            problems.append(Problem(f"scenario.{key}", f"must be >= {low}: {value!r}"))

    agents = _structure_list(data, "agents", Agent, problems)
    alliances = _structure_list(data, "alliances", Alliance, problems)
    commitments = _structure_list(data, "commitments", Commitment, problems)
    if not data.get("agents"):
        problems.append(Problem("agents", "required: at least one [[agents]] table"))

    agent_ids = _unique(agents, "agents", problems) | _raw_ids(data.get("agents"))
    _unique(alliances, "alliances", problems)
    _unique(commitments, "commitments", problems)
    unknown_doctrine = False
    for i, agent in agents:
        unknown_doctrine |= _check_agent(registry, i, agent, problems)
    agents = [(i, _with_defaults(registry, a)) for i, a in agents]
    for i, al in alliances:
        _check_alliance(i, al, agent_ids, problems)
    names = agent_ids | {al.id for _, al in alliances}
    for i, c in commitments:
        _check_commitment(i, c, agent_ids, names, problems)

    facts = _propositions(world.get("facts", []), "world.facts", names, problems, atom=True)
    exclusions = _propositions(world.get("exclusions", []), "world.exclusions", names, problems)
    world_rules = head.get("world_rules", "crisis")
    world_params = _world_params(registry, world_rules, world.get("params", {}), problems)
    unknown_doctrine |= any(p.path == "scenario.world_rules" for p in problems)

    scenario: Scenario | None = None
    if not problems:
        try:
            scenario = Scenario(
                name=head["name"],
                description=head.get("description", ""),
                agents=[a for _, a in agents],
                alliances=[a for _, a in alliances],
                commitments=[c for _, c in commitments],
                world=WorldState(
                    round=0,
                    facts=facts,
                    variables=converter.structure(
                        world.get("variables", {}), FrozenMap[str, float]
                    ),
                ),
                exclusions=exclusions,
                world_rules=world_rules,
                world_params=world_params,
                max_rounds=converter.structure(head.get("max_rounds", 20), int),
                seed=converter.structure(head.get("seed", 0), int),
            )
        except (ClassValidationError, ValueError, TypeError) as exc:
            problems.extend(_problems(exc, "scenario"))
    if problems or scenario is None:
        cls = UnknownDoctrineError if unknown_doctrine else ScenarioError
        raise cls(source, problems)
    return scenario


def apply_overrides(
    scenario: Scenario,
    overrides: Iterable[Override | str],
    *,
    registry: PluginRegistry | None = None,
) -> Scenario:
    """A copy of ``scenario`` with ``overrides`` applied (paths as in a scenario file).

    Raises:
        negsim.errors.OverrideError: A path does not exist.
        ScenarioError: A value is invalid.
    """
    overrides = list(overrides)
    if not overrides:
        return scenario
    return scenario_from_dict(
        dump_scenario(scenario), source=scenario.name, overrides=overrides, registry=registry
    )


def dump_scenario(scenario: Scenario) -> dict[str, Any]:
    """The scenario as data shaped like a scenario file (round-trips through the loader)."""
    head = {
        "name": scenario.name,
        "description": scenario.description,
        "max_rounds": scenario.max_rounds,
        "seed": scenario.seed,
        "world_rules": scenario.world_rules,
    }
    world = {
        "facts": sorted(scenario.world.facts),
        "variables": dict(scenario.world.variables),
        "params": dict(scenario.world_params),
        "exclusions": list(scenario.exclusions),
    }
    return {
        "scenario": head,
        "world": world,
        "agents": [converter.unstructure(a) for a in scenario.agents],
        "alliances": [converter.unstructure(a) for a in scenario.alliances],
        "commitments": [
            {
                k: v
                for k, v in converter.unstructure(c).items()
                if v is not None and k not in _ENGINE_SET
            }
            for c in scenario.commitments
        ],
    }


# -- helpers ---------------------------------------------------------------------------


def _check_keys(
    table: Mapping[str, Any], valid: tuple[str, ...], where: str, out: list[Problem]
) -> None:
    for key in table:
        if key not in valid:
            out.append(
                Problem(
                    f"{where}.{key}" if where else key, f"unknown key; valid: {', '.join(valid)}"
                )
            )


def _table(data: Mapping[str, Any], key: str, out: list[Problem]) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        out.append(Problem(key, f"expected a table [{key}], got {type(value).__name__}"))
        return {}
    return value


def _structure_list(
    data: Mapping[str, Any], key: str, cls: type[Any], out: list[Problem]
) -> list[tuple[int, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list):
        out.append(
            Problem(key, f"expected an array of tables [[{key}]], got {type(items).__name__}")
        )
        return []
    result = []
    for i, item in enumerate(items):
        where = f"{key}[{i}]"
        if not isinstance(item, dict):
            out.append(Problem(where, f"expected a table, got {type(item).__name__}"))
            continue
        if key == "commitments" and ("state" in item or "detached_at" in item):
            out.append(
                Problem(where, "'state' and 'detached_at' are set by the engine, not the file")
            )
            continue
        try:
            result.append((i, converter.structure(item, cls)))
        except Exception as exc:
            out.extend(_problems(exc, where, item))
    return result


_FIELD_IN_MESSAGE = re.compile(r"^'(\w+)' ")
_ENUM_FIELDS = {
    f.converter.__name__: f.name
    for cls in (Agent, Alliance, Commitment)
    for f in attrs.fields(cls)
    if isinstance(f.converter, type)
}
"""Which field an enum's conversion error belongs to (enum class name -> field)."""


def _problems(
    exc: BaseException, where: str, item: Mapping[str, Any] | None = None
) -> list[Problem]:
    """Flatten a cattrs/attrs error into problems with paths."""
    if isinstance(exc, ForbiddenExtraKeysError):
        valid = ", ".join(a.name for a in attrs.fields(exc.cl)) if attrs.has(exc.cl) else ""
        return [
            Problem(f"{where}.{k}", f"unknown key; valid: {valid}")
            for k in sorted(exc.extra_fields)
        ]
    if isinstance(exc, (ClassValidationError, IterableValidationError)):
        out: list[Problem] = []
        with_notes, others = exc.group_exceptions()
        for sub in others:
            out.extend(_problems(sub, where, item))
        for sub, note in with_notes:
            name = getattr(note, "name", None)
            index = getattr(note, "index", None)
            path = f"{where}.{name}" if name is not None else f"{where}[{index}]"
            sub_item = item.get(name) if isinstance(item, Mapping) and name else None
            if (
                isinstance(sub, KeyError)
                and name is not None
                and not (isinstance(item, Mapping) and name in item)
            ):
                out.append(Problem(path, "required key is missing"))
            else:
                out.extend(
                    _problems(sub, path, sub_item if isinstance(sub_item, Mapping) else None)
                )
        return out
    if isinstance(exc, ExceptionGroup):
        return [p for sub in exc.exceptions for p in _problems(sub, where, item)]
    message = str(exc.args[0]) if exc.args else type(exc).__name__
    if isinstance(exc, ValueError) and "is not a valid" in message:
        m = re.search(r"is not a valid (\w+)", message)
        field = _ENUM_FIELDS.get(m.group(1), "") if m else ""
        path = f"{where}.{field}" if field and not where.endswith(f".{field}") else where
        return [Problem(path, _enum_message(message))]
    field = _FIELD_IN_MESSAGE.match(message)
    if field and isinstance(exc, ValueError):  # an attrs validator: 'power' must be >= 0: -3
        return [Problem(f"{where}.{field.group(1)}", message.split(" ", 1)[1])]
    return [Problem(where, message)]


def _enum_message(message: str) -> str:
    m = re.match(r"'?(.*?)'? is not a valid (\w+)", message)
    if not m:
        return message
    from negsim import model

    enum_cls = getattr(model, m.group(2), None)
    choices = ", ".join(str(v) for v in enum_cls) if enum_cls is not None else ""
    return f"{m.group(1)!r} is not a valid choice; valid: {choices}"


def _raw_ids(tables: Any) -> set[str]:
    """Ids of tables that failed to load, so one bad field is one problem, not many."""
    if not isinstance(tables, list):
        return set()
    return {t["id"] for t in tables if isinstance(t, dict) and isinstance(t.get("id"), str)}


def _unique(items: list[tuple[int, Any]], key: str, out: list[Problem]) -> set[str]:
    seen: dict[str, int] = {}
    for i, item in items:
        if item.id in seen:
            out.append(
                Problem(f"{key}[{i}].id", f"duplicate id {item.id!r} (also {key}[{seen[item.id]}])")
            )
        else:
            seen[item.id] = i
    return set(seen)


def _check_agent(registry: PluginRegistry, i: int, agent: Agent, out: list[Problem]) -> bool:
    unknown = False
    doctrines = registry.names(PluginRole.DOCTRINE)
    if agent.doctrine not in doctrines:
        out.append(
            Problem(
                f"agents[{i}].doctrine",
                f"unknown doctrine {agent.doctrine!r}; "
                f"installed: {', '.join(doctrines) or '(none)'}",
            )
        )
        unknown = True
    else:
        _check_params(registry, agent.doctrine, agent.params, f"agents[{i}].params", out)
    modifiers = registry.names(PluginRole.MODIFIER)
    for j, mod in enumerate(agent.modifiers):
        if mod not in modifiers:
            out.append(
                Problem(
                    f"agents[{i}].modifiers[{j}]",
                    f"unknown modifier {mod!r}; installed: {', '.join(modifiers) or '(none)'}",
                )
            )
            unknown = True
    return unknown


def _check_params(
    registry: PluginRegistry, plugin: str, params: Mapping[str, Any], where: str, out: list[Problem]
) -> None:
    spec = registry.spec(plugin)
    valid = {p.name: p for p in spec.params}
    for key, value in params.items():
        if key not in valid:
            out.append(
                Problem(
                    f"{where}.{key}",
                    f"{plugin!r} has no parameter {key!r}; "
                    f"valid: {', '.join(sorted(valid)) or '(none)'}",
                )
            )
            continue
        wrong = valid[key].check(value)
        if wrong:
            out.append(Problem(f"{where}.{key}", wrong))


def _with_defaults(registry: PluginRegistry, agent: Agent) -> Agent:
    names = registry.names()
    if agent.doctrine not in names:
        return agent
    params = registry.spec(agent.doctrine).defaults
    for mod in agent.modifiers:
        if mod in names:
            params.update(registry.spec(mod).defaults)
    params.update(agent.params)
    return attrs.evolve(agent, params=freeze(params))


def _world_params(
    registry: PluginRegistry, world_rules: Any, params: Any, out: list[Problem]
) -> FrozenMap[str, ParamValue]:
    if not isinstance(world_rules, str):
        out.append(Problem("scenario.world_rules", f"expected a string, got {world_rules!r}"))
        return freeze({})
    rules = registry.names(PluginRole.WORLD)
    if world_rules not in rules:
        out.append(
            Problem(
                "scenario.world_rules",
                f"unknown world rules {world_rules!r}; installed: {', '.join(rules) or '(none)'}",
            )
        )
        return freeze({})
    if not isinstance(params, dict):
        out.append(Problem("world.params", "expected a table"))
        return freeze({})
    _check_params(registry, world_rules, params, "world.params", out)
    merged = registry.spec(world_rules).defaults
    merged.update(params)
    return freeze(merged)


def _check_alliance(i: int, al: Alliance, known: set[str], out: list[Problem]) -> None:
    where = f"alliances[{i}]"
    for m in al.members:
        if m not in known:
            out.append(
                Problem(
                    f"{where}.members", f"unknown agent {m!r}; known: {', '.join(sorted(known))}"
                )
            )
    if len(al.members) < 2:
        out.append(Problem(f"{where}.members", "an alliance needs at least two members"))
    if al.hub is not None and al.hub not in al.members:
        out.append(
            Problem(
                f"{where}.hub", f"hub {al.hub!r} is not a member; members: {', '.join(al.members)}"
            )
        )
    if al.decision_rule == "hub" and al.hub is None:
        out.append(Problem(f"{where}.hub", "decision_rule 'hub' needs a hub"))


def _check_commitment(
    i: int, c: Commitment, known: set[str], names: set[str], out: list[Problem]
) -> None:
    where = f"commitments[{i}]"
    for role in ("debtor", "creditor"):
        who = getattr(c, role)
        if who not in known:
            out.append(
                Problem(
                    f"{where}.{role}", f"unknown agent {who!r}; known: {', '.join(sorted(known))}"
                )
            )
    for key in ("antecedent", "consequent"):
        _propositions([getattr(c, key)], f"{where}.{key}", names, out, single=True)


def _propositions(
    texts: Any,
    where: str,
    known: set[str],
    out: list[Problem],
    *,
    atom: bool = False,
    single: bool = False,
) -> list[str]:
    if not isinstance(texts, list):
        out.append(Problem(where, f"expected an array of strings, got {type(texts).__name__}"))
        return []
    result = []
    for j, text in enumerate(texts):
        path = where if single else f"{where}[{j}]"
        if not isinstance(text, str):
            out.append(Problem(path, f"expected a string, got {type(text).__name__} {text!r}"))
            continue
        try:
            prop = parse(text)
        except PropositionError as exc:
            out.append(Problem(path, str(exc.problems[0])))
            continue
        if atom and not isinstance(prop, Atom):
            out.append(
                Problem(path, f"expected one ground atom such as 'attacked(ROK)', got {text!r}")
            )
            continue
        for key in sorted(atoms(prop)):
            args = key[key.index("(") + 1 : -1].split(",") if "(" in key else []
            for arg in args:
                if arg.isupper() and arg not in known:
                    out.append(
                        Problem(
                            path,
                            f"unknown agent {arg!r} in {key}; known: {', '.join(sorted(known))}",
                        )
                    )
        result.append(prop.key if isinstance(prop, Atom) else str(prop))
    return result
