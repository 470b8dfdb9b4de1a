"""The ``stimulus`` doctrine: a scripted agent that puts a doctrine under test to work."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import attrs

from negsim.hookspecs import hookimpl
from negsim.model import AgentView, CommitmentState, Move, ParamSpec, PluginSpec

__all__ = ["STIMULI", "STIMULUS", "Stimulus", "Step", "parse_script"]

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
)
"""The kinds of step a :class:`Stimulus` script can hold, in the order strategies prefer."""


@attrs.frozen
class Step:
    """One step of a stimulus script: ``round:kind:target:value``.

    Attributes:
        round: The round in which it is played.
        kind: One of :data:`STIMULI`.
        target: An agent id, or ``*`` for every other agent.
        value: A number in [0, 1] whose meaning depends on the kind (an attack's
            magnitude, a threat's credibility, an offer's size / 100, a vote's consent
            when >= 0.5, a pledge's deadline * 4).
    """

    round: int
    kind: str
    target: str
    value: float

    def __str__(self) -> str:
        return f"{self.round}:{self.kind}:{self.target}:{self.value:g}"


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
        if len(fields) != 4 or fields[1] not in STIMULI:
            raise ValueError(
                f"bad stimulus step {part!r}: expected round:kind:target:value with kind one "
                f"of {', '.join(STIMULI)}"
            )
        steps.append(Step(int(fields[0]), fields[1], fields[2], float(fields[3])))
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
    kind, value = step.kind, step.value
    targets = _targets(view, step.target)
    caps = view.public.capabilities[me]
    moves: list[Move] = []
    if kind == "propose":
        for al in view.public.alliances_of(me):
            others = [m for m in al.members if m != me]
            moves.append(
                view.say(
                    others, "propose", alliance=al.id, decision="collective_response", target=me
                )
            )
        return moves
    if kind == "vote":
        for p in view.proposals:
            others = [m for m in view.public.alliance(p.alliance).members if m != me]
            moves.append(view.say(others, "vote", proposal=p.id, consent=value >= 0.5))
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
    if kind == "withdraw":
        return [view.act("withdraw")]
    if kind == "stand_down":
        return [view.act("stand_down")]
    if kind == "mobilize":
        return [view.act("mobilize")]
    if not targets:
        return moves
    if kind == "inform":
        return [view.say(targets, "inform", about="stimulus")]
    if kind == "consult":
        return [view.say(targets, "consult", article=4)]
    if kind == "demand":
        return [view.say(targets, "demand", demand="concede")]
    if kind == "offer":
        return [view.say(targets, "offer", value=round(value * 100, 2), demand="stand_down")]
    if kind == "request_support":
        return [view.say(targets, "request_support", target=me)]
    if kind == "request_access":
        return [view.say(targets, "request_support", access=True, target=me)]
    for target in targets:
        if kind == "threaten":
            users = sorted(view.public.capabilities[target].forces_hosted) or [""]
            for user in users:
                antecedent = (
                    f"grants_access({target},{user})" if user else f"responds({target},{target})"
                )
                moves.append(
                    view.say(
                        target,
                        "threaten",
                        nuclear=True,
                        credibility=value,
                        demand="deny_access",
                        antecedent=antecedent,
                        consequent=f"struck({target})",
                        deadline=3,
                    )
                )
        elif kind == "pledge":
            moves.append(
                view.say(
                    target,
                    "pledge",
                    antecedent=f"attacked({target})",
                    consequent=f"responds({me},{target})",
                    deadline=int(value * 4),
                )
            )
        elif kind == "attack" and caps.conventional > 0:
            moves.append(view.act("attack", target, value))
        elif kind == "nuclear_strike" and caps.nuclear > 0:
            moves.append(view.act("nuclear_strike", target))
        elif kind in ("respond", "concede") or (
            kind in ("grant_access", "deny_access") and target in caps.forces_hosted
        ):
            moves.append(view.act(kind, target))
    return moves
