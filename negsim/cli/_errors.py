"""Error handling for every command, in one place.

============================================  =========  ==============================
Error                                          Exit code  Output on stderr
============================================  =========  ==============================
:class:`negsim.ScenarioError` and subclasses   2          ``error: <message>``
:class:`negsim.SimulationError` (and           1          ``error: <message>`` and a hint;
:class:`negsim.PluginCallError`)                          the traceback if ``NEGSIM_DEBUG=1``
any other :class:`negsim.NegsimError`          1          as for a failed run
a usage error (bad option, missing argument)   2          click's own message
============================================  =========  ==============================

Other exceptions are bugs and propagate with their traceback.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import IO, Any

import click

from negsim.errors import NegsimError, ScenarioError

__all__ = [
    "DEBUG_ENV",
    "CliError",
    "CliInputError",
    "NegsimGroup",
    "debug_enabled",
    "handle_errors",
]

DEBUG_ENV = "NEGSIM_DEBUG"
"""Set to ``1`` to re-raise a failed run's error with its traceback."""

SCENARIO_EXIT = 2
"""Exit code for bad scenario input (as for a bad command line)."""

FAILURE_EXIT = 1
"""Exit code for a failed run or any other negsim error."""


class CliError(click.ClickException):
    """An error found by the command line itself (e.g. a log file that cannot be written).

    Printed as ``error: <message>`` like the library's errors; exits with 1.

    Args:
        message: What went wrong and how to fix it.
    """

    exit_code = FAILURE_EXIT

    def show(self, file: IO[Any] | None = None) -> None:
        """Print ``error: <message>`` to ``file`` (stderr by default)."""
        click.echo(f"error: {self.format_message()}", file=file, err=file is None)


class CliInputError(CliError):
    """Bad input found by the command line (a results file, a grid): exits with 2."""

    exit_code = SCENARIO_EXIT


def debug_enabled() -> bool:
    """Whether ``NEGSIM_DEBUG`` asks for tracebacks (set, and not ``0``/``false``/``no``)."""
    return os.environ.get(DEBUG_ENV, "").strip().lower() not in ("", "0", "false", "no")


@contextlib.contextmanager
def handle_errors() -> Iterator[None]:
    """Turn negsim's errors into a message on stderr and an exit code.

    Raises:
        click.exceptions.Exit: With exit code 2 for a :class:`negsim.ScenarioError`,
            1 for any other :class:`negsim.NegsimError`.
        negsim.NegsimError: The original error, unchanged, for an exit-code-1 error
            when ``NEGSIM_DEBUG=1`` is set.
    """
    try:
        yield
    except ScenarioError as exc:
        click.echo(f"error: {exc}", err=True)
        raise click.exceptions.Exit(SCENARIO_EXIT) from None
    except NegsimError as exc:
        if debug_enabled():
            raise
        click.echo(f"error: {exc}", err=True)
        if exc.__cause__ is not None:
            click.echo(f"hint: set {DEBUG_ENV}=1 to see the traceback", err=True)
        raise click.exceptions.Exit(FAILURE_EXIT) from None


class NegsimGroup(click.Group):
    """A :class:`click.Group` whose commands all run inside :func:`handle_errors`."""

    def invoke(self, ctx: click.Context) -> Any:
        """Invoke the group and its subcommand, handling negsim's errors.

        Args:
            ctx: The click context.

        Returns:
            What the subcommand returns.
        """
        with handle_errors():
            return super().invoke(ctx)
