"""Subprocesses for the tests: bounded in time, and ended with their process group.

Every child process a test starts goes through :func:`run` or :func:`start`: it runs
in a session of its own, so that ending its process group ends whatever it started
(a pool worker, a grandchild), and nothing outlives the test, whether it passes, fails
or times out. ``subprocess.run`` kills only the child on a timeout, and nothing on an
exception in the test, hence this module.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

__all__ = ["TIMEOUT", "end_group", "run", "start"]

TIMEOUT = 600.0
"""Seconds after which a child still running fails its test."""


def run(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT,
    check: bool = False,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``args`` to the end like ``subprocess.run(..., capture_output=True, text=True)``.

    Raises:
        AssertionError: It is still running after ``timeout`` seconds (it and its group
            are killed first).
        subprocess.CalledProcessError: ``check`` and it exited with a non-zero code.
    """
    with start(args, cwd=cwd, env=env, stdin=subprocess.PIPE if input is not None else None) as p:
        try:
            out, err = p.communicate(input=input, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"{list(map(str, args))} still running after {timeout} s"
            ) from None
    done = subprocess.CompletedProcess(list(map(str, args)), p.returncode, out, err)
    if check:
        done.check_returncode()
    return done


@contextlib.contextmanager
def start(
    args: Sequence[str | os.PathLike[str]],
    *,
    cwd: str | os.PathLike[str] | Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: int | None = None,
) -> Iterator[subprocess.Popen[str]]:
    """Start ``args`` in a session of its own (pipes for its output); end its group on exit."""
    proc = subprocess.Popen(
        list(map(str, args)),
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        end_group(proc)


def end_group(proc: subprocess.Popen[str]) -> None:
    """Kill ``proc``'s process group (whatever is left of it) and reap ``proc``."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.communicate(timeout=5)
