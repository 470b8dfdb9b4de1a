"""Validation: the rules a move must keep before the world sees it.

Each rule has a short name that appears in :class:`~negsim.model.MoveRejected` events.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from negsim.engine._alliances import AllianceDesk
from negsim.engine._monitor import CommitmentMonitor
from negsim.errors import PropositionError
from negsim.logic import parse
from negsim.model import (
    Action,
    ActionKind,
    Agent,
    Alliance,
    Message,
    Performative,
    Scenario,
    Session,
)

__all__ = ["RULES", "Validator"]

RULES: dict[str, str] = {
    "move-type": "a doctrine returns Message and Action objects only",
    "sender-is-self": "an agent speaks only for itself",
    "actor-is-self": "an agent acts only for itself",
    "current-round": "a move is made in the round being decided",
    "plain-values": (
        "a message's content and terms, and an action's params, map strings to numbers, "
        "booleans and strings (what the event log can hold)"
    ),
    "known-recipient": "messages go to known agents other than the sender",
    "known-target": "an action's target is a known agent",
    "magnitude-range": "an action's magnitude lies in [0, 1]",
    "capability": "an agent acts only within its capabilities",
    "hosts-target": "access is granted or denied only to forces the agent hosts",
    "alliance-member": "only a member puts a proposal to an alliance",
    "exclusion": "a proposal excludes only other members and leaves at least two",
    "vote-eligible": "only a member votes, on an open proposal, with a boolean consent",
    "abstention": "a member abstains (consent false) only where its alliance allows abstention",
    "proposition": "commitment text in a message parses",
    "deadline": "a commitment's deadline in a message is an integer >= 0",
    "commitment-party": "only the debtor cancels and only the creditor releases a commitment",
    "negotiation-move": (
        "a move in a negotiation is an offer, accept or reject, by a party or the mediator "
        "whose turn it is, in an open negotiation"
    ),
    "issue-space": "an offer's terms give valid values for issues of its negotiation",
    "protocol": "the negotiation's protocol allows the move now",
}
"""Every validation rule, by name, with what it requires."""

_COMMITTING = (Performative.PLEDGE, Performative.PROMISE, Performative.THREATEN)
_NEGOTIATING = (Performative.OFFER, Performative.ACCEPT, Performative.REJECT)


class Validator:
    """Checks moves against :data:`RULES`.

    Args:
        scenario: The scenario being run.
        desk: The alliance desk (for open proposals).
        monitor: The commitment monitor (for cancel and release).
        sessions: The negotiations as they stand, by id (read when a move names one).
        tables: :meth:`tables_of` the scenario, if already worked out (its runs share them).
    """

    def __init__(
        self,
        scenario: Scenario,
        desk: AllianceDesk,
        monitor: CommitmentMonitor,
        sessions: Mapping[str, Session] | None = None,
        *,
        tables: tuple[Mapping[str, Agent], Mapping[str, Alliance]] | None = None,
    ) -> None:
        self.agents, self.alliances = tables or self.tables_of(scenario)
        self.desk = desk
        self.monitor = monitor
        self.sessions: Mapping[str, Session] = {} if sessions is None else sessions

    @staticmethod
    def tables_of(scenario: Scenario) -> tuple[Mapping[str, Agent], Mapping[str, Alliance]]:
        """The scenario's agents and alliances by id, as the validator reads them."""
        return {a.id: a for a in scenario.agents}, {al.id: al for al in scenario.alliances}

    def check(self, agent: Agent, move: object, round: int) -> tuple[str, str] | None:
        """Return ``(rule, detail)`` for the first rule ``move`` breaks, or ``None``."""
        if isinstance(move, Message):
            return self._message(agent, move, round)
        if isinstance(move, Action):
            return self._action(agent, move, round)
        return "move-type", f"got {type(move).__name__}: {move!r:.80}"

    def _message(self, agent: Agent, m: Message, round: int) -> tuple[str, str] | None:
        if m.sender != agent.id:
            return "sender-is-self", f"message sent as {m.sender!r}"
        if m.round != round:
            return "current-round", f"message stamped round {m.round}"
        wrong = _plain(m.content, "content") or _plain(m.terms, "terms")
        if wrong:
            return "plain-values", wrong
        unknown = [r for r in m.recipients if r not in self.agents or r == agent.id]
        if not m.recipients or unknown:
            return (
                "known-recipient",
                f"recipients {list(m.recipients)}; known: {sorted(self.agents)}",
            )
        if m.negotiation:
            return self._negotiating(agent, m)
        content = m.content
        if m.performative is Performative.PROPOSE:
            alliance = self.alliances.get(str(content.get("alliance", "")))
            if alliance is None or agent.id not in alliance.members:
                return "alliance-member", f"proposal to alliance {content.get('alliance')!r}"
            excluded = {x for x in str(content.get("exclude", "")).split(",") if x}
            voters = set(alliance.members) - excluded
            if not excluded <= set(alliance.members) or agent.id in excluded or len(voters) < 2:
                return "exclusion", (
                    f"exclude={content.get('exclude')!r}: only other members may be excluded, "
                    "and at least two members must remain"
                )
        elif m.performative is Performative.VOTE:
            proposal = self.desk.open.get(str(content.get("proposal", "")))
            if (
                proposal is None
                or agent.id not in self.alliances[proposal.alliance].members
                or not isinstance(content.get("consent"), bool)
            ):
                return "vote-eligible", f"vote {dict(content)}"
            abstain = content.get("abstain", False)
            if abstain is not False and (
                abstain is not True
                or content["consent"]
                or not self.alliances[proposal.alliance].abstention_share
            ):
                return "abstention", (
                    f"vote {dict(content)}: 'abstain' is a boolean, with consent false, in an "
                    "alliance whose abstention_share allows it"
                )
        elif m.performative in _COMMITTING and "consequent" in content:
            deadline = content.get("deadline")
            if deadline is not None and (
                isinstance(deadline, bool) or not isinstance(deadline, int) or deadline < 0
            ):
                return "deadline", f"deadline must be an integer >= 0 or absent: {deadline!r}"
            for key in ("antecedent", "consequent"):
                try:
                    parse(str(content.get(key, "true")))
                except PropositionError as exc:
                    return "proposition", f"{key}: {exc.reason} at column {exc.column}"
        elif m.performative in (Performative.CANCEL, Performative.RELEASE):
            c = self.monitor.current.get(str(content.get("commitment", "")))
            party = (
                None
                if c is None
                else (c.debtor if m.performative is Performative.CANCEL else c.creditor)
            )
            if party != agent.id:
                return "commitment-party", f"{m.performative} of {content.get('commitment')!r}"
        return None

    def _negotiating(self, agent: Agent, m: Message) -> tuple[str, str] | None:
        session = self.sessions.get(m.negotiation)
        if session is None or m.performative not in _NEGOTIATING or not session.may_move(agent.id):
            state = "no such negotiation" if session is None else f"it is {session.status}"
            turn = f"; its turn: {', '.join(session.turn)}" if session and session.turn else ""
            return "negotiation-move", f"{m.performative} in {m.negotiation!r} ({state}{turn})"
        if m.performative is Performative.OFFER:
            wrong = session.negotiation.check_terms(m.terms)
            if wrong:
                return "issue-space", "; ".join(wrong)
        elif m.terms:
            return "issue-space", f"only an offer carries terms, not {m.performative}"
        return None

    def _action(self, agent: Agent, a: Action, round: int) -> tuple[str, str] | None:
        if a.actor != agent.id:
            return "actor-is-self", f"action taken as {a.actor!r}"
        if a.round != round:
            return "current-round", f"action stamped round {a.round}"
        wrong = _plain(a.params, "params")
        if wrong:
            return "plain-values", wrong
        if a.target is not None and a.target not in self.agents:
            return "known-target", f"target {a.target!r}; known: {sorted(self.agents)}"
        if not 0.0 <= a.magnitude <= 1.0:
            return "magnitude-range", f"magnitude {a.magnitude}"
        caps = agent.capabilities
        if a.kind is ActionKind.ATTACK and (caps.conventional <= 0 or a.target in (None, agent.id)):
            return "capability", "an attack needs conventional forces and another state as target"
        if a.kind is ActionKind.NUCLEAR_STRIKE and caps.nuclear <= 0:
            return "capability", "a nuclear strike needs nuclear weapons"
        if a.kind in (ActionKind.GRANT_ACCESS, ActionKind.DENY_ACCESS) and (
            a.target not in caps.forces_hosted
        ):
            return "hosts-target", f"{agent.id} hosts no forces of {a.target!r}"
        return None


_PLAIN = (str, int, float)  # bool is an int


def _plain(table: Mapping[Any, Any], what: str) -> str | None:
    """What in ``table`` is not a plain value (see :data:`RULES`), or ``None``."""
    for key, value in table.items():
        if not isinstance(key, str):
            return f"{what} key {key!r:.60} is a {type(key).__name__}, not a string"
        if not isinstance(value, _PLAIN):
            return (
                f"{what}[{key!r}] is a {type(value).__name__} ({value!r:.60}), "
                "not a number, boolean or string"
            )
    return None
