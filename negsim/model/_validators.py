"""The two validators attrs has no equivalent for; every other check uses attrs' own.

attrs' ``matches_re`` would report an id as ``'id' must match regex '...' ('X Y'
doesn't)``, and ``deep_mapping(value_validator=ge(0))`` a table as ``'forces_hosted'
must be >= 0: -5``, without the key. These say the rule in words, and name the key.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*")


def identifier(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    """Refuse an id that the proposition language could not name (``ROK``, ``US-ROK``)."""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise ValueError(
            f"{attribute.name!r} must be letters, digits, '_' or '-', "
            f"starting with a letter or digit: {value!r}"
        )


def non_negative_values(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Refuse a mapping with a negative value: ``forces_hosted.USA must be >= 0: -5``."""
    for key, number in value.items():
        if number < 0:
            raise ValueError(f"{attribute.name}.{key} must be >= 0: {number!r}")
