"""Collective decisions: proposals, votes and each alliance's decision rule."""

from __future__ import annotations

import attrs

from negsim.model import (
    Alliance,
    DecisionReached,
    DecisionRule,
    Event,
    Message,
    Performative,
    Proposal,
    ProposalClosed,
    freeze,
)

__all__ = ["AllianceDesk", "decided_fact"]


def decided_fact(alliance: str, decision: str) -> str:
    """The fact that becomes true when ``alliance`` decides ``decision``."""
    return f"decided({alliance},{decision})"


class AllianceDesk:
    """Keeps the open proposals of every alliance and tallies them each round.

    A ``propose`` message opens a proposal (the proposer consents); ``vote`` messages
    record consent or objection. After each round the decision rule is applied:

    * consensus: every member (less any ``exclude``-d members, the 2003 Defence
      Planning Committee route, and less the members that abstain where the alliance
      allows it) consents; one objection blocks it, and so do more abstentions than
      the alliance's ``abstention_share`` allows. Under the silence procedure,
      members who have not objected by the deadline count as consenting.
    * hub: the hub's consent decides; its objection blocks.
    * majority: more than half of the members consent.

    A proposal neither decided nor blocked by its deadline fails.
    """

    def __init__(self, alliances: tuple[Alliance, ...]) -> None:
        self.alliances = {al.id: al for al in alliances}
        self._members = {al.id: al.member_set for al in alliances}
        self.open: dict[str, Proposal] = {}
        self.excluded: dict[str, tuple[str, ...]] = {}
        self.abstaining: dict[str, tuple[str, ...]] = {}

    def open_for(self, agent: str) -> tuple[Proposal, ...]:
        """Open proposals in the alliances ``agent`` belongs to."""
        if not self.open:
            return ()
        return tuple(p for p in self.open.values() if agent in self._members[p.alliance])

    def open_by_agent(self) -> dict[str, tuple[Proposal, ...]]:
        """:meth:`open_for` every agent at once: open proposals by member, in one pass."""
        out: dict[str, list[Proposal]] = {}
        for p in self.open.values():
            for member in self._members[p.alliance]:
                out.setdefault(member, []).append(p)
        return {a: tuple(ps) for a, ps in out.items()}

    def record(self, message: Message) -> None:
        """Take a valid ``propose`` or ``vote`` message into account."""
        if message.performative is Performative.PROPOSE:
            alliance = self.alliances[str(message.content["alliance"])]
            pid = str(message.content.get("proposal") or message.id)
            exclude = str(message.content.get("exclude", ""))
            self.open[pid] = Proposal(
                id=pid,
                alliance=alliance.id,
                decision=str(message.content.get("decision", "collective_response")),
                proposer=message.sender,
                opened=message.round,
                deadline=message.round + alliance.decision_deadline,
                votes={message.sender: True},
            )
            self.excluded[pid] = tuple(sorted(x for x in exclude.split(",") if x))
        elif message.performative is Performative.VOTE:
            pid = str(message.content["proposal"])
            proposal = self.open[pid]
            if message.content.get("abstain") is True:
                self.abstaining[pid] = (*self.abstaining.get(pid, ()), message.sender)
                return
            votes = dict(proposal.votes)
            votes[message.sender] = bool(message.content["consent"])
            self.open[pid] = attrs.evolve(proposal, votes=freeze(votes))

    def tally(self, round: int) -> tuple[list[Event], list[str]]:
        """Apply the decision rules after ``round``.

        Returns:
            The decision events, and the facts that become true.
        """
        events: list[Event] = []
        facts: list[str] = []
        for pid in sorted(self.open):
            proposal = self.open[pid]
            alliance = self.alliances[proposal.alliance]
            verdict = self._verdict(alliance, proposal, round)
            if verdict is None:
                continue
            del self.open[pid]
            self.abstaining.pop(pid, None)
            passed, who, reason = verdict
            if passed:
                events.append(
                    DecisionReached(
                        round=round,
                        alliance=alliance.id,
                        proposal=pid,
                        decision=proposal.decision,
                        consenting=who,
                        rule=f"{alliance.decision_rule}: {reason}",
                    )
                )
                facts.append(decided_fact(alliance.id, proposal.decision))
            else:
                events.append(
                    ProposalClosed(
                        round=round,
                        alliance=alliance.id,
                        proposal=pid,
                        decision=proposal.decision,
                        blocking=who,
                        reason=reason,
                    )
                )
        return events, facts

    def _verdict(
        self, alliance: Alliance, proposal: Proposal, round: int
    ) -> tuple[bool, tuple[str, ...], str] | None:
        votes = proposal.votes
        excluded = set(self.excluded.get(proposal.id, ()))
        abstaining = self.abstaining.get(proposal.id, ())
        if abstaining and not alliance.may_abstain(len(abstaining)):
            return False, abstaining, "too many members abstained"
        voters = [m for m in alliance.members if m not in excluded and m not in abstaining]
        yes = tuple(m for m in voters if votes.get(m) is True)
        no = tuple(m for m in voters if votes.get(m) is False)
        overdue = round >= proposal.deadline
        rule = alliance.decision_rule
        if rule is DecisionRule.HUB:
            hub = alliance.hub or proposal.proposer
            if hub in votes:
                return (
                    (True, (hub,), "the hub consented")
                    if votes[hub]
                    else (False, (hub,), "the hub objected")
                )
        elif rule is DecisionRule.MAJORITY:
            if 2 * len(yes) > len(voters):
                return True, yes, f"{len(yes)} of {len(voters)} consented"
            if 2 * len(no) >= len(voters):
                return False, no, f"{len(no)} of {len(voters)} objected"
        else:  # consensus
            if no:
                return False, no, "silence broken" if alliance.silence_procedure else "objection"
            if len(yes) == len(voters):
                note = f" (without {', '.join(sorted(excluded))})" if excluded else ""
                if abstaining:
                    note += f" ({', '.join(sorted(abstaining))} abstained)"
                return True, yes, f"all {len(voters)} members consented{note}"
            if overdue and alliance.silence_procedure:
                return True, tuple(voters), "silence procedure: no member broke silence"
        if overdue:
            silent = tuple(m for m in voters if m not in votes)
            return False, silent, "deadline passed without a decision"
        return None
