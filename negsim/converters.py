"""The cattrs converter shared by the edges: scenario files, event logs and results.

One converter structures TOML and JSON data into :mod:`negsim.model` objects and
unstructures them back, so a scenario, an event log and a sweep row spell every value
the same way. It is strict: unknown keys and wrong types fail, with a message that
names what was expected (``expected a number, got str 'x'``). Booleans are never taken
for numbers, strings never for arrays.

It validates in detail: a failure is a tree of cattrs errors that
:func:`cattrs.transform_error` flattens into one message per problem, each with its
path (``$.agents[2].capabilities.nuclear``). A table's keys are paths too
(``$.world.variables.tension``), and so is a field whose attrs validator refuses its
value: the validator's own message (``'nuclear' must be >= 0: -1``) is reported at
that field, not at the table that holds it.

This module sits at the top of the edges layer: :mod:`negsim.scenario` and
:mod:`negsim.results` both import it, and neither imports the other.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory, list_structure_factory
from cattrs.errors import AttributeValidationNote, ClassValidationError, ForbiddenExtraKeysError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from negsim.model import (
    DiscretePrior,
    FrozenMap,
    NormalPrior,
    ParamValue,
    Prior,
    TriangularPrior,
    UniformPrior,
    freeze,
)

__all__ = ["PRIOR_KINDS", "converter"]

_Hook = Callable[[Any, Any], Any]


def _shown(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


def _is_param_value(t: Any) -> bool:
    return bool(t == ParamValue)


def _is_frozen_map(t: Any) -> bool:
    return t is FrozenMap or get_origin(t) is FrozenMap


def _is_array(t: Any) -> bool:
    args = get_args(t)
    if get_origin(t) is list:
        return len(args) == 1
    return get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


def _note(exc: Exception, name: str, type_: Any, where: str) -> Exception:
    exc.add_note(AttributeValidationNote(f"Structuring {where} @ {name!r}", name, type_))
    return exc


def _frozen_map_factory(cls: Any, conv: cattrs.Converter) -> _Hook:
    """Tables (``params``, ``variables``): each key's value structured, its key a path."""
    args = get_args(cls)
    vtype = args[1] if len(args) == 2 else ParamValue
    handler = conv.get_structure_hook(vtype)

    def structure_frozen(value: Any, _: Any) -> FrozenMap[str, Any]:
        if not isinstance(value, Mapping):
            raise TypeError(f"expected a table, got {_shown(value)}")
        out: dict[str, Any] = {}
        errors: list[Exception] = []
        for key, item in value.items():
            try:
                out[str(key)] = handler(item, vtype)
            except Exception as exc:
                errors.append(_note(exc, str(key), vtype, "table"))
        if errors:
            raise ClassValidationError("While structuring a table", errors, FrozenMap)
        return freeze(out)

    return structure_frozen


def _array_factory(t: Any, conv: cattrs.Converter) -> _Hook:
    """Arrays: a TOML array (a list or tuple) and nothing else, not even a string."""
    base = (
        list_structure_factory if get_origin(t) is list else homogenous_tuple_structure_factory
    )(t, conv)

    def structure_array(value: Any, _: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"expected an array, got {_shown(value)}")
        return base(value, t)

    return structure_array


def _attrs_factory(cl: Any, conv: cattrs.Converter) -> _Hook:
    """Structure attrs classes as cattrs does, but blame a validator's refusal on its field.

    attrs runs a class's validators in ``__init__``, once every field is structured,
    and stops at the first refusal; cattrs can then only blame the whole table, and
    not at all when another field failed first. So when a table fails, each validated
    field that did structure is checked on its own, and every refusal is reported at
    its field, with the validator's message, next to the table's other problems.
    """
    attrs.resolve_types(cl)
    base = make_dict_structure_fn(cl, conv)
    checked = tuple(
        a
        for a in attrs.fields(cl)
        if a.validator is not None and a.init and not isinstance(a.converter, attrs.Converter)
    )

    def refusals(value: Mapping[str, Any], failed: set[str]) -> list[Exception]:
        errors: list[Exception] = []
        for a in checked:
            if a.name not in value or a.name in failed or a.validator is None:
                continue
            try:
                item = conv.structure(value[a.name], a.type) if a.type else value[a.name]
                if a.converter is not None:
                    item = a.converter(item)
                a.validator(None, a, item)
            except AttributeError:  # a validator that compares fields needs the instance:
                continue  # what __init__ raised stands for it
            except (ValueError, TypeError) as exc:
                errors.append(_note(exc, a.name, a.type, f"class {cl.__qualname__}"))
        return errors

    def structure_attrs(value: Any, _: Any) -> Any:
        if not isinstance(value, Mapping):
            raise TypeError(f"expected a table, got {_shown(value)}")
        try:
            return base(value, cl)
        except ClassValidationError as exc:
            noted, plain = exc.group_exceptions()
            refused = refusals(value, {note.name for _, note in noted})
            if not refused:
                raise
            # what __init__ raised (not a ForbiddenExtraKeysError) is what ``refused`` explains
            kept = [e for e, _ in noted] + [
                e for e in plain if isinstance(e, ForbiddenExtraKeysError)
            ]
            raise ClassValidationError(exc.message, [*kept, *refused], cl) from None

    return structure_attrs


def _structure_enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    try:
        return cls(value)
    except (ValueError, TypeError):
        choices = ", ".join(str(m.value) for m in cls)
        raise ValueError(f"{value!r} is not a valid choice; valid: {choices}") from None


def _structure_param(value: Any, _: Any) -> ParamValue:
    if isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"expected a number, boolean or string, got {_shown(value)}")


def _structure_float(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {_shown(value)}")
    return float(value)


def _structure_int(value: Any, _: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {_shown(value)}")
    return value


def _structure_str(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {_shown(value)}")
    return value


def _structure_bool(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {value!r}")
    return value


PRIOR_KINDS: dict[str, type] = {
    "discrete": DiscretePrior,
    "normal": NormalPrior,
    "triangular": TriangularPrior,
    "uniform": UniformPrior,
}
"""The kinds of prior a scenario file may declare (its ``kind`` key), by name."""

_KIND_OF = {cls: kind for kind, cls in PRIOR_KINDS.items()}


def _is_prior(t: Any) -> bool:
    return bool(t == Prior or t == Prior | None)


def _prior_factory(t: Any, conv: cattrs.Converter) -> _Hook:
    """A prior from a table whose ``kind`` names the class (``kind = "uniform"``)."""

    def structure_prior(value: Any, _: Any) -> Any:
        if value is None and t != Prior:
            return None
        if not isinstance(value, Mapping):
            raise TypeError(f"expected a table, got {_shown(value)}")
        kind = value.get("kind")
        cls = PRIOR_KINDS.get(kind) if isinstance(kind, str) else None
        if cls is None:
            raise ValueError(
                f"'kind' must be one of {', '.join(PRIOR_KINDS)}: {kind!r}"
                if "kind" in value
                else f"a prior needs a 'kind', one of {', '.join(PRIOR_KINDS)}"
            )
        return conv.structure({k: v for k, v in value.items() if k != "kind"}, cls)

    return structure_prior


def _prior_unstructure_factory(cls: Any, conv: cattrs.Converter) -> Callable[[Any], Any]:
    """A prior as a table with its ``kind`` first.

    The computed ``types`` of a continuous prior are left out: they follow from its
    parameters.
    """
    fields = make_dict_unstructure_fn(cls, conv)
    kind = _KIND_OF[cls]
    init = {f.name for f in attrs.fields(cls) if f.init}

    def unstructure_prior(prior: Any) -> dict[str, Any]:
        return {"kind": kind, **{k: v for k, v in fields(prior).items() if k in init}}

    return unstructure_prior


_SCALARS: dict[type, _Hook] = {
    float: _structure_float,
    int: _structure_int,
    str: _structure_str,
    bool: _structure_bool,
}


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook_func(_is_param_value, _structure_param)  # kept by copy()
    for scalar, hook in _SCALARS.items():
        conv.register_structure_hook(scalar, hook)
    for kind in (enum.Enum, enum.StrEnum, enum.IntEnum):  # before str and int in an enum's MRO
        conv.register_structure_hook(kind, _structure_enum)
    conv.register_structure_hook_factory(_is_frozen_map, _frozen_map_factory)
    conv.register_structure_hook_factory(_is_array, _array_factory)
    conv.register_structure_hook_factory(_is_prior, _prior_factory)
    conv.register_structure_hook_factory(attrs.has, _attrs_factory)
    conv.register_unstructure_hook_func(_is_frozen_map, dict)
    conv.register_unstructure_hook_factory(lambda cls: cls in _KIND_OF, _prior_unstructure_factory)
    return conv


converter = _make_converter()
"""The converter for scenario, event-log and result data (strict: unknown keys and wrong
types fail; every failure has a path, see :func:`cattrs.transform_error`)."""
