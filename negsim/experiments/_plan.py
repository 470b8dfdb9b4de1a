"""The runs of a sweep: points x replicates, each with its key and seed.

A run's key names its parameter values (sorted by path, canonical text) and its
replicate::

    agents.JPN.params.cost_nuclear=30.0;replicate=17

and its seed is :func:`negsim.engine.derive_seed` ``(sweep seed, "run", key)``. A
sweep of explicit design points adds the point's index before the replicate
(``...;point=12;replicate=3``), since a design may list one point twice. Neither
depends on the order runs are made, the backend or the number of workers.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

import attrs

from negsim.engine import derive_seed
from negsim.experiments._params import (
    Design,
    Parameter,
    ParamKind,
    Sample,
    format_value,
    iter_points,
    sample_points,
)
from negsim.model import ParamValue

__all__ = ["Plan", "RunSpec", "chunked", "point_key", "run_key"]

_T = TypeVar("_T")


@attrs.frozen
class RunSpec:
    """One run of a sweep, as sent to a worker.

    Attributes:
        key: The run key (see the module docstring).
        point: The index of its parameter point in the sweep.
        values: Its parameter values, in the order of :attr:`Plan.paths`.
        replicate: Its replicate number, from 0.
        seed: Its seed.
    """

    key: str
    point: int
    values: tuple[ParamValue, ...]
    replicate: int
    seed: int


def point_key(paths: Sequence[str], values: Sequence[ParamValue]) -> str:
    """The key of a parameter point: ``path=value`` pairs sorted by path, ``;``-joined.

    Example:
        >>> point_key(["b.x", "a.y"], [0.5, True])
        'a.y=true;b.x=0.5'
    """
    return ";".join(f"{p}={format_value(v)}" for p, v in sorted(zip(paths, values, strict=True)))


def run_key(paths: Sequence[str], values: Sequence[ParamValue], replicate: int) -> str:
    """The key of a run: its point's key and ``replicate=<n>``.

    Example:
        >>> run_key(["agents.JPN.params.cost_nuclear"], [30.0], 17)
        'agents.JPN.params.cost_nuclear=30.0;replicate=17'
    """
    head = point_key(paths, values)
    return f"{head};replicate={replicate}" if head else f"replicate={replicate}"


@attrs.frozen
class Plan:
    """Every run of a sweep, generated lazily in a fixed order (point, then replicate).

    Attributes:
        parameters: The grid parameters.
        sample: The random sample, if any.
        runs: Replicates per point.
        seed: The sweep's seed.
        design: Explicit design points, if any (crossed with the grid and sample).
    """

    parameters: tuple[Parameter, ...]
    sample: Sample | None
    runs: int
    seed: int
    design: Design | None = None
    _samples: tuple[tuple[ParamValue, ...], ...] | None = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        points = None if self.sample is None else tuple(sample_points(self.sample, self.seed))
        object.__setattr__(self, "_samples", points)

    @property
    def paths(self) -> tuple[str, ...]:
        """The swept paths: grid parameters, then sampled ones."""
        sampled = () if self.sample is None else tuple(b.path for b in self.sample.bounds)
        design = () if self.design is None else self.design.paths
        return tuple(p.path for p in self.parameters) + sampled + design

    @property
    def kinds(self) -> tuple[ParamKind, ...]:
        """The type of each swept path's values."""
        sampled = () if self.sample is None else tuple(b.kind for b in self.sample.bounds)
        design = () if self.design is None else self.design.kinds
        return tuple(p.kind for p in self.parameters) + sampled + design

    @property
    def columns(self) -> tuple[str, ...]:
        """The parameter columns of the results: ``param.<path>``."""
        return tuple(f"param.{p}" for p in self.paths)

    @property
    def n_points(self) -> int:
        """How many parameter points."""
        n = 1
        for p in self.parameters:
            n *= len(p.values)
        n *= 1 if self.sample is None else self.sample.n
        return n * (1 if self.design is None else len(self.design.rows))

    def __len__(self) -> int:
        return self.n_points * self.runs

    def points(self) -> Iterator[tuple[ParamValue, ...]]:
        """Every parameter point, in order: grid, then sample, then design values."""
        extra: Sequence[tuple[ParamValue, ...]] | None = self._samples
        if self.design is not None:
            rows = self.design.rows
            extra = rows if extra is None else [(*s, *r) for s in extra for r in rows]
        return iter_points(self.parameters, extra)

    def __iter__(self) -> Iterator[RunSpec]:
        paths = self.paths
        for index, values in enumerate(self.points()):
            for replicate in range(self.runs):
                key = run_key(paths, values, replicate)
                if self.design is not None:
                    # A design may repeat a point (integers rounded, a Morris
                    # trajectory): the row's index keeps every run's key unique.
                    head, _, tail = key.rpartition(";")
                    key = f"{head};point={index};{tail}" if head else f"point={index};{tail}"
                yield RunSpec(key, index, values, replicate, derive_seed(self.seed, "run", key))

    def remaining(self, done: Iterable[str] = ()) -> Iterator[RunSpec]:
        """The runs whose keys are not in ``done``, in order."""
        skip = done if isinstance(done, (set, frozenset)) else set(done)
        return (r for r in self if r.key not in skip)


def chunked(
    runs: Iterable[_T], size: int, *, total: int | None = None, workers: int = 1
) -> Iterator[list[_T]]:
    """Consecutive chunks of at most ``size`` runs, shrinking towards the end.

    Without ``total``, every chunk but the last holds ``size`` runs. With ``total``
    (how many runs ``runs`` yields), the last chunks shrink so that ``workers`` workers
    finish at about the same time rather than one of them running a whole chunk
    while the others wait: each chunk holds at most ``ceil(left / (2 * workers))``
    runs, where ``left`` is how many are not yet in a chunk, and at least a tenth of
    ``size`` (so a tail of tiny chunks does not cost more in hand-offs than it saves).

    Example:
        >>> sizes = lambda n, size, workers: [
        ...     len(c) for c in chunked(range(n), size, total=n, workers=workers)]
        >>> sizes(1000, 100, 2)
        [100, 100, 100, 100, 100, 100, 100, 75, 57, 42, 32, 24, 18, 13, 10, 10, 10, 9]
        >>> [len(c) for c in chunked(range(250), 100)]
        [100, 100, 50]
    """
    it = iter(runs)
    if total is None:
        while chunk := list(itertools.islice(it, size)):
            yield chunk
        return
    left = total
    smallest = max(1, size // 10)
    share = 2 * max(1, workers)
    while True:
        n = min(size, max(smallest, -(-left // share)))
        chunk = list(itertools.islice(it, n))
        if not chunk:
            return
        left -= len(chunk)
        yield chunk
