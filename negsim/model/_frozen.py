"""An immutable, hashable, picklable mapping for the value objects' parameter tables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NoReturn, TypeVar

K = TypeVar("K")
V = TypeVar("V")

__all__ = ["FrozenMap", "as_tuple", "freeze", "frozen_map"]


class FrozenMap(dict[K, V]):
    """A ``dict`` that refuses changes after construction.

    It compares, pickles and serialises as a plain ``dict``; it is hashable so the
    value objects that hold one stay hashable.
    """

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(
            f"{type(self).__name__} is immutable; use attrs.evolve() with a new mapping"
        )

    __setitem__ = __delitem__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse
    __ior__ = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))

    def __repr__(self) -> str:
        return f"FrozenMap({dict.__repr__(self)})"


def freeze(value: Mapping[K, V] | Iterable[tuple[K, V]] | None) -> FrozenMap[K, V]:
    """Convert a mapping (or pairs) to a :class:`FrozenMap`, keys sorted for stable order."""
    if isinstance(value, FrozenMap):
        return value
    items = dict(value or {})
    for key in items:
        if type(key) is not str:
            return FrozenMap(sorted(items.items(), key=lambda kv: str(kv[0])))
    # Keys that are all strings sort as their str(): no key function needed (and the
    # keys being distinct, the values are never compared).
    return FrozenMap(sorted(items.items()))


def frozen_map(value: Mapping[Any, Any] | Iterable[tuple[Any, Any]] | None) -> FrozenMap[Any, Any]:
    """Attrs converter: any mapping (or pairs) to a :class:`FrozenMap` (see :func:`freeze`)."""
    return freeze(value)


def as_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """Attrs converter: any iterable to a tuple."""
    return tuple(value)
