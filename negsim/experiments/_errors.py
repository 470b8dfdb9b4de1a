"""The error a sweep raises for a bad sweep definition or results directory."""

from __future__ import annotations

from negsim.errors import NegsimError

__all__ = ["SweepError"]


class SweepError(NegsimError, ValueError):
    """A sweep cannot start or finish.

    Raised for a grid, sample or bounds that cannot be parsed or applied, an output
    that holds a different sweep, an output locked by a sweep still running, or
    chunks of runs that a backend lost (their runs are not recorded: re-run the same
    sweep to complete them). A run that fails inside a plugin is *not* a
    :class:`SweepError`: it is recorded in its row (column ``error``) and the sweep
    goes on.

    Args:
        message: What is wrong and how to fix it.
        lost: How many runs a backend lost (0 for a bad definition or output).

    Attributes:
        lost: How many runs a backend lost; re-running the sweep completes them.
    """

    def __init__(self, message: str, *, lost: int = 0) -> None:
        super().__init__(message)
        self.lost = lost
