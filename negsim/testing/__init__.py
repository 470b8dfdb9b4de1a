"""Fuzzing for doctrine authors: hypothesis strategies, invariant checks and a pytest plugin.

Hold a doctrine to every invariant the engine promises, over runs hypothesis generates::

    from negsim.testing import check_doctrine

    check_doctrine("mydoctrine")        # raises InvariantViolation with a minimal run

or let pytest collect one test per invariant::

    from negsim.testing import DoctrineInvariants

    class TestMyDoctrine(DoctrineInvariants):
        doctrine = "mydoctrine"

The invariants (:data:`INVARIANTS`):

* ``termination``: every run ends within ``max_rounds`` with an outcome;
* ``speaks-for-itself``: no agent speaks or acts for another;
* ``delivery``: every message is delivered once, to exactly its recipients, in the
  round after it was sent;
* ``commitment-lifecycle``: every commitment's history is a path of the lifecycle
  machine, terminal states stay terminal, and a violation means the antecedent held
  and the consequent did not by the deadline;
* ``consensus``: no collective decision under consensus without every (non-excluded)
  member's consent;
* ``determinism``: the same scenario and seed give the same log in a process;
* ``sees-only-what-it-may``: no agent's decisions depend on what it could not observe
  (two runs that differ only in what a kit agent whispers to another in private);
* ``moves-allowed``: no agent makes a move it has no right or means to make (access
  for forces it does not host, an attack without forces, a vote it may not cast);
* ``no-hidden-randomness``: no agent's hook uses the global random generators, the
  clock or unseeded entropy;
* ``comparative-statics``: every decision keeps the comparative statics its doctrine
  declares (:class:`Monotone`);
* ``hash-seed-determinism``: ... and a byte-identical log in two processes with other
  ``PYTHONHASHSEED`` values.

Two generated runs in three aim every kind of message and move at the doctrine, in every
content variant the docs allow; the report counts what it met (:class:`Coverage`).
:func:`check_modifier` and :func:`check_protocol` fuzz the other plugins an agent's
decisions go through, and :class:`DoctrineMachine` is a stateful test to subclass.

The strategies (:func:`param_values`, :func:`doctrine_params`, :func:`facts`,
:func:`propositions`, :func:`world_states`, :func:`agents`, :func:`alliances`,
:func:`commitments`, :func:`messages`, :func:`scenario_data`, :func:`scenarios`,
:func:`runs`) serve properties of one's own, such as a doctrine's comparative statics.

This package needs hypothesis (``pip install negsim[test]``). ``import negsim`` never
imports it, and ``import negsim.testing`` imports hypothesis only when one of the
names above is first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from negsim.testing._base import DoctrineInvariants
    from negsim.testing._check import (
        CheckReport,
        InvariantViolation,
        check_doctrine,
        check_modifier,
        check_protocol,
        check_run,
        registry_with,
    )
    from negsim.testing._coverage import (
        STIMULUS_KINDS,
        Coverage,
        CoverageShortfall,
        CoverageWarning,
    )
    from negsim.testing._invariants import INVARIANTS, RIGHTS, Invariant, Replayer
    from negsim.testing._machine import DoctrineMachine
    from negsim.testing._record import RoundRecord, RunRecord, record_run
    from negsim.testing._statics import Monotone
    from negsim.testing._stimulus import STIMULI, STIMULUS, VARIANTS, Step, Stimulus
    from negsim.testing._strategies import (
        MEMBER_IDS,
        ParamStrategy,
        RunCase,
        agents,
        alliances,
        commitments,
        doctrine_params,
        facts,
        messages,
        param_values,
        propositions,
        runs,
        scenario_data,
        scenarios,
        world_states,
    )

_WHERE = {
    "DoctrineInvariants": "_base",
    "CheckReport": "_check",
    "InvariantViolation": "_check",
    "check_doctrine": "_check",
    "check_modifier": "_check",
    "check_protocol": "_check",
    "check_run": "_check",
    "registry_with": "_check",
    "STIMULUS_KINDS": "_coverage",
    "Coverage": "_coverage",
    "CoverageShortfall": "_coverage",
    "CoverageWarning": "_coverage",
    "INVARIANTS": "_invariants",
    "RIGHTS": "_invariants",
    "Invariant": "_invariants",
    "Replayer": "_invariants",
    "DoctrineMachine": "_machine",
    "Monotone": "_statics",
    "RoundRecord": "_record",
    "RunRecord": "_record",
    "record_run": "_record",
    "STIMULI": "_stimulus",
    "STIMULUS": "_stimulus",
    "VARIANTS": "_stimulus",
    "Step": "_stimulus",
    "Stimulus": "_stimulus",
    "MEMBER_IDS": "_strategies",
    "ParamStrategy": "_strategies",
    "RunCase": "_strategies",
    "agents": "_strategies",
    "alliances": "_strategies",
    "commitments": "_strategies",
    "doctrine_params": "_strategies",
    "facts": "_strategies",
    "messages": "_strategies",
    "param_values": "_strategies",
    "propositions": "_strategies",
    "runs": "_strategies",
    "scenario_data": "_strategies",
    "scenarios": "_strategies",
    "world_states": "_strategies",
}

__all__ = [
    "INVARIANTS",
    "MEMBER_IDS",
    "RIGHTS",
    "STIMULI",
    "STIMULUS",
    "STIMULUS_KINDS",
    "VARIANTS",
    "CheckReport",
    "Coverage",
    "CoverageShortfall",
    "CoverageWarning",
    "DoctrineInvariants",
    "DoctrineMachine",
    "Invariant",
    "InvariantViolation",
    "Monotone",
    "ParamStrategy",
    "Replayer",
    "RoundRecord",
    "RunCase",
    "RunRecord",
    "Step",
    "Stimulus",
    "agents",
    "alliances",
    "check_doctrine",
    "check_modifier",
    "check_protocol",
    "check_run",
    "commitments",
    "doctrine_params",
    "facts",
    "messages",
    "param_values",
    "propositions",
    "record_run",
    "registry_with",
    "runs",
    "scenario_data",
    "scenarios",
    "world_states",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'negsim.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"negsim.testing.{module}"), name)
    if isinstance(value, type) or (callable(value) and hasattr(value, "__code__")):
        value.__module__ = __name__  # shown, documented and pickled as negsim.testing.X
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
