"""Options several commands share: ``--limit``, ``--backend``, ``--workers``, ``--confidence``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from negsim.model import Limits

__all__ = ["backend_options", "confidence_option", "limit_option", "parse_limits"]

_F = TypeVar("_F", bound=Callable[..., Any])


def _limits_help() -> str:
    defaults = Limits()
    shown = ", ".join(f"{name}={getattr(defaults, name):g}" for name in Limits.names())
    return (
        "Change a limit that keeps the command bounded, e.g. run_seconds=600 or "
        f"max_rounds=1000000; 0 or off removes it. Repeatable. Defaults: {shown}."
    )


def limit_option(command: _F) -> _F:
    """Add ``--limit NAME=VALUE`` (repeatable) to ``command``, as the ``limits`` argument."""
    return click.option(
        "--limit",
        "limits",
        multiple=True,
        metavar="NAME=VALUE",
        callback=lambda ctx, param, value: parse_limits(value),
        help=_limits_help(),
    )(command)


def parse_limits(items: tuple[str, ...]) -> Limits:
    """The :class:`negsim.Limits` that ``--limit`` options give.

    Raises:
        click.BadParameter: An unknown name or a bad value (exit code 2).
    """
    try:
        return Limits.parse(items)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--limit'") from None


def backend_options(where: str) -> Callable[[_F], _F]:
    """Add ``--backend`` (``serial``, ``process``, ``dask``) and ``--workers N``.

    Args:
        where: The end of ``--backend``'s help: what the runs are (``"runs execute"``).
    """

    def add(command: _F) -> _F:
        command = click.option(
            "--workers",
            type=click.IntRange(min=1),
            default=None,
            metavar="N",
            help="Worker processes (process pool or a new Dask LocalCluster); default: one "
            "per core.",
        )(command)
        return click.option(
            "--backend",
            type=click.Choice(["serial", "process", "dask"]),
            default="process",
            show_default=True,
            help=f"Where {where}: this process, a local process pool, or Dask distributed.",
        )(command)

    return add


def confidence_option(intervals: str) -> Callable[[_F], _F]:
    """Add ``--confidence`` (default 0.95): the coverage of ``intervals`` (``"Wilson bands"``)."""
    return click.option(
        "--confidence",
        type=click.FloatRange(0, 1, min_open=True, max_open=True),
        default=0.95,
        show_default=True,
        help=f"Coverage of the {intervals}.",
    )
