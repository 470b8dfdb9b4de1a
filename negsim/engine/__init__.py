"""The engine: the round loop and what it runs.

Mailboxes, validation, alliance decisions and the commitment monitor. It knows the
protocol, not any doctrine.
"""

from negsim.engine._alliances import AllianceDesk, decided_fact
from negsim.engine._engine import (
    Simulation,
    TraceRecord,
    declared_outcomes,
    public_info,
    scenario_digest,
)
from negsim.engine._monitor import CommitmentMonitor
from negsim.engine._seeds import derive_seed, stream
from negsim.engine._validate import RULES, Validator

__all__ = [
    "AllianceDesk",
    "CommitmentMonitor",
    "RULES",
    "Simulation",
    "TraceRecord",
    "Validator",
    "decided_fact",
    "declared_outcomes",
    "derive_seed",
    "public_info",
    "scenario_digest",
    "stream",
]
