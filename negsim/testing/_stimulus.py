"""The ``stimulus`` doctrine: a scripted agent that puts a doctrine under test to work."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import attrs

from negsim.hookspecs import hookimpl
from negsim.model import (
    AgentView,
    CommitmentState,
    Message,
    Move,
    ParamSpec,
    ParamValue,
    PluginSpec,
)

__all__ = ["STIMULI", "STIMULUS", "VARIANTS", "Stimulus", "Step", "parse_script"]

STIMULUS = "stimulus"
"""The name under which the kit registers :class:`Stimulus` for its checks."""

STIMULI = (
    "attack",
    "threaten",
    "offer",
    "demand",
    "request_access",
    "request_support",
    "propose",
    "vote",
    "pledge",
    "respond",
    "withdraw",
    "stand_down",
    "concede",
    "mobilize",
    "grant_access",
    "deny_access",
    "inform",
    "consult",
    "cancel",
    "release",
    "nuclear_strike",
    "promise",
    "accept",
    "reject",
    "bargain",
)
"""The kinds of step a :class:`Stimulus` script can hold, in the order strategies prefer."""

VARIANTS: dict[str, int] = {
    "threaten": 8,
    "offer": 6,
    "demand": 4,
    "request_access": 3,
    "request_support": 2,
    "propose": 3,
    "vote": 2,
    "pledge": 4,
    "promise": 2,
    "inform": 3,
    "consult": 2,
    "accept": 2,
    "reject": 2,
    "bargain": 3,
}
"""How many content variants each kind of step has (a step's ``variant``, modulo this).

Variant 0 is the full message the kit has always sent; the others leave out the keys
:doc:`/reference/performatives` calls optional, or put values at their bounds: a threat
without a ``demand``, a ``rung`` or a ``deadline``, or with ``deadline = 0``; an offer
of 0, of 100 or of a million, with or without a ``demand``; a demand of each kind; an
access request with ``access`` true or absent; a proposal with or without
``decision`` and ``exclude``; a perception shared at 0 or 1; an offer in a negotiation
at either end of each issue's range.
"""


@attrs.frozen
class Step:
    """One step of a stimulus script: ``round:kind:target:value`` or ``...:value:variant``.

    Attributes:
        round: The round in which it is played.
        kind: One of :data:`STIMULI`.
        target: An agent id, or ``*`` for every other agent.
        value: A number in [0, 1] whose meaning depends on the kind (an attack's
            magnitude, a threat's credibility, an offer's size / 100, a vote's consent
            when >= 0.5, a pledge's deadline * 4).
        variant: Which content the message carries (see :data:`VARIANTS`); 0, the
            default, is the full message.
    """

    round: int
    kind: str
    target: str
    value: float
    variant: int = 0

    def __str__(self) -> str:
        text = f"{self.round}:{self.kind}:{self.target}:{self.value:g}"
        return f"{text}:{self.variant}" if self.variant else text


@functools.lru_cache(maxsize=1024)
def parse_script(text: str) -> tuple[Step, ...]:
    """Read a script: steps ``round:kind:target:value`` separated by ``;``.

    Raises:
        ValueError: A step is malformed or names an unknown kind.
    """
    steps = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        fields = part.split(":")
        if len(fields) not in (4, 5) or fields[1] not in STIMULI:
            raise ValueError(
                f"bad stimulus step {part!r}: expected round:kind:target:value[:variant] with "
                f"kind one of {', '.join(STIMULI)}"
            )
        variant = int(fields[4]) if len(fields) == 5 else 0
        steps.append(Step(int(fields[0]), fields[1], fields[2], float(fields[3]), variant))
    return tuple(steps)


def script_text(steps: Sequence[Step]) -> str:
    """The script parameter for ``steps`` (the inverse of :func:`parse_script`)."""
    return ";".join(str(s) for s in steps)


class Stimulus:
    """Doctrine ``stimulus``: plays the script in its ``script`` parameter, nothing else.

    The kit gives this doctrine to some agents of the scenarios it generates, so that
    the doctrine under test meets attacks, nuclear threats, offers, demands, access
    requests, proposals, votes and pledges at generated times, from a source that never
    reacts to it (so a run changes only when the doctrine under test does). A step the
    agent could not legally make (an attack without forces, a vote with no open
    proposal) is skipped, so a stimulus agent never breaks an invariant itself.
    """

    @hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        """Declare the doctrine and its one parameter."""
        return PluginSpec(
            role="doctrine",
            summary="negsim.testing: plays a generated script of stimuli",
            params=(
                ParamSpec(
                    "script",
                    "",
                    "Steps 'round:kind:target:value' separated by ';' (see negsim.testing).",
                ),
            ),
        )

    @hookimpl
    def negsim_decide(self, view: AgentView) -> list[Move]:
        """Play this round's steps, in script order."""
        moves: list[Move] = []
        for step in parse_script(str(view.param("script"))):
            if step.round == view.round:
                moves.extend(_play(view, step))
        return moves


def _targets(view: AgentView, target: str) -> list[str]:
    others = [a for a in view.public.agents if a != view.me]
    if target == "*":
        return others
    return [target] if target in others else []


def _play(view: AgentView, step: Step) -> list[Move]:
    me = view.me
    kind, value, variant = step.kind, step.value, step.variant % VARIANTS.get(step.kind, 1)
    targets = _targets(view, step.target)
    caps = view.public.capabilities[me]
    moves: list[Move] = []
    if kind == "propose":
        for al in view.public.alliances_of(me):
            others = [m for m in al.members if m != me]
            content: dict[str, ParamValue] = {"alliance": al.id}
            if variant != 1:
                content["decision"] = "collective_response"
            if variant == 2 and len(others) >= 2:
                content["exclude"] = others[-1]
            moves.append(_say(view, others, "propose", {"target": me, **content}))
        return moves
    if kind == "vote":
        for p in view.proposals:
            others = [m for m in view.public.alliance(p.alliance).members if m != me]
            consent = value >= 0.5 if variant == 0 else value < 0.5
            moves.append(view.say(others, "vote", proposal=p.id, consent=consent))
        return moves
    if kind in ("cancel", "release"):
        for c in view.commitments:
            mine = c.debtor == me if kind == "cancel" else c.creditor == me
            active = c.state in (CommitmentState.CONDITIONAL, CommitmentState.DETACHED)
            if mine and active and (step.target == "*" or step.target in (c.debtor, c.creditor)):
                moves.append(
                    view.say(c.creditor if kind == "cancel" else c.debtor, kind, commitment=c.id)
                )
                break
        return moves
    if kind == "bargain":
        return _bargain(view, variant)
    if kind in ("withdraw", "stand_down", "mobilize"):
        return [view.act(kind)]
    if not targets:
        return moves
    if kind == "inform":
        if variant == 0:
            return [view.say(targets, "inform", about="stimulus")]
        level = float(variant == 2)
        return [view.say(targets, "inform", threat_perception=level, fear_abandonment=1.0 - level)]
    if kind == "consult":
        return [
            view.say(targets, "consult", article=4)
            if variant == 0
            else view.say(targets, "consult")
        ]
    if kind == "demand":
        if variant == 3:
            return [view.say(targets, "demand")]
        return [view.say(targets, "demand", demand=_DEMANDS[(variant + 2) % 3])]
    if kind == "offer":
        amount = (round(value * 100, 2), 0.0, 100.0, 1e6, round(value * 100, 2), 100.0)[variant]
        if variant >= 4:
            return [view.say(targets, "offer", value=amount)]
        return [view.say(targets, "offer", value=amount, demand=_DEMANDS[variant % 3])]
    if kind == "request_support":
        if variant == 1:
            return [view.say(targets, "request_support")]
        return [view.say(targets, "request_support", target=me)]
    if kind == "request_access":
        if variant == 1:
            return [view.say(targets, "request_support", access=True)]
        if variant == 2:
            return [view.say(targets, "request_support", access=False, target=me)]
        return [view.say(targets, "request_support", access=True, target=me)]
    if kind in ("accept", "reject"):
        answered = [m for m in view.inbox if m.sender in targets and not m.negotiation]
        if not answered:
            return [view.say(targets, kind, demand="stand_down")] if variant == 1 else []
        m = answered[0]
        content = {"demand": m.content["demand"]} if "demand" in m.content else {}
        return [_say(view, m.sender, kind, content, in_reply_to=m.id)]
    for target in targets:
        if kind == "threaten":
            moves += _threats(view, target, value, variant)
        elif kind in ("pledge", "promise"):
            content = {
                "antecedent": f"attacked({target})",
                "consequent": f"responds({me},{target})",
                "deadline": int(value * 4),
            }
            if variant == 1:
                del content["antecedent"]
            elif variant == 2:
                del content["deadline"]
            elif variant == 3:
                content["deadline"] = 0
            visibility = "public" if variant == 2 else "recipients"
            moves.append(_say(view, target, kind, content, visibility=visibility))
        elif kind == "attack" and caps.conventional > 0:
            moves.append(view.act("attack", target, value))
        elif kind == "nuclear_strike" and caps.nuclear > 0:
            moves.append(view.act("nuclear_strike", target))
        elif kind in ("respond", "concede") or (
            kind in ("grant_access", "deny_access") and target in caps.forces_hosted
        ):
            moves.append(view.act(kind, target))
    return moves


def _say(
    view: AgentView,
    to: str | list[str],
    performative: str,
    content: Mapping[str, ParamValue],
    *,
    visibility: str = "recipients",
    in_reply_to: str | None = None,
) -> Message:
    """A message with ``content`` given as a table (its keys may be any)."""
    message = view.say(to, performative, visibility=visibility, in_reply_to=in_reply_to)
    return attrs.evolve(message, content=content)


_DEMANDS = ("deny_access", "stand_down", "concede")
_RUNGS = ("demonstration", "conventional_strike", "nuclear_use")


def _threats(view: AgentView, target: str, value: float, variant: int) -> list[Move]:
    """Threats against ``target``: variant 0 as always, the others leave keys out."""
    users = sorted(view.public.capabilities[target].forces_hosted) or [""]
    moves: list[Move] = []
    for user in users:
        antecedent = f"grants_access({target},{user})" if user else f"responds({target},{target})"
        content: dict[str, ParamValue] = {
            "nuclear": True,
            "credibility": value,
            "demand": "deny_access",
            "antecedent": antecedent,
            "consequent": f"struck({target})",
            "deadline": 3,
        }
        if variant == 1:  # no demand
            del content["demand"]
        elif variant == 2:  # a rung instead of the nuclear flag
            del content["nuclear"]
            content["rung"] = _RUNGS[int(value * 2.99)]
            content["demand"] = _DEMANDS[1 + int(value * 1.99)]
        elif variant == 3:  # cheap talk: no commitment at all
            content = {"demand": "stand_down"}
        elif variant == 4:  # no deadline, no antecedent, no demand
            del content["deadline"], content["antecedent"], content["demand"]
        elif variant == 5:  # due at once
            content["deadline"] = 0
            content["nuclear"] = False
        elif variant == 6:  # bare: nothing but the performative
            content = {}
        elif variant == 7:  # an unknown rung, conventional
            content["rung"] = "unknown"
            content["nuclear"] = False
        moves.append(_say(view, target, "threaten", content))
    return moves


def _bargain(view: AgentView, variant: int) -> list[Move]:
    """A move in each open negotiation where it may move: an offer at an end, or an answer."""
    moves: list[Move] = []
    for session in view.sessions:
        if not session.may_move(view.me):
            continue
        if variant == 0 and session.text:
            moves.append(view.accept(session))
        elif variant == 1 and session.text:
            moves.append(view.reject(session))
        else:
            terms: dict[str, ParamValue] = {}
            for issue in session.negotiation.issues:
                if issue.values:
                    terms[issue.name] = issue.values[-1 if variant else 0]
                elif issue.low is not None and issue.high is not None:
                    terms[issue.name] = issue.high if variant == 2 else issue.low
            moves.append(view.offer(session, **terms))
    return moves
