"""Options several commands share: ``--limit``, ``--backend``, ``--workers``, ``--confidence``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
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


_FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def _figure_path(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    if value is not None and value.suffix.lower() not in _FIGURE_SUFFIXES:
        raise click.BadParameter(f"name the figure *.png, *.svg or *.pdf, got {str(value)!r}")
    return value


def figure_option(what: str) -> Callable[[_F], _F]:
    """Add ``--plot FILE``: also draw ``what`` (``"the indices"``) to a .png, .svg or .pdf."""
    return click.option(
        "--plot",
        "plot",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        metavar="FILE",
        callback=_figure_path,
        help=f"Also draw {what}: .png, .svg or .pdf.",
    )
