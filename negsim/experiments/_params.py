"""Swept parameters: grids (ranges and lists) and random samples (Latin hypercube, uniform).

A grid parameter is written ``PATH=SPEC``, where ``PATH`` is a dotted scenario path as
for ``--set`` (``agents.JPN.params.cost_nuclear``) and ``SPEC`` is either

* a range ``lo:hi:n``: ``n`` evenly spaced points from ``lo`` to ``hi``, both included
  (``0:1:11`` is 0, 0.1, ..., 1); or
* a list ``a,b,c`` of TOML literals: numbers, ``true``/``false``, or strings (quoted
  or bare: ``bilateral,"collective"``).

A sampled parameter is written ``PATH=LO:HI``. The values take the parameter's type in
the scenario: a parameter that is an integer there gets integers (a range needs whole
``lo``, ``hi`` and step; samples are drawn over the integers ``lo..hi``), any other
numeric parameter gets floats.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

import attrs

from negsim.engine import derive_seed
from negsim.experiments._errors import SweepError
from negsim.model import ParamValue

__all__ = [
    "Bound",
    "Design",
    "Parameter",
    "ParamKind",
    "Sample",
    "format_value",
    "lookup",
    "parse_bounds",
    "parse_grid",
    "sample_points",
]

ParamKind = Literal["bool", "int", "float", "str"]
"""The type of a swept parameter's column."""

SampleMethod = Literal["lhs", "uniform"]
"""How samples are drawn: ``lhs`` (Latin hypercube) or ``uniform`` (independent)."""

_RANGE = re.compile(r"^\s*([^:,]+?)\s*:\s*([^:,]+?)\s*:\s*([^:,]+?)\s*$")
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_BOUNDS = re.compile(rf"^\s*({_NUMBER})\s*:\s*({_NUMBER})\s*$")


@attrs.frozen
class Parameter:
    """One grid parameter: a scenario path and the values it takes.

    Attributes:
        path: The dotted scenario path (``agents.JPN.params.cost_nuclear``).
        values: Its values, in the order written; no duplicates.
        kind: The type of every value.
    """

    path: str
    values: tuple[ParamValue, ...]
    kind: ParamKind = "float"

    @property
    def column(self) -> str:
        """The results column: ``param.<path>``."""
        return f"param.{self.path}"


@attrs.frozen
class Bound:
    """The range a sampled parameter is drawn from.

    Attributes:
        path: The dotted scenario path.
        low: The smallest value.
        high: The largest value (inclusive for integers).
        kind: ``int`` or ``float``.
    """

    path: str
    low: float
    high: float
    kind: ParamKind = "float"

    @property
    def column(self) -> str:
        """The results column: ``param.<path>``."""
        return f"param.{self.path}"


@attrs.frozen
class Sample:
    """A random sample of parameter points.

    Attributes:
        n: How many points.
        bounds: One :class:`Bound` per sampled parameter.
        method: ``lhs`` (Latin hypercube: each parameter's range cut into ``n`` equal
            strata, one point in each) or ``uniform`` (independent uniform draws).
    """

    n: int
    bounds: tuple[Bound, ...]
    method: SampleMethod = "lhs"

    def __attrs_post_init__(self) -> None:
        if self.n < 1:
            raise SweepError(f"a sample needs at least one point, got {self.n}")
        if self.method not in ("lhs", "uniform"):
            raise SweepError(f"unknown sampling method {self.method!r}; choose lhs or uniform")
        if not self.bounds:
            raise SweepError("a sample needs bounds: PATH=LO:HI for each sampled parameter")


@attrs.frozen
class Design:
    """Explicit parameter points: a table of rows, one value per path in each.

    A design from elsewhere (a Sobol or Morris sample from SALib, a space-filling
    design, the points of an earlier study) runs as it is: each row is one point of
    the sweep, in order.

    Attributes:
        paths: The parameters' dotted scenario paths (the table's columns).
        rows: One tuple of values per point, in the order of ``paths``.
        kinds: The type of each column.
    """

    paths: tuple[str, ...]
    rows: tuple[tuple[ParamValue, ...], ...]
    kinds: tuple[ParamKind, ...]

    def __attrs_post_init__(self) -> None:
        if not self.paths:
            raise SweepError("design points need at least one parameter column")
        if not self.rows:
            raise SweepError("design points need at least one row")
        width = len(self.paths)
        bad = [i for i, row in enumerate(self.rows) if len(row) != width]
        if bad:
            raise SweepError(
                f"design row {bad[0]} has {len(self.rows[bad[0]])} values; "
                f"expected {width} ({', '.join(self.paths)})"
            )


def make_design(
    columns: Mapping[str, Sequence[Any]], current: Mapping[str, object] | None = None
) -> Design:
    """A :class:`Design` from columns of values, typed like the scenario's values.

    Args:
        columns: ``{path: values}``, every column as long as the others.
        current: The parameters' values in the scenario: an integer parameter takes
            integers (values are rounded to the nearest), a float parameter floats.

    Returns:
        The design.

    Raises:
        SweepError: Columns of different lengths, a value that is not a number,
            boolean or string, or values of mixed types in one column.

    Example:
        >>> d = make_design({"a.x": [0.25, 0.5], "a.n": [1.4, 2.6]}, {"a.n": 3})
        >>> d.rows, d.kinds
        (((0.25, 1), (0.5, 3)), ('float', 'int'))
    """
    current = current or {}
    lengths = {path: len(values) for path, values in columns.items()}
    if len(set(lengths.values())) > 1:
        raise SweepError(f"design columns of different lengths: {lengths}")
    typed: list[list[ParamValue]] = []
    kinds: list[ParamKind] = []
    for path, values in columns.items():
        plain = [v.item() if hasattr(v, "item") else v for v in values]  # numpy scalars
        found = {_kind(v) for v in plain}
        if not found <= {"bool", "int", "float", "str"}:
            raise SweepError(f"design column {path}: values must be numbers, booleans or text")
        if found <= {"int", "float"}:
            if _kind(current.get(path)) == "int":
                typed.append([round(float(v)) for v in plain])
                kinds.append("int")
            else:
                typed.append([float(v) + 0.0 for v in plain])
                kinds.append("float")
        elif len(found) == 1:
            typed.append(list(plain))
            kinds.append(found.pop())
        else:
            raise SweepError(f"design column {path}: values of different types")
    rows = tuple(zip(*typed, strict=True)) if typed else ()
    return Design(tuple(columns), rows, tuple(kinds))


# -- scenario values -------------------------------------------------------------------


def lookup(data: Mapping[str, Any], path: str) -> Any:
    """The value at ``path`` in scenario file data, or ``None`` where there is none.

    Tables in arrays (``agents``, ``alliances``, ``commitments``) are addressed by their
    ``id``, as for overrides.

    Args:
        data: Scenario data, as a scenario file or :func:`negsim.scenario.dump_scenario`.
        path: The dotted path.

    Returns:
        The value, or ``None``.
    """
    node: Any = data
    for part in path.split("."):
        if isinstance(node, list):
            node = next((t for t in node if isinstance(t, dict) and t.get("id") == part), None)
        elif isinstance(node, Mapping):
            node = node.get(part)
        else:
            return None
        if node is None:
            return None
    return node


def _kind(value: object) -> ParamKind:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "str"


def format_value(value: ParamValue) -> str:
    """A value as written in run keys: canonical, the same in every process.

    Example:
        >>> [format_value(v) for v in (True, 3, 0.1, "wedge")]
        ['true', '3', '0.1', '"wedge"']
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value + 0.0)  # -0.0 -> 0.0
    return json.dumps(value, ensure_ascii=False)


def _clean(x: float) -> float:
    """``x`` without floating-point noise (``0.30000000000000004`` -> ``0.3``)."""
    return float(f"{x:.12g}") + 0.0


# -- grid --------------------------------------------------------------------------------


def _split(text: str, where: str) -> tuple[str, str]:
    path, sep, spec = text.partition("=")
    path = path.strip()
    if not sep or not path or not spec.strip():
        raise SweepError(
            f"{where} {text!r}: expected PATH=SPEC, e.g. agents.JPN.params.cost_nuclear=0:120:7"
        )
    return path, spec.strip()


def parse_grid(text: str, current: object = None) -> Parameter:
    """Parse one grid parameter ``PATH=lo:hi:n`` or ``PATH=a,b,c``.

    Args:
        text: The parameter as written on the command line.
        current: The parameter's value in the scenario, if known: an integer makes a
            range of whole numbers integers; a float makes whole numbers floats.

    Returns:
        The parameter and its values.

    Raises:
        SweepError: The text is not a valid grid parameter.

    Example:
        >>> parse_grid("agents.JPN.params.cost_nuclear=0:100:5").values
        (0.0, 25.0, 50.0, 75.0, 100.0)
        >>> parse_grid("agents.JPN.doctrine=bilateral,collective").values
        ('bilateral', 'collective')
    """
    path, spec = _split(text, "--grid")
    match = _RANGE.match(spec)
    if match is not None:
        values, kind = _range(path, spec, *match.groups(), current=current)
    elif _looks_like_a_range(spec):
        raise SweepError(
            f"--grid {path}={spec}: a range has three parts, lo:hi:n (n points from lo "
            "to hi), e.g. 0:1:11; a list is a,b,c"
        )
    else:
        values, kind = _list(path, spec, current)
    if len(set(map(format_value, values))) != len(values):
        raise SweepError(f"--grid {path}: a value is listed twice in {spec!r}")
    return Parameter(path, values, kind)


def grid_size(values: Sequence[ParamValue] | str) -> int:
    """How many values a grid parameter has, without making them (to check a sweep's size).

    Args:
        values: ``"PATH=lo:hi:n"``, ``"PATH=a,b,c"``, a bare SPEC, or the values.

    Returns:
        The count; 1 for a SPEC that does not parse (parsing it reports the error).

    Example:
        >>> grid_size("x=0:1:1000000000000")
        1000000000000
    """
    if not isinstance(values, str):
        return len(values)
    spec = values.partition("=")[2] if "=" in values else values
    match = _RANGE.match(spec)
    if match is not None:
        text = match.group(3).strip()
        if text.isdigit():
            return int(text) if len(text) < 30 else 10**30
        return 1
    return max(1, spec.count(",") + 1)


def grid_parameter(
    path: str, values: Sequence[ParamValue] | str, current: object = None
) -> Parameter:
    """A grid parameter from a path and either a SPEC string or a sequence of values.

    Args:
        path: The dotted scenario path.
        values: ``"lo:hi:n"``, ``"a,b,c"`` or the values themselves.
        current: The parameter's value in the scenario, if known (see :func:`parse_grid`).

    Returns:
        The parameter.

    Raises:
        SweepError: Invalid values.
    """
    if isinstance(values, str):
        return parse_grid(f"{path}={values}", current)
    vals = list(values)
    if not vals:
        raise SweepError(f"--grid {path}: no values")
    kinds = {_kind(v) for v in vals}
    if kinds <= {"int", "float"} and ("float" in kinds or _kind(current) == "float"):
        vals = [float(v) for v in vals]
        kinds = {"float"}
    if len(kinds) != 1:
        raise SweepError(f"--grid {path}: values of different types: {vals!r}")
    if len(set(map(format_value, vals))) != len(vals):
        raise SweepError(f"--grid {path}: a value is listed twice in {vals!r}")
    return Parameter(path, tuple(vals), kinds.pop())


def _looks_like_a_range(spec: str) -> bool:
    """Numbers joined by colons (``0:1``, ``0:1:3:4``): a range mistyped, not a string."""
    if ":" not in spec or "," in spec or '"' in spec:
        return False
    try:
        [float(part) for part in spec.split(":")]
    except ValueError:
        return False
    return True


def _number(text: str, what: str, path: str, spec: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SweepError(
            f"--grid {path}={spec}: {what} {text!r} is not a number; "
            "a range is lo:hi:n, e.g. 0:1:11"
        ) from None
    if not math.isfinite(value):
        raise SweepError(f"--grid {path}={spec}: {what} must be finite")
    return value


def _range(
    path: str, spec: str, lo_text: str, hi_text: str, n_text: str, *, current: object
) -> tuple[tuple[ParamValue, ...], ParamKind]:
    lo = _number(lo_text, "lo", path, spec)
    hi = _number(hi_text, "hi", path, spec)
    try:
        n = int(n_text)
    except ValueError:
        raise SweepError(
            f"--grid {path}={spec}: n must be a whole number of points, got {n_text!r}"
        ) from None
    if n < 1:
        raise SweepError(f"--grid {path}={spec}: n must be at least 1")
    if n == 1:
        points = [lo]
    else:
        points = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
        points[-1] = hi
    points = [_clean(p) for p in points]
    if _kind(current) == "int" and all(p.is_integer() for p in points):
        ints = tuple(int(p) for p in points)
        if len(set(ints)) != len(ints):
            raise SweepError(f"--grid {path}={spec}: repeats a value")
        return ints, "int"
    if len(set(points)) != len(points):
        raise SweepError(f"--grid {path}={spec}: repeats a value (lo == hi with n > 1?)")
    return tuple(points), "float"


def _items(spec: str) -> list[str]:
    """Split on commas outside double quotes."""
    items: list[str] = []
    buf: list[str] = []
    quoted = False
    for ch in spec:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            items.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
    items.append("".join(buf).strip())
    return items


def _literal(raw: str, where: str = "--grid") -> ParamValue:
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw
    except (ValueError, RecursionError):  # tomllib's int() over the digit limit; nesting
        raise SweepError(
            f"{where}: a value negsim cannot read: {raw[:20]}... (an integer with more than 4,300 "
            "digits, or arrays nested too deeply)"
        ) from None
    if isinstance(value, (bool, int, float, str)):
        return value
    return raw


def _list(path: str, spec: str, current: object) -> tuple[tuple[ParamValue, ...], ParamKind]:
    raw = _items(spec)
    if any(not r for r in raw):
        raise SweepError(f"--grid {path}={spec}: an empty value in the list")
    param = grid_parameter(path, [_literal(r, f"--grid {path}") for r in raw], current)
    return param.values, param.kind


# -- samples ------------------------------------------------------------------------------


def parse_bounds(text: str, current: object = None) -> Bound:
    """Parse one sampled parameter ``PATH=LO:HI``.

    Args:
        text: As written on the command line.
        current: The parameter's value in the scenario; an integer samples integers.

    Returns:
        The bound.

    Raises:
        SweepError: Not ``PATH=LO:HI`` with ``LO <= HI``.

    Example:
        >>> parse_bounds("agents.USA.params.p_nuc=0:0.1")
        Bound(path='agents.USA.params.p_nuc', low=0.0, high=0.1, kind='float')
    """
    path, spec = _split(text, "--bounds")
    match = _BOUNDS.match(spec)
    if match is None:
        raise SweepError(f"--bounds {path}={spec}: expected LO:HI, e.g. 0:1")
    return make_bound(path, float(match.group(1)), float(match.group(2)), current)


def make_bound(path: str, low: float, high: float, current: object = None) -> Bound:
    """A :class:`Bound`, integer when ``current`` is an integer.

    Args:
        path: The dotted scenario path.
        low: The smallest value.
        high: The largest value.
        current: The parameter's value in the scenario, if known.

    Returns:
        The bound.

    Raises:
        SweepError: ``low > high``, values not finite, or not whole numbers for an
            integer parameter.
    """
    if not (math.isfinite(low) and math.isfinite(high)) or low > high:
        raise SweepError(f"--bounds {path}: expected finite LO <= HI, got {low}:{high}")
    if _kind(current) == "int":
        if not (float(low).is_integer() and float(high).is_integer()):
            raise SweepError(
                f"--bounds {path}: the parameter is an integer; "
                f"bounds must be whole numbers, got {low}:{high}"
            )
        return Bound(path, float(low), float(high), "int")
    return Bound(path, float(low), float(high), "float")


def sample_points(sample: Sample, seed: int) -> list[tuple[ParamValue, ...]]:
    """The sample's points, reproducible from ``seed``.

    The stream is :func:`negsim.engine.derive_seed` ``(seed, "sample", method)``; a
    Latin hypercube shuffles ``n`` strata per parameter and draws one point in each.

    Args:
        sample: What to draw.
        seed: The sweep's seed.

    Returns:
        ``sample.n`` tuples, one value per bound, in the bounds' order.
    """
    rng = random.Random(derive_seed(seed, "sample", sample.method))
    n = sample.n
    columns: list[list[ParamValue]] = []
    for bound in sample.bounds:
        if sample.method == "lhs":
            strata = list(range(n))
            rng.shuffle(strata)
            units = [(s + rng.random()) / n for s in strata]
        else:
            units = [rng.random() for _ in range(n)]
        if bound.kind == "int":
            lo, hi = int(bound.low), int(bound.high)
            columns.append([min(hi, lo + math.floor(u * (hi - lo + 1))) for u in units])
        else:
            columns.append([bound.low + u * (bound.high - bound.low) for u in units])
    return list(zip(*columns, strict=True)) if columns else [()] * n


def iter_points(
    parameters: Sequence[Parameter], samples: Sequence[tuple[ParamValue, ...]] | None
) -> Iterator[tuple[ParamValue, ...]]:
    """Every point: the grid's cartesian product, crossed with the sample if any.

    Args:
        parameters: The grid parameters (the first varies slowest).
        samples: The sample's points, or ``None``.

    Yields:
        One tuple per point: grid values then sampled values.
    """
    grid = itertools.product(*(p.values for p in parameters))
    if samples is None:
        yield from grid
        return
    for g in grid:
        for s in samples:
            yield (*g, *s)
