"""Scenario files (TOML) to model objects, with every problem reported at once.

Loading is data only: TOML is parsed with :mod:`tomllib` (or tomli's compiled copy of
it, see :mod:`negsim.scenario._toml`), structured by one cattrs call into the typed
tables below (``_ScenarioFile``), and propositions are parsed by negsim's own parser.
Nothing in a file is ever executed.

The checks that need more than a value's type (installed plugins and their parameters,
ids that must exist or be unique, propositions) run inside that call, as each table is
structured, so cattrs collects them with the type errors; :func:`cattrs.transform_error`
then gives each problem its path.
"""

from __future__ import annotations

import copy
import functools
import math
import operator
import os
import re
import stat
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from negsim.converters import converter
from negsim.errors import (
    Problem,
    PropositionError,
    ScenarioError,
    ScenarioFileError,
    UnknownDoctrineError,
)
from negsim.logic import Atom, atoms, parse, parse_shape, plain_atom
from negsim.model import (
    Agent,
    Alliance,
    Capabilities,
    Commitment,
    DiscretePrior,
    FrozenMap,
    HonourRecord,
    Issue,
    Limits,
    Negotiation,
    ParamSpec,
    ParamValue,
    PluginRole,
    Prior,
    Scenario,
    WorldState,
    freeze,
)
from negsim.plugins import PluginRegistry, default_registry
from negsim.scenario import _toml
from negsim.scenario._overrides import Override, apply_overrides_to_data, parse_override

__all__ = ["FIELDS", "apply_overrides", "dump_scenario", "load_scenario", "scenario_from_dict"]

_T = TypeVar("_T")

# -- the file's tables -----------------------------------------------------------------


@attrs.frozen
class _Head:
    """The ``[scenario]`` table."""

    name: str
    description: str = ""
    max_rounds: int = attrs.field(default=20, validator=attrs.validators.ge(1))
    seed: int = 0
    world_rules: str = "crisis"


@attrs.frozen
class _World:
    """The ``[world]`` table."""

    facts: tuple[str, ...] = ()
    variables: FrozenMap[str, float] = attrs.field(factory=FrozenMap)
    params: FrozenMap[str, ParamValue] = attrs.field(factory=FrozenMap)
    exclusions: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class _CommitmentTemplate:
    """A ``[[commitment_templates]]`` table: one commitment per ordered pair of members.

    ``{debtor}`` and ``{creditor}`` in ``id``, ``antecedent``, ``consequent`` and
    ``source`` stand for each pair's ids; they are replaced as text, nothing else is.
    """

    id: str
    for_each_pair: str
    antecedent: str = "true"
    consequent: str = "true"
    deadline: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.ge(0))
    )
    expires: int | None = None
    source: str = ""
    standing: bool = False

    def pairs(self, members: Iterable[str]) -> Iterator[tuple[str, str]]:
        """Every ordered pair (debtor, creditor) of distinct members, debtor first."""
        ids = list(members)
        return ((d, c) for d in ids for c in ids if d != c)

    def expand(self, members: Iterable[str]) -> Iterator[Commitment]:
        """The commitments, one per ordered pair of ``members``, in :meth:`pairs` order."""
        id_, antecedent, consequent, source = self.id, self.antecedent, self.consequent, self.source
        fill_a, fill_q, fill_s = (_PLACEHOLDER_START in t for t in (antecedent, consequent, source))
        for debtor, creditor in self.pairs(members):
            yield Commitment(
                id=_fill_in(id_, debtor, creditor),
                debtor=debtor,
                creditor=creditor,
                antecedent=_fill_in(antecedent, debtor, creditor) if fill_a else antecedent,
                consequent=_fill_in(consequent, debtor, creditor) if fill_q else consequent,
                deadline=self.deadline,
                expires=self.expires,
                source=_fill_in(source, debtor, creditor) if fill_s else source,
                standing=self.standing,
            )


_PLACEHOLDERS = ("{debtor}", "{creditor}")
_PLACEHOLDER_START = "{"
_BRACED = re.compile(r"\{[^{}]*\}")
_TEMPLATED = ("id", "antecedent", "consequent", "source")
"""The keys of a commitment template that may hold ``{debtor}`` and ``{creditor}``."""


def _fill_in(text: str, debtor: str, creditor: str) -> str:
    """``text`` with ``{debtor}`` and ``{creditor}`` replaced (plain text replacement)."""
    return text.replace("{debtor}", debtor).replace("{creditor}", creditor)


@attrs.frozen(kw_only=True)
class _ScenarioFile:
    """A whole scenario file."""

    scenario: _Head
    world: _World = attrs.field(factory=_World)
    agents: tuple[Agent, ...]
    alliances: tuple[Alliance, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    commitment_templates: tuple[_CommitmentTemplate, ...] = ()
    negotiations: tuple[Negotiation, ...] = ()


_ENGINE_SET = ("state", "detached_at")
"""A commitment's lifecycle fields: the engine's, never the file's."""


def _keys(cls: type) -> tuple[str, ...]:
    """The keys a table of ``cls`` may hold in a file."""
    return tuple(
        f.name
        for f in attrs.fields(cls)
        if f.init and (cls is not Commitment or f.name not in _ENGINE_SET)
    )


SECTIONS = _keys(_ScenarioFile)
"""The top-level tables of a scenario file, in order."""

FIELDS: dict[str, tuple[str, ...]] = {
    "scenario": _keys(_Head),
    "world": _keys(_World),
    "agents": _keys(Agent),
    "alliances": _keys(Alliance),
    "commitments": _keys(Commitment),
    "commitment_templates": _keys(_CommitmentTemplate),
    "capabilities": _keys(Capabilities),
    "record": _keys(HonourRecord),
    "negotiations": _keys(Negotiation),
    "issues": _keys(Issue),
}
"""The keys each kind of table may hold (an override may set one the file leaves out)."""


# -- loading ---------------------------------------------------------------------------


def load_scenario(
    path: str | Path,
    overrides: Iterable[Override | str] = (),
    *,
    registry: PluginRegistry | None = None,
    limits: Limits | None = None,
) -> Scenario:
    """Load a scenario file.

    Args:
        path: A TOML scenario file.
        overrides: ``"PATH=VALUE"`` strings or ``(path, value)`` pairs applied first.
        registry: The plugins to check doctrines against; the installed ones by default.
        limits: The limits on ``max_rounds`` and the number of agents; the defaults
            when ``None``.

    Returns:
        The scenario, parameters' defaults filled in.

    Raises:
        ScenarioFileError: The file is missing, not a regular file, unreadable or not
            TOML (with the line).
        ScenarioError: Anything else wrong, every problem listed.
    """
    p = Path(path)
    text = _read(p)
    try:
        data = _toml.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioFileError(str(p), [f"not valid TOML: {exc}"]) from None
    except RecursionError:
        line = _deep_line(text)
        raise ScenarioFileError(
            str(p),
            [
                f"line {line}: arrays or tables nested too deeply to read; a scenario "
                f"nests at most {_MAX_DEPTH} levels"
            ],
        ) from None
    except ValueError as exc:  # tomllib's own int(): over sys.get_int_max_str_digits()
        raise ScenarioFileError(str(p), [_toml_value_problem(text, exc)]) from None
    return scenario_from_dict(
        data, source=str(p), overrides=overrides, registry=registry, limits=limits
    )


def _read(p: Path) -> str:
    """The text of the scenario file ``p``, refusing anything but a regular file.

    The file is checked with ``stat`` before it is opened: opening a FIFO would block
    until a writer comes, and a device may never end.
    """
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise ScenarioFileError(str(p), ["no such file"]) from None
    except OSError as exc:
        raise ScenarioFileError(str(p), [f"cannot read: {exc.strerror or exc}"]) from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise ScenarioFileError(str(p), [f"{kind}; expected a TOML scenario file (a regular file)"])
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioFileError(
            str(p), [f"not UTF-8 text (byte {exc.start}): a scenario file is UTF-8 TOML"]
        ) from None
    except OSError as exc:
        raise ScenarioFileError(str(p), [f"cannot read: {exc.strerror or exc}"]) from None


_LONG_NUMBER = re.compile(r"[0-9_]{4000,}")


def _toml_value_problem(text: str, exc: ValueError) -> str:
    """What a :class:`ValueError` from :mod:`tomllib` (not a decode error) means."""
    found = _LONG_NUMBER.search(text)
    if found is None:
        return f"not valid TOML: {exc}"
    line = text.count("\n", 0, found.start()) + 1
    return (
        f"line {line}: an integer with more digits than negsim reads "
        f"({len(found.group())}); expected an integer between -2**63 and 2**63-1"
    )


def _deep_line(text: str) -> int:
    """The line where brackets first nest deeper than a scenario may (for a message).

    A rough scan (one-line strings and comments are skipped): it only places the
    message, the refusal does not depend on it.
    """
    depth, line, quote = 0, 1, ""
    for ch in text:
        if ch == "\n":
            line += 1
            quote = "" if quote == "#" else quote
        elif quote == "#":
            continue
        elif ch == "#" and not quote:
            quote = "#"
        elif quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > _MAX_DEPTH:
                return line
        elif ch in "]}":
            depth -= 1
    return line


def scenario_from_dict(
    data: Mapping[str, Any],
    *,
    source: str = "<mapping>",
    overrides: Iterable[Override | str] = (),
    registry: PluginRegistry | None = None,
    limits: Limits | None = None,
) -> Scenario:
    """Build a scenario from data shaped like a scenario file (see the format reference).

    Args:
        data: The file's data, as :func:`tomllib.loads` returns it.
        source: The file name, for error messages.
        overrides: ``"PATH=VALUE"`` strings or ``(path, value)`` pairs applied first.
        registry: The plugins to check doctrines against; the installed ones by default.
        limits: The limits on ``max_rounds`` and the number of agents; the defaults
            when ``None``.

    Returns:
        The scenario, parameters' defaults filled in.

    Raises:
        ScenarioError: Every problem found, each with its path
            (:class:`~negsim.errors.UnknownDoctrineError` when a plugin is not installed).
    """
    registry = registry or default_registry()
    limits = limits or Limits()
    pairs = [parse_override(o) if isinstance(o, str) else (o[0], o[1]) for o in overrides]
    wrong = _numbers_and_depth(data)
    for path, value in pairs:
        wrong += [
            attrs.evolve(p, path=f"--set {p.path}") for p in _numbers_and_depth({path: value})
        ]
    if wrong:
        raise ScenarioError(source, wrong)
    _check_size(data, source, limits)
    # Overrides change the data in place, so they get a copy; without them nothing does.
    raw: dict[str, Any] = copy.deepcopy(dict(data)) if pairs else dict(data)
    applied = apply_overrides_to_data(raw, pairs, source, FIELDS)
    raw.setdefault("scenario", {})  # no [scenario] table: its name is missing
    token = _CONTEXT.set(_Context.of(raw, registry, limits))
    try:
        file = _converter.structure(raw, _ScenarioFile)
    except BaseValidationError as exc:
        problems, unknown = _problems(exc)
        raise (UnknownDoctrineError if unknown else ScenarioError)(source, problems) from None
    finally:
        _CONTEXT.reset(token)
    head, world = file.scenario, file.world
    rules = registry.spec(head.world_rules)
    return Scenario(
        name=head.name,
        description=head.description,
        agents=[_with_defaults(registry, a) for a in file.agents],
        alliances=file.alliances,
        commitments=_with_templates(file, source),
        negotiations=[_protocol_defaults(registry, n) for n in file.negotiations],
        world=WorldState(
            round=0, facts=[_proposition(f) for f in world.facts], variables=world.variables
        ),
        exclusions=[_proposition(e) for e in world.exclusions],
        world_rules=head.world_rules,
        world_params={**rules.defaults, **world.params},
        max_rounds=head.max_rounds,
        seed=head.seed,
        overrides=applied,
    )


def apply_overrides(
    scenario: Scenario,
    overrides: Iterable[Override | str],
    *,
    registry: PluginRegistry | None = None,
) -> Scenario:
    """A copy of ``scenario`` with ``overrides`` applied (paths as in a scenario file).

    Args:
        scenario: The scenario to change.
        overrides: ``"PATH=VALUE"`` strings or ``(path, value)`` pairs.
        registry: The plugins to check doctrines against; the installed ones by default.

    Returns:
        The changed copy, or ``scenario`` itself when there are no overrides. The copy's
        :attr:`~negsim.Scenario.overrides` are the original's followed by these, so a
        run of it records them in its provenance.

    Raises:
        negsim.errors.OverrideError: A path does not exist.
        ScenarioError: A value is invalid.
    """
    overrides = list(overrides)
    if not overrides:
        return scenario
    changed = scenario_from_dict(
        dump_scenario(scenario), source=scenario.name, overrides=overrides, registry=registry
    )
    return attrs.evolve(changed, overrides=(*scenario.overrides, *changed.overrides))


def dump_scenario(scenario: Scenario) -> dict[str, Any]:
    """The scenario as data shaped like a scenario file (round-trips through the loader).

    Args:
        scenario: The scenario to write.

    Returns:
        The file's tables, every key present (parameters' defaults included).
    """
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
        "agents": [
            {k: v for k, v in converter.unstructure(a).items() if v is not None}
            for a in scenario.agents
        ],
        "alliances": [converter.unstructure(a) for a in scenario.alliances],
        "commitments": [
            {
                k: v
                for k, v in converter.unstructure(c).items()
                if v is not None and k not in _ENGINE_SET
            }
            for c in scenario.commitments
        ],
        "negotiations": [
            {
                **{k: v for k, v in converter.unstructure(n).items() if k != "issues"},
                "issues": [
                    {k: v for k, v in converter.unstructure(i).items() if v is not None}
                    for i in n.issues
                ],
            }
            for n in scenario.negotiations
        ],
    }


def _with_templates(file: _ScenarioFile, source: str) -> tuple[Commitment, ...]:
    """The file's commitments, then those its templates expand to; ids stay unique.

    Each template was checked once, as a table (:func:`_check_template`): every pair of
    members gives the same propositions up to the agent ids in them, so the checks
    hold for every commitment it expands to. Only the expanded ids are checked here.
    """
    if not file.commitment_templates:
        return file.commitments
    members = {al.id: al.members for al in file.alliances}
    seen = {c.id: f"commitments[{i}]" for i, c in enumerate(file.commitments)}
    out = list(file.commitments)
    problems: list[Problem] = []
    for i, template in enumerate(file.commitment_templates):
        where = f"commitment_templates[{i}]"
        for c in template.expand(members[template.for_each_pair]):
            also = seen.get(c.id)
            if also is None:
                seen[c.id] = f"{where} (debtor {c.debtor}, creditor {c.creditor})"
            elif len(problems) < 20:
                problems.append(
                    Problem(
                        f"{where}.id",
                        f"gives the id {c.id!r} (debtor {c.debtor}, creditor {c.creditor}) "
                        f"that {also} has too; ids must be unique",
                    )
                )
            out.append(c)
    if problems:
        raise ScenarioError(source, problems)
    return tuple(out)


def _with_defaults(registry: PluginRegistry, agent: Agent) -> Agent:
    """``agent`` with every parameter of its doctrine and modifiers, defaults filled in."""
    params: dict[str, ParamValue] = {}
    for name in agent.stack:
        params.update(registry.spec(name).defaults)
    params.update(agent.params)
    return attrs.evolve(agent, params=freeze(params))


def _protocol_defaults(registry: PluginRegistry, negotiation: Negotiation) -> Negotiation:
    """``negotiation`` with every parameter of its protocol, defaults filled in."""
    params = {**registry.spec(negotiation.protocol).defaults, **negotiation.params}
    return attrs.evolve(negotiation, params=freeze(params))


def _proposition(text: str) -> str:
    """A checked proposition in canonical form (an atom as the world holds it)."""
    prop = parse(text)
    return prop.key if isinstance(prop, Atom) else str(prop)


# -- the checks beyond types, run as each table is structured ---------------------------


class _Found(NamedTuple):
    """A problem below the value being structured: ``where`` is the rest of its path."""

    where: str
    message: str
    unknown_plugin: bool = False


class _Problems(ValueError):
    """Problems a table's checks found; cattrs carries them to their table's path."""

    def __init__(self, found: list[_Found]) -> None:
        super().__init__("; ".join(f.message for f in found))
        self.found = found


@attrs.frozen
class _Context:
    """What the checks need besides the table in hand: plugins and the file's ids."""

    registry: PluginRegistry
    agent_ids: frozenset[str]
    names: frozenset[str]
    """The ids a proposition may name: agents and alliances."""
    world_rules: str | None
    limits: Limits = attrs.field(factory=Limits)
    members: FrozenMap[str, tuple[str, ...]] = attrs.field(factory=FrozenMap)
    """Each alliance's members as the file lists them (for the commitment templates)."""

    @classmethod
    def of(
        cls, data: Mapping[str, Any], registry: PluginRegistry, limits: Limits | None = None
    ) -> _Context:
        """The context of ``data``.

        Ids are read from every table that has a string id, so an agent with a wrong
        value elsewhere is still known to the tables that name it.
        """

        def ids(key: str) -> frozenset[str]:
            tables = data.get(key)
            if not isinstance(tables, list):
                return frozenset()
            return frozenset(
                t["id"] for t in tables if isinstance(t, dict) and isinstance(t.get("id"), str)
            )

        def members() -> dict[str, tuple[str, ...]]:
            tables = data.get("alliances")
            out: dict[str, tuple[str, ...]] = {}
            for t in tables if isinstance(tables, list) else ():
                if not isinstance(t, dict):
                    continue
                listed = t.get("members")
                if isinstance(t.get("id"), str) and isinstance(listed, list):
                    out[t["id"]] = tuple(sorted(m for m in listed if isinstance(m, str)))
            return out

        head = data.get("scenario")
        rules = head.get("world_rules", "crisis") if isinstance(head, dict) else None
        agent_ids = ids("agents")
        return cls(
            registry=registry,
            agent_ids=agent_ids,
            names=agent_ids | ids("alliances"),
            world_rules=rules if isinstance(rules, str) else None,
            limits=limits or Limits(),
            members=freeze(members()),
        )


_CONTEXT: ContextVar[_Context] = ContextVar("negsim_scenario_file")


def _installed(registry: PluginRegistry, role: PluginRole, name: str, what: str) -> str | None:
    names = registry.names(role)
    if name in names:
        return None
    return f"unknown {what} {name!r}; installed: {', '.join(names) or '(none)'}"


def _check_head(head: _Head, ctx: _Context) -> Iterator[_Found]:
    wrong = _installed(ctx.registry, PluginRole.WORLD, head.world_rules, "world rules")
    if wrong:
        yield _Found(".world_rules", wrong, unknown_plugin=True)
    if ctx.limits.exceeded("max_rounds", head.max_rounds):
        yield _Found(
            ".max_rounds",
            f"must be <= {ctx.limits.max_rounds} (the limit max_rounds): {head.max_rounds}; "
            + ctx.limits.hint("max_rounds"),
        )


def _check_world(world: _World, ctx: _Context) -> Iterator[_Found]:
    for j, text in enumerate(world.facts):
        yield from _check_proposition(text, f".facts[{j}]", ctx, atom=True)
    for j, text in enumerate(world.exclusions):
        yield from _check_proposition(text, f".exclusions[{j}]", ctx)
    rules = ctx.world_rules
    if rules is not None and rules in ctx.registry.names(PluginRole.WORLD):
        yield from _check_params(ctx.registry, (rules,), world.params, ctx.agent_ids)


def _check_agent(agent: Agent, ctx: _Context) -> Iterator[_Found]:
    known = True
    wrong = _installed(ctx.registry, PluginRole.DOCTRINE, agent.doctrine, "doctrine")
    if wrong:
        known = False
        yield _Found(".doctrine", wrong, unknown_plugin=True)
    for j, name in enumerate(agent.modifiers):
        wrong = _installed(ctx.registry, PluginRole.MODIFIER, name, "modifier")
        if wrong:
            known = False
            yield _Found(f".modifiers[{j}]", wrong, unknown_plugin=True)
    if known:
        yield from _check_params(ctx.registry, agent.stack, agent.params, ctx.agent_ids)
        if agent.prior is not None:
            yield from _check_prior(ctx.registry, agent.stack, agent.prior)


def _check_prior(
    registry: PluginRegistry, stack: tuple[str, ...], prior: Prior
) -> Iterator[_Found]:
    """Each type of an agent's prior sets parameters its plugins declare, in range."""
    if isinstance(prior, DiscretePrior):
        for j, type_ in enumerate(prior.types):
            for found in _check_params(registry, stack, type_.params):
                yield found._replace(where=f".prior.types[{j}]{found.where}")
        return
    for found in _check_params(registry, stack, {prior.param: prior.types[0].params[prior.param]}):
        if "has no parameter" in found.message:
            yield found._replace(where=".prior.param")
    for type_ in (prior.types[0], prior.types[-1]):  # the extreme values
        for found in _check_params(registry, stack, type_.params):
            if "has no parameter" not in found.message:
                yield found._replace(where=".prior", message=f"{type_.name}: {found.message}")


def _check_params(
    registry: PluginRegistry,
    stack: tuple[str, ...],
    params: Mapping[str, Any],
    agent_ids: frozenset[str] | None = None,
) -> Iterator[_Found]:
    """``params`` against the parameters the plugins of ``stack`` declare.

    An agent's ``params`` hold its doctrine's parameters and its modifiers'; a
    parameter that several of them declare must suit each one. With ``agent_ids``, a
    parameter that names agents (:attr:`~negsim.ParamSpec.refers`) must name known ones.
    """
    specs: dict[str, list[ParamSpec]] = {}
    for name in stack:
        for spec in registry.spec(name).params:
            specs.setdefault(spec.name, []).append(spec)
    owners = repr(stack[0]) + (f" (with {', '.join(map(repr, stack[1:]))})" if stack[1:] else "")
    for key, value in params.items():
        if key not in specs:
            valid = ", ".join(sorted(specs)) or "(none)"
            yield _Found(f".params.{key}", f"{owners} has no parameter {key!r}; valid: {valid}")
            continue
        wrong = next(filter(None, (spec.check(value) for spec in specs[key])), None)
        if wrong:
            yield _Found(f".params.{key}", wrong)
        elif agent_ids is not None:
            named = {i for spec in specs[key] for i in spec.agent_ids(value)}
            for id_ in sorted(named - agent_ids):
                yield _Found(
                    f".params.{key}", f"unknown agent {id_!r}; known: {_listed(agent_ids)}"
                )


def _check_alliance(al: Alliance, ctx: _Context) -> Iterator[_Found]:
    for m in al.members:
        if m not in ctx.agent_ids:
            yield _Found(".members", f"unknown agent {m!r}; known: {_listed(ctx.agent_ids)}")
    twice = sorted({m for m in al.members if al.members.count(m) > 1})
    if twice:
        yield _Found(".members", f"{', '.join(map(repr, twice))} listed twice; list each once")
    if len(al.members) < 2:
        yield _Found(".members", "an alliance needs at least two members")
    if al.hub is not None and al.hub not in al.members:
        yield _Found(".hub", f"hub {al.hub!r} is not a member; members: {', '.join(al.members)}")
    if al.decision_rule == "hub" and al.hub is None:
        yield _Found(".hub", "decision_rule 'hub' needs a hub")
    if al.abstention_share and al.decision_rule != "consensus":
        yield _Found(
            ".abstention_share",
            f"abstention applies under decision_rule 'consensus', not {al.decision_rule.value!r}",
        )


def _check_commitment(c: Commitment, ctx: _Context) -> Iterator[_Found]:
    for role in ("debtor", "creditor"):
        who = getattr(c, role)
        if who not in ctx.agent_ids:
            yield _Found(f".{role}", f"unknown agent {who!r}; known: {_listed(ctx.agent_ids)}")
    yield from _check_proposition(c.antecedent, ".antecedent", ctx)
    yield from _check_proposition(c.consequent, ".consequent", ctx)


_COMMITMENT_KINDS: dict[str, type] = {
    "id": str,
    "debtor": str,
    "creditor": str,
    "antecedent": str,
    "consequent": str,
    "deadline": int,
    "expires": int,
    "source": str,
    "standing": bool,
}
"""The keys a ``[[commitments]]`` table may hold, and the exact type of each one's value
that :func:`_commitments_in_bulk` takes (TOML has no null)."""

_COMMITMENT_NEEDS = frozenset(
    f.name for f in attrs.fields(Commitment) if f.default is attrs.NOTHING
)


def _commitments_in_bulk(value: Any, ctx: _Context) -> tuple[Commitment, ...] | None:
    """The ``[[commitments]]`` tables, structured without cattrs when all are plainly valid.

    A large alliance lists hundreds of thousands of commitments of one or two shapes (the
    same keys). So the tables are checked a column at a time: each shape once against
    the keys a commitment may and must hold (:func:`_commitment_shape`), each key's
    values for their exact types, the debtors and creditors against the agents, the
    deadlines for a sign, the ids for repeats, and each distinct proposition as
    :func:`_check_proposition` checks it; then each commitment is built as cattrs builds
    it, from the table's own values. Anything unusual (a key unknown or missing, a value
    of another type, a negative deadline, a repeated id, an unknown agent, a proposition
    that does not parse, a table that is not a table) gives ``None``: then the tables
    are structured one by one, by the checks that word every problem with its path. So
    this path only ever accepts, and it accepts what the one-by-one path accepts, as
    the same commitments.

    Args:
        value: The file's ``commitments`` array, as TOML gave it.
        ctx: The file's ids.

    Returns:
        The commitments, or ``None`` to structure them one by one.
    """
    if type(value) is not list or not value:
        return None
    if set(map(type, value)) != {dict}:
        return None
    shapes = set(map(tuple, value))
    if not all(map(_commitment_shape, shapes)):
        return None
    for key in {key for shape in shapes for key in shape}:
        if len(shapes) == 1:
            column = list(map(operator.itemgetter(key), value))
        else:
            column = [table[key] for table in value if key in table]
        if set(map(type, column)) != {_COMMITMENT_KINDS[key]}:
            return None  # bool is not int here, nor is a str subclass str
        if key == "id" and len(set(column)) < len(value):
            return None
        if key in ("debtor", "creditor") and not ctx.agent_ids.issuperset(column):
            return None
        if key == "deadline" and min(column) < 0:
            return None
        if key in ("antecedent", "consequent") and not all(
            map(functools.partial(_plain_proposition, ctx), set(column))
        ):
            return None
    try:
        return tuple([Commitment(**table) for table in value])
    except (TypeError, ValueError):  # a check of the class's own that the columns missed
        return None


def _plain_proposition(ctx: _Context, text: str) -> bool:
    """Whether :func:`_check_proposition` finds nothing wrong with ``text``."""
    atom = plain_atom(text)  # most are one atom naming known agents: so they pass
    if atom is not None and ctx.names.issuperset(atom[1]):
        return True
    return next(_check_proposition(text, "", ctx), None) is None


def _commitment_shape(keys: tuple[str, ...]) -> bool:
    """Whether a commitment may hold these keys (each once) and needs no other."""
    return (
        len(set(keys)) == len(keys)
        and set(keys) >= _COMMITMENT_NEEDS
        and all(key in _COMMITMENT_KINDS for key in keys)
    )


def _check_template(t: _CommitmentTemplate, ctx: _Context) -> Iterator[_Found]:
    """A commitment template, checked once for all the pairs it expands to.

    The propositions are checked with the first pair of members filled in: any other
    pair gives the same propositions with other agent ids, which parse alike.
    """
    refused = set()
    for key in _TEMPLATED:
        text = getattr(t, key)
        wrong = sorted({b for b in _BRACED.findall(text) if b not in _PLACEHOLDERS})
        if wrong:
            refused.add(key)
            yield _Found(
                f".{key}",
                f"unknown placeholder {', '.join(wrong)}; valid: {', '.join(_PLACEHOLDERS)}",
            )
        elif "{" in _BRACED.sub("", text) or "}" in _BRACED.sub("", text):
            refused.add(key)
            yield _Found(
                f".{key}", f"unmatched brace in {text!r}; placeholders: {', '.join(_PLACEHOLDERS)}"
            )
    missing = [p for p in _PLACEHOLDERS if p not in t.id]
    if missing:
        yield _Found(
            ".id",
            f"must hold {' and '.join(_PLACEHOLDERS)}, so that each pair's commitment has "
            f"its own id; {', '.join(missing)} missing from {t.id!r}",
        )
    members = ctx.members.get(t.for_each_pair)
    if members is None:
        known = _listed(ctx.members)
        yield _Found(".for_each_pair", f"unknown alliance {t.for_each_pair!r}; known: {known}")
        return
    if len(members) < 2:
        return  # the alliance's own check says it needs two members
    debtor, creditor = members[0], members[1]
    for key in ("antecedent", "consequent"):
        if key in refused:
            continue
        text = _fill_in(getattr(t, key), debtor, creditor)
        for found in _check_proposition(text, f".{key}", ctx):
            yield found._replace(
                message=f"{found.message} (with debtor {debtor} and creditor {creditor})"
            )


def _check_negotiation(n: Negotiation, ctx: _Context) -> Iterator[_Found]:
    wrong = _installed(ctx.registry, PluginRole.PROTOCOL, n.protocol, "protocol")
    if wrong:
        yield _Found(".protocol", wrong, unknown_plugin=True)
    else:
        yield from _check_params(ctx.registry, (n.protocol,), n.params)
    for j, party in enumerate(n.parties):
        if party not in ctx.agent_ids:
            yield _Found(
                f".parties[{j}]", f"unknown agent {party!r}; known: {_listed(ctx.agent_ids)}"
            )
    if n.mediator and n.mediator not in ctx.agent_ids:
        yield _Found(".mediator", f"unknown agent {n.mediator!r}; known: {_listed(ctx.agent_ids)}")
    if n.opens_on:
        yield from _check_proposition(n.opens_on, ".opens_on", ctx)
    for j, issue in enumerate(n.issues):
        if issue.debtor and issue.debtor not in n.parties:
            parties = ", ".join(n.parties)
            yield _Found(
                f".issues[{j}].debtor", f"{issue.debtor!r} is not a party; parties: {parties}"
            )
        if issue.consequent:
            yield from _check_proposition(issue.antecedent, f".issues[{j}].antecedent", ctx)
            yield from _check_proposition(issue.consequent, f".issues[{j}].consequent", ctx)


def _check_proposition(
    text: str, where: str, ctx: _Context, *, atom: bool = False
) -> Iterator[_Found]:
    if not atom:
        # By shape, the common case of a large file: a proposition that parses and names
        # known agents only. Anything else is looked at below, to word its problems.
        shaped = parse_shape(text)
        if shaped is not None and all(a in ctx.names or not a.isupper() for a in shaped[1]):
            return
    try:
        prop = parse(text)
    except PropositionError as exc:
        yield _Found(where, str(exc.problems[0]))
        return
    if atom and not isinstance(prop, Atom):
        yield _Found(where, f"expected one ground atom such as 'attacked(ROK)', got {text!r}")
        return
    for key in sorted(atoms(prop)):
        args = key[key.index("(") + 1 : -1].split(",") if "(" in key else []
        for arg in args:
            if arg.isupper() and arg not in ctx.names:
                yield _Found(where, f"unknown agent {arg!r} in {key}; known: {_listed(ctx.names)}")


def _check_ids(tables: Any, key: str, required: str) -> Iterator[_Found]:
    """Duplicate ids in the array of tables ``key`` (and, if ``required``, its absence)."""
    if not isinstance(tables, (list, tuple)):
        return
    if required and not tables:
        yield _Found("", required)
    seen: dict[str, int] = {}
    for i, table in enumerate(tables):
        id_ = table.get("id") if isinstance(table, Mapping) else None
        if not isinstance(id_, str):
            continue
        if id_ in seen:
            yield _Found(f"[{i}].id", f"duplicate id {id_!r} (also {key}[{seen[id_]}])")
        else:
            seen[id_] = i


def _engine_keys(table: Any) -> Iterator[_Found]:
    if isinstance(table, Mapping) and any(key in table for key in _ENGINE_SET):
        yield _Found("", "'state' and 'detached_at' are set by the engine, not the file")


def _listed(ids: Iterable[str]) -> str:
    return ", ".join(sorted(ids)) or "(none)"


# -- numbers and nesting, before anything else ----------------------------------------

_MAX_DEPTH = 32
"""How deep tables and arrays may nest in a scenario (a file needs about six levels)."""

_INT_LIMIT = 2**63
"""Integers in a scenario lie in [-2**63, 2**63): seeds, rounds, counts."""


def _numbers_and_depth(data: Any) -> list[Problem]:
    """NaN, infinities, integers out of range and too deep nesting, each with its path.

    Every value is looked at once, iteratively (not recursively: a file nested 10**5
    deep must not exhaust Python's stack). Paths are built only when something is
    wrong, so a large valid scenario costs one pass over its values. Infinities are
    left to the parameters' own checks inside ``params`` tables (a parameter without
    a declared range may take one); elsewhere every number has a range.
    """
    if not _suspect(data):
        return []
    problems: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack and len(problems) < 20:
        node, path, depth = stack.pop()
        if depth > _MAX_DEPTH:
            problems.append(
                Problem(path, f"nested deeper than {_MAX_DEPTH} levels; a scenario nests a few")
            )
            continue
        items = node.items() if isinstance(node, Mapping) else enumerate(node)
        for key, value in items:
            here = (
                f"{path}[{key}]"
                if isinstance(key, int)
                else (f"{path}.{key}" if path else str(key))
            )
            if isinstance(value, (Mapping, list, tuple)):
                stack.append((value, here, depth + 1))
            elif isinstance(value, float) and not math.isfinite(value):
                if math.isnan(value):
                    problems.append(Problem(here, f"expected a number, got {value!r}"))
                elif ".params." not in f".{here}.".replace("[", ".["):
                    problems.append(Problem(here, f"expected a finite number, got {value!r}"))
            elif (
                isinstance(value, int)
                and not isinstance(value, bool)
                and not -_INT_LIMIT <= value < _INT_LIMIT
            ):
                problems.append(Problem(here, "integer out of range: expected -2**63 <= n < 2**63"))
    return sorted(problems, key=lambda p: p.path)


def _suspect(data: Any) -> bool:
    """Whether :func:`_numbers_and_depth` could find anything: the fast pass, no paths."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > _MAX_DEPTH:
            return True
        for value in node.values() if isinstance(node, Mapping) else node:
            kind = type(value)
            if kind is str:  # most values, looked at first
                continue
            if kind is dict or kind is list or kind is tuple:
                stack.append((value, depth + 1))
            elif kind is float:
                if not math.isfinite(value):
                    return True
            elif kind is int:
                if not -_INT_LIMIT <= value < _INT_LIMIT:
                    return True
            elif isinstance(value, Mapping):
                stack.append((value, depth + 1))
    return False


def _check_size(data: Mapping[str, Any], source: str, limits: Limits) -> None:
    """Refuse a scenario with more agents than the limit, before structuring it."""
    agents = data.get("agents")
    if isinstance(agents, (list, tuple)) and limits.exceeded("max_agents", len(agents)):
        raise ScenarioError(
            source,
            [
                Problem(
                    "agents",
                    f"{len(agents)} agents, more than the limit max_agents="
                    f"{limits.max_agents}; {limits.hint('max_agents')}",
                )
            ],
        )


# -- the converter that structures a file, and its problems ----------------------------


_MISSING = "required key is missing"
_REQUIRED = {
    "scenario.name": "required: a short name for the scenario",
    "agents": "required: at least one [[agents]] table",
}
"""What a missing key is, where ``required key is missing`` would not say."""


def _make_converter() -> cattrs.Converter:
    conv = converter.copy()

    def checked(
        cls: type[_T],
        check: Callable[[_T, _Context], Iterator[_Found]],
        refuse: Callable[[Any], Iterator[_Found]] = lambda value: iter(()),
    ) -> None:
        base = conv.get_structure_hook(cls)

        def structure(value: Any, _: Any) -> _T:
            found = list(refuse(value))
            if found:
                raise _Problems(found)
            result: _T = base(value, cls)
            found = list(check(result, _CONTEXT.get()))
            if found:
                raise _Problems(found)
            return result

        conv.register_structure_hook(cls, structure)

    def entries(array: Any, key: str, required: str = "") -> None:
        base = conv.get_structure_hook(array)

        def structure(value: Any, _: Any) -> Any:
            found = list(_check_ids(value, key, required))
            try:
                result = base(value, array)
            except IterableValidationError as exc:
                if found:
                    raise IterableValidationError(
                        exc.message, [*exc.exceptions, _Problems(found)], exc.cl
                    ) from None
                raise
            if found:
                raise _Problems(found)
            return result

        conv.register_structure_hook_func(lambda t: t == array, structure)

    checked(_Head, _check_head)
    checked(_World, _check_world)
    checked(Agent, _check_agent)
    checked(Alliance, _check_alliance)
    checked(Commitment, _check_commitment, _engine_keys)
    checked(_CommitmentTemplate, _check_template)
    checked(Negotiation, _check_negotiation)
    entries(tuple[Agent, ...], "agents", required=_REQUIRED["agents"])
    entries(tuple[Alliance, ...], "alliances")
    entries(tuple[Commitment, ...], "commitments")
    one_by_one = conv.get_structure_hook(tuple[Commitment, ...])

    def commitments(value: Any, type_: Any) -> tuple[Commitment, ...]:
        in_bulk = _commitments_in_bulk(value, _CONTEXT.get())
        return one_by_one(value, type_) if in_bulk is None else in_bulk

    conv.register_structure_hook_func(lambda t: t == tuple[Commitment, ...], commitments)
    entries(tuple[_CommitmentTemplate, ...], "commitment_templates")
    entries(tuple[Negotiation, ...], "negotiations")
    return conv


_converter = _make_converter()
"""The shared converter, plus the file's checks: use only inside :func:`scenario_from_dict`."""


def _word(exc: BaseException, _: Any) -> Iterator[_Found]:
    """The problems one of cattrs' leaf exceptions stands for, worded as negsim words them."""
    if isinstance(exc, _Problems):
        yield from exc.found
    elif isinstance(exc, ForbiddenExtraKeysError):
        valid = ", ".join(_keys(exc.cl)) if attrs.has(exc.cl) else ""
        for key in sorted(exc.extra_fields):
            yield _Found(f".{key}", f"unknown key; valid: {valid}")
    elif isinstance(exc, KeyError):
        yield _Found("", _MISSING)
    else:
        message = str(exc.args[0]) if exc.args else type(exc).__name__
        for note in getattr(exc, "__notes__", ()):
            # attrs' validators name their field ("'power' must be >= 0: -3"); the path does
            if isinstance(note, AttributeValidationNote) and message.startswith(
                f"{note.name!r} must "
            ):
                message = message.removeprefix(f"{note.name!r} ")
        yield _Found("", message)


def _problems(exc: BaseValidationError) -> tuple[list[Problem], bool]:
    """The problems in cattrs' error tree, at negsim's paths; and whether a plugin is unknown.

    :func:`cattrs.transform_error` gives ``<message> @ $.agents[2].doctrine``; each
    message here is a number standing for what :func:`_word` found, so a message is
    never parsed back out of text.
    """
    words: list[list[_Found]] = []

    def number(leaf: BaseException, type_: Any) -> str:
        words.append(list(_word(leaf, type_)))
        return str(len(words) - 1)

    problems: list[Problem] = []
    unknown = False
    for line in cattrs.transform_error(exc, "$", number):
        index, _, path = line.partition(" @ ")
        for found in words[int(index)]:
            where = (path.removeprefix("$") + found.where).removeprefix(".")
            message = _REQUIRED.get(where, _MISSING) if found.message == _MISSING else found.message
            problems.append(Problem(where, message))
            unknown |= found.unknown_plugin
    return sorted(problems, key=_rank), unknown


_ORDER = ("scenario", "agents", "alliances", "commitments", "commitment_templates", "world")
"""The order problems are listed in: the world last, as its facts name the others."""


def _rank(problem: Problem) -> int:
    """Unknown top-level keys first, then the tables in :data:`_ORDER`."""
    section = problem.path.split(".", 1)[0].split("[", 1)[0]
    return _ORDER.index(section) + 1 if section in _ORDER else 0
