"""Reading a run's event log for a command: one message and exit code 2 when it cannot."""

from __future__ import annotations

from pathlib import Path

from negsim.cli._errors import CliInputError
from negsim.model import Result

__all__ = ["read_log"]


def read_log(log: Path) -> Result:
    """Read the JSON Lines event log ``log`` (written by ``negsim run --log``).

    Args:
        log: The log's path.

    Returns:
        The logged run.

    Raises:
        CliInputError: The file is missing or unreadable, or is not a negsim event log
            (the message names the file and the first bad line).
    """
    from negsim.errors import NegsimError
    from negsim.results import read_jsonl

    try:
        return read_jsonl(log)
    except (NegsimError, OSError, ValueError) as exc:
        raise CliInputError(
            f"cannot read the event log: {exc} (write one with negsim run FILE --log LOG)"
        ) from exc
