"""attrs validators whose messages name the field and the value."""

from __future__ import annotations

import re
from typing import Any

import attrs

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")


def non_negative(instance: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    """Refuse a negative number: ``'conventional' must be >= 0: -3``."""
    if value < 0:
        raise ValueError(f"{attribute.name!r} must be >= 0: {value!r}")


def identifier(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    """Refuse an id that the proposition language could not name (``ROK``, ``US-ROK``)."""
    if not isinstance(value, str) or not _ID.match(value):
        raise ValueError(
            f"{attribute.name!r} must be letters, digits, '_' or '-', "
            f"starting with a letter or digit: {value!r}"
        )


def non_negative_values(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Refuse a mapping with a negative value."""
    for key, number in value.items():
        if number < 0:
            raise ValueError(f"{attribute.name}.{key} must be >= 0: {number!r}")
