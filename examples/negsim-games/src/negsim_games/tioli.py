"""Take-it-or-leave-it crisis bargaining with a private cost of war (Fearon 1995).

The game
--------
Two states divide a good of value 1. The proposer P demands a share ``x`` of it, and
the receiver R either accepts, getting ``1 - x``, or rejects, and they fight. War is
a costly lottery: P wins it, and with it the whole good, with probability ``p``; it
costs P ``k`` and R ``c``. So war is worth ``p - k`` to P and ``1 - p - c`` to R, and
R accepts a demand exactly when::

    1 - x >= 1 - p - c,   that is   x <= p + c.

If P knew ``c`` it would demand ``x = p + c``, R would accept, and there would be no
war: since ``k + c > 0``, some bargain is better for both than fighting (Fearon 1995,
"Rationalist Explanations for War", *International Organization* 49). But R's cost is
its **private type**: P knows only that ``c`` is drawn from the uniform prior on
``[0, C]``. A demand ``x`` in ``[p, p + C]`` is accepted with probability
``P(c >= x - p) = 1 - (x - p) / C``, so P's expected utility is::

    EU(x) = (1 - (x - p) / C) * x + ((x - p) / C) * (p - k).

Setting ``dEU/dx = (C - 2 (x - p) - k) / C`` to zero::

    x* = p + (C - k) / 2,   P(war) = P(c < x* - p) = (C - k) / (2 C),

for ``C > k`` (clipped to ``[p, p + C]``: with ``C <= k`` war costs P more than it could
gain, and P demands ``p``, which every type accepts). P trades a risk of war for a
better deal: the war comes from the private information, not from any wish to fight.
With ``p = 0.5``, ``C = 0.4`` and ``k = 0.1``: ``x* = 0.65`` and ``P(war) = 0.375``.

How negsim plays it
-------------------
* **The negotiation** is take-it-or-leave-it: ``alternating_offers`` with
  ``counter_offers = false``, the proposer first among its ``parties``, over one issue
  ``demand`` from 0 to 1 (P's share; the convention of :mod:`negsim_games.bargaining`,
  whose world rules ``bargaining`` play the game: rejection breaks the negotiation off
  in ``war``, and the world parameter ``p`` is the first party's chance of winning
  it).
* **R's cost is a private type**: the scenario gives R an ``[agents.prior]``,
  ``kind = "uniform"`` over its parameter ``cost_war`` from 0 to ``C``, and each run
  draws R's ``c`` from it (the ``points`` of the prior discretise it: use many, such
  as 201). R's doctrine ``tioli_receiver`` sees its own cost (its ``cost_war``, the
  drawn value) and accepts iff ``1 - x >= 1 - p - c`` (:func:`accepts`).
* **P holds a belief**: ``tioli_proposer`` starts with a
  :class:`negsim.beliefs.Belief` over R's types from the public prior
  (``view.public.prior_of(R)``), and demands the ``x`` that maximises its expected
  utility under it (:func:`best_demand`): ``x`` if accepted, ``p - k`` (its
  ``cost_war`` is ``k``) if not. Against a discretised prior the best demand is one of
  the types' thresholds ``p + c_i``; ties go to the smaller demand.
* **The placebo**: when R's cost is public (its prior has one type, the true ``c``),
  P's belief is a point mass, it demands ``p + c``, and there is never a war.

Measured against the closed form (negsim's test suite, 2,000 seeds, a prior of 201
points): P demands ``x = 0.6502`` against ``x* = 0.65``, and war comes in 37.6% of runs
against ``P(war) = 0.375``; with R's cost public, in none of the same 2,000 runs.

Discretisation. With ``n`` equally likely types at ``c_i = (i + 1/2) C / n``, P's best
demand is ``p + c_j`` for the integer ``j`` nearest the maximum of the concave
``(n - j) c_j - j k``, which lies at ``n (C - k) / (2 C) - 1/4``; then ``P(war) = j / n``.
So the discrete answers are within ``3 / (4 n)`` of ``P(war)`` and ``3 C / (4 n)`` of
``x*`` (0.0037 and 0.0015 for ``n = 201``, ``C = 0.4``).

Install the distribution (``pip install -e examples/negsim-games``) and run::

    negsim run examples/negsim-games/scenarios/fearon_tioli.toml --seed 1
"""

from __future__ import annotations

from collections.abc import Iterable

import negsim
from negsim.beliefs import Belief
from negsim.errors import Problem
from negsim.model import (
    Agent,
    AgentView,
    Issue,
    Message,
    Move,
    ParamSpec,
    PluginSpec,
    PublicInfo,
    Session,
    SessionStatus,
)
from negsim_games.bargaining import (
    PARAMS as WORLD_PARAMS,
)
from negsim_games.bargaining import (
    TOLERANCE,
    first_party,
    issue_range,
    utility,
    value_for,
    win_probability,
)

__all__ = [
    "COST",
    "SOURCE",
    "TIOLI_PROPOSER",
    "TIOLI_RECEIVER",
    "Proposer",
    "Receiver",
    "accepts",
    "best_demand",
    "war_probability",
]

SOURCE = "Fearon 1995"
"""Where the game comes from."""

COST = "cost_war"
"""The parameter holding a party's cost of war (the receiver's is its private type)."""


def _p(public: PublicInfo) -> float:
    """The proposer's probability of winning a war: the world parameter ``p``."""
    return float(public.world_params.get("p", WORLD_PARAMS[0].default))


def accepts(share: float, p_win: float, cost: float) -> bool:
    """Whether a party takes ``share`` rather than fight: ``share >= p_win - cost``.

    For the receiver, ``share`` is ``1 - x`` and ``p_win - cost`` is ``1 - p - c``.
    Within :data:`negsim_games.bargaining.TOLERANCE`, so that a demand that leaves it
    exactly its war payoff, as the proposer computes it, is not refused by rounding.
    """
    return share >= p_win - cost - TOLERANCE


def best_demand(
    costs: Iterable[tuple[float, float]], p: float, k: float, low: float = 0.0, high: float = 1.0
) -> tuple[float, float]:
    """The proposer's best share to demand against a belief over the receiver's cost.

    A receiver of cost ``c`` accepts a demand ``x`` iff ``1 - x >= 1 - p - c``; the
    proposer gets ``x`` if it does and ``p - k`` if it fights. The best demand is one of
    the receivers' thresholds ``p + c`` (clipped to ``[low, high]``) or ``high``.

    Args:
        costs: ``(c, probability)`` for each type of receiver.
        p: The proposer's probability of winning a war.
        k: The proposer's cost of war.
        low: The smallest share it may demand.
        high: The largest.

    Returns:
        ``(x, expected utility)``; among equally good demands the smallest.

    >>> best_demand([(0.1, 0.5), (0.3, 0.5)], p=0.5, k=0.1)  # 0.6 for sure, or 0.8 half the time
    (0.6, 0.6)
    >>> x, eu = best_demand([(0.1, 0.5), (0.3, 0.5)], p=0.5, k=0.0)  # war costs it nothing
    >>> round(x, 12), round(eu, 12)  # 0.8 half the time, else a war worth 0.5
    (0.8, 0.65)
    """
    types = sorted(costs)
    candidates = sorted({min(max(p + c, low), high) for c, _ in types} | {high})
    # Who accepts is monotone: a demand is accepted by the types of cost above a
    # threshold, and the threshold rises with the demand; walk both in order.
    accepted = [0.0] * (len(types) + 1)  # accepted[i]: the mass of types i, i+1, ...
    for i in range(len(types) - 1, -1, -1):
        accepted[i] = accepted[i + 1] + types[i][1]
    best, best_eu, i = candidates[0], -float("inf"), 0
    for x in candidates:
        while i < len(types) and not accepts(1.0 - x, 1.0 - p, types[i][0]):
            i += 1
        eu = accepted[i] * x + (accepted[0] - accepted[i]) * (p - k)
        if eu > best_eu + TOLERANCE:
            best, best_eu = x, eu
    return best, best_eu


def war_probability(costs: Iterable[tuple[float, float]], p: float, x: float) -> float:
    """The probability that a receiver with cost distributed as ``costs`` rejects ``x``."""
    return sum(q for c, q in costs if not accepts(1.0 - x, 1.0 - p, c))


def _open_turn(view: AgentView) -> Iterable[Session]:
    for session in view.sessions:
        if session.status is SessionStatus.OPEN and session.may_move(view.me):
            yield session


class Proposer:
    """The proposer: demands the share that maximises its expected utility under its belief.

    Its private state is a :class:`negsim.beliefs.Belief` about each other agent that
    has a prior, from the public prior; it does not update them (it moves once,
    before it has seen anything).
    """

    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        """Declare the doctrine and its parameter ``cost_war`` (``k``)."""
        return PluginSpec(
            role="doctrine",
            summary="Crisis bargaining: a take-it-or-leave-it demand under a belief",
            params=(ParamSpec(COST, 0.1, "The proposer's cost of war, k.", 0.0, 1.0, SOURCE),),
        )

    @negsim.hookimpl
    def negsim_agent_start(self, agent: Agent, public: PublicInfo) -> dict[str, Belief]:
        """A belief about each other agent with a prior over its type: the prior itself."""
        return {
            other: Belief(other, prior)
            for other in public.agents
            if other != agent.id and (prior := public.prior_of(other)) is not None
        }

    @negsim.hookimpl
    def negsim_decide(self, view: AgentView) -> list[Move]:
        """Demand, once, in each negotiation it opens."""
        return [self.demand(view, s) for s in _open_turn(view) if not s.text]

    def demand(self, view: AgentView, session: Session) -> Message:
        """The demand in one negotiation: the best share under its belief about the receiver.

        Raises:
            negsim.ScenarioError: The receiver has no prior over ``cost_war``.
        """
        issue = session.negotiation.issues[0]
        first = first_party(session, view.me)
        receiver = next(a for a in session.negotiation.parties if a != view.me)
        belief = view.state.get(receiver)
        if belief is None or any(COST not in t.params for t in belief.types):
            raise negsim.ScenarioError(
                view.public.scenario,
                [
                    Problem(
                        f"agents.{receiver}.prior",
                        f"the proposer {view.me} needs a prior over {receiver}'s "
                        f"{COST!r}: its private type",
                    )
                ],
            )
        p_win = win_probability(_p(view.public), first)
        costs = [
            (float(t.params[COST]), q)
            for t, q in zip(belief.types, belief.probabilities, strict=True)
        ]
        share, _ = best_demand(costs, p_win, float(view.param(COST)), *self._shares(issue, first))
        return view.offer(session, **{issue.name: value_for(issue, share, first)})

    @staticmethod
    def _shares(issue: Issue, first: bool) -> tuple[float, float]:
        lo, hi = issue_range(issue)
        ends = sorted((utility(issue, lo, first), utility(issue, hi, first)))
        return ends[0], ends[1]

    def __repr__(self) -> str:
        return "Proposer()"


class Receiver:
    """The receiver: accepts a demand iff what it leaves is worth at least a war to it."""

    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        """Declare the doctrine and its parameter ``cost_war`` (``c``)."""
        return PluginSpec(
            role="doctrine",
            summary="Crisis bargaining: accepts a demand iff it beats war, else fights",
            params=(
                ParamSpec(
                    COST,
                    0.2,
                    "The receiver's cost of war, c; usually its private type, drawn from a prior.",
                    0.0,
                    1.0,
                    SOURCE,
                ),
            ),
        )

    @negsim.hookimpl
    def negsim_decide(self, view: AgentView) -> list[Move]:
        """Accept or reject the demand on the table of each negotiation it answers."""
        moves: list[Move] = []
        for session in _open_turn(view):
            if not session.text or session.author == view.me:
                continue
            issue = session.negotiation.issues[0]
            first = first_party(session, view.me)
            share = utility(issue, session.text[issue.name], first)
            p_win = win_probability(_p(view.public), first)
            cost = float(view.param(COST))  # its own: the drawn type's value
            fight = not accepts(share, p_win, cost)
            moves.append(view.reject(session) if fight else view.accept(session))
        return moves

    def __repr__(self) -> str:
        return "Receiver()"


TIOLI_PROPOSER = Proposer()
"""The doctrine ``tioli_proposer``."""
TIOLI_RECEIVER = Receiver()
"""The doctrine ``tioli_receiver``."""
