"""negsim-hawkish: a hawkish doctrine for negsim, packaged as a third-party plugin.

A hawk stands by its allies early and loudly. It reads the facts of the crisis world
rules' vocabulary, ``attacked(T)`` and ``responds(R,T)``, spelled by the helpers of
:mod:`negsim.crisis` (a doctrine imports the vocabulary from there, never from another
plugin), and each round, in this order:

1. **Opens**, if its ``target`` parameter names a state: in ``open_round`` it attacks
   that state with magnitude ``resolve`` (a hawk with a grievance starts the crisis).
2. **Counter-threatens** every state that threatened it (once per threatener): a
   ``threaten`` message whose antecedent is the threat's own consequent (or
   ``attacked(<me>)`` when the threat names none) and whose consequent is
   ``responds(<me>,<me>)``: "if you carry it out, I strike back".
3. **Pledges** support to each ally that is attacked, once per ally: a ``pledge`` with
   antecedent ``attacked(<ally>)`` and consequent ``responds(<me>,<ally>)`` and the
   deadline ``deadline``. The engine turns it into a commitment owed to the ally; as
   the antecedent already holds, it detaches at once, and is violated if the hawk
   does not respond in time.
4. **Warns** every state outside its alliances, once per attacked ally: a ``threaten``
   message with the same antecedent and consequent as the pledge.
5. **Responds** to an attack on itself or an ally (once per attacked state) when its
   resolve, jittered by ``noise``, exceeds ``threshold``:
   ``resolve + U(-noise, noise) > threshold``. The ``respond`` action's magnitude is
   that jittered resolve, clipped to [0, 1]. A state without conventional forces only
   talks.

The jitter is the doctrine's only randomness, and it is drawn from ``view.rng``, the
agent's own stream, in a fixed order (attacked states sorted by id), so a run is
reproducible from its seed. The doctrine keeps its memory (whom it has answered,
pledged to, warned and defended) in the private state it creates in
:func:`negsim_agent_start`; it never reads another agent's parameters.

Install it next to negsim (``pip install -e examples/negsim-hawkish``) and name it
in a scenario::

    [[agents]]
    id = "BLUE"
    name = "Blue"
    doctrine = "hawkish"
    params = { resolve = 0.8, threshold = 0.5 }
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

import negsim
from negsim import ParamSpec, PluginSpec
from negsim.crisis import attacked, responds
from negsim.model import Agent, Move, Performative

__all__ = [
    "PARAMS",
    "HawkState",
    "negsim_agent_start",
    "negsim_decide",
    "negsim_plugin_spec",
]

try:
    __version__ = version("negsim-hawkish")
except PackageNotFoundError:  # imported from a source tree without installing
    __version__ = "0+unknown"

PARAMS = (
    ParamSpec(
        "resolve",
        0.7,
        "Willingness to use force for itself and its allies, 0-1; also the size of its "
        "attack when it opens a crisis and of its responses.",
        0.0,
        1.0,
    ),
    ParamSpec(
        "threshold",
        0.5,
        "The resolve (after jitter) above which it responds to an attack with force.",
        0.0,
        1.0,
    ),
    ParamSpec(
        "noise",
        0.1,
        "Half-width of the uniform jitter added to resolve at each decision to respond.",
        0.0,
        0.5,
    ),
    ParamSpec(
        "deadline",
        2,
        "Rounds after detaching by which its pledges must be honoured.",
        0,
        20,
    ),
    ParamSpec(
        "target",
        "",
        "Id of a state it attacks in open_round to start the crisis; empty: it never "
        "strikes first.",
    ),
    ParamSpec("open_round", 1, "The round in which it attacks its target.", 1, 1000),
)
"""The doctrine's parameters, as ``negsim plugins --params`` lists them."""


@dataclasses.dataclass
class HawkState:
    """A hawk's private memory for one run.

    Attributes:
        answered: States whose threats it has answered with a counter-threat.
        pledged: Allies it has pledged to defend.
        warned: Attacked allies on whose behalf it has warned outsiders.
        defended: States it has responded for.
    """

    answered: set[str] = dataclasses.field(default_factory=set)
    pledged: set[str] = dataclasses.field(default_factory=set)
    warned: set[str] = dataclasses.field(default_factory=set)
    defended: set[str] = dataclasses.field(default_factory=set)


@negsim.hookimpl
def negsim_plugin_spec() -> PluginSpec:
    """Declare the doctrine and its parameters."""
    return PluginSpec(
        role="doctrine",
        summary="Counter-threatens, pledges to attacked allies and responds when resolved.",
        params=PARAMS,
    )


@negsim.hookimpl
def negsim_agent_start(agent: Agent) -> HawkState:
    """Start each run with an empty memory."""
    return HawkState()


@negsim.hookimpl
def negsim_decide(view: negsim.AgentView) -> Sequence[Move]:
    """The hawk's moves for this round (see the module docstring for the rules)."""
    state = view.state if isinstance(view.state, HawkState) else HawkState()
    me = view.me
    resolve = float(view.param("resolve"))
    allies = _allies(view)
    outsiders = [a for a in view.public.agents if a != me and a not in allies]
    moves: list[Move] = []

    # 1. open the crisis
    target = str(view.param("target"))
    opening = view.round == int(view.param("open_round"))
    armed = view.public.capabilities[me].conventional > 0
    if opening and armed and target in view.public.agents and target != me:
        moves.append(view.act("attack", target, magnitude=resolve))

    # 2. answer threats
    for m in view.received(Performative.THREATEN):
        if m.sender in state.answered:
            continue
        state.answered.add(m.sender)
        antecedent = str(m.content.get("consequent", "")) or attacked(me)
        moves.append(
            view.say(
                m.sender,
                Performative.THREATEN,
                in_reply_to=m.id,
                conversation=m.conversation,
                antecedent=antecedent,
                consequent=responds(me, me),
                deadline=int(view.param("deadline")),
            )
        )

    # 3-4. pledge to attacked allies, warn the outsiders
    for ally in allies:
        if not view.holds(attacked(ally)):
            continue
        # the pledge and the warning say the same: if ally is attacked, I respond
        if_attacked = attacked(ally)
        i_respond = responds(me, ally)
        deadline = int(view.param("deadline"))
        if ally not in state.pledged:
            state.pledged.add(ally)
            moves.append(
                view.say(
                    ally,
                    Performative.PLEDGE,
                    antecedent=if_attacked,
                    consequent=i_respond,
                    deadline=deadline,
                )
            )
        if outsiders and ally not in state.warned:
            state.warned.add(ally)
            moves.append(
                view.say(
                    outsiders,
                    Performative.THREATEN,
                    antecedent=if_attacked,
                    consequent=i_respond,
                    deadline=deadline,
                )
            )

    # 5. respond to attacks on itself and its allies
    if view.public.capabilities[me].conventional > 0:
        noise = float(view.param("noise"))
        threshold = float(view.param("threshold"))
        for victim in sorted({me, *allies}):
            if victim in state.defended or not view.holds(attacked(victim)):
                continue
            if view.holds(responds(me, victim)):
                continue
            effective = resolve + view.rng.uniform(-noise, noise)
            if effective > threshold:
                state.defended.add(victim)
                moves.append(view.act("respond", victim, magnitude=min(1.0, max(0.0, effective))))
    return moves


def _allies(view: negsim.AgentView) -> list[str]:
    """The other members of the agent's alliances, sorted."""
    return sorted({m for al in view.public.alliances_of(view.me) for m in al.members} - {view.me})
