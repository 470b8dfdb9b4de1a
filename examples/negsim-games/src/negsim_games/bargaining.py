"""Bilateral bargaining over one issue: world rules ``bargaining`` and time-dependent tactics.

The game
--------
Two parties bargain over one numeric issue in a negotiation the scenario declares
(``[[negotiations]]``, usually the ``alternating_offers`` protocol): a discrete issue
with numeric ``values`` (``0, 1, ..., 9``) or a continuous one from ``low`` to
``high``. Their interests are opposed and linear. With ``lo`` and ``hi`` the issue's
smallest and largest values, the convention of this module (the world rules and the
doctrines read it the same way) is:

* the **first party** of the negotiation (the one that opens) values ``v`` at
  ``(v - lo) / (hi - lo)``: it wants the value high;
* the **second party** values it at ``(hi - v) / (hi - lo)``, one minus that: it
  wants the value low.

On the ten values ``0..9`` the first party's utility of ``v`` is ``v / 9`` and the
second's ``1 - v / 9``; on a continuous issue from 0 to 1 the value is the first
party's share of a good of value 1 and the rest is the second's.

The world rules ``bargaining``
------------------------------
* **Moves are the negotiation's.** The world keeps the public record of the offers:
  the variables ``offer(<id>)`` (the value of the last offer put on the table) and
  ``offers(<id>)`` (how many were made), and the fact ``rejected(<X>,<id>)`` once
  party ``X`` rejects a text, which breaks the negotiation off.
* **A break-off is war.** As in crisis bargaining (Fearon 1995), the alternative to a
  bargain is to fight: a negotiation that fails because a party rejected the text on
  the table ends in ``war``; one that simply runs out of time ends in
  ``disagreement``. The world parameter ``p`` is the first party's probability of
  winning that war (the second's is ``1 - p``); each party's cost of war is its own
  doctrine's parameter (``cost_war``, and possibly a private type), which the world
  does not know.
* **The outcome** is classified in the round the negotiation ends: ``agreement``
  (the fact ``agreed(<id>)``), ``war`` (``failed(<id>)`` after a rejection) or
  ``disagreement`` (``failed(<id>)`` at the deadline).
* **The metrics** (:func:`negsim_collect_metrics`) are ``bargaining_agreed`` and
  ``bargaining_war`` (1 or 0), ``bargaining_round`` (the round it ended; -1 if it
  had not), ``bargaining_offers``, ``bargaining_last_offer`` (the last offer's
  value, once there is one), ``bargaining_value`` (the agreed value, with an
  agreement only) and ``bargaining_utility(X)`` for each party: its utility of the
  agreement, 0 after a disagreement, and after a war its expected share of the good,
  ``p`` or ``1 - p``, before its cost of war (which the world does not know).

A scenario must declare exactly one negotiation, between two parties, over one
numeric issue; another is refused when the run starts, with a
:class:`negsim.ScenarioError` that says what is wrong.

The time-dependent tactics
--------------------------
The doctrines ``time_dependent``, ``boulware`` and ``conceder`` play the
time-dependent tactics of Faratin, Sierra & Jennings 1998 ("Negotiation decision
functions for autonomous agents", *Robotics and Autonomous Systems* 24), in the
utility form of the Genius negotiation environment's ``TimeDependentAgent``. A party
moving at time ``t`` of a negotiation with deadline ``T`` aims at the utility::

    u(t) = u_max - (u_max - u_min) * (t / T) ** (1 / e)

where ``t`` is the round minus the round the negotiation opened and ``T`` its
deadline minus that round, so ``u(0) = u_max`` and ``u(T) = u_min`` (their
polynomial decision function with ``kappa = 0``, ``e`` their ``beta``). With ``e < 1``
the party holds out and concedes near the deadline (*Boulware*); with ``e > 1`` it
concedes early (*Conceder*); ``e = 1`` concedes linearly. The doctrines' parameters
are ``e``, ``u_min`` (the reservation utility, reached at the deadline) and ``u_max``
(the opening aspiration); ``boulware`` defaults to ``e = 0.2`` and ``conceder`` to
``e = 2``, the values of Genius's ``TimeDependentAgentBoulware`` and
``TimeDependentAgentConceder``.

* **Offer** (:func:`bid`): the value of the issue closest to the target from the
  party's own side, the one whose utility to it is the smallest that is at least
  ``u(t)``. On a continuous issue, the value of utility exactly ``u(t)``.
* **Accept** (:func:`accepts`): an offer whose utility to it is at least that of the
  offer it would make now, ``AC_next`` in the terms of Baarslag, Hindriks & Jonker
  2013 and the acceptance rule of Faratin, Sierra & Jennings 1998 (the interpretation
  function: accept when the offer received is worth at least the counter-offer one
  is ready to send). Otherwise it makes that counter-offer.

Utilities are compared within ``1e-9`` (:data:`TOLERANCE`), so that a value whose
utility equals the target is not lost to rounding. The tactics draw no random
number: a negotiation is the same whatever its seed, and its agreement and the round
it is reached follow from the targets alone (:func:`target`): at each round the mover
accepts if the standing offer is worth its next bid, and otherwise bids.

On ``0..9`` with a deadline of 20 rounds (``T = 19``), both from ``u_max = 1`` to
``u_min = 0``: a Boulware (``e = 0.2``) that opens against a Conceder (``e = 2``)
holds at 9 while the Conceder gives ground, and they agree in round 17 on the value
7: 7/9 to the Boulware, 2/9 to the Conceder. With the Conceder opening they agree in
round 16 on 2, again 7/9 to the Boulware.

Install the distribution (``pip install -e examples/negsim-games``) and run::

    negsim run examples/negsim-games/scenarios/boulware_vs_conceder.toml
"""

from __future__ import annotations

import functools
import math

import attrs

import negsim
from negsim.errors import Problem
from negsim.model import (
    Adjudication,
    AgentView,
    Event,
    Issue,
    IssueKind,
    Message,
    Move,
    NegotiationEnded,
    OutcomeSpec,
    ParamSpec,
    ParamValue,
    Performative,
    PluginSpec,
    Scenario,
    Session,
    SessionStatus,
    WorldState,
)

__all__ = [
    "AGREEMENT",
    "BOULWARE",
    "CONCEDER",
    "DISAGREEMENT",
    "OUTCOMES",
    "PARAMS",
    "SOURCE",
    "TACTIC_PARAMS",
    "TIME_DEPENDENT",
    "TOLERANCE",
    "WAR",
    "TimeDependent",
    "accepts",
    "bid",
    "first_party",
    "issue_range",
    "negotiation_of",
    "negsim_adjudicate",
    "negsim_classify_outcome",
    "negsim_collect_metrics",
    "negsim_plugin_spec",
    "negsim_simulation_start",
    "offer",
    "offers",
    "rejected",
    "relative_time",
    "target",
    "utility",
    "value_for",
    "win_probability",
]

SOURCE = "Faratin, Sierra & Jennings 1998, Robotics and Autonomous Systems 24"
"""Where the time-dependent tactics come from."""

TOLERANCE = 1e-9
"""How close two utilities must be to count as equal (rounding)."""


# -- the convention: utilities over the issue ------------------------------------------


@functools.lru_cache(maxsize=256)
def issue_range(issue: Issue) -> tuple[float, float]:
    """The issue's smallest and largest values, ``(lo, hi)``.

    Memoised: issues are frozen, and every utility asks for the range of the same few
    (a scan of a discrete issue's values each time was a third of a negotiation's cost).

    Raises:
        ValueError: A discrete issue with a value that is not a number, or an issue
            whose values do not span a range (``lo == hi``).
    """
    if issue.kind is IssueKind.DISCRETE:
        if any(isinstance(v, bool) or not isinstance(v, int | float) for v in issue.values):
            shown = ", ".join(map(repr, issue.values))
            raise ValueError(f"issue {issue.name!r} must have numeric values: {shown}")
        lo, hi = float(min(issue.values)), float(max(issue.values))
    else:
        lo, hi = float(issue.low or 0.0), float(issue.high or 0.0)
    if not hi > lo:
        raise ValueError(f"issue {issue.name!r} must span a range of values: {lo:g} to {hi:g}")
    return lo, hi


def utility(issue: Issue, value: ParamValue, first: bool) -> float:
    """A party's utility of ``value``: its position in the issue's range, from its side.

    Args:
        issue: The issue.
        value: A value of it.
        first: Whether the party is the negotiation's first party (which wants the value
            high); the second wants it low.

    Returns:
        ``(v - lo) / (hi - lo)`` for the first party, ``(hi - v) / (hi - lo)`` for the
        second.
    """
    lo, hi = issue_range(issue)
    v = float(value)
    return (v - lo) / (hi - lo) if first else (hi - v) / (hi - lo)


def value_for(issue: Issue, u: float, first: bool) -> float:
    """The value of a continuous issue whose utility to a party is ``u`` (the inverse)."""
    lo, hi = issue_range(issue)
    return lo + u * (hi - lo) if first else hi - u * (hi - lo)


def first_party(session: Session, agent: str) -> bool:
    """Whether ``agent`` is the first party of the negotiation (the one that opens)."""
    return session.negotiation.parties[0] == agent


def win_probability(p: float, first: bool) -> float:
    """A party's probability of winning a war: ``p`` for the first, ``1 - p`` for the second."""
    return p if first else 1.0 - p


# -- the time-dependent tactics ---------------------------------------------------------


def target(t: float, deadline: float, *, e: float, u_min: float, u_max: float) -> float:
    """The utility a time-dependent tactic aims at, at time ``t`` of ``deadline``.

    ``u(t) = u_max - (u_max - u_min) * (t / T) ** (1 / e)``, with ``t / T`` clipped to
    ``[0, 1]`` (a deadline of 0 is reached at once).

    Args:
        t: The time since the negotiation opened, in rounds.
        deadline: ``T``, the time of the deadline, in rounds.
        e: The concession exponent: below 1 Boulware, above 1 Conceder; > 0.
        u_min: The utility aimed at by the deadline (the reservation utility).
        u_max: The utility aimed at when the negotiation opens.

    Returns:
        The target utility.

    >>> round(target(5, 10, e=1.0, u_min=0.0, u_max=1.0), 12)
    0.5
    >>> round(target(5, 10, e=0.5, u_min=0.0, u_max=1.0), 12)  # Boulware: 1 - 0.5 ** 2
    0.75
    >>> round(target(5, 10, e=2.0, u_min=0.0, u_max=1.0), 12)  # Conceder: 1 - 0.5 ** 0.5
    0.292893218813
    """
    share = 1.0 if deadline <= 0 else min(max(t / deadline, 0.0), 1.0)
    return u_max - (u_max - u_min) * math.pow(share, 1.0 / e)


def bid(issue: Issue, goal: float, first: bool) -> ParamValue:
    """The value a party offers to aim at utility ``goal``, from its own side.

    Args:
        issue: The issue.
        goal: The target utility.
        first: Whether the party is the first (see :func:`utility`).

    Returns:
        For a discrete issue, the value whose utility to the party is the smallest that
        is at least ``goal`` (within :data:`TOLERANCE`); if none is, the party's best
        value. For a continuous issue, the value of utility ``goal`` (clipped to the
        range).
    """
    if issue.kind is IssueKind.CONTINUOUS:
        return value_for(issue, min(max(goal, 0.0), 1.0), first)
    scored = sorted(issue.values, key=lambda v: utility(issue, v, first))
    for value in scored:
        if utility(issue, value, first) >= goal - TOLERANCE:
            return value
    return scored[-1]


def accepts(offered: float, mine: float) -> bool:
    """``AC_next``: accept an offer worth at least the offer one would make now.

    Args:
        offered: The utility to the party of the offer on the table.
        mine: The utility to it of the offer it would make now (:func:`bid`).
    """
    return offered >= mine - TOLERANCE


def relative_time(session: Session, round: int) -> tuple[int, int]:
    """``(t, T)``: the time since the negotiation opened and the time of its deadline."""
    n = session.negotiation
    return round - n.opens, n.deadline - n.opens


TACTIC_PARAMS = (
    ParamSpec(
        "e",
        1.0,
        "Concession exponent: below 1 Boulware (holds out, concedes near the deadline), "
        "above 1 Conceder (concedes early), 1 linear.",
        0.01,
        100.0,
        f"{SOURCE} (beta); Genius TimeDependentAgent (e)",
    ),
    ParamSpec(
        "u_min",
        0.0,
        "Reservation utility: the utility aimed at by the deadline.",
        0.0,
        1.0,
        SOURCE,
    ),
    ParamSpec(
        "u_max",
        1.0,
        "Aspiration: the utility aimed at when the negotiation opens.",
        0.0,
        1.0,
        SOURCE,
    ),
)
"""The parameters of a time-dependent tactic (``e`` defaults to 1, linear)."""


class TimeDependent:
    """A doctrine that bargains by a time-dependent tactic in every negotiation it is in.

    It bargains over each negotiation's first issue, by the utility convention of
    :func:`utility`; the module's docstring gives the rules.

    Args:
        e: The default concession exponent (the parameter ``e``).
        summary: One line for ``negsim plugins``.
    """

    def __init__(self, e: float, summary: str) -> None:
        self.e = e
        self.summary = summary

    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        """Declare the doctrine and its parameters ``e``, ``u_min`` and ``u_max``."""
        params = tuple(
            attrs.evolve(spec, default=self.e) if spec.name == "e" else spec
            for spec in TACTIC_PARAMS
        )
        return PluginSpec(role="doctrine", summary=self.summary, params=params)

    @negsim.hookimpl
    def negsim_decide(self, view: AgentView) -> list[Move]:
        """In each negotiation where it is its turn: accept (``AC_next``) or bid."""
        moves: list[Move] = []
        for session in view.sessions:
            if session.status is not SessionStatus.OPEN or not session.may_move(view.me):
                continue
            moves.append(self.move(view, session))
        return moves

    def move(self, view: AgentView, session: Session) -> Message:
        """The move in one negotiation: accept the offer on the table, or bid.

        Args:
            view: The agent's view of the round.
            session: A negotiation over one issue in which it may move.
        """
        issue = session.negotiation.issues[0]
        first = first_party(session, view.me)
        t, deadline = relative_time(session, view.round)
        goal = target(
            t,
            deadline,
            e=float(view.param("e")),
            u_min=float(view.param("u_min")),
            u_max=float(view.param("u_max")),
        )
        mine = bid(issue, goal, first)
        standing = session.text.get(issue.name)
        if standing is not None and session.author != view.me:
            offered = utility(issue, standing, first)
            if accepts(offered, utility(issue, mine, first)):
                return view.accept(session)
        return view.offer(session, **{issue.name: mine})

    def __repr__(self) -> str:
        return f"TimeDependent(e={self.e:g})"


TIME_DEPENDENT = TimeDependent(1.0, "Bargaining: time-dependent tactic, exponent e (1: linear)")
"""The doctrine ``time_dependent`` (``e`` defaults to 1, linear)."""
BOULWARE = TimeDependent(0.2, "Bargaining: Boulware tactic, holds out until near the deadline")
"""The doctrine ``boulware`` (``e`` defaults to 0.2)."""
CONCEDER = TimeDependent(2.0, "Bargaining: Conceder tactic, concedes early")
"""The doctrine ``conceder`` (``e`` defaults to 2)."""


# -- the world rules --------------------------------------------------------------------

PARAMS = (
    ParamSpec(
        "p",
        0.5,
        "Probability that the first party (the proposer) wins a war; the second wins with 1 - p.",
        0.0,
        1.0,
        "Fearon 1995",
    ),
)
"""The world rules' parameter: the war's odds."""

AGREEMENT = "agreement"
"""Outcome: the parties agreed on a value."""
WAR = "war"
"""Outcome: a party rejected the text on the table, breaking the negotiation off."""
DISAGREEMENT = "disagreement"
"""Outcome: no agreement by the deadline, and no break-off."""

OUTCOMES = (
    OutcomeSpec(AGREEMENT, "The parties agreed on a value of the issue."),
    OutcomeSpec(WAR, "A party rejected the text on the table: the talks broke off in war."),
    OutcomeSpec(DISAGREEMENT, "The deadline passed without agreement or break-off."),
)
"""The outcome classes of a bargaining game."""

_SPEC = PluginSpec(
    role="world",
    summary="Bilateral bargaining over one issue: agreement, disagreement, or war on break-off",
    params=PARAMS,
    outcomes=OUTCOMES,
)


def offer(negotiation: str) -> str:
    """The variable holding the value of the last offer made in ``negotiation``."""
    return f"offer({negotiation})"


def offers(negotiation: str) -> str:
    """The variable counting the offers made in ``negotiation``."""
    return f"offers({negotiation})"


def rejected(party: str, negotiation: str) -> str:
    """The fact that ``party`` rejected the text on the table of ``negotiation``."""
    return f"rejected({party},{negotiation})"


def negotiation_of(scenario: Scenario) -> tuple[str, tuple[str, str], Issue]:
    """The scenario's negotiation: its id, its two parties and its issue.

    Raises:
        negsim.ScenarioError: Not exactly one negotiation, between two parties, over
            one numeric issue.
    """
    problems: list[Problem] = []
    if len(scenario.negotiations) != 1:
        ids = ", ".join(n.id for n in scenario.negotiations) or "(none)"
        problems.append(
            Problem(
                "negotiations",
                f"a bargaining game has one negotiation; this scenario has "
                f"{len(scenario.negotiations)}: {ids}",
            )
        )
    else:
        n = scenario.negotiations[0]
        if len(n.parties) != 2:
            problems.append(
                Problem(
                    f"negotiations.{n.id}.parties",
                    f"a bargaining game has two parties; {n.id!r} has {len(n.parties)}: "
                    f"{', '.join(n.parties)}",
                )
            )
        if len(n.issues) != 1:
            problems.append(
                Problem(
                    f"negotiations.{n.id}.issues",
                    f"a bargaining game is over one issue; {n.id!r} has {len(n.issues)}: "
                    f"{', '.join(i.name for i in n.issues)}",
                )
            )
        else:
            try:
                issue_range(n.issues[0])
            except ValueError as error:
                problems.append(Problem(f"negotiations.{n.id}.issues", str(error)))
    if problems:
        raise negsim.ScenarioError(scenario.name, problems)
    n = scenario.negotiations[0]
    return n.id, (n.parties[0], n.parties[1]), n.issues[0]


def _p(scenario: Scenario) -> float:
    return float(scenario.world_params.get("p", PARAMS[0].default))


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    """Declare the world rules, their parameter and their outcomes."""
    return _SPEC


@negsim.hookimpl
def negsim_simulation_start(scenario: Scenario) -> None:
    """Refuse a scenario that is not one bilateral negotiation over one numeric issue.

    Raises:
        negsim.ScenarioError: What is wrong with the scenario's negotiations.
    """
    negotiation_of(scenario)


@negsim.hookimpl
def negsim_adjudicate(
    world: WorldState, messages: tuple[Message, ...], scenario: Scenario
) -> Adjudication:
    """Record the round's offers and rejections in the negotiation, in public."""
    nid, _, issue = negotiation_of(scenario)
    facts = set(world.facts)
    variables = dict(world.variables)
    for m in messages:
        if m.negotiation != nid:
            continue
        if m.performative is Performative.OFFER and issue.name in m.terms:
            variables[offer(nid)] = float(m.terms[issue.name])
            variables[offers(nid)] = variables.get(offers(nid), 0.0) + 1
        elif m.performative is Performative.REJECT:
            facts.add(rejected(m.sender, nid))
    return Adjudication(world=attrs.evolve(world, facts=facts, variables=variables))


@negsim.hookimpl
def negsim_classify_outcome(world: WorldState, scenario: Scenario) -> tuple[str, str] | None:
    """Classify the run in the round the negotiation ends: agreement, war or disagreement."""
    nid, (a, b), issue = negotiation_of(scenario)
    t = world.round
    value = world.value(offer(nid))
    if world.holds(f"agreed({nid})"):
        ua, ub = utility(issue, value, True), utility(issue, value, False)
        return AGREEMENT, (
            f"{a} and {b} agreed on {issue.name} = {value:g} in round {t}; "
            f"utilities {a} {ua:.3g}, {b} {ub:.3g}"
        )
    if world.holds(f"failed({nid})"):
        breakers = [x for x in (a, b) if world.holds(rejected(x, nid))]
        if breakers:
            return WAR, (
                f"{breakers[0]} rejected {issue.name} = {value:g} in round {t}: "
                f"war, which {a} wins with probability {_p(scenario):g}"
            )
        deadline = scenario.negotiations[0].deadline
        return DISAGREEMENT, f"no agreement on {issue.name} by round {deadline}"
    return None


@negsim.hookimpl
def negsim_collect_metrics(
    world: WorldState, events: tuple[Event, ...], scenario: Scenario
) -> dict[str, float]:
    """The negotiation's end, its offers, the agreed value and each party's utility."""
    nid, (a, b), issue = negotiation_of(scenario)
    ended = next(
        (e for e in events if isinstance(e, NegotiationEnded) and e.negotiation == nid), None
    )
    war = (
        ended is not None
        and not ended.agreed
        and any(world.holds(rejected(x, nid)) for x in (a, b))
    )
    metrics = {
        "bargaining_agreed": float(ended is not None and ended.agreed),
        "bargaining_war": float(war),
        "bargaining_round": float(ended.round) if ended is not None else -1.0,
        "bargaining_offers": world.value(offers(nid)),
    }
    if offer(nid) in world.variables:
        metrics["bargaining_last_offer"] = world.value(offer(nid))
    if ended is None:
        return metrics
    for party, first in ((a, True), (b, False)):
        if ended.agreed:
            u = utility(issue, ended.terms[issue.name], first)
        elif war:
            u = win_probability(_p(scenario), first)
        else:
            u = 0.0
        metrics[f"bargaining_utility({party})"] = u
    if ended.agreed:
        metrics["bargaining_value"] = float(ended.terms[issue.name])
    return metrics
