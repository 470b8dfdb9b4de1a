"""Helpers of the hostile-input suite: a bounded CLI subprocess, ended with its group."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import attrs

#: Every subprocess of the suite is ended after this many seconds, whatever it does.
TIMEOUT = 60.0


@attrs.frozen
class Finished:
    """A finished command: exit code, stdout, stderr."""

    code: int
    out: str
    err: str


def negsim_cli(
    *args: str | os.PathLike[str],
    cwd: Path | None = None,
    timeout: float = TIMEOUT,
    env: dict[str, str] | None = None,
) -> Finished:
    """Run ``python -m negsim ARGS`` in a session of its own; end its group in any case.

    A command still running after ``timeout`` seconds fails the test (a hang is the
    defect these tests look for), and nothing it started is left behind.
    """
    return run_module("negsim", *args, cwd=cwd, timeout=timeout, env=env)


def run_module(
    module: str,
    *args: str | os.PathLike[str],
    cwd: Path | None = None,
    timeout: float = TIMEOUT,
    env: dict[str, str] | None = None,
) -> Finished:
    """Run ``python -m MODULE ARGS`` like :func:`negsim_cli` (from the repository root)."""
    root = Path(__file__).parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-m", module, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd or root,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(
            f"negsim {' '.join(map(str, args))} still running after {timeout} s"
        ) from None
    finally:
        _end_group(proc)
    return Finished(proc.returncode, out, err)


def _end_group(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def assert_clean_failure(done: Finished, code: int, *parts: str) -> None:
    """``done`` exited with ``code``, one ``error:`` message naming ``parts``, no traceback."""
    assert done.code == code, (done.code, done.err[-2000:])
    assert "Traceback" not in done.err, done.err[-2000:]
    assert done.err.startswith("error: "), done.err[-2000:]
    for part in parts:
        assert part in done.err, (part, done.err[-2000:])
