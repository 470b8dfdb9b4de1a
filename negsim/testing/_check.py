"""Holding a run, or a doctrine over many generated runs, to the invariants."""

from __future__ import annotations

import hashlib
import tomllib
import types
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import hypothesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from hypothesis.database import ExampleDatabase
from hypothesis.errors import Flaky

from negsim.errors import PluginError
from negsim.model import FrozenMap, MoveRejected, PluginRole, Scenario, freeze
from negsim.plugins import PluginRegistry, default_registry
from negsim.scenario import dump_scenario
from negsim.testing._child import Worker, child_hash_seeds, describe_plugins
from negsim.testing._coverage import Counting, Coverage, CoverageShortfall, CoverageWarning
from negsim.testing._invariants import INVARIANTS, Invariant, select
from negsim.testing._record import RunRecord, _monotonic, global_randomness, record_run
from negsim.testing._statics import Monotone
from negsim.testing._stimulus import STIMULUS, Stimulus
from negsim.testing._strategies import ParamStrategy, RunCase, runs
from negsim.testing._whisper import WHISPERER, Whisperer, with_whisperer

__all__ = [
    "CheckReport",
    "InvariantViolation",
    "check_doctrine",
    "check_modifier",
    "check_protocol",
    "check_run",
    "registry_with",
]

_MAX_LINES = 6
"""Problems shown per invariant in a failure message."""

HASH_SEED_EXAMPLES = 10
"""Runs replayed in other processes by the hash-seed check, by default."""

DECISION_TIMEOUT = 1.0
"""Seconds one hook call of an agent may take, by default."""

SHRINK_TIMEOUT = 20.0
"""Seconds a failing run is shrunk for at most, by default."""

HANG_SHRINKING = 10
"""A run that never ends is shrunk for at most this many decision timeouts' worth of
waiting (and no longer than the shrink timeout); then the smallest such run found so
far is reported."""


class InvariantViolation(AssertionError):
    """A run broke one or more of negsim's invariants.

    The message names each invariant broken, what happened (round, agent, doctrine)
    and the scenario and seed of the run, as a scenario file.

    Attributes:
        invariants: The names of the invariants broken.
        problems: The problems found, by invariant name.
        case: The run that broke them.
    """

    def __init__(
        self,
        message: str,
        *,
        invariants: Sequence[str] = (),
        problems: Mapping[str, Sequence[str]] | None = None,
        case: RunCase | None = None,
    ) -> None:
        super().__init__(message)
        self.invariants = tuple(invariants)
        self.problems: dict[str, tuple[str, ...]] = {
            k: tuple(v) for k, v in (problems or {}).items()
        }
        self.case = case


@attrs.frozen
class CheckReport:
    """What :func:`check_doctrine` checked, when every invariant held.

    Attributes:
        doctrine: The doctrine's name.
        invariants: The invariants checked.
        runs: The runs played (hypothesis examples; the determinism checks play some
            again).
        outcomes: How many runs ended with each outcome.
        rounds: Rounds played in all.
        rejected: How many of the doctrine's own moves validation rejected, by rule
            (:data:`negsim.engine.RULES`). Those for a right or means the agent lacks
            break ``moves-allowed``; the others (a vote on a proposal just closed, a
            message to an unknown agent) are shown, since they are usually a bug too.
        coverage: The stimuli the doctrine met, and how often (:class:`Coverage`).
        statics: The comparative statics checked (:class:`Monotone`).
        role: What was checked: ``doctrine``, ``modifier`` or ``protocol``.
    """

    doctrine: str
    invariants: tuple[str, ...]
    runs: int
    outcomes: FrozenMap[str, int]
    rounds: int
    rejected: FrozenMap[str, int] = attrs.field(factory=FrozenMap)
    coverage: Coverage | None = None
    statics: tuple[Monotone, ...] = ()
    role: str = "doctrine"

    def __str__(self) -> str:
        outcomes = ", ".join(f"{k} {v}" for k, v in self.outcomes.items()) or "none"
        text = (
            f"{self.role} {self.doctrine!r} held {len(self.invariants)} invariants "
            f"({', '.join(self.invariants)}) over {self.runs} runs, {self.rounds} rounds "
            f"(outcomes: {outcomes})"
        )
        if self.rejected:
            text += "; moves of it rejected: " + ", ".join(
                f"{k} {v}" for k, v in self.rejected.items()
            )
        if self.coverage is not None:
            never = self.coverage.never
            text += (
                f"; never met: {', '.join(never)}"
                if never
                else "; every stimulus met at least once"
            )
        return text


# --------------------------------------------------------------------------------------
# Registries
# --------------------------------------------------------------------------------------


@attrs.define
class _Setup:
    registry: PluginRegistry
    plugins: tuple[tuple[str, object], ...]
    doctrine: str
    world: str | None
    _workers: dict[str, Worker] = attrs.Factory(dict)
    _whispering: PluginRegistry | None = None

    def transport(self) -> list[dict[str, str]]:
        return describe_plugins(self.plugins)

    def whispering(self) -> PluginRegistry:
        """The registry with the kit's ``whisperer`` added too (built on first use).

        Only the whispered runs of ``sees-only-what-it-may`` use it, so the doctrines the
        other checks and the strategies see are the registry's own.
        """
        if self._whispering is None:
            plugins = [(n, p) for n, p in self.plugins if n != WHISPERER]
            self._whispering = PluginRegistry([*plugins, (WHISPERER, Whisperer())], discover=False)
        return self._whispering

    def workers(self) -> list[Worker]:
        """The child processes that replay runs, one per hash seed (started on first use).

        One hash seed could happen to order a set as this process does; the two of
        :func:`negsim.testing._child.child_hash_seeds` cannot both do so.
        """
        for seed in child_hash_seeds():
            if seed not in self._workers:
                self._workers[seed] = Worker(self.transport(), hashseed=seed)
        return list(self._workers.values())

    def close(self) -> None:
        for worker in self._workers.values():
            worker.close()
        self._workers.clear()


def _plugin_name(plugin: object) -> str:
    if isinstance(plugin, types.ModuleType):
        short = plugin.__name__.rsplit(".", 1)[-1]
        return short.removeprefix("negsim_") or short
    return type(plugin).__name__.lower()


def _plugins_of(registry: PluginRegistry) -> list[tuple[str, object]]:
    return [(n, p) for n, p in registry.pm.list_name_plugin() if n is not None and p is not None]


def registry_with(
    *plugins: tuple[str, object], base: PluginRegistry | None = None
) -> PluginRegistry:
    """A fresh registry with ``base``'s plugins, ``plugins`` and the ``stimulus`` doctrine.

    The kit checks runs with such a registry: one that another process can rebuild
    exactly (plugins are registered by name, not discovered), holding
    :class:`Stimulus`, the scripted doctrine its generated scenarios use.

    Args:
        *plugins: ``(name, plugin)`` pairs to add (replacing a plugin of the same name).
        base: The plugins to start from; the installed ones when ``None``.

    Raises:
        negsim.PluginError: A plugin cannot be registered.
    """
    return _build(base, list(plugins)).registry


def _build(
    base: PluginRegistry | None,
    extra: list[tuple[str, object]],
    doctrine: str = "",
    world: str | None = None,
) -> _Setup:
    base = base or default_registry()
    extra_names = {n for n, _ in extra}
    extra_objects = [p for _, p in extra]
    plugins = [
        (n, p)
        for n, p in _plugins_of(base)
        if n not in extra_names and not any(p is q for q in extra_objects)
    ]
    plugins += extra
    if not any(n == STIMULUS for n, _ in plugins):
        plugins.append((STIMULUS, Stimulus()))
    registry = PluginRegistry(plugins, discover=False)
    return _Setup(registry, tuple(plugins), doctrine, world)


def _setup(
    doctrine: str | object,
    registry: PluginRegistry | None,
    name: str | None,
    world_rules: str | object | None,
) -> _Setup:
    extra: list[tuple[str, object]] = []
    base = registry or default_registry()
    if isinstance(doctrine, str):
        dname = doctrine
    else:
        known = [n for n, p in _plugins_of(base) if p is doctrine]
        dname = name or (known[0] if known else _plugin_name(doctrine))
        extra.append((dname, doctrine))
    wname: str | None
    if world_rules is None or isinstance(world_rules, str):
        wname = world_rules
    else:
        known = [n for n, p in _plugins_of(base) if p is world_rules]
        wname = known[0] if known else _plugin_name(world_rules)
        extra.append((wname, world_rules))
    setup = _build(base, extra, dname, wname)
    spec = setup.registry.spec(dname)
    if spec.role != PluginRole.DOCTRINE:
        raise PluginError(f"plugin {dname!r} is a {spec.role} plugin, not a doctrine")
    return setup


# --------------------------------------------------------------------------------------
# One run
# --------------------------------------------------------------------------------------


@attrs.define
class _Replay:
    setup: _Setup
    scenario: Scenario
    case: RunCase
    timeout: float | None
    decision_timeout: float | None = None

    def again(self) -> RunRecord:
        with global_randomness(2):
            return record_run(
                self.scenario,
                seed=self.case.seed,
                registry=self.setup.registry,
                timeout=self.timeout,
                decision_timeout=self.decision_timeout,
            )

    def whispered(self, stream: int) -> RunRecord:
        registry = self.setup.whispering()
        case = RunCase(data=with_whisperer(self.case.data, stream), seed=self.case.seed)
        with global_randomness(1):
            return record_run(
                case.scenario(registry),
                seed=case.seed,
                registry=registry,
                timeout=self.timeout,
                decision_timeout=self.decision_timeout,
            )

    def in_subprocesses(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(w.hashseed, w.run(self.case.data, self.case.seed)) for w in self.setup.workers()]


def _check_case(
    setup: _Setup,
    case: RunCase,
    invariants: Sequence[Invariant],
    timeout: float | None,
    decision_timeout: float | None = None,
    statics: Mapping[str, Sequence[Monotone]] | None = None,
) -> tuple[RunRecord, list[tuple[Invariant, list[str]]]]:
    scenario = case.scenario(setup.registry)
    names = {i.name for i in invariants}
    with global_randomness(1):
        record = record_run(
            scenario,
            seed=case.seed,
            registry=setup.registry,
            timeout=timeout,
            decision_timeout=decision_timeout,
            watch="no-hidden-randomness" in names,
            statics=statics if "comparative-statics" in names else None,
        )
    replay = _Replay(setup, scenario, case, timeout, decision_timeout)
    broken = []
    for invariant in invariants:
        problems = invariant.check(record, replay)
        if problems:
            broken.append((invariant, problems))
    return record, broken


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def _violation(
    who: str,
    case: RunCase,
    broken: list[tuple[Invariant, list[str]]],
    found_by: str,
) -> InvariantViolation:
    names = [inv.name for inv, _ in broken]
    if len(broken) == 1:
        head = f"{who} broke the invariant {names[0]!r} ({broken[0][0].summary})"
    else:
        head = f"{who} broke {len(broken)} invariants: " + ", ".join(map(repr, names))
    lines = [head + ":"]
    for inv, problems in broken:
        if len(broken) > 1:
            lines.append(f"  {inv.name} ({inv.summary}):")
        for p in problems[:_MAX_LINES]:
            lines.append("  - " + p.replace("\n", "\n    "))
        if len(problems) > _MAX_LINES:
            lines.append(f"  - ... and {len(problems) - _MAX_LINES} more")
    lines.append("")
    lines.append(f"The run: seed={case.seed} and this scenario ({found_by}):")
    lines.append("")
    lines.append(_indent(case.toml().rstrip()))
    lines.append("")
    lines.append(
        "Replay it with negsim.testing.check_run(<the scenario text above>, "
        f"seed={case.seed}, registry=...)."
    )
    return InvariantViolation(
        "\n".join(lines),
        invariants=names,
        problems={inv.name: problems for inv, problems in broken},
        case=case,
    )


def _case_of(scenario: Scenario | Mapping[str, Any] | str, seed: int | None) -> RunCase:
    if isinstance(scenario, Scenario):
        data: Mapping[str, Any] = dump_scenario(scenario)
        default_seed = scenario.seed
    elif isinstance(scenario, str):
        data = tomllib.loads(scenario)
        default_seed = int(data.get("scenario", {}).get("seed", 0))
    else:
        data = scenario
        default_seed = int(data.get("scenario", {}).get("seed", 0))
    return RunCase(data=data, seed=default_seed if seed is None else seed)


def check_run(
    scenario: Scenario | Mapping[str, Any] | str,
    *,
    seed: int | None = None,
    registry: PluginRegistry | None = None,
    invariants: Iterable[str] | None = None,
    timeout: float | None = 10.0,
    decision_timeout: float | None = DECISION_TIMEOUT,
    statics: Mapping[str, Sequence[Monotone]] | None = None,
) -> RunRecord:
    """Play one run and hold it to the invariants.

    Args:
        scenario: A scenario, scenario data, or the text of a scenario file (such as the
            one an :class:`InvariantViolation` prints).
        seed: The seed; the scenario's when ``None``.
        registry: The plugins (the kit adds its ``stimulus`` doctrine); the installed
            ones when ``None``.
        invariants: Names from :data:`INVARIANTS`; all when ``None``.
        timeout: Seconds a run may take before it counts as never ending; ``None`` for
            no limit.
        decision_timeout: Seconds one hook call of an agent may take; ``None`` for no
            limit of its own.
        statics: The comparative statics to hold doctrines to, by doctrine name (for
            ``comparative-statics``).

    Returns:
        The recorded run, when every invariant held.

    Raises:
        InvariantViolation: An invariant broke; the message says which and how.
        negsim.ScenarioError: The scenario is invalid.

    Example:
        >>> import negsim
        >>> from negsim.testing import check_run
        >>> scenario = negsim.load_scenario("examples/scenarios/korea_bilateral.toml")
        >>> record = check_run(scenario, seed=1, invariants=["delivery", "consensus"])
        >>> record.result.outcome in negsim.Outcome
        True
    """
    chosen = select(invariants)
    setup = _build(registry, [])
    case = _case_of(scenario, seed)
    try:
        record, broken = _check_case(setup, case, chosen, timeout, decision_timeout, statics)
    finally:
        setup.close()
    if broken:
        raise _violation(f"the run of scenario {record.scenario.name!r}", case, broken, "as given")
    return record


# --------------------------------------------------------------------------------------
# A doctrine over generated runs
# --------------------------------------------------------------------------------------


class _Abort(BaseException):
    """Stops a hypothesis search at once, without shrinking.

    A run that never ends would make every shrinking step wait for the time limit.
    """

    def __init__(self, violation: InvariantViolation) -> None:
        super().__init__(str(violation))
        self.violation = violation


@attrs.define
class _Stats:
    doctrine: str
    runs: int = 0
    rounds: int = 0
    outcomes: Counter[str] = attrs.field(factory=Counter)
    rejected: Counter[str] = attrs.field(factory=Counter)
    counting: Counting | None = None
    waited: float = 0.0
    failed_at: float | None = None

    def add(self, record: RunRecord) -> None:
        self.runs += 1
        self.rounds += len(record.rounds)
        if record.result is not None:
            self.outcomes[str(record.result.outcome)] += 1
        for e in record.events:
            if isinstance(e, MoveRejected) and e.doctrine == self.doctrine:
                self.rejected[e.rule] += 1
        if self.counting is not None:
            self.counting.add(record)


def _statics_of(plugin: object, given: Iterable[Monotone] | None) -> tuple[Monotone, ...]:
    if given is not None:
        return tuple(given)
    declared = getattr(plugin, "COMPARATIVE_STATICS", ())
    return tuple(s for s in declared if isinstance(s, Monotone))


def _chosen(invariants: Iterable[str] | None, statics: Sequence[Monotone]) -> tuple[Invariant, ...]:
    """The invariants to check: ``comparative-statics`` only when some are declared."""
    names = None if invariants is None else list(invariants)
    if names is not None and "comparative-statics" in names and not statics:
        raise ValueError(
            "the invariant 'comparative-statics' needs declared statics: pass statics=[...] "
            "(negsim.testing.Monotone) or give the plugin a COMPARATIVE_STATICS"
        )
    chosen = select(names)
    if not statics:
        chosen = tuple(i for i in chosen if i.name != "comparative-statics")
    return chosen


def check_doctrine(
    doctrine: str | object,
    *,
    registry: PluginRegistry | None = None,
    name: str | None = None,
    invariants: Iterable[str] | None = None,
    max_examples: int | None = None,
    hash_seed_examples: int = HASH_SEED_EXAMPLES,
    world_rules: str | object | None = None,
    param_strategies: Mapping[str, ParamStrategy] | None = None,
    max_members: int = 4,
    max_rounds: int = 10,
    timeout: float | None = 10.0,
    decision_timeout: float | None = DECISION_TIMEOUT,
    targeted: bool = True,
    statics: Iterable[Monotone] | None = None,
    min_coverage: int | Mapping[str, int] | None = None,
    shrink_timeout: float | None = SHRINK_TIMEOUT,
    settings: hypothesis.settings | None = None,
) -> CheckReport:
    """Hold a doctrine to every invariant over runs that hypothesis generates.

    Each generated run (:func:`runs`) puts the doctrine in a scenario with allies,
    alliances, treaties and maybe a challenger, and is played round by round; every
    selected invariant is checked on it. When one breaks, hypothesis shrinks the run
    to a minimal one, and the error names the invariant, what went wrong (round,
    agent, doctrine) and the scenario, as a scenario file.

    ``determinism`` plays each run again, and ``sees-only-what-it-may`` twice more with
    two agents of the kit's added (a whisperer and its confidant), in this process. The
    hash-seed determinism check replays runs in a subprocess, so it gets its own,
    smaller number of examples. A hook call of an agent that takes longer than
    ``decision_timeout``, or a run longer than ``timeout``, fails ``termination``; such
    a run is shrunk for at most ten decision timeouts of waiting, and the smallest one
    found by then is reported.

    The report counts the stimuli the doctrine met (:class:`Coverage`); one never met
    is a :class:`CoverageWarning`, and ``min_coverage`` makes too few an error.

    Args:
        doctrine: A registered doctrine's name, or a plugin object (a module or an
            instance with ``@negsim.hookimpl`` methods) to register for the check.
        registry: The plugins; the installed ones when ``None``.
        name: The name to register a plugin object under (default: the module's name
            without ``negsim_``, or the class name in lower case).
        invariants: Names from :data:`INVARIANTS`; all when ``None``
            (``comparative-statics`` only when statics are declared).
        max_examples: Runs to generate; the current hypothesis profile's by default.
        hash_seed_examples: Runs to replay in a subprocess (at most ``max_examples``).
        world_rules: The world rules (a name or a plugin object); ``crisis`` when
            installed.
        param_strategies: Strategies for some of the doctrine's parameters (see
            :func:`doctrine_params`), e.g. for string parameters.
        max_members: The most member agents in a scenario.
        max_rounds: The largest ``max_rounds`` of a scenario.
        timeout: Seconds one run may take before it counts as never ending; ``None``
            for no limit.
        decision_timeout: Seconds one hook call of an agent may take; ``None`` for no
            limit of its own.
        targeted: Aim two runs' stimuli in three at the doctrine, in every content variant
            (see :func:`scenario_data`).
        statics: The comparative statics the doctrine promises (:class:`Monotone`); by
            default the plugin's ``COMPARATIVE_STATICS``, if it has one.
        min_coverage: The fewest times the doctrine must meet each stimulus (one
            number for all of :data:`STIMULUS_KINDS`, or by kind).
        shrink_timeout: Seconds to shrink a failing run for, at most; then the smallest
            found so far is reported (``None``: as long as hypothesis likes).
        settings: Hypothesis settings to start from (the current profile's by default).

    Returns:
        What was checked, when every invariant held.

    Raises:
        InvariantViolation: An invariant broke (an :class:`AssertionError`).
        CoverageShortfall: Some stimulus was met fewer times than ``min_coverage`` says.
        negsim.UnknownDoctrineError: No doctrine of that name is registered.
        negsim.PluginError: The plugin is not a doctrine, or cannot be registered.
    """
    setup = _setup(doctrine, registry, name, world_rules)
    plugin = setup.registry.pm.get_plugin(setup.doctrine)
    declared = _statics_of(plugin, statics)
    chosen = _chosen(invariants, declared)
    strategy = runs(
        setup.doctrine,
        registry=setup.registry,
        world_rules=setup.world,
        param_strategies=param_strategies,
        max_members=max_members,
        max_rounds=max_rounds,
        targeted=targeted,
    )
    return _fuzz(
        setup,
        strategy,
        chosen,
        _Budget(
            max_examples, hash_seed_examples, timeout, decision_timeout, settings, shrink_timeout
        ),
        config=(
            f"doctrine {setup.doctrine!r} (world {setup.world}, {max_members} members, "
            f"{max_rounds} rounds, params {sorted(param_strategies or {})}, "
            f"targeted {targeted})"
        ),
        statics={setup.doctrine: declared} if declared else None,
        min_coverage=min_coverage,
    )


def _register(
    plugin: str | object,
    role: PluginRole,
    registry: PluginRegistry | None,
    name: str | None,
    world_rules: str | object | None,
) -> tuple[_Setup, str]:
    """A setup with ``plugin`` (a name or an object) registered; its name."""
    base = registry or default_registry()
    extra: list[tuple[str, object]] = []
    if isinstance(plugin, str):
        pname = plugin
    else:
        known = [n for n, p in _plugins_of(base) if p is plugin]
        pname = name or (known[0] if known else _plugin_name(plugin))
        extra.append((pname, plugin))
    wname: str | None = None
    if world_rules is not None and not isinstance(world_rules, str):
        known = [n for n, p in _plugins_of(base) if p is world_rules]
        wname = known[0] if known else _plugin_name(world_rules)
        extra.append((wname, world_rules))
    elif isinstance(world_rules, str):
        wname = world_rules
    setup = _build(base, extra, pname, wname)
    spec = setup.registry.spec(pname)
    if spec.role != role:
        raise PluginError(f"plugin {pname!r} is a {spec.role} plugin, not a {role}")
    return setup, pname


def _doctrines_for(setup: _Setup, doctrines: Iterable[str] | None) -> list[str]:
    if doctrines is not None:
        return list(doctrines)
    kit = (STIMULUS, WHISPERER)
    return [d for d in setup.registry.names(PluginRole.DOCTRINE) if d not in kit]


def check_modifier(
    modifier: str | object,
    *,
    doctrines: Iterable[str] | None = None,
    registry: PluginRegistry | None = None,
    name: str | None = None,
    invariants: Iterable[str] | None = None,
    max_examples: int | None = None,
    hash_seed_examples: int = HASH_SEED_EXAMPLES,
    world_rules: str | object | None = None,
    max_members: int = 4,
    max_rounds: int = 10,
    timeout: float | None = 10.0,
    decision_timeout: float | None = DECISION_TIMEOUT,
    targeted: bool = True,
    min_coverage: int | Mapping[str, int] | None = None,
    shrink_timeout: float | None = SHRINK_TIMEOUT,
    settings: hypothesis.settings | None = None,
) -> CheckReport:
    """Hold a modifier to every invariant, wrapped around doctrines, over generated runs.

    Like :func:`check_doctrine`, with the modifier in the stack of every agent that
    uses the doctrine under test; each run draws that doctrine from ``doctrines``, and
    the modifier's parameters are drawn within their ranges like the doctrine's.

    Args:
        modifier: A registered modifier's name, or a plugin object to register.
        doctrines: The doctrines to wrap it around; by default every registered one
            (the kit's own left out).
        registry: The plugins; the installed ones when ``None``.
        name: The name to register a plugin object under.
        invariants: Names from :data:`INVARIANTS`; all when ``None``.
        max_examples: Runs to generate; the current hypothesis profile's by default.
        hash_seed_examples: Runs to replay in a subprocess.
        world_rules: The world rules; ``crisis`` when installed.
        max_members: The most member agents in a scenario.
        max_rounds: The largest ``max_rounds`` of a scenario.
        timeout: Seconds one run may take.
        decision_timeout: Seconds one hook call of an agent may take.
        targeted: Aim two runs' stimuli in three at the agent under test.
        min_coverage: As for :func:`check_doctrine`, for the agents using the modifier.
        shrink_timeout: Seconds to shrink a failing run for, at most; then the smallest
            found so far is reported (``None``: as long as hypothesis likes).
        settings: Hypothesis settings to start from.

    Returns:
        What was checked, when every invariant held.

    Raises:
        InvariantViolation: An invariant broke.
        CoverageShortfall: Too few stimuli met.
        negsim.PluginError: The plugin is not a modifier, or cannot be registered.
    """
    setup, mname = _register(modifier, PluginRole.MODIFIER, registry, name, world_rules)
    wrapped = _doctrines_for(setup, doctrines)
    if not wrapped:
        raise PluginError("no doctrine to wrap the modifier around: pass doctrines=[...]")
    chosen = _chosen(invariants, ())
    strategy = st.one_of(
        [
            runs(
                d,
                registry=setup.registry,
                world_rules=setup.world,
                max_members=max_members,
                max_rounds=max_rounds,
                targeted=targeted,
                modifiers=(mname,),
            )
            for d in wrapped
        ]
    )
    return _fuzz(
        setup,
        strategy,
        chosen,
        _Budget(
            max_examples, hash_seed_examples, timeout, decision_timeout, settings, shrink_timeout
        ),
        config=(
            f"modifier {mname!r} on {wrapped} (world {setup.world}, {max_members} members, "
            f"{max_rounds} rounds, targeted {targeted})"
        ),
        statics=None,
        min_coverage=min_coverage,
        who=f"modifier {mname!r}",
        counting=Counting(
            mname, lambda scenario: (a.id for a in scenario.agents if mname in a.modifiers)
        ),
    )


def check_protocol(
    protocol: str | object,
    *,
    doctrines: Iterable[str] | None = None,
    registry: PluginRegistry | None = None,
    name: str | None = None,
    invariants: Iterable[str] | None = None,
    max_examples: int | None = None,
    hash_seed_examples: int = HASH_SEED_EXAMPLES,
    world_rules: str | object | None = None,
    max_members: int = 4,
    max_rounds: int = 10,
    timeout: float | None = 10.0,
    decision_timeout: float | None = DECISION_TIMEOUT,
    min_coverage: int | Mapping[str, int] | None = None,
    shrink_timeout: float | None = SHRINK_TIMEOUT,
    settings: hypothesis.settings | None = None,
) -> CheckReport:
    """Hold a negotiation protocol to every invariant over generated runs.

    Every generated run is an aimed one (:func:`scenario_data`) with a negotiation
    under the protocol between the agent under test (``A``, using one of
    ``doctrines``) and a stimulus agent that makes every kind of move in it (offers
    at the ends of each issue's range, acceptances, rejections) in every round it may.
    The protocol's own hooks are watched for hidden randomness and time like an
    agent's.

    Args:
        protocol: A registered protocol's name, or a plugin object to register.
        doctrines: The doctrines of the other party; by default every registered one
            (the kit's own left out).
        registry: The plugins; the installed ones when ``None``.
        name: The name to register a plugin object under.
        invariants: Names from :data:`INVARIANTS`; all when ``None``.
        max_examples: Runs to generate; the current hypothesis profile's by default.
        hash_seed_examples: Runs to replay in a subprocess.
        world_rules: The world rules; ``crisis`` when installed.
        max_members: The most member agents in a scenario.
        max_rounds: The largest ``max_rounds`` of a scenario.
        timeout: Seconds one run may take.
        decision_timeout: Seconds one hook call of an agent, or of the protocol, may take.
        min_coverage: As for :func:`check_doctrine`, for the parties of the negotiation.
        shrink_timeout: Seconds to shrink a failing run for, at most; then the smallest
            found so far is reported (``None``: as long as hypothesis likes).
        settings: Hypothesis settings to start from.

    Returns:
        What was checked, when every invariant held.

    Raises:
        InvariantViolation: An invariant broke.
        CoverageShortfall: Too few stimuli met.
        negsim.PluginError: The plugin is not a protocol, or cannot be registered.
    """
    setup, pname = _register(protocol, PluginRole.PROTOCOL, registry, name, world_rules)
    parties = _doctrines_for(setup, doctrines)
    if not parties:
        raise PluginError("no doctrine for the negotiating party: pass doctrines=[...]")
    chosen = _chosen(invariants, ())
    strategy = st.one_of(
        [
            runs(
                d,
                registry=setup.registry,
                world_rules=setup.world,
                max_members=max_members,
                max_rounds=max(2, max_rounds),
                protocols=(pname,),
            )
            for d in parties
        ]
    )
    return _fuzz(
        setup,
        strategy,
        chosen,
        _Budget(
            max_examples, hash_seed_examples, timeout, decision_timeout, settings, shrink_timeout
        ),
        config=(
            f"protocol {pname!r} with {parties} (world {setup.world}, {max_members} members, "
            f"{max_rounds} rounds)"
        ),
        statics=None,
        min_coverage=min_coverage,
        who=f"protocol {pname!r}",
        counting=Counting(
            pname,
            lambda scenario: (
                p for n in scenario.negotiations if n.protocol == pname for p in n.parties
            ),
        ),
    )


@attrs.frozen
class _Budget:
    max_examples: int | None
    hash_seed_examples: int
    timeout: float | None
    decision_timeout: float | None
    settings: hypothesis.settings | None
    shrink_timeout: float | None = None


def _fuzz(
    setup: _Setup,
    strategy: hypothesis.strategies.SearchStrategy[RunCase],
    chosen: Sequence[Invariant],
    budget: _Budget,
    config: str,
    statics: Mapping[str, Sequence[Monotone]] | None,
    min_coverage: int | Mapping[str, int] | None,
    who: str | None = None,
    counting: Counting | None = None,
) -> CheckReport:
    base = budget.settings if budget.settings is not None else hypothesis.settings()
    examples = budget.max_examples if budget.max_examples is not None else base.max_examples
    stats = _Stats(setup.doctrine, counting=counting or Counting(setup.doctrine))
    local = [i for i in chosen if i.cost != "process"]
    slow = [i for i in chosen if i.cost == "process"]
    if slow:
        setup.transport()  # fail early and clearly if a plugin cannot be sent
    who = who or f"doctrine {setup.doctrine!r}"
    search = _Search(setup, strategy, base, budget, stats, who, config, statics)
    try:
        if local:
            search.run(local, examples)
        if slow:
            search.run(slow, min(examples, budget.hash_seed_examples))
    finally:
        setup.close()
    assert stats.counting is not None
    coverage = stats.counting.coverage()
    if min_coverage is not None:
        missing = coverage.shortfall(min_coverage)
        if missing:
            raise CoverageShortfall(
                f"{who} met too few stimuli over {stats.runs} runs: "
                + ", ".join(f"{k} {got} (at least {want})" for k, (got, want) in missing.items())
                + " (raise max_examples, or check the doctrine's world and scenario size)\n\n"
                + coverage.table(),
                coverage,
                missing,
            )
    elif coverage.never:
        warnings.warn(
            CoverageWarning(
                f"{who} never met {', '.join(coverage.never)} in {stats.runs} runs: those "
                "paths of it were not checked (raise max_examples, or require a minimum "
                "with min_coverage)"
            ),
            stacklevel=3,
        )
    return CheckReport(
        doctrine=coverage.doctrine,
        invariants=tuple(i.name for i in chosen),
        runs=stats.runs,
        outcomes=freeze(dict(sorted(stats.outcomes.items()))),
        rounds=stats.rounds,
        rejected=freeze(dict(sorted(stats.rejected.items()))),
        coverage=coverage,
        statics=tuple(s for ss in (statics or {}).values() for s in ss),
        role=who.split(" ", 1)[0],
    )


class _KeyedDatabase(ExampleDatabase):
    """A view of an example database whose keys are prefixed with one search's key.

    Through hypothesis's public database interface, so that each doctrine's check keeps
    its own saved failures.

    Args:
        db: The database to store in.
        prefix: The search's key.
    """

    def __init__(self, db: ExampleDatabase, prefix: bytes) -> None:
        super().__init__()
        self._db = db
        self._prefix = hashlib.sha256(prefix).digest()

    def _key(self, key: bytes) -> bytes:
        return self._prefix + key

    def save(self, key: bytes, value: bytes) -> None:
        """Save ``value`` under ``key``."""
        self._db.save(self._key(key), value)

    def fetch(self, key: bytes) -> Iterable[bytes]:
        """The values saved under ``key``."""
        return self._db.fetch(self._key(key))

    def delete(self, key: bytes, value: bytes) -> None:
        """Remove ``value`` from ``key``."""
        self._db.delete(self._key(key), value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        """Move ``value`` from ``src`` to ``dest``."""
        self._db.move(self._key(src), self._key(dest), value)


class _NoReplay:
    """A replayer for checks that need none (``termination``)."""

    def again(self) -> RunRecord:
        raise NotImplementedError

    def whispered(self, stream: int) -> RunRecord:
        raise NotImplementedError

    def in_subprocesses(self) -> list[tuple[str, tuple[str, ...]]]:
        raise NotImplementedError


@attrs.define
class _Search:
    setup: _Setup
    strategy: hypothesis.strategies.SearchStrategy[RunCase]
    base: hypothesis.settings
    budget: _Budget
    stats: _Stats
    who: str
    config: str
    statics: Mapping[str, Sequence[Monotone]] | None

    def run(self, invariants: list[Invariant], examples: int) -> None:
        _search(self, invariants, examples)


def _search(s: _Search, invariants: list[Invariant], examples: int) -> None:
    setup, strategy, base, stats, who, config = (
        s.setup,
        s.strategy,
        s.base,
        s.stats,
        s.who,
        s.config,
    )
    timeout, decision_timeout = s.budget.timeout, s.budget.decision_timeout
    shrinking = s.budget.shrink_timeout
    patience = HANG_SHRINKING * (decision_timeout or timeout or 10.0)
    if shrinking is not None:
        patience = min(patience, shrinking)
    # One database key space per doctrine, invariants and generator: hypothesis keys a
    # search by this function's source, so it would otherwise replay one doctrine's
    # failures for another.
    key = repr((config, [i.name for i in invariants])).encode()
    conf = hypothesis.settings(
        base,
        database=None if base.database is None else _KeyedDatabase(base.database, key),
        max_examples=max(1, examples),
        deadline=None,
        # the explain phase replays the minimal run many times to say which parts of it
        # matter; the invariant's message says that already, far more cheaply
        phases=[p for p in base.phases if p is not Phase.explain],
        report_multiple_bugs=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )

    @conf
    @given(case=strategy)
    def search(case: RunCase) -> None:
        record, broken = _check_case(setup, case, invariants, timeout, decision_timeout, s.statics)
        stats.add(record)
        if record.timed_out:
            if not broken:  # termination's failure, whichever invariants were asked for
                termination = INVARIANTS["termination"]
                broken = [(termination, termination.check(record, _NoReplay()))]
            stats.waited += record.seconds
            if stats.waited > patience:
                raise _Abort(
                    _violation(
                        who,
                        case,
                        broken,
                        f"the smallest run that never ends found in {stats.waited:.0f} s of "
                        "shrinking",
                    )
                )
        if broken:
            now = _monotonic()
            if stats.failed_at is None:
                stats.failed_at = now
            elif shrinking is not None and now - stats.failed_at > shrinking:
                raise _Abort(
                    _violation(
                        who,
                        case,
                        broken,
                        f"the smallest one hypothesis found in {shrinking:g} s of shrinking",
                    )
                )
            raise _violation(who, case, broken, "a minimal one hypothesis found")

    try:
        search()
    except _Abort as abort:
        raise abort.violation from None
    except InvariantViolation as violation:
        raise InvariantViolation(
            str(violation),
            invariants=violation.invariants,
            problems=violation.problems,
            case=violation.case,
        ) from None
    except Flaky as flaky:
        inner = next(
            (e for e in getattr(flaky, "exceptions", ()) if isinstance(e, InvariantViolation)), None
        )
        names = tuple(dict.fromkeys([*(inner.invariants if inner else ()), "determinism"]))
        raise InvariantViolation(
            f"{who} broke the invariant 'determinism' (the same scenario and seed give the "
            "same log in a process): a run that failed passed when hypothesis played it "
            "again, so the doctrine's behaviour depends on something other than the scenario "
            "and the seed (global randomness, or state kept between runs?). The failure as "
            "first seen:\n\n" + _indent(str(inner or flaky)),
            invariants=names,
            problems=inner.problems if inner else None,
            case=inner.case if inner else None,
        ) from flaky
