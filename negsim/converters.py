"""The cattrs converter shared by the edges: scenario files, event logs and results.

One converter structures TOML and JSON data into :mod:`negsim.model` objects and
unstructures them back, so a scenario, an event log and a sweep row spell every value
the same way. It is strict: unknown keys and wrong types fail, with a message that
names what was expected (``expected a number, got str 'x'``). Booleans are never taken
for numbers.

This module sits at the top of the edges layer: :mod:`negsim.scenario` and
:mod:`negsim.results` both import it, and neither imports the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args, get_origin

import cattrs

from negsim.model import FrozenMap, ParamValue, freeze

__all__ = ["converter"]


def _is_frozen_map(t: Any) -> bool:
    return t is FrozenMap or get_origin(t) is FrozenMap


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)

    def structure_param(value: Any, _: Any) -> ParamValue:
        if isinstance(value, (bool, int, float, str)):
            return value
        raise TypeError(f"expected a number, boolean or string, got {type(value).__name__}")

    def structure_frozen(value: Any, cls: Any) -> FrozenMap[Any, Any]:
        if not isinstance(value, Mapping):
            raise TypeError(f"expected a table, got {type(value).__name__} {value!r}")
        args = get_args(cls)
        vtype = args[1] if len(args) == 2 else Any
        out: dict[str, Any] = {}
        for k, v in value.items():
            if vtype is float:
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise TypeError(f"{k}: expected a number, got {type(v).__name__} {v!r}")
                out[str(k)] = float(v)
            elif vtype is bool:
                if not isinstance(v, bool):
                    raise TypeError(f"{k}: expected true or false, got {v!r}")
                out[str(k)] = v
            else:
                out[str(k)] = structure_param(v, None)
        return freeze(out)

    conv.register_structure_hook_func(_is_frozen_map, structure_frozen)
    conv.register_structure_hook(ParamValue, structure_param)

    def structure_float(value: Any, _: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"expected a number, got {type(value).__name__} {value!r}")
        return float(value)

    def structure_int(value: Any, _: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"expected an integer, got {type(value).__name__} {value!r}")
        return value

    def structure_str(value: Any, _: Any) -> str:
        if not isinstance(value, str):
            raise TypeError(f"expected a string, got {type(value).__name__} {value!r}")
        return value

    def structure_bool(value: Any, _: Any) -> bool:
        if not isinstance(value, bool):
            raise TypeError(f"expected true or false, got {value!r}")
        return value

    conv.register_structure_hook(float, structure_float)
    conv.register_structure_hook(int, structure_int)
    conv.register_structure_hook(str, structure_str)
    conv.register_structure_hook(bool, structure_bool)
    conv.register_unstructure_hook_func(_is_frozen_map, dict)
    return conv


converter = _make_converter()
"""The converter for scenario, event-log and result data (strict: unknown keys and wrong
types fail)."""
