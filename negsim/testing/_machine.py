"""A public stateful test: hypothesis plays a run round by round, stimuli chosen as it goes.

:class:`DoctrineMachine` is a :class:`hypothesis.stateful.RuleBasedStateMachine`. Its
scenario puts the doctrine under test (agent ``A``) in an alliance with two puppet
allies ``B`` and ``C`` and across from a puppet challenger ``X``; between rounds,
hypothesis chooses what the puppets do next (every kind of
:data:`~negsim.testing.STIMULI` step, in every content variant), so a failing
sequence shrinks to the few moves that matter. After every round the run so far is
held to the invariants that read a record (``speaks-for-itself``, ``delivery``,
``commitment-lifecycle``, ``consensus``, ``moves-allowed``, ``no-hidden-randomness``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import pluggy
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from negsim.engine import Simulation
from negsim.hookspecs import hookimpl
from negsim.model import AgentView, Event, Message, Move, PluginSpec, Result, freeze
from negsim.plugins import PluginRegistry
from negsim.scenario import scenario_from_dict
from negsim.testing._check import _plugin_name, registry_with
from negsim.testing._invariants import INVARIANTS
from negsim.testing._record import RoundRecord, RunRecord, _as_moves
from negsim.testing._stimulus import STIMULI, VARIANTS, Step, _play
from negsim.testing._strategies import doctrine_params
from negsim.testing._watch import Watch

__all__ = ["PUPPET", "DoctrineMachine", "Puppet"]

PUPPET = "puppet"
"""The name under which :class:`DoctrineMachine` registers its :class:`Puppet`."""

CHECKED = (
    "speaks-for-itself",
    "delivery",
    "commitment-lifecycle",
    "consensus",
    "moves-allowed",
    "no-hidden-randomness",
)
"""The invariants the machine checks after every round."""


class Puppet:
    """Doctrine ``puppet``: plays, each round, the steps its machine queued for it."""

    def __init__(self) -> None:
        self.queue: dict[str, list[Step]] = {}

    @hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        """Declare the doctrine (no parameters)."""
        return PluginSpec(role="doctrine", summary="negsim.testing: plays what it is told")

    @hookimpl
    def negsim_decide(self, view: AgentView) -> list[Move]:
        """Play the steps queued for this agent, then forget them."""
        moves: list[Move] = []
        for step in self.queue.pop(view.me, []):
            moves.extend(_play(view, step))
        return moves


class DoctrineMachine(RuleBasedStateMachine):
    """Subclass it, name the doctrine, and hypothesis plays it move by move.

    ::

        from negsim.testing import DoctrineMachine

        class MyDoctrineMachine(DoctrineMachine):
            doctrine = "mydoctrine"

        TestMyDoctrine = MyDoctrineMachine.TestCase

    Rules: ``say`` queues a step for a puppet (``B`` or ``C``, the allies, or ``X``,
    the challenger) in the next round; ``play`` plays a round. After each round the run
    so far must keep the invariants that read a record (``speaks-for-itself``,
    ``delivery``, ``commitment-lifecycle``, ``consensus``, ``moves-allowed``,
    ``no-hidden-randomness``). Hypothesis's ``stateful_step_count`` setting bounds the
    steps; the scenario's ``max_rounds`` the rounds.

    Attributes:
        doctrine: The doctrine's name, or a plugin object.
        name: The name to register a plugin object under.
        registry: The plugins to start from; the installed ones when ``None``.
        max_rounds: The scenario's last round.
        params: The doctrine's parameters (by default drawn within their ranges).
    """

    doctrine: ClassVar[str | object | None] = None
    name: ClassVar[str | None] = None
    registry: ClassVar[PluginRegistry | None] = None
    max_rounds: ClassVar[int] = 8
    params: ClassVar[Mapping[str, Any] | None] = None

    def __init__(self) -> None:
        super().__init__()
        self.sim: Simulation | None = None
        self.rounds: list[RoundRecord] = []
        self.start_events: tuple[Event, ...] = ()
        self.hidden: list[str] = []
        self.result: Result | None = None

    @classmethod
    def _setup(cls) -> tuple[PluginRegistry, str, Puppet]:
        if cls.doctrine is None:
            raise TypeError(f"{cls.__name__} must set 'doctrine'")
        puppet = Puppet()
        extra: list[tuple[str, object]] = [(PUPPET, puppet)]
        if isinstance(cls.doctrine, str):
            dname = cls.doctrine
        else:
            dname = cls.name or _plugin_name(cls.doctrine)
            extra.append((dname, cls.doctrine))
        return registry_with(*extra, base=cls.registry), dname, puppet

    @initialize(data=st.data(), seed=st.integers(0, 2**31 - 1))
    def start(self, data: st.DataObject, seed: int) -> None:
        """Build the scenario (A, its puppet allies B and C, a puppet challenger X); start."""
        self.reg, self.dname, self.puppet = self._setup()
        spec = self.reg.spec(self.dname)
        params = dict(self.params) if self.params is not None else data.draw(doctrine_params(spec))
        hosted = data.draw(st.lists(st.sampled_from(("B", "C", "X")), unique=True, max_size=2))
        agent_a: dict[str, Any] = {"id": "A", "name": "State A", "doctrine": self.dname}
        if params:
            agent_a["params"] = params
        agent_a["capabilities"] = {
            "conventional": 10.0,
            **({"forces_hosted": dict.fromkeys(hosted, 1000.0)} if hosted else {}),
        }
        scenario = scenario_from_dict(
            {
                "scenario": {"name": "machine", "max_rounds": self.max_rounds},
                "world": {"params": {"challenger": "X"}} if self._has_challenger() else {},
                "agents": [
                    agent_a,
                    {"id": "B", "name": "State B", "doctrine": PUPPET},
                    {"id": "C", "name": "State C", "doctrine": PUPPET},
                    {"id": "X", "name": "State X", "doctrine": PUPPET},
                ],
                "alliances": [
                    {
                        "id": "AL1",
                        "name": "Alliance 1",
                        "kind": "collective",
                        "members": ["A", "B", "C"],
                        "decision_rule": "consensus",
                        "decision_deadline": 2,
                    }
                ],
                "commitments": [
                    {
                        "id": f"treaty-{d}-{c}",
                        "debtor": d,
                        "creditor": c,
                        "antecedent": f"attacked({c})",
                        "consequent": f"responds({d},{c})",
                    }
                    for d, c in (("A", "B"), ("B", "A"))
                ],
            },
            source="<machine>",
            registry=self.reg,
        )
        self.sim = Simulation(scenario, seed=seed, registry=self.reg)
        self.start_events = self.sim.start()

    def _has_challenger(self) -> bool:
        """Whether the world rules (``crisis``) take the challenger's id as a parameter."""
        if "crisis" not in self.reg.names():
            return False
        return isinstance(self.reg.spec("crisis").defaults.get("challenger"), str)

    @precondition(lambda self: self.sim is not None and not self.sim.done)
    @rule(
        who=st.sampled_from(("B", "C", "X")),
        kind=st.sampled_from(STIMULI),
        aim=st.sampled_from(("A", "*")),
        value=st.integers(0, 4).map(lambda v: v / 4),
        variant=st.integers(0, max(VARIANTS.values()) - 1),
    )
    def say(self, who: str, kind: str, aim: str, value: float, variant: int) -> None:
        """Queue a step for a puppet in the next round."""
        assert self.sim is not None
        step = Step(self.sim.round + 1, kind, aim, value, variant)
        self.puppet.queue.setdefault(who, []).append(step)

    @rule()
    def play(self) -> None:
        """Play one round (nothing once the run has ended), recording what was seen and done."""
        assert self.sim is not None
        if self.sim.done:
            return
        moves: dict[str, tuple[object, ...]] = {}
        seen: dict[str, tuple[Message, ...]] = {}
        watch = Watch()
        tokens: list[tuple[object, object]] = []

        def before(name: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]) -> None:
            view = kwargs.get("view")
            if name == "negsim_decide" and view is not None:
                seen[view.me] = view.inbox
                tokens.append(watch.begin())

        def after(
            outcome: Any, name: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]
        ) -> None:
            if name == "negsim_decide" and tokens:
                view = kwargs["view"]
                used = watch.end(tokens.pop())
                if used:
                    self.hidden.append(
                        f"round {view.round}: negsim_decide of agent {view.me!r}: "
                        + "; ".join(used)
                    )
                if outcome.exception is None:
                    moves[view.me] = _as_moves(outcome.get_result())

        undo = self.reg.monitor(before, after)
        try:
            with watch.installed():
                events = self.sim.step()
        finally:
            undo()
        self.rounds.append(
            RoundRecord(
                round=self.sim.round,
                inboxes=freeze(self.sim.inboxes),
                seen=freeze(seen),
                moves=freeze(moves),
                sent=self.sim.sent,
                events=events,
                world=self.sim.world,
            )
        )
        if self.sim.done:
            self.result = self.sim.result()

    @invariant()
    def keeps_the_invariants(self) -> None:
        """The run so far keeps every invariant the machine checks."""
        if self.sim is None:
            return
        record = RunRecord(
            scenario=self.sim.scenario,
            seed=self.sim.seed,
            start_events=self.start_events,
            rounds=tuple(self.rounds),
            result=self.result,
            hidden=tuple(self.hidden),
        )
        broken = [
            f"{name}: {problem}"
            for name in CHECKED
            for problem in INVARIANTS[name].check(record, _NoReplay())
        ]
        assert not broken, "\n".join(broken)


class _NoReplay:
    def again(self) -> RunRecord:
        raise NotImplementedError

    def whispered(self, stream: int) -> RunRecord:
        raise NotImplementedError

    def in_subprocesses(self) -> list[tuple[str, tuple[str, ...]]]:
        raise NotImplementedError
