"""Calibration targets: the free parameters to fit and the moments to fit them to.

A targets file is TOML, read as data (nothing in it is evaluated)::

    [calibration]
    scenario = "korea-integrated"   # optional: the scenario's name, checked when given
    description = "..."

    [[parameters]]                  # one table per free parameter
    path = "agents.JPN.params.cost_nuclear"
    prior = [10.0, 200.0]           # uniform prior range, inside the documented range
    source = "assumption: no public price of a nuclear strike on Japan"

    [[moments]]                     # one table per target moment
    name = "alliance_reliability"
    statistic = "ratio"             # probability | mean | ratio
    numerator = ["commitments_honoured"]
    denominator = ["commitments_honoured", "commitments_defected"]
    given = ["metric.attacked > 0"] # optional: only the runs where every condition holds
    range = [0.50, 0.745]           # or: value = 0.6 and se = 0.05
    source = "Leeds, Long & Mitchell, JCR 2000; Berkemeier & Fuhrmann, R&P 2018"

The three statistics, over the runs that did not fail (and satisfy ``given``):

``probability``
    the share of runs whose outcome is one of ``outcomes`` (or ``outcome``);
``mean``
    the mean of ``metric`` (minus ``minus`` when given) over the runs that report it;
``ratio``
    the sum over runs of the ``numerator`` metrics divided by the sum of the
    ``denominator`` metrics (a metric a run does not report counts 0).

A condition in ``given`` is ``outcome in a, b``, ``outcome not in a, b``, ``outcome ==
a``, ``outcome != a``, or ``metric.NAME OP NUMBER`` (``rounds OP NUMBER`` too) with
``OP`` one of ``== != < <= > >=``; a run that does not report the metric fails the
condition.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from negsim.errors import Problem, ScenarioFileError, TargetsError
from negsim.model import Outcome, ParamSpec, Scenario
from negsim.plugins import PluginRegistry

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "STATISTICS",
    "Condition",
    "FreeParameter",
    "Moment",
    "MomentValue",
    "Targets",
    "evaluate_moment",
    "load_targets",
    "parse_targets",
]

Statistic = Literal["probability", "mean", "ratio"]

STATISTICS: tuple[Statistic, ...] = ("probability", "mean", "ratio")
"""The statistics a moment may be (see :mod:`negsim.experiments._targets`)."""

_OPS = ("==", "!=", "<=", ">=", "<", ">")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_CONDITION = re.compile(
    rf"^\s*(?P<column>outcome|rounds|metric\.{_NAME})\s*"
    r"(?P<op>not\s+in|in|==|!=|<=|>=|<|>)\s*(?P<value>.*?)\s*$"
)
_METRIC = re.compile(rf"^{_NAME}$")


@attrs.frozen
class Condition:
    """One condition of a moment's ``given``: which runs the moment is computed over.

    Attributes:
        column: ``outcome``, ``rounds`` or ``metric.<name>``.
        op: ``in``, ``not in``, ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``.
        values: The outcome names (``outcome``) ...
        number: ... or the number a metric is compared with.
    """

    column: str
    op: str
    values: tuple[str, ...] = ()
    number: float = math.nan

    def __str__(self) -> str:
        if self.column == "outcome":
            return f"outcome {self.op} {', '.join(self.values)}"
        return f"{self.column} {self.op} {self.number:g}"

    def mask(self, frame: pd.DataFrame) -> pd.Series:
        """Which rows of ``frame`` satisfy the condition (a missing metric does not)."""
        import operator

        import pandas as pd

        if self.column == "outcome":
            inside = frame["outcome"].isin(self.values)
            return ~inside if self.op in ("not in", "!=") else inside
        if self.column not in frame.columns:
            return pd.Series(False, index=frame.index)
        column = pd.to_numeric(frame[self.column], errors="coerce")
        compare = {
            "==": operator.eq,
            "!=": operator.ne,
            "<": operator.lt,
            "<=": operator.le,
            ">": operator.gt,
            ">=": operator.ge,
        }[self.op]
        return compare(column, self.number).fillna(False).astype(bool) & column.notna()


@attrs.frozen
class Moment:
    """A target moment: a statistic of the runs, its target and the target's source.

    Attributes:
        name: The moment's name (unique in the file).
        statistic: ``probability``, ``mean`` or ``ratio``.
        outcomes: For ``probability``: the outcomes counted.
        metric: For ``mean``: the metric averaged.
        minus: For ``mean``: a metric subtracted from it run by run, or empty.
        numerator: For ``ratio``: the metrics summed above the line.
        denominator: For ``ratio``: the metrics summed below it.
        given: The conditions a run must satisfy to count.
        value: The target value (``nan`` when a range is given).
        se: The target's standard error (``nan`` when a range is given).
        low: The low end of the target range (``nan`` for a value).
        high: The high end (``nan`` for a value).
        source: Where the target comes from.
        note: What the moment stands for in the model, and its caveats.
    """

    name: str
    statistic: Statistic
    outcomes: tuple[str, ...] = ()
    metric: str = ""
    minus: str = ""
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    given: tuple[Condition, ...] = ()
    value: float = math.nan
    se: float = math.nan
    low: float = math.nan
    high: float = math.nan
    source: str = ""
    note: str = ""

    @property
    def is_range(self) -> bool:
        """Whether the target is a range (rather than a value with a standard error)."""
        return math.isnan(self.value)

    @property
    def tolerance(self) -> float:
        """The target's own spread: its standard error, or half its range."""
        return self.se if not self.is_range else (self.high - self.low) / 2

    def band(self, z: float) -> tuple[float, float]:
        """The values that reproduce the target: its range, or ``value ± z * se``."""
        if self.is_range:
            return self.low, self.high
        return self.value - z * self.se, self.value + z * self.se

    def deviation(self, simulated: float) -> float:
        """How far ``simulated`` is from the target: outside its range, or from its value."""
        if self.is_range:
            return max(0.0, self.low - simulated, simulated - self.high)
        return abs(simulated - self.value)

    @property
    def target(self) -> str:
        """The target as text: ``[0.5, 0.745]`` or ``0.6 ± 0.05``."""
        if self.is_range:
            return f"[{self.low:g}, {self.high:g}]"
        return f"{self.value:g} ± {self.se:g}"

    @property
    def metrics(self) -> tuple[str, ...]:
        """Every metric the moment reads (in its statistic and its conditions)."""
        named = [self.metric, self.minus, *self.numerator, *self.denominator]
        named += [c.column.removeprefix("metric.") for c in self.given if c.column != "outcome"]
        return tuple(dict.fromkeys(m for m in named if m and m != "rounds"))

    def describe(self) -> str:
        """The statistic in words: ``P(outcome in fait_accompli | ...)``."""
        if self.statistic == "probability":
            what = f"P(outcome in {', '.join(self.outcomes)}"
        elif self.statistic == "mean":
            what = f"mean({self.metric}{' - ' + self.minus if self.minus else ''}"
        else:
            what = f"sum({' + '.join(self.numerator)}) / sum({' + '.join(self.denominator)}"
        given = f" | {' & '.join(map(str, self.given))}" if self.given else ""
        return f"{what}{given})"


@attrs.frozen
class FreeParameter:
    """A parameter to fit: its scenario path, uniform prior range and source.

    Attributes:
        path: The dotted scenario path, as for sweeps (``agents.JPN.params.cost_nuclear``).
        low: The prior range's low end.
        high: Its high end.
        source: Why this range (a citation, or ``assumption: ...``).
        kind: ``int`` or ``float``, the parameter's type.
        documented: The documented range of the parameter (its :class:`negsim.ParamSpec`).
    """

    path: str
    low: float
    high: float
    source: str
    kind: Literal["int", "float"] = "float"
    documented: tuple[float | None, float | None] = (None, None)


@attrs.frozen
class Targets:
    """A parsed targets file.

    Attributes:
        source: The file it came from (or a description of the input).
        parameters: The free parameters.
        moments: The target moments.
        scenario: The scenario name the file is written for, or empty for any.
        description: What the targets are, in a sentence or two.
        digest: A digest of the file's content (as parsed): a calibration resumes only
            with the same.
    """

    source: str
    parameters: tuple[FreeParameter, ...]
    moments: tuple[Moment, ...]
    scenario: str = ""
    description: str = ""
    digest: str = ""

    @property
    def paths(self) -> tuple[str, ...]:
        """The free parameters' paths."""
        return tuple(p.path for p in self.parameters)


# -- loading ---------------------------------------------------------------------------


def load_targets(
    path: str | os.PathLike[str], scenario: Scenario, registry: PluginRegistry | None = None
) -> Targets:
    """Read and check a targets file against ``scenario`` and its plugins.

    Args:
        path: The TOML file.
        scenario: The scenario to calibrate: the parameters must be its plugins'
            documented numeric parameters, the outcomes its world rules'.
        registry: The plugins; the installed ones when ``None``.

    Returns:
        The targets.

    Raises:
        negsim.ScenarioFileError: The file is missing, unreadable or not TOML.
        negsim.TargetsError: Every problem found, each with its place in the file.
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioFileError(source, [f"cannot read the targets file: {exc.strerror}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioFileError(source, [f"not valid TOML: {exc}"]) from None
    return parse_targets(data, scenario, source=source, registry=registry)


def parse_targets(
    data: Mapping[str, Any],
    scenario: Scenario,
    *,
    source: str = "<targets>",
    registry: PluginRegistry | None = None,
) -> Targets:
    """Check targets data (a parsed targets file) against ``scenario``.

    Args:
        data: The file's content, as :func:`tomllib.loads` gives it.
        scenario: The scenario to calibrate.
        source: The file name, for messages.
        registry: The plugins; the installed ones when ``None``.

    Returns:
        The targets.

    Raises:
        negsim.TargetsError: Every problem found, each with its place in the file.
    """
    from negsim.plugins import default_registry

    registry = registry or default_registry()
    problems: list[Problem] = []
    top = set(data) - {"calibration", "parameters", "moments"}
    for key in sorted(top):
        problems.append(Problem(key, "unknown table; expected calibration, parameters, moments"))
    head = data.get("calibration", {})
    if not isinstance(head, Mapping):
        problems.append(Problem("calibration", "expected a table"))
        head = {}
    for key in sorted(set(head) - {"scenario", "description"}):
        problems.append(
            Problem(f"calibration.{key}", "unknown key; expected scenario, description")
        )
    named = head.get("scenario", "")
    if named and named != scenario.name:
        problems.append(
            Problem(
                "calibration.scenario",
                f"the targets are for scenario {named!r}, not {scenario.name!r}",
            )
        )
    parameters = _parameters(data.get("parameters"), scenario, registry, problems)
    outcomes = _outcomes(scenario, registry)
    moments = _moments(data.get("moments"), outcomes, problems)
    if problems:
        raise TargetsError(source, problems)
    canonical = json.dumps(data, sort_keys=True, default=str)
    return Targets(
        source=source,
        parameters=tuple(parameters),
        moments=tuple(moments),
        scenario=str(named),
        description=str(head.get("description", "")),
        digest=hashlib.sha256(canonical.encode()).hexdigest()[:16],
    )


def _outcomes(scenario: Scenario, registry: PluginRegistry) -> tuple[str, ...]:
    declared = tuple(o.name for o in registry.spec(scenario.world_rules).outcomes)
    return (*(declared or tuple(o.value for o in Outcome)), Outcome.UNRESOLVED.value)


def _specs(path: str, scenario: Scenario, registry: PluginRegistry) -> tuple[list[ParamSpec], str]:
    """The specs of the plugin parameter at ``path``, or ``([], why not)``."""
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == "world" and parts[1] == "params":
        plugins: tuple[str, ...] = (scenario.world_rules,)
        name = parts[2]
    elif len(parts) == 4 and parts[0] == "agents" and parts[2] == "params":
        agent = next((a for a in scenario.agents if a.id == parts[1]), None)
        if agent is None:
            known = ", ".join(a.id for a in scenario.agents)
            return [], f"no agent {parts[1]!r}; known: {known}"
        plugins, name = agent.stack, parts[3]
    elif len(parts) == 4 and parts[0] == "negotiations" and parts[2] == "params":
        talks = next((n for n in scenario.negotiations if n.id == parts[1]), None)
        if talks is None:
            known = ", ".join(n.id for n in scenario.negotiations) or "(none)"
            return [], f"no negotiation {parts[1]!r}; known: {known}"
        plugins, name = (talks.protocol,), parts[3]
    else:
        return [], (
            "expected a plugin parameter: agents.<ID>.params.<NAME>, world.params.<NAME> "
            "or negotiations.<ID>.params.<NAME>"
        )
    specs = [p for plugin in plugins for p in registry.spec(plugin).params if p.name == name]
    if not specs:
        valid = sorted({p.name for plugin in plugins for p in registry.spec(plugin).params})
        owner = ", ".join(map(repr, plugins))
        return [], f"{owner} has no parameter {name!r}; valid: {', '.join(valid) or '(none)'}"
    return specs, ""


def _pair(value: object) -> tuple[float, float] | None:
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        and all(math.isfinite(v) for v in value)
    ):
        return float(value[0]), float(value[1])
    return None


def _parameters(
    raw: object, scenario: Scenario, registry: PluginRegistry, problems: list[Problem]
) -> list[FreeParameter]:
    if not isinstance(raw, list) or not raw:
        problems.append(Problem("parameters", "expected at least one [[parameters]] table"))
        return []
    out: list[FreeParameter] = []
    seen: set[str] = set()
    for i, table in enumerate(raw):
        where = f"parameters[{i}]"
        if not isinstance(table, Mapping):
            problems.append(Problem(where, "expected a table"))
            continue
        for key in sorted(set(table) - {"path", "prior", "source"}):
            problems.append(Problem(f"{where}.{key}", "unknown key; expected path, prior, source"))
        path = table.get("path")
        if not isinstance(path, str) or not path:
            problems.append(Problem(f"{where}.path", "expected a parameter path (text)"))
            continue
        if path in seen:
            problems.append(Problem(f"{where}.path", f"{path} is a free parameter twice"))
            continue
        seen.add(path)
        specs, why = _specs(path, scenario, registry)
        if not specs:
            problems.append(Problem(f"{where}.path", f"unknown parameter {path}: {why}"))
            continue
        kinds = {type(s.default) for s in specs}
        if not kinds <= {int, float}:
            problems.append(
                Problem(f"{where}.path", f"{path} is not numeric; only numbers can be fitted")
            )
            continue
        source = table.get("source")
        if not isinstance(source, str) or not source.strip():
            problems.append(
                Problem(
                    f"{where}.source",
                    "expected the prior's source (a citation, or 'assumption: why')",
                )
            )
        prior = _pair(table.get("prior"))
        if prior is None:
            problems.append(Problem(f"{where}.prior", "expected [low, high], two finite numbers"))
            continue
        low, high = prior
        if not low < high:
            problems.append(
                Problem(f"{where}.prior", f"expected low < high, got [{low:g}, {high:g}]")
            )
            continue
        lows = [s.low for s in specs if s.low is not None]
        highs = [s.high for s in specs if s.high is not None]
        doc_low, doc_high = (max(lows) if lows else None), (min(highs) if highs else None)
        if (doc_low is not None and low < doc_low) or (doc_high is not None and high > doc_high):
            shown = f"[{'-inf' if doc_low is None else f'{doc_low:g}'}, " + (
                f"{'inf' if doc_high is None else f'{doc_high:g}'}]"
            )
            problems.append(
                Problem(
                    f"{where}.prior",
                    f"[{low:g}, {high:g}] is outside the documented range {shown} of {path}",
                )
            )
            continue
        kind: Literal["int", "float"] = "int" if kinds == {int} else "float"
        out.append(FreeParameter(path, low, high, str(source or ""), kind, (doc_low, doc_high)))
    return out


def _names(value: object) -> tuple[str, ...] | None:
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    return None


def _condition(text: object, outcomes: Sequence[str]) -> tuple[Condition | None, str]:
    if not isinstance(text, str):
        return None, "expected a condition as text"
    m = _CONDITION.match(text)
    if m is None:
        return None, (
            f"cannot read {text!r}; expected 'outcome in A, B', 'outcome == A', "
            "'metric.NAME OP NUMBER' or 'rounds OP NUMBER' (OP: == != < <= > >=)"
        )
    column, op, value = m["column"], " ".join(m["op"].split()), m["value"]
    if column == "outcome":
        if op not in ("in", "not in", "==", "!="):
            return None, f"outcome takes in, not in, == or !=, not {op}"
        names = tuple(v.strip() for v in value.split(",") if v.strip())
        unknown = [n for n in names if n not in outcomes]
        if not names or unknown:
            shown = repr(unknown[0]) if unknown else "no outcome"
            return None, f"{shown} in {text!r}; choose from {', '.join(outcomes)}"
        if op in ("==", "!=") and len(names) != 1:
            return None, f"{op} compares with one outcome; use in or not in for several"
        return Condition(column, op, values=names), ""
    if op not in _OPS:
        return None, f"{column} takes == != < <= > >=, not {op}"
    try:
        number = float(value)
    except ValueError:
        return None, f"expected a number after {op} in {text!r}"
    return Condition(column, op, number=number), ""


_KEYS: dict[str, set[str]] = {
    "probability": {"outcome", "outcomes"},
    "mean": {"metric", "minus"},
    "ratio": {"numerator", "denominator"},
}
_COMMON = {"name", "statistic", "given", "value", "se", "range", "source", "note"}


def _moments(raw: object, outcomes: Sequence[str], problems: list[Problem]) -> list[Moment]:
    if not isinstance(raw, list) or not raw:
        problems.append(Problem("moments", "expected at least one [[moments]] table"))
        return []
    out: list[Moment] = []
    seen: set[str] = set()
    for i, table in enumerate(raw):
        where = f"moments[{i}]"
        if not isinstance(table, Mapping):
            problems.append(Problem(where, "expected a table"))
            continue
        found = len(problems)
        name = table.get("name")
        if not isinstance(name, str) or not _METRIC.match(name):
            problems.append(Problem(f"{where}.name", "expected a name: letters, digits, _"))
            name = ""
        elif name in seen:
            problems.append(Problem(f"{where}.name", f"moment {name!r} is defined twice"))
        seen.add(str(name))
        statistic = table.get("statistic")
        if statistic not in STATISTICS:
            problems.append(
                Problem(
                    f"{where}.statistic",
                    f"unknown statistic {statistic!r}; choose from {', '.join(STATISTICS)}",
                )
            )
            continue
        allowed = _COMMON | _KEYS[statistic]
        for key in sorted(set(table) - allowed):
            problems.append(
                Problem(
                    f"{where}.{key}",
                    f"unknown key for a {statistic} moment; expected {', '.join(sorted(allowed))}",
                )
            )
        fields: dict[str, Any] = {}
        if statistic == "probability":
            given_outcomes = table.get("outcomes", table.get("outcome"))
            names = _names(given_outcomes)
            key = "outcomes" if "outcomes" in table else "outcome"
            if names is None:
                problems.append(Problem(f"{where}.{key}", "expected an outcome or a list of them"))
            else:
                unknown = [n for n in names if n not in outcomes]
                if unknown:
                    problems.append(
                        Problem(
                            f"{where}.{key}",
                            f"unknown outcome {unknown[0]!r}; choose from {', '.join(outcomes)}",
                        )
                    )
                fields["outcomes"] = names
        elif statistic == "mean":
            for key in ("metric", "minus"):
                value = table.get(key, "")
                if (key == "metric" or value) and (
                    not isinstance(value, str) or not _METRIC.match(value)
                ):
                    problems.append(Problem(f"{where}.{key}", "expected a metric's name"))
                    continue
                fields[key] = value
        else:
            for key in ("numerator", "denominator"):
                names = _names(table.get(key))
                if names is None or not all(_METRIC.match(n) for n in names):
                    problems.append(Problem(f"{where}.{key}", "expected a list of metric names"))
                else:
                    fields[key] = names
        given = table.get("given", [])
        if isinstance(given, str):
            given = [given]
        conditions: list[Condition] = []
        if not isinstance(given, list):
            problems.append(Problem(f"{where}.given", "expected a list of conditions"))
        else:
            for j, text in enumerate(given):
                condition, why = _condition(text, outcomes)
                if condition is None:
                    problems.append(Problem(f"{where}.given[{j}]", why))
                else:
                    conditions.append(condition)
        fields.update(_target(table, where, problems))
        source = table.get("source")
        if not isinstance(source, str) or not source.strip():
            problems.append(Problem(f"{where}.source", "expected the target's source (a citation)"))
        note = table.get("note", "")
        if len(problems) == found:
            out.append(
                Moment(
                    name=str(name),
                    statistic=statistic,
                    given=tuple(conditions),
                    source=str(source),
                    note=str(note),
                    **fields,
                )
            )
    return out


def _target(table: Mapping[str, Any], where: str, problems: list[Problem]) -> dict[str, float]:
    has_range = "range" in table
    has_value = "value" in table or "se" in table
    if has_range == has_value:
        problems.append(
            Problem(where, "give the target as range = [low, high], or as value and se")
        )
        return {}
    if has_range:
        pair = _pair(table["range"])
        if pair is None or not pair[0] < pair[1]:
            problems.append(
                Problem(
                    f"{where}.range",
                    "expected [low, high] with low < high (a single figure: value and se)",
                )
            )
            return {}
        return {"low": pair[0], "high": pair[1]}
    value, se = table.get("value"), table.get("se")
    ok = [
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        for v in (value, se)
    ]
    if not ok[0]:
        problems.append(Problem(f"{where}.value", "expected a finite number"))
    if not ok[1] or (ok[1] and float(se) <= 0):  # type: ignore[arg-type]
        problems.append(Problem(f"{where}.se", "expected a standard error > 0"))
    if not all(ok) or float(se) <= 0:  # type: ignore[arg-type]
        return {}
    return {"value": float(value), "se": float(se)}  # type: ignore[arg-type]


# -- computing ---------------------------------------------------------------------------


@attrs.frozen
class MomentValue:
    """A moment computed from runs.

    Attributes:
        value: The statistic (``nan`` when no run counts, or the denominator is 0).
        se: Its standard error from the runs' spread (``nan`` where undefined).
        n: The runs it was computed over.
        count: For a probability, the runs with one of the outcomes.
    """

    value: float
    se: float
    n: int
    count: int = 0


def evaluate_moment(moment: Moment, frame: pd.DataFrame) -> MomentValue:
    """Compute ``moment`` over the rows of runs in ``frame`` (one point's runs, say).

    Failed runs (an ``error``) never count. A probability's standard error uses the
    count plus one half over the runs plus one, so that it is not 0 at 0 or 1; a
    mean's is the runs' standard deviation over the root of their number; a ratio's
    is the delta method's for a ratio of sums (runs as clusters).

    Args:
        moment: The moment.
        frame: Rows of runs with the columns of :mod:`negsim.experiments`.

    Returns:
        The value, its standard error and the runs it counted.
    """
    import numpy as np

    rows = frame
    if "error" in rows.columns:
        rows = rows[rows["error"].isna()]
    for condition in moment.given:
        rows = rows[condition.mask(rows)]
    if moment.statistic == "probability":
        n = len(rows)
        if n == 0:
            return MomentValue(math.nan, math.nan, 0)
        k = int(rows["outcome"].isin(moment.outcomes).sum())
        shrunk = (k + 0.5) / (n + 1)
        return MomentValue(k / n, math.sqrt(shrunk * (1 - shrunk) / n), n, k)
    if moment.statistic == "mean":
        column = f"metric.{moment.metric}"
        if column not in rows.columns:
            return MomentValue(math.nan, math.nan, 0)
        x = rows[column].astype(float)
        if moment.minus:
            other = f"metric.{moment.minus}"
            if other not in rows.columns:
                return MomentValue(math.nan, math.nan, 0)
            x = x - rows[other].astype(float)
        values = x.dropna().to_numpy(dtype=float)
        if len(values) == 0:
            return MomentValue(math.nan, math.nan, 0)
        se = float(values.std(ddof=1) / math.sqrt(len(values))) if len(values) > 1 else math.nan
        return MomentValue(float(values.mean()), se, len(values))
    top = _summed(rows, moment.numerator)
    bottom = _summed(rows, moment.denominator)
    used = bottom != 0
    total = float(bottom.sum())
    if total == 0:
        return MomentValue(math.nan, math.nan, 0)
    ratio = float(top.sum()) / total
    residual = top - ratio * bottom
    se = float(np.sqrt((residual**2).sum())) / total
    return MomentValue(ratio, se, int(used.sum()))


def _summed(rows: pd.DataFrame, metrics: Iterable[str]) -> Any:
    import numpy as np

    total = np.zeros(len(rows))
    for m in metrics:
        column = f"metric.{m}"
        if column in rows.columns:
            total = total + rows[column].astype(float).fillna(0.0).to_numpy()
    return total
