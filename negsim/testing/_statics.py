"""Declared comparative statics, checked metamorphically decision by decision.

A doctrine promises that raising a parameter never moves one kind of move the wrong
way: "a larger expected cost of a strike never makes a host grant access more". Its
author declares the promise as a :class:`Monotone`; the kit then takes every decision
a generated run asks of the doctrine and makes it again, on the very same view (the
same inbox, world, commitments and random stream, and a copy of the agent's state as
it was before the decision) but with the parameter raised, once half-way to the top
of its documented range and once to the top. The raised decision may not hold more
of the move (``never_raises``) or fewer (``never_lowers``).
"""

from __future__ import annotations

import copy
import itertools
import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from negsim.model import Action, AgentView, Message, ParamSpec, ParamValue, Scenario
from negsim.plugins import PluginRegistry

__all__ = ["Monotone", "Prober"]


def _one_direction(instance: Monotone, attribute: attrs.Attribute[Any], value: object) -> None:
    if (instance.never_raises is None) == (instance.never_lowers is None):
        raise ValueError(
            f"Monotone({instance.param!r}) needs exactly one of never_raises= and never_lowers="
        )


@attrs.frozen
class Monotone:
    """A comparative static a doctrine promises: raising ``param`` never moves a move one way.

    >>> from negsim.testing import Monotone
    >>> Monotone("cost_strike", never_raises="grant_access")
    Monotone('cost_strike', never_raises='grant_access')

    Declare it to :func:`check_doctrine` (``statics=[...]``), or as the plugin's
    ``COMPARATIVE_STATICS`` (a sequence of them), and the ``comparative-statics``
    invariant holds the doctrine to it.

    Attributes:
        param: A numeric or boolean parameter of the doctrine (its :class:`negsim.ParamSpec`
            gives the range it is raised within).
        never_raises: A move (an action kind, ``grant_access``, or a performative,
            ``threaten``) that a raised ``param`` never makes more of in one decision.
        never_lowers: A move that a raised ``param`` never makes fewer of.
    """

    param: str
    never_raises: str | None = attrs.field(default=None, kw_only=True)
    never_lowers: str | None = attrs.field(default=None, kw_only=True, validator=_one_direction)

    @property
    def move(self) -> str:
        """The move the static is about."""
        return str(self.never_raises or self.never_lowers)

    def __str__(self) -> str:
        how = "never raises" if self.never_raises else "never lowers"
        return f"raising {self.param} {how} {self.move}"

    def __repr__(self) -> str:
        how = "never_raises" if self.never_raises else "never_lowers"
        return f"Monotone({self.param!r}, {how}={self.move!r})"

    def count(self, moves: Sequence[object]) -> int:
        """How many of ``moves`` are the move the static is about."""
        return sum(
            1
            for m in moves
            if (isinstance(m, Action) and m.kind == self.move)
            or (isinstance(m, Message) and m.performative == self.move)
        )

    def broken(self, before: int, after: int) -> bool:
        """Whether going from ``before`` to ``after`` moves (on raising) goes against it."""
        return after > before if self.never_raises else after < before


def raised(spec: ParamSpec, value: ParamValue) -> list[ParamValue]:
    """Values above ``value`` within ``spec``'s range: half-way to the top, and the top.

    A boolean is raised from ``False`` to ``True``; a side without a bound lies 100
    above the value. Empty when the value is at the top already.
    """
    if isinstance(value, bool):
        return [True] if not value else []
    if not isinstance(value, (int, float)):
        return []
    top = float(spec.high) if spec.high is not None else float(value) + 100.0
    if top <= value:
        return []
    mid = value + (top - value) / 2
    if isinstance(spec.default, int) and not isinstance(spec.default, bool):
        values: list[ParamValue] = sorted({math.ceil(mid), math.floor(top)} - {value})
        return [v for v in values if isinstance(v, int) and v > value]
    return [mid, top]


class Prober:
    """Makes each decision of a doctrine with declared statics again, parameters raised.

    Used by :func:`negsim.testing.record_run`: :meth:`before` copies what the decision
    may change (the agent's state and stream), :meth:`after` makes the decision again
    through the agent's relay for each raised value and notes each static broken
    (:attr:`problems`, one line each; the first per run is enough).

    Args:
        scenario: The scenario being run.
        registry: The plugins.
        statics: The statics, by doctrine name.
    """

    def __init__(
        self,
        scenario: Scenario,
        registry: PluginRegistry,
        statics: Mapping[str, Sequence[Monotone]],
    ) -> None:
        self.registry = registry
        self.statics = {d: tuple(s) for d, s in statics.items()}
        self.specs = {d: {p.name: p for p in registry.spec(d).params} for d in self.statics}
        self.probing = False
        self.problems: list[str] = []
        self._saved: dict[str, tuple[Any, object]] = {}
        self._scenario = scenario

    def before(self, view: AgentView) -> None:
        """Copy what the decision about to be made may change."""
        if self.problems or view.agent.doctrine not in self.statics:
            return
        try:
            state = copy.deepcopy(view.state)
        except Exception:  # a state that cannot be copied: this decision is not probed
            return
        self._saved[view.me] = (state, view.rng.getstate())

    def after(self, view: AgentView, moves: Sequence[object]) -> None:
        """Make the decision again with each declared parameter raised."""
        saved = self._saved.pop(view.me, None)
        if saved is None or self.problems:
            return
        doctrine = view.agent.doctrine
        relay = self.registry.agent_relay(view.agent.stack)
        for static in self.statics[doctrine]:
            spec = self.specs[doctrine].get(static.param)
            if spec is None:
                continue
            value = view.agent.params[static.param]
            before = static.count(moves)
            for higher in raised(spec, value):
                again = self._decide(relay, view, saved, static.param, higher)
                if isinstance(again, BaseException):
                    continue  # an error is termination's to report, in runs of its own
                after = static.count(again)
                if static.broken(before, after):
                    self.problems.append(
                        f"round {view.round}: agent {view.me} (doctrine {doctrine!r}) with "
                        f"{static.param}={value!r} made {before} {static.move} move(s) "
                        f"({_moves(moves)}); with {static.param}={higher!r}, all else the "
                        f"same, it made {after} ({_moves(again)}): against its declared "
                        f"comparative static, {static}"
                    )
                    return

    def _decide(
        self,
        relay: Any,
        view: AgentView,
        saved: tuple[Any, object],
        param: str,
        value: ParamValue,
    ) -> Sequence[object] | BaseException:
        state, rng_state = saved
        rng = random.Random(0)
        rng.setstate(rng_state)  # type: ignore[arg-type]
        agent = attrs.evolve(view.agent, params={**view.agent.params, param: value})
        variant = attrs.evolve(
            view, agent=agent, state=copy.deepcopy(state), rng=rng, _ids=itertools.count()
        )
        self.probing = True
        try:
            result = relay.negsim_decide(view=variant)
        except Exception as exc:
            return exc
        finally:
            self.probing = False
        if result is None:
            return ()
        return tuple(result) if isinstance(result, (list, tuple)) else (result,)


def _moves(moves: Sequence[object]) -> str:
    shown = []
    for m in moves:
        if isinstance(m, Action):
            shown.append(f"{m.kind}" + (f" {m.target}" if m.target else ""))
        elif isinstance(m, Message):
            shown.append(f"{m.performative} to {','.join(m.recipients)}")
    return "[" + "; ".join(shown) + "]"
