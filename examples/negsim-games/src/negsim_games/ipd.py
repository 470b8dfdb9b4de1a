"""The iterated prisoner's dilemma: world rules ``ipd`` and four classic strategies.

The game (Axelrod 1984, *The Evolution of Cooperation*, ch. 1): two players meet
round after round; in each round both choose at once to cooperate (C) or defect (D),
and each is paid by the pair of choices:

===========  ==============  ==============
 me \\ them   cooperates      defects
===========  ==============  ==============
cooperate    R (reward)      S (sucker's)
defect       T (temptation)  P (punishment)
===========  ==============  ==============

with ``T > R > P > S`` (defecting pays whatever the other does, yet mutual defection
is worse for both than mutual cooperation) and ``2R > T + S`` (taking turns to exploit
each other pays less than cooperating). Axelrod's tournaments used R=3, T=5, S=0, P=1,
the defaults here. Over 200 rounds tit for tat scores 199 against always-defect's 204:
it is exploited once, in the first round, then defects back. These are the scores of
the Axelrod library (``axelrod.Match`` with ``axelrod.Game(r=3, s=0, t=5, p=1)``,
``turns=200``) for the same match.

How the game is played in negsim
--------------------------------
* **Moves are actions**, from negsim's crisis vocabulary in its arms-race reading of
  the dilemma: to cooperate is to keep one's forces down, to defect is to arm. A
  player cooperates with a ``stand_down`` action and defects with a ``mobilize``
  action, each aimed at the other player. A round in which a player does not mobilize
  counts as cooperation (restraint is the default; standing down says so
  explicitly, and is what the doctrines here do); a ``mobilize`` defects whatever
  else the player does. Moves are simultaneous, as negsim's rounds are.
* **The world keeps the record**, in public, so that each player learns the other's
  choice after every round (the dilemma's perfect monitoring): the facts
  ``cooperated(X)`` or ``defected(X)`` say what ``X`` chose in the last round (exactly
  one of them holds for each player after round 1), and the variables ``score(X)``,
  ``cooperations(X)``, ``defections(X)``, ``mutual_cooperations`` and
  ``mutual_defections`` accumulate (a variable appears the first time it is counted).
* **The payoffs** are the world parameters ``R``, ``T``, ``S`` and ``P``. A scenario
  whose payoffs break ``T > R > P > S`` or ``2R > T + S``, or that does not have
  exactly two players, is refused when the run starts, with a
  :class:`negsim.ScenarioError` naming the values.
* **The outcome** is classified after the last round (``max_rounds``), from the kind
  of round that was most common: ``mutual_cooperation`` (both cooperated),
  ``mutual_defection`` (both defected) or ``exploitation`` (one defected against a
  cooperator). A tie goes to the less cooperative class, in that order:
  mutual defection, exploitation, mutual cooperation.
* **The metrics** are each player's score, ``ipd_score(X)``, and the share of rounds
  in which it cooperated, ``ipd_cooperation_rate(X)``.

The doctrines
-------------
Each strategy is a rule from what the opponent did to a choice, read from the world's
public record, and a :class:`Strategy` plugin that plays it each round. They follow
the strategies of the same names in the Axelrod library
(``axelrod/strategies/titfortat.py``, ``grudger.py``, ``cooperator.py``,
``defector.py``), so a negsim match and a library match of the same pair agree round
by round:

* ``tit_for_tat`` (:func:`tit_for_tat`): cooperate in the first round, then do what
  the opponent did in the last one. Anatol Rapoport's entry, the winner of both of
  Axelrod's tournaments: nice (never the first to defect), retaliatory, forgiving
  and clear (Axelrod 1984, ch. 2).
* ``always_defect`` (:func:`always_defect`): defect every round, the dominant choice
  in a single round.
* ``always_cooperate`` (:func:`always_cooperate`): cooperate every round, whatever
  happens.
* ``grudger`` (:func:`grudger`): cooperate until the opponent defects once, then
  defect for the rest of the game (James Friedman's strategy in Axelrod's first
  tournament, also called grim trigger): nice and retaliatory, never forgiving.

No rule draws a random number, so a match is the same whatever its seed.

Install the distribution (``pip install -e examples/negsim-games``) and run the
example scenario::

    negsim run examples/negsim-games/scenarios/ipd_tft_vs_alld.toml --quiet
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Mapping, Sequence

import attrs

import negsim
from negsim.errors import Problem
from negsim.model import (
    Action,
    ActionKind,
    Adjudication,
    AgentView,
    Move,
    OutcomeSpec,
    ParamSpec,
    ParamValue,
    PluginSpec,
    Scenario,
    WorldState,
)

__all__ = [
    "ACTIONS",
    "ALWAYS_COOPERATE",
    "ALWAYS_DEFECT",
    "EXPLOITATION",
    "GRUDGER",
    "MUTUAL_COOPERATION",
    "MUTUAL_COOPERATIONS",
    "MUTUAL_DEFECTION",
    "MUTUAL_DEFECTIONS",
    "OUTCOMES",
    "PARAMS",
    "SOURCE",
    "TIT_FOR_TAT",
    "Choice",
    "Payoffs",
    "Strategy",
    "always_cooperate",
    "always_defect",
    "choice_of",
    "cooperated",
    "cooperations",
    "defected",
    "defections",
    "grudger",
    "last_choice",
    "negsim_adjudicate",
    "negsim_classify_outcome",
    "negsim_collect_metrics",
    "negsim_plugin_spec",
    "negsim_simulation_start",
    "opponent",
    "play",
    "players",
    "score",
    "tit_for_tat",
]

SOURCE = "Axelrod 1984, The Evolution of Cooperation"
"""Where the game and its tournament payoffs come from."""


class Choice(enum.StrEnum):
    """A player's choice in one round, written as in the literature (C or D)."""

    COOPERATE = "C"
    """Cooperate: a ``stand_down`` action (or no ``mobilize``)."""
    DEFECT = "D"
    """Defect: a ``mobilize`` action."""


ACTIONS = {Choice.COOPERATE: ActionKind.STAND_DOWN, Choice.DEFECT: ActionKind.MOBILIZE}
"""The action that makes each choice."""


# -- the world's public record --------------------------------------------------------


def cooperated(player: str) -> str:
    """The fact that ``player`` cooperated in the last round."""
    return f"cooperated({player})"


def defected(player: str) -> str:
    """The fact that ``player`` defected in the last round."""
    return f"defected({player})"


def score(player: str) -> str:
    """The variable holding ``player``'s score so far."""
    return f"score({player})"


def cooperations(player: str) -> str:
    """The variable counting the rounds in which ``player`` cooperated."""
    return f"cooperations({player})"


def defections(player: str) -> str:
    """The variable counting the rounds in which ``player`` defected."""
    return f"defections({player})"


MUTUAL_COOPERATIONS = "mutual_cooperations"
"""The variable counting the rounds in which both players cooperated."""

MUTUAL_DEFECTIONS = "mutual_defections"
"""The variable counting the rounds in which both players defected."""


# -- the world rules ------------------------------------------------------------------

PARAMS = (
    ParamSpec("R", 3.0, "Reward: each player's payoff when both cooperate.", -100, 100, SOURCE),
    ParamSpec(
        "T",
        5.0,
        "Temptation: the payoff for defecting against a cooperator; must exceed R.",
        -100,
        100,
        SOURCE,
    ),
    ParamSpec(
        "S",
        0.0,
        "Sucker's payoff: for cooperating against a defector; below P, and T + S below 2R.",
        -100,
        100,
        SOURCE,
    ),
    ParamSpec(
        "P",
        1.0,
        "Punishment: each player's payoff when both defect; between S and R.",
        -100,
        100,
        SOURCE,
    ),
)
"""The payoff matrix, as world parameters (Axelrod's tournament values by default)."""

MUTUAL_COOPERATION = "mutual_cooperation"
"""Outcome: rounds in which both cooperated were the most common."""
MUTUAL_DEFECTION = "mutual_defection"
"""Outcome: rounds in which both defected were the most common."""
EXPLOITATION = "exploitation"
"""Outcome: rounds in which one player defected against a cooperator were the most common."""

OUTCOMES = (
    OutcomeSpec(
        MUTUAL_COOPERATION, "Rounds in which both players cooperated were the most common."
    ),
    OutcomeSpec(MUTUAL_DEFECTION, "Rounds in which both players defected were the most common."),
    OutcomeSpec(
        EXPLOITATION,
        "Rounds in which one player defected against a cooperator were the most common.",
    ),
)
"""The outcome classes of a match, by its most common kind of round (a tie goes to the
less cooperative class: mutual defection, then exploitation, then mutual cooperation)."""

_SPEC = PluginSpec(
    role="world",
    summary="Iterated prisoner's dilemma: two players, payoffs R, T, S, P each round",
    params=PARAMS,
    outcomes=OUTCOMES,
)


@dataclasses.dataclass(frozen=True)
class Payoffs:
    """The payoff matrix of one round.

    Attributes:
        R: Reward for mutual cooperation.
        T: Temptation to defect against a cooperator.
        S: Sucker's payoff for cooperating against a defector.
        P: Punishment for mutual defection.
    """

    R: float = 3.0
    T: float = 5.0
    S: float = 0.0
    P: float = 1.0

    @classmethod
    def of(cls, params: Mapping[str, ParamValue]) -> Payoffs:
        """The payoffs a scenario's world parameters set (defaults for the others)."""
        d = cls()
        return cls(
            R=float(params.get("R", d.R)),
            T=float(params.get("T", d.T)),
            S=float(params.get("S", d.S)),
            P=float(params.get("P", d.P)),
        )

    def broken(self) -> list[str]:
        """The conditions of a prisoner's dilemma these payoffs break, with the values.

        Returns:
            One line per broken condition (``T > R``, ``R > P``, ``P > S``,
            ``2R > T + S``); empty for a prisoner's dilemma.
        """
        r, t, s, p = self.R, self.T, self.S, self.P
        checks = [
            (t > r, f"T > R fails: T={t:g} <= R={r:g}"),
            (r > p, f"R > P fails: R={r:g} <= P={p:g}"),
            (p > s, f"P > S fails: P={p:g} <= S={s:g}"),
            (2 * r > t + s, f"2R > T + S fails: 2R={2 * r:g} <= T + S={t + s:g}"),
        ]
        return [message for holds, message in checks if not holds]

    def payoff(self, mine: Choice, theirs: Choice) -> float:
        """What a player who chose ``mine`` gets against ``theirs``."""
        if mine is Choice.COOPERATE:
            return self.R if theirs is Choice.COOPERATE else self.S
        return self.T if theirs is Choice.COOPERATE else self.P

    def __str__(self) -> str:
        return f"R={self.R:g}, T={self.T:g}, S={self.S:g}, P={self.P:g}"


def players(scenario: Scenario) -> tuple[str, str]:
    """The two players' ids, sorted.

    Raises:
        negsim.ScenarioError: The scenario does not have exactly two agents.
    """
    ids = scenario.agent_ids
    if len(ids) != 2:
        raise negsim.ScenarioError(
            scenario.name,
            [
                Problem(
                    "agents",
                    f"the iterated prisoner's dilemma has two players; this scenario has "
                    f"{len(ids)}: {', '.join(ids) or '(none)'}",
                )
            ],
        )
    return ids[0], ids[1]


def _payoffs(scenario: Scenario) -> Payoffs:
    """The scenario's payoff matrix, checked.

    Raises:
        negsim.ScenarioError: The payoffs are not a prisoner's dilemma.
    """
    payoffs = Payoffs.of(scenario.world_params)
    broken = payoffs.broken()
    if broken:
        raise negsim.ScenarioError(
            scenario.name,
            [
                Problem(
                    "world.params",
                    f"the payoffs {payoffs} are not a prisoner's dilemma, which needs "
                    f"T > R > P > S and 2R > T + S: {'; '.join(broken)}",
                )
            ],
        )
    return payoffs


def _match(scenario: Scenario) -> tuple[Payoffs, str, str]:
    """The scenario's payoffs and players, checked, worked out once per scenario object.

    The world rules ask for them every round; a scenario is frozen, and its entry keeps
    it alive, so a recycled id can never hit.
    """
    hit = _MATCHES.get(id(scenario))
    if hit is not None and hit[0] is scenario:
        return hit[1]
    match = (_payoffs(scenario), *players(scenario))
    if len(_MATCHES) >= 64:
        _MATCHES.clear()
    _MATCHES[id(scenario)] = (scenario, match)
    return match


_MATCHES: dict[int, tuple[Scenario, tuple[Payoffs, str, str]]] = {}


def choice_of(actions: Sequence[Action], player: str) -> Choice:
    """What ``player`` chose this round: defect if it mobilized, else cooperate."""
    mobilized = any(a.actor == player and a.kind is ActionKind.MOBILIZE for a in actions)
    return Choice.DEFECT if mobilized else Choice.COOPERATE


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    """Declare the world rules, their payoff parameters and their outcomes."""
    return _SPEC


@negsim.hookimpl
def negsim_simulation_start(scenario: Scenario) -> None:
    """Refuse a scenario that is not a two-player prisoner's dilemma, before round 1.

    Raises:
        negsim.ScenarioError: Not exactly two agents, or payoffs that break
            ``T > R > P > S`` or ``2R > T + S`` (the message names the values).
    """
    players(scenario)
    _payoffs(scenario)


@negsim.hookimpl
def negsim_adjudicate(
    world: WorldState, actions: tuple[Action, ...], scenario: Scenario
) -> Adjudication:
    """Score the round: pay each player for its choice against the other's, and record both."""
    payoffs, first, second = _match(scenario)
    chose = {p: choice_of(actions, p) for p in (first, second)}
    facts = set(world.facts)
    variables = dict(world.variables)

    def add(name: str, amount: float) -> None:
        variables[name] = variables.get(name, 0.0) + amount

    for me, other in ((first, second), (second, first)):
        mine = chose[me]
        add(score(me), payoffs.payoff(mine, chose[other]))
        facts -= {cooperated(me), defected(me)}
        if mine is Choice.COOPERATE:
            facts.add(cooperated(me))
            add(cooperations(me), 1)
        else:
            facts.add(defected(me))
            add(defections(me), 1)
    if chose[first] is chose[second]:
        both = MUTUAL_COOPERATIONS if chose[first] is Choice.COOPERATE else MUTUAL_DEFECTIONS
        add(both, 1)
    return Adjudication(world=attrs.evolve(world, facts=facts, variables=variables))


@negsim.hookimpl
def negsim_classify_outcome(
    world: WorldState, scenario: Scenario, final: bool
) -> tuple[str, str] | None:
    """After the last round, classify the match by its most common kind of round."""
    if not final:
        return None
    _, first, second = _match(scenario)
    rounds = int(world.value(cooperations(first)) + world.value(defections(first)))
    both_c = int(world.value(MUTUAL_COOPERATIONS))
    both_d = int(world.value(MUTUAL_DEFECTIONS))
    one_sided = rounds - both_c - both_d
    scores = (
        f"scores {first} {world.value(score(first)):g}, {second} {world.value(score(second)):g}"
    )
    if both_d >= one_sided and both_d >= both_c:
        return MUTUAL_DEFECTION, f"both defected in {both_d} of {rounds} rounds; {scores}"
    if one_sided >= both_c:
        exploited = ", ".join(
            f"{me} exploited {other} in {int(world.value(defections(me))) - both_d}"
            for me, other in ((first, second), (second, first))
        )
        return EXPLOITATION, (
            f"one defected against a cooperator in {one_sided} of {rounds} rounds "
            f"({exploited}); {scores}"
        )
    return MUTUAL_COOPERATION, f"both cooperated in {both_c} of {rounds} rounds; {scores}"


@negsim.hookimpl
def negsim_collect_metrics(world: WorldState, scenario: Scenario) -> dict[str, float]:
    """Each player's score and cooperation rate (the share of rounds it cooperated)."""
    metrics: dict[str, float] = {}
    for p in players(scenario):
        played = world.value(cooperations(p)) + world.value(defections(p))
        metrics[f"ipd_score({p})"] = world.value(score(p))
        metrics[f"ipd_cooperation_rate({p})"] = (
            world.value(cooperations(p)) / played if played else 0.0
        )
    return metrics


# -- the doctrines --------------------------------------------------------------------


def opponent(view: AgentView) -> str | None:
    """The other player (the first other agent by id; ``None`` when alone)."""
    return next((a for a in view.public.agents if a != view.me), None)


def last_choice(view: AgentView, player: str | None) -> Choice | None:
    """What ``player`` chose in the last round, from the world's public record.

    Returns:
        ``None`` in the first round (nothing has been chosen yet) and for ``None``.
    """
    if player is not None and view.holds(defected(player)):
        return Choice.DEFECT
    if player is not None and view.holds(cooperated(player)):
        return Choice.COOPERATE
    return None


def play(view: AgentView, choice: Choice) -> Action:
    """The action that makes ``choice`` this round, aimed at the opponent."""
    return view.act(ACTIONS[choice], opponent(view))


def tit_for_tat(view: AgentView) -> Choice:
    """Cooperate in the first round; then do what the opponent did in the last one."""
    return last_choice(view, opponent(view)) or Choice.COOPERATE


def always_defect(view: AgentView) -> Choice:
    """Defect, whatever the opponent did."""
    return Choice.DEFECT


def always_cooperate(view: AgentView) -> Choice:
    """Cooperate, whatever the opponent did."""
    return Choice.COOPERATE


def grudger(view: AgentView) -> Choice:
    """Cooperate until the opponent has defected once; from then on, defect."""
    other = opponent(view)
    if other is not None and view.world.value(defections(other)) > 0:
        return Choice.DEFECT
    return Choice.COOPERATE


class Strategy:
    """A doctrine plugin that plays one rule of the dilemma each round.

    Args:
        rule: From the agent's view of the round to its choice.
        summary: One line for ``negsim plugins``.
    """

    def __init__(self, rule: Callable[[AgentView], Choice], summary: str) -> None:
        self.rule = rule
        self.summary = summary

    @negsim.hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        """Declare the doctrine (it has no parameters)."""
        return PluginSpec(role="doctrine", summary=self.summary)

    @negsim.hookimpl
    def negsim_decide(self, view: AgentView) -> list[Move]:
        """Play the rule's choice: ``stand_down`` to cooperate, ``mobilize`` to defect."""
        return [play(view, self.rule(view))]

    def __repr__(self) -> str:
        return f"Strategy({self.rule.__name__})"


TIT_FOR_TAT = Strategy(tit_for_tat, "IPD: cooperates first, then copies the opponent's last move")
"""The doctrine ``tit_for_tat``."""
ALWAYS_DEFECT = Strategy(always_defect, "IPD: defects every round")
"""The doctrine ``always_defect``."""
ALWAYS_COOPERATE = Strategy(always_cooperate, "IPD: cooperates every round")
"""The doctrine ``always_cooperate``."""
GRUDGER = Strategy(grudger, "IPD: cooperates until the opponent defects once, then defects")
"""The doctrine ``grudger``."""
