"""The plain values that parameters, message content and types hold."""

from __future__ import annotations

__all__ = ["ParamValue"]

ParamValue = float | int | bool | str
"""The type of one doctrine or world-rules parameter."""
