"""The exceptions negsim raises.

Every error negsim raises on purpose is a :class:`NegsimError`. Each subclass also
inherits the built-in exception a caller would naturally catch, so ``except
LookupError`` still works for an unknown doctrine::

    NegsimError
    ├── ScenarioError (ValueError)            bad scenario input; exit code 2
    │   ├── ScenarioFileError (OSError)       missing or unreadable file
    │   ├── PropositionError                  unparsable proposition text
    │   ├── OverrideError (KeyError)          an override path that does not exist
    │   ├── UnknownDoctrineError (LookupError)
    │   └── TargetsError                      a bad calibration targets file
    ├── MissingValueError (KeyError)          a decision rule evaluated without a value
    ├── PluginError (RuntimeError)            a plugin misbehaved at load time
    └── SimulationError (RuntimeError)        a run failed; exit code 1
        ├── PluginCallError                   a plugin raised, or returned a wrong value
        └── TimeLimitError (TimeoutError)     a run or one hook call took too long

Messages say who, what, which rule and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

__all__ = [
    "MissingValueError",
    "NegsimError",
    "OverrideError",
    "PluginCallError",
    "PluginError",
    "Problem",
    "PropositionError",
    "ScenarioError",
    "ScenarioFileError",
    "SimulationError",
    "TargetsError",
    "TimeLimitError",
    "UnknownDoctrineError",
]


@attrs.frozen
class Problem:
    """One problem found in an input.

    Attributes:
        path: Where in the input, as a dotted path (``agents[2].doctrine``); empty for
            the whole input.
        message: What is wrong and what was expected, with the valid choices.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class NegsimError(Exception):
    """Base class of every error negsim raises on purpose."""


class ScenarioError(NegsimError, ValueError):
    """A scenario (file, mapping or override) is invalid.

    Holds every problem found, so a user fixes them all in one pass.

    Args:
        source: The file name, or a description of the input (``"<mapping>"``).
        problems: What is wrong, each with its place in the input.
    """

    def __init__(self, source: str, problems: Sequence[Problem | str]) -> None:
        self.source = source
        self.problems: tuple[Problem, ...] = tuple(
            p if isinstance(p, Problem) else Problem("", p) for p in problems
        )
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            return f"{self.source}: {self.problems[0]}"
        lines = [f"{self.source}: {len(self.problems)} problems"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class ScenarioFileError(ScenarioError, OSError):
    """The scenario file is missing, unreadable or not valid TOML."""


class PropositionError(ScenarioError):
    """Proposition text that the parser refuses.

    Args:
        text: The proposition as written.
        column: The 1-based column where parsing failed.
        reason: What was found and what was expected there.
        source: Where the text came from (file and path), if known.
    """

    def __init__(self, text: str, column: int, reason: str, source: str = "<proposition>") -> None:
        self.text = text
        self.column = column
        self.reason = reason
        pointer = " " * (column - 1) + "^"
        super().__init__(source, [f"column {column}: {reason}\n    {text}\n    {pointer}"])


class OverrideError(ScenarioError, KeyError):
    """An override (``--set PATH=VALUE``) names a path the scenario does not have."""

    def __str__(self) -> str:  # KeyError would quote the message
        return self._render()


class UnknownDoctrineError(ScenarioError, LookupError):
    """A scenario names a doctrine or plugin that is not installed."""


class TargetsError(ScenarioError):
    """A calibration targets file is invalid.

    An unknown parameter, outcome or metric, a prior range outside the parameter's
    documented range, a malformed moment or target. Holds every problem found, each
    with its place in the file (``moments[2].metric``).
    """


class PluginError(NegsimError, RuntimeError):
    """A plugin cannot be loaded or registered (bad hook name, bad spec, ...)."""


class SimulationError(NegsimError, RuntimeError):
    """A run could not complete."""


class PluginCallError(SimulationError):
    """A plugin raised an exception inside a run, or returned a value the engine refuses.

    The original exception (any exception, ``SystemExit`` and ``KeyboardInterrupt``
    included) is chained as ``__cause__``; for a wrong return value ``error`` is a
    ``TypeError`` or ``ValueError`` saying what was returned and what was expected.

    Args:
        plugin: The name of the plugin whose code raised.
        hook: The hook being called.
        agent: The agent whose decision was being made, if any.
        round: The round in which it happened.
        error: The original exception.
        what: What the plugin did, when it did not raise (``"returned ..."``).
    """

    def __init__(
        self,
        plugin: str,
        hook: str,
        agent: str | None,
        round: int,
        error: BaseException,
        *,
        what: str | None = None,
    ) -> None:
        self.plugin = plugin
        self.hook = hook
        self.agent = agent
        self.round = round
        who = f" for agent {agent!r}" if agent else ""
        if what is None:
            text = f"{error}" if str(error) else "(no message)"
            what = f"raised {type(error).__name__}: {text}"
            super().__init__(
                f"plugin {plugin!r} raised {type(error).__name__} in {hook}{who} "
                f"in round {round}: {text}"
            )
        else:
            super().__init__(f"plugin {plugin!r} {what} in {hook}{who} in round {round}")


class MissingValueError(NegsimError, KeyError):
    """A rule was evaluated without a value for one or more of its parameters.

    Args:
        rule: The rule's name.
        missing: The parameters without a value.
        needed: Every parameter the rule needs.
    """

    def __init__(self, rule: str, missing: Iterable[str], needed: Iterable[str]) -> None:
        self.rule = rule
        self.missing = tuple(missing)
        self.needed = tuple(needed)
        plural = "s" * (len(self.missing) != 1)
        super().__init__(
            f"rule {rule!r} has no value for parameter{plural} "
            f"{', '.join(map(repr, self.missing))} (it needs {', '.join(self.needed)})"
        )

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class TimeLimitError(SimulationError, TimeoutError):
    """A run, or one hook call in it, took longer than its limit (:class:`negsim.Limits`).

    Args:
        limit: The limit's name (``run_seconds`` or ``decision_seconds``).
        seconds: The limit, in seconds.
        round: The round being played.
        plugin: The plugin running when the limit was reached, if one was.
        hook: The hook being called, if any.
        agent: The agent it was called for, if any.
        detail: What was finished before the limit (``negsim check``), if anything.
    """

    def __init__(
        self,
        limit: str,
        seconds: float,
        round: int,
        plugin: str | None = None,
        hook: str | None = None,
        agent: str | None = None,
        *,
        detail: str = "",
    ) -> None:
        self.limit = limit
        self.seconds = seconds
        self.round = round
        self.plugin = plugin
        self.hook = hook
        self.agent = agent
        what = {"run_seconds": "the run", "check_seconds": "negsim check"}.get(
            limit, "one hook call"
        )
        where = f" in round {round}" if round else ""
        if plugin is not None:
            who = f" for agent {agent!r}" if agent else ""
            where += f" (plugin {plugin!r} in {hook}{who})"
        if detail:
            where += f": {detail}"
        super().__init__(
            f"{what} took longer than {limit}={seconds:g} s{where}; "
            f"raise the limit with --limit {limit}=N (0: no limit) or "
            f"negsim.Limits({limit}=N)"
        )
