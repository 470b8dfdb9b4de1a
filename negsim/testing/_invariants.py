"""The invariants the engine and every doctrine are held to, as checks over a recorded run.

Each check reads a :class:`~negsim.testing.RunRecord` and returns the problems it
finds, one readable line each (an empty list when the invariant holds). The two
determinism checks and ``sees-only-what-it-may`` need to play the run again; they get
a :class:`Replayer`.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from typing import Any, Protocol

import attrs

from negsim.engine import RULES as _RULES
from negsim.logic import compile_predicate, parse
from negsim.model import (
    TRANSITIONS,
    Action,
    ActionTaken,
    Commitment,
    CommitmentChanged,
    CommitmentCreated,
    CommitmentState,
    DecisionReached,
    DecisionRule,
    Event,
    FactChanged,
    HonourDecided,
    Message,
    MessageSent,
    MoveRejected,
    NegotiationEnded,
    OutcomeReached,
    Performative,
    ProposalClosed,
)
from negsim.testing._record import RoundRecord, RunRecord
from negsim.testing._whisper import STREAMS, whisper_ids

__all__ = ["INVARIANTS", "RIGHTS", "Invariant", "Replayer", "select"]

_S = CommitmentState


class Replayer(Protocol):
    """Plays the recorded run's scenario and seed again, for the checks that compare runs."""

    def again(self) -> RunRecord:
        """The same run again in this process (under other global random seeds)."""

    def whispered(self, stream: int) -> RunRecord:
        """The same run with a whisperer and its confidant added, in this process.

        The whisperer (the kit's doctrine ``whisperer``) tells its confidant (a
        silent ``stimulus`` agent) things in ``recipients`` and ``secret`` messages
        every round; what it says depends on ``stream`` (0 or 1). Their ids are ``W``
        and ``V``, or the first of ``W2``, ``W3``, ... (``V2``, ...) the scenario leaves
        free.
        """

    def in_subprocesses(self) -> list[tuple[str, tuple[str, ...]]]:
        """The same run in other processes, each with another ``PYTHONHASHSEED``.

        Returns:
            For each process, the hash seed used and the run's JSON Lines.
        """


@attrs.frozen
class Invariant:
    """One invariant of the engine and of every doctrine.

    Attributes:
        name: Its short name (``delivery``), used to select it and named in failures.
        summary: What must hold, in one sentence.
        check: Returns the problems found in a recorded run.
        cost: ``"run"`` (reads the record), ``"rerun"`` (plays the run, or variants of
            it, again in process) or ``"process"`` (plays it again in a subprocess:
            slow).
    """

    name: str
    summary: str
    check: Callable[[RunRecord, Replayer], list[str]] = attrs.field(repr=False)
    cost: str = "run"


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _a(word: object) -> str:
    """``word`` with its indefinite article: ``an inform``, ``a vote``."""
    text = str(word)
    return f"{'an' if text[:1] in 'aeiou' else 'a'} {text}"


def _msg(m: Message) -> str:
    return f"{m.performative} {m.id or '(no id)'} {m.sender}->{','.join(m.recipients) or '-'}"


def _doctrine(record: RunRecord, agent: str) -> str:
    try:
        return record.scenario.agent(agent).doctrine
    except KeyError:
        return "?"


def _by_round(record: RunRecord) -> dict[int, list[Event]]:
    rounds: dict[int, list[Event]] = defaultdict(list)
    for e in record.events:
        rounds[e.round].append(e)
    return rounds


@functools.lru_cache(maxsize=4096)
def _predicate(text: str) -> Callable[[AbstractSet[str]], bool]:
    return compile_predicate(parse(text))


def _holds(text: str, facts: AbstractSet[str]) -> bool:
    return _predicate(text)(facts)


def _first_difference(a: Sequence[str], b: Sequence[str]) -> str:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"line {i + 1}{_where(x)}:\n      first:  {_cut(x)}\n      second: {_cut(y)}"
    if len(a) != len(b):
        n = min(len(a), len(b))
        longer = a if len(a) > len(b) else b
        which = "first" if len(a) > len(b) else "second"
        return f"the {which} log goes on after line {n}: {_cut(longer[n])}"
    return "no difference"


def _where(line: str) -> str:
    try:
        data = json.loads(line)
    except ValueError:
        return ""
    if isinstance(data, dict) and "round" in data and "kind" in data:
        return f" (round {data['round']}, {_a(data['kind'])} event)"
    return ""


def _cut(text: str, width: int = 400) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


# --------------------------------------------------------------------------------------
# termination
# --------------------------------------------------------------------------------------


def check_termination(record: RunRecord, replay: Replayer) -> list[str]:
    """Every run ends within ``max_rounds`` with exactly one outcome, logged last."""
    if record.timed_out and record.decision_expired:
        return [
            f"a decision did not return in time: {record.where} took longer than the "
            f"{record.decision_timeout:g} s one hook call of an agent may take (a loop that "
            "never ends, or waits for what cannot come this round?)"
        ]
    if record.timed_out:
        return [
            f"the run did not end: it was still in {record.where} when the time allowed "
            f"ran out ({record.seconds:.1f} s); a hook that does not return never lets the "
            "run end"
        ]
    if record.error is not None:
        return [f"the run stopped in {record.where} with {record.describe_error()}"]
    result = record.result
    assert result is not None
    problems = []
    max_rounds = record.scenario.max_rounds
    if result.rounds > max_rounds or len(record.rounds) > max_rounds:
        problems.append(f"the run played {result.rounds} rounds; max_rounds is {max_rounds}")
    ends = [e for e in result.events if isinstance(e, OutcomeReached)]
    if len(ends) != 1:
        problems.append(f"the log has {len(ends)} outcome events; a run ends with exactly one")
    elif result.events[-1] is not ends[0]:
        problems.append("the outcome event is not the last event of the log")
    elif ends[0].round != result.rounds or ends[0].outcome is not result.outcome:
        problems.append(
            f"the outcome event ({ends[0].outcome} in round {ends[0].round}) disagrees with "
            f"the result ({result.outcome} after {result.rounds} rounds)"
        )
    rounds = [e.round for e in result.events]
    if rounds != sorted(rounds) or (rounds and rounds[-1] > result.rounds):
        problems.append("the log's rounds are out of order or beyond the last round")
    return problems


# --------------------------------------------------------------------------------------
# speaks-for-itself
# --------------------------------------------------------------------------------------

_SELF_RULES = ("sender-is-self", "actor-is-self")


def check_speaks_for_itself(record: RunRecord, replay: Replayer) -> list[str]:
    """No agent speaks or acts for another.

    Every message an agent's doctrine returns has that agent as sender, every action
    that agent as actor; the engine rejects no move for ``sender-is-self`` or
    ``actor-is-self``; and every message and action in the log was returned by the
    doctrine of the agent the log names.
    """
    problems = []
    for rr in record.rounds:
        reported = False
        for agent, moves in sorted(rr.moves.items()):
            d = _doctrine(record, agent)
            for m in moves:
                if isinstance(m, Message) and m.sender != agent:
                    reported = True
                    problems.append(
                        f"round {rr.round}: agent {agent} (doctrine {d!r}) returned "
                        f"{_a(m.performative)} message in the name of {m.sender} "
                        f"(to {', '.join(m.recipients)}, content {dict(m.content)})"
                    )
                elif isinstance(m, Action) and m.actor != agent:
                    reported = True
                    problems.append(
                        f"round {rr.round}: agent {agent} (doctrine {d!r}) returned "
                        f"{_a(m.kind)} action in the name of {m.actor}"
                        + (f" (target {m.target})" if m.target else "")
                    )
        for e in rr.events:
            if isinstance(e, MoveRejected) and e.rule in _SELF_RULES and not reported:
                problems.append(
                    f"round {rr.round}: the engine rejected a move of agent {e.agent} (doctrine "
                    f"{e.doctrine!r}) for {e.rule}: {e.detail}"
                )
            elif isinstance(e, MessageSent) and rr.moves:
                if not any(e.message == m for m in rr.moves.get(e.message.sender, ())):
                    problems.append(
                        f"round {rr.round}: the log has {_msg(e.message)} from "
                        f"{e.message.sender}, whose doctrine did not return it"
                    )
            elif (
                isinstance(e, ActionTaken)
                and rr.moves
                and not any(e.action == m for m in rr.moves.get(e.action.actor, ()))
            ):
                problems.append(
                    f"round {rr.round}: the log has {_a(e.action.kind)} action by "
                    f"{e.action.actor}, whose doctrine did not return it"
                )
    return problems


# --------------------------------------------------------------------------------------
# delivery
# --------------------------------------------------------------------------------------


def check_delivery(record: RunRecord, replay: Replayer) -> list[str]:
    """Every message is delivered once, to exactly its recipients, in the next round.

    The valid messages of round t (:attr:`negsim.Simulation.sent`, the same as the
    round's ``MessageSent`` events, each stamped round t) make up, and are all of, the
    inboxes of round t+1: each recipient receives each message addressed to it exactly
    once, ordered by sender id and then by the order sent; nobody else receives it; and
    each agent's view holds exactly its inbox.
    """
    problems: list[str] = []
    previous: tuple[Message, ...] = ()
    agents = record.scenario.agent_ids
    for rr in record.rounds:
        t = rr.round
        logged = tuple(e.message for e in rr.events if isinstance(e, MessageSent))
        if logged != rr.sent:
            problems.append(
                f"round {t}: the messages sent ({len(rr.sent)}) are not the round's "
                f"MessageSent events ({len(logged)})"
            )
        for m in rr.sent:
            if m.round != t:
                problems.append(f"round {t}: {_msg(m)} is stamped round {m.round}")
        expected: dict[str, list[Message]] = defaultdict(list)
        for m in sorted(previous, key=lambda m: m.sender):  # stable: order sent per sender
            for r in m.recipients:
                expected[r].append(m)
        for agent in agents:
            want = tuple(expected.get(agent, ()))
            got = tuple(rr.inboxes.get(agent, ()))
            if got != want:
                missing = [m for m in want if got.count(m) < want.count(m)]
                extra = [m for m in got if got.count(m) > want.count(m)]
                what = []
                if missing:
                    what.append("missing " + "; ".join(_msg(m) for m in missing))
                if extra:
                    what.append(
                        "unexpected "
                        + "; ".join(f"{_msg(m)} (sent in round {m.round})" for m in extra)
                    )
                if not what:
                    what.append(
                        "the right messages in the wrong order: " + "; ".join(_msg(m) for m in got)
                    )
                problems.append(f"round {t}: the inbox of {agent} has " + ", ".join(what))
            if agent in rr.seen and tuple(rr.seen[agent]) != got:
                problems.append(f"round {t}: agent {agent}'s view does not hold its inbox")
        stray = sorted(set(rr.inboxes) - set(agents))
        if stray:
            problems.append(f"round {t}: inboxes for unknown agents {stray}")
        previous = rr.sent
    return problems


# --------------------------------------------------------------------------------------
# commitment-lifecycle
# --------------------------------------------------------------------------------------


@attrs.define
class _Tracked:
    commitment: Commitment
    state: CommitmentState
    detached_at: int | None = None


def _facts_by_round(
    record: RunRecord, by_round: dict[int, list[Event]]
) -> tuple[dict[int, frozenset[str]], list[str]]:
    """The facts after each round, rebuilt from the FactChanged events."""
    problems = []
    current = set(record.scenario.world.facts)
    facts = {0: frozenset(current)}
    for rr in record.rounds:
        for e in by_round.get(rr.round, ()):
            if isinstance(e, FactChanged):
                if (e.value and e.fact in current) or (not e.value and e.fact not in current):
                    problems.append(
                        f"round {rr.round}: FactChanged sets {e.fact} to {e.value}, its value "
                        "already"
                    )
                (current.add if e.value else current.discard)(e.fact)
        facts[rr.round] = frozenset(current)
        if facts[rr.round] != rr.world.facts:
            diff = sorted(facts[rr.round] ^ rr.world.facts)
            problems.append(
                f"round {rr.round}: the FactChanged events do not add up to the world's "
                f"facts (they differ on {', '.join(diff)})"
            )
    return facts, problems


def check_commitment_lifecycle(record: RunRecord, replay: Replayer) -> list[str]:
    """Every commitment's history is a path of :data:`negsim.model.TRANSITIONS`.

    With the facts after each round rebuilt from the ``FactChanged`` events: a terminal
    state never changes; each transition has its cause (``detached``: the antecedent
    holds and the consequent does not; ``discharged``: the consequent holds;
    ``violated``: the antecedent held when it detached, the deadline has passed, and
    the consequent held in no round from detaching until then; ``expired``: the
    ``expires`` round has passed; ``cancelled`` / ``released``: the debtor / creditor
    sent that message this round); after each round no active commitment is left in
    a state the facts contradict; the result's final states are those of the log.
    A standing commitment (``standing``) detaches whenever its antecedent holds, is
    never discharged, and is violated in a round its consequent does not hold (its
    deadline is ignored).
    """
    problems: list[str] = []
    scenario = record.scenario
    by_round = _by_round(record)
    facts, fact_problems = _facts_by_round(record, by_round)
    problems += fact_problems
    tracked = {c.id: _Tracked(c, c.state) for c in scenario.commitments}
    for c in scenario.commitments:
        if c.state is not _S.CONDITIONAL:
            problems.append(f"{c.id}: the scenario starts it {c.state}, not conditional")
    played = [0, *(rr.round for rr in record.rounds)]
    for t in played:
        f_t = facts.get(t, facts[max(facts)])
        ends: set[tuple[Performative, str, str]] = {
            (e.message.performative, e.message.sender, str(e.message.content.get("commitment")))
            for e in by_round.get(t, ())
            if isinstance(e, MessageSent)
            and e.message.performative in (Performative.CANCEL, Performative.RELEASE)
        }
        sent_ids = {
            e.message.id: e.message for e in by_round.get(t, ()) if isinstance(e, MessageSent)
        }
        agreed = {
            e.negotiation
            for e in by_round.get(t, ())
            if isinstance(e, NegotiationEnded) and e.agreed
        }
        for e in by_round.get(t, ()):
            if isinstance(e, CommitmentCreated):
                c = e.commitment
                if c.id in tracked:
                    problems.append(f"round {t}: commitment {c.id} created twice")
                    continue
                source = sent_ids.get(c.source)
                if c.source in agreed:
                    parties = next(
                        (n.parties for n in scenario.negotiations if n.id == c.source), ()
                    )
                    if not {c.debtor, c.creditor} <= set(parties):
                        problems.append(
                            f"round {t}: commitment {c.id} ({c.debtor} owes {c.creditor}) comes "
                            f"from the agreement of {c.source}, to which they are not both parties"
                        )
                elif (
                    source is None
                    or source.sender != c.debtor
                    or c.creditor not in source.recipients
                ):
                    problems.append(
                        f"round {t}: commitment {c.id} ({c.debtor} owes {c.creditor}) does not "
                        "come from a message of its debtor to its creditor, or an agreement, "
                        "this round"
                    )
                if c.state is not _S.CONDITIONAL:
                    problems.append(f"round {t}: commitment {c.id} created {c.state}")
                tracked[c.id] = _Tracked(c, c.state)
            elif isinstance(e, CommitmentChanged):
                problems += _transition(e, tracked, facts, f_t, ends)
        for cid, tr in sorted(tracked.items()):
            problems += _consistent(cid, tr, t, f_t)
    if record.result is not None:
        final = {c.id: c.state for c in record.result.commitments}
        for cid, tr in sorted(tracked.items()):
            if final.get(cid) is not tr.state:
                problems.append(f"{cid}: the result says {final.get(cid)}, the log says {tr.state}")
        for cid in sorted(set(final) - set(tracked)):
            problems.append(f"{cid}: in the result but never created in the log")
    return problems


def _transition(
    e: CommitmentChanged,
    tracked: dict[str, _Tracked],
    facts: dict[int, frozenset[str]],
    f_t: frozenset[str],
    ends: set[tuple[Performative, str, str]],
) -> list[str]:
    t = e.round
    tr = tracked.get(e.commitment)
    if tr is None:
        return [f"round {t}: {e.commitment} changes but was never created"]
    c = tr.commitment
    where = (
        f"round {t}: {c.id} ({c.debtor} owes {c.creditor}: if {c.antecedent} then "
        f"{c.consequent}, deadline {c.deadline})"
    )
    problems = []
    if e.old is not tr.state:
        problems.append(f"{where} moves from {e.old}, but it was {tr.state}")
    if tr.state.terminal:
        problems.append(f"{where}: terminal state {tr.state} changed to {e.new}")
    elif e.new not in TRANSITIONS[tr.state]:
        problems.append(f"{where}: {tr.state} -> {e.new} is not a transition of the lifecycle")
    if (e.debtor, e.creditor) != (c.debtor, c.creditor):
        problems.append(f"{where}: the event names {e.debtor} owing {e.creditor}")
    ante, cons = _holds(c.antecedent, f_t), _holds(c.consequent, f_t)
    new = e.new
    if new is _S.DETACHED and not (ante and (c.standing or not cons)):
        problems.append(f"{where} detached, but antecedent={ante} and consequent={cons}")
    elif new is _S.DISCHARGED and c.standing:
        problems.append(f"{where} is standing, and was discharged")
    elif new is _S.VIOLATED and c.standing:
        if tr.state is not _S.DETACHED or cons:
            problems.append(
                f"{where} is standing, and was violated while {tr.state} with consequent={cons}"
            )
    elif new is _S.DISCHARGED and not cons:
        problems.append(f"{where} discharged, but its consequent does not hold")
    elif new is _S.DISCHARGED and tr.state is _S.CONDITIONAL and not ante:
        problems.append(f"{where} discharged while conditional, but its antecedent does not hold")
    elif new is _S.VIOLATED:
        at = tr.detached_at
        if at is None or c.deadline is None:
            problems.append(f"{where} violated, but it never detached or has no deadline")
        else:
            if t - at < c.deadline:
                problems.append(
                    f"{where} violated in round {t}, before its deadline (detached in round {at})"
                )
            if not _holds(c.antecedent, facts.get(at, f_t)):
                problems.append(
                    f"{where} violated, but its antecedent did not hold when it "
                    f"detached (round {at})"
                )
            kept = [s for s in range(at, t + 1) if s in facts and _holds(c.consequent, facts[s])]
            if kept:
                problems.append(f"{where} violated, but its consequent held in round {kept[0]}")
    elif new is _S.EXPIRED and (c.expires is None or t <= c.expires):
        problems.append(f"{where} expired, but it expires {c.expires}")
    elif new is _S.CANCELLED and (Performative.CANCEL, c.debtor, c.id) not in ends:
        problems.append(f"{where} cancelled without a cancel message from its debtor")
    elif new is _S.RELEASED and (Performative.RELEASE, c.creditor, c.id) not in ends:
        problems.append(f"{where} released without a release message from its creditor")
    tr.state = new
    if new is _S.DETACHED:
        tr.detached_at = t
    return problems


def _consistent(cid: str, tr: _Tracked, t: int, f_t: frozenset[str]) -> list[str]:
    c = tr.commitment
    if tr.state is _S.CONDITIONAL:
        if c.expires is not None and t > c.expires:
            return [f"after round {t}: {cid} is still conditional past its expiry ({c.expires})"]
        if _holds(c.antecedent, f_t):
            return [
                f"after round {t}: {cid} is still conditional, but its antecedent "
                f"{c.antecedent} holds"
            ]
    elif tr.state is _S.DETACHED and c.standing:
        if not _holds(c.consequent, f_t):
            return [
                f"after round {t}: standing {cid} is still detached, but its consequent "
                f"{c.consequent} does not hold"
            ]
    elif tr.state is _S.DETACHED:
        if _holds(c.consequent, f_t):
            return [
                f"after round {t}: {cid} is still detached, but its consequent {c.consequent} holds"
            ]
        if (
            c.deadline is not None
            and tr.detached_at is not None
            and t - tr.detached_at >= c.deadline
        ):
            return [
                f"after round {t}: {cid} is still detached past its deadline "
                f"(detached in round {tr.detached_at}, deadline {c.deadline})"
            ]
    return []


# --------------------------------------------------------------------------------------
# consensus
# --------------------------------------------------------------------------------------


@attrs.define
class _Open:
    alliance: str
    proposer: str
    decision: str
    opened: int
    deadline: int
    excluded: frozenset[str]
    votes: dict[str, bool]


def check_consensus(record: RunRecord, replay: Replayer) -> list[str]:
    """No collective decision under consensus without every non-excluded member's consent.

    Precisely, for a proposal ``P`` put by a valid ``propose`` message to an alliance
    deciding by consensus, with ``voters`` its members less those the proposal
    ``exclude``-s, and each voter's consent its last valid ``vote`` on ``P`` (the
    proposer consents by proposing): a ``DecisionReached`` for ``P`` in round ``t``
    requires that no voter objected and that every voter consented, except under the
    silence procedure once ``t >= opened + decision_deadline``, when voters who stayed
    silent count as consenting; its ``consenting`` lists exactly the voters, and is not
    empty (no decision with nobody's consent). A proposal every voter has consented to
    is decided in that round, one with an objection is closed in that round, and none
    stays open past its deadline. No agent's doctrine casts a vote or puts a proposal
    in another agent's name.
    (Hub and majority decisions are checked against their rules the same way.)
    """
    problems: list[str] = []
    alliances = {al.id: al for al in record.scenario.alliances}
    for rr in record.rounds:
        for agent, moves in sorted(rr.moves.items()):
            for m in moves:
                if (
                    isinstance(m, Message)
                    and m.sender != agent
                    and m.performative in (Performative.VOTE, Performative.PROPOSE)
                ):
                    what = (
                        f"a vote on proposal {m.content.get('proposal')!r} (consent="
                        f"{m.content.get('consent')})"
                        if m.performative is Performative.VOTE
                        else f"a proposal to {m.content.get('alliance')!r}"
                    )
                    problems.append(
                        f"round {rr.round}: agent {agent} (doctrine "
                        f"{_doctrine(record, agent)!r}) cast {what} in the name of {m.sender}"
                    )
    open_: dict[str, _Open] = {}
    by_round = _by_round(record)
    for rr in record.rounds:
        t = rr.round
        outcome: dict[str, Event] = {}
        for e in by_round.get(t, ()):
            if isinstance(e, MessageSent):
                m = e.message
                if m.performative is Performative.PROPOSE:
                    al = alliances.get(str(m.content.get("alliance")))
                    if al is None:
                        problems.append(f"round {t}: {_msg(m)} to an unknown alliance")
                        continue
                    pid = str(m.content.get("proposal") or m.id)
                    excluded = frozenset(
                        x for x in str(m.content.get("exclude", "")).split(",") if x
                    )
                    open_[pid] = _Open(
                        al.id,
                        m.sender,
                        str(m.content.get("decision", "collective_response")),
                        t,
                        t + al.decision_deadline,
                        excluded,
                        {m.sender: True},
                    )
                elif m.performative is Performative.VOTE:
                    pid = str(m.content.get("proposal"))
                    if pid not in open_:
                        problems.append(f"round {t}: {_msg(m)} on {pid!r}, which is not open")
                        continue
                    open_[pid].votes[m.sender] = bool(m.content.get("consent"))
            elif isinstance(e, (DecisionReached, ProposalClosed)):
                if e.proposal in outcome or e.proposal not in open_:
                    problems.append(f"round {t}: {e.kind} for {e.proposal!r}, which is not open")
                    continue
                outcome[e.proposal] = e
        for pid in sorted(open_):
            p = open_[pid]
            problems += _verdict(pid, p, alliances[p.alliance], t, outcome.get(pid))
            if pid in outcome:
                del open_[pid]
    return problems


def _verdict(pid: str, p: _Open, al: Any, t: int, event: Event | None) -> list[str]:
    voters = tuple(m for m in al.members if m not in p.excluded)
    yes = tuple(m for m in voters if p.votes.get(m) is True)
    no = tuple(m for m in voters if p.votes.get(m) is False)
    silent = tuple(m for m in voters if m not in p.votes)
    overdue = t >= p.deadline
    rule = al.decision_rule
    expect: tuple[bool, tuple[str, ...]] | None
    if rule is DecisionRule.CONSENSUS:
        if no:
            expect = (False, no)
        elif not silent or (overdue and al.silence_procedure):
            expect = (True, voters)
        elif overdue:
            expect = (False, silent)
        else:
            expect = None
    elif rule is DecisionRule.MAJORITY:
        if 2 * len(yes) > len(voters):
            expect = (True, yes)
        elif 2 * len(no) >= len(voters):
            expect = (False, no)
        else:
            expect = (False, silent) if overdue else None
    else:
        hub = al.hub or p.proposer
        expect = (
            (p.votes[hub], (hub,)) if hub in p.votes else ((False, silent) if overdue else None)
        )
    where = (
        f"round {t}: proposal {pid!r} of {p.proposer} to {al.id} ({rule}"
        + (", silence procedure" if al.silence_procedure else "")
        + f", opened round {p.opened}, deadline round {p.deadline}"
        + (f", excluding {', '.join(sorted(p.excluded))}" if p.excluded else "")
        + f"; consent: {', '.join(yes) or 'none'}; objections: {', '.join(no) or 'none'}"
        + f"; silent: {', '.join(silent) or 'none'})"
    )
    if isinstance(event, DecisionReached):
        if not event.consenting:
            return [f"{where} was decided with nobody's consent"]
        if rule is DecisionRule.CONSENSUS and (
            no or (silent and not (al.silence_procedure and overdue))
        ):
            missing = no + (silent if not (al.silence_procedure and overdue) else ())
            return [f"{where} was decided without the consent of {', '.join(missing)}"]
        if expect is None or not expect[0]:
            return [f"{where} was decided, against its rule"]
        if tuple(event.consenting) != expect[1]:
            return [
                f"{where} was decided with consenting={list(event.consenting)}; the "
                f"members whose consent counted are {list(expect[1])}"
            ]
        return []
    if isinstance(event, ProposalClosed):
        if expect is None or expect[0]:
            return [f"{where} was closed ({event.reason}), against its rule"]
        return []
    if expect is not None:
        return [f"{where} should have been {'decided' if expect[0] else 'closed'} but stays open"]
    return []


# --------------------------------------------------------------------------------------
# determinism
# --------------------------------------------------------------------------------------


def check_determinism(record: RunRecord, replay: Replayer) -> list[str]:
    """The same scenario and seed give the same log twice in one process.

    The second run follows the first in the same process, with the global ``random``
    (and ``numpy.random``) generators seeded differently: a doctrine that draws from
    them, or keeps state between runs (in a module, a class or a default argument),
    changes the log.
    """
    if record.timed_out:
        return []
    again = replay.again()
    first, second = record.log_lines(), again.log_lines()
    if first == second:
        return []
    return [
        f"two runs of this scenario with seed {record.seed} differ, at "
        + _first_difference(first, second)
        + "\n    (randomness not drawn from view.rng or the rng argument, or state kept "
        "between runs in a module, a class or a default argument?)"
    ]


def check_hash_seed_determinism(record: RunRecord, replay: Replayer) -> list[str]:
    """The same scenario and seed give a byte-identical log under another hash seed.

    The run is replayed in two processes with two other ``PYTHONHASHSEED`` values,
    chosen so that at least one orders a set of agent ids differently from this
    process: set or dict iteration order must not leak into a run.

    The runs of one check are replayed in the same two worker processes, started once.
    """
    if record.timed_out or record.result is None:
        return []
    mine = record.log_lines()
    differing = [(seed, lines) for seed, lines in replay.in_subprocesses() if lines != mine]
    if not differing:
        return []
    hashseed, lines = differing[0]
    return [
        f"the run with seed {record.seed} differs in a process with PYTHONHASHSEED={hashseed}, "
        "at "
        + _first_difference(mine, lines)
        + "\n    (iterating over a set or over dict keys built from one, or hash(), decides "
        "something? sort first)"
    ]


# --------------------------------------------------------------------------------------
# sees-only-what-it-may
# --------------------------------------------------------------------------------------


def check_sees_only_what_it_may(record: RunRecord, replay: Replayer) -> list[str]:
    """No agent's decisions depend on what it could not observe.

    The run is played twice more, each time with two agents added outside every
    alliance: the kit's ``whisperer`` and its confidant, a silent ``stimulus`` agent.
    Every round the whisperer tells the confidant things in ``recipients`` and
    ``secret`` messages, which no other agent may observe; the two runs differ only in
    what it says (every field of every whisper, and how many it sends in a round),
    with ``inform`` messages that neither the engine nor the world rules act on. So in
    every round, every other agent must be shown the same (its inbox and
    :attr:`negsim.AgentView.observed`) and decide the same (what its
    :hook:`negsim_decide` returns and its :hook:`negsim_honour` decisions) in both
    runs, the world must come out the same, and the runs must end alike. The first
    round with a difference is reported, naming the agent and its doctrine (a
    difference in what an agent was shown names the engine or the world rules; in the
    world, the world rules).

    A difference that a third run, with the first run's whispers, shows too comes from
    something other than the whispers (global randomness, state kept between runs):
    that is for ``determinism`` to report, not this check. So is a run that never ends
    once the two are added (for ``termination``, in runs of its own); one that stops
    with an error then is reported, since the check cannot be made.
    """
    if record.timed_out:
        return []
    hidden = whisper_ids(record.scenario.agent_ids)
    first = replay.whispered(STREAMS[0])
    if first.timed_out:  # termination's to find, in runs of its own: no wait twice here
        return []
    second = replay.whispered(STREAMS[1])
    problems = _whisper_difference(first, second, hidden)
    if problems and _whisper_difference(first, replay.whispered(STREAMS[0]), hidden):
        return []
    if not problems and record.result is not None and first.result is None:
        return [
            f"with the kit's whisperer {hidden[0]} and its confidant {hidden[1]} added, which "
            f"this check needs, the run {_end(first)}, so the check could not be made"
        ]
    return problems


def _move(move: object) -> str:
    if isinstance(move, Message):
        shown = "" if move.visibility == "recipients" else f" ({move.visibility})"
        return (
            f"{move.performative} to {','.join(move.recipients) or '-'}{shown} {dict(move.content)}"
        )
    if isinstance(move, Action):
        return f"{move.kind}" + (f" {move.target}" if move.target else "")
    return repr(move)


def _moves(moves: Sequence[object]) -> str:
    return _cut("[" + "; ".join(_move(m) for m in moves) + "]", 300)


def _comparable(move: object) -> object:
    return move if isinstance(move, (Message, Action)) else repr(move)


def _honoured(rr: RoundRecord, agent: str) -> tuple[tuple[str, bool], ...]:
    return tuple(
        (e.commitment, e.honour)
        for e in rr.events
        if isinstance(e, HonourDecided) and e.debtor == agent
    )


def _end(record: RunRecord) -> str:
    if record.timed_out:
        return f"did not end (still in {record.where})"
    if record.error is not None:
        return f"stopped in {record.where} with {type(record.error).__name__}: {record.error}"
    outcome = record.result.outcome if record.result is not None else "?"
    return f"ended {outcome} after {len(record.rounds)} rounds"


def _whisper_difference(first: RunRecord, second: RunRecord, hidden: tuple[str, str]) -> list[str]:
    """The first round in which two whispered runs differ for an agent outside the whisper."""
    whisperer, confidant = hidden
    agents = [a for a in first.scenario.agent_ids if a not in hidden]
    secret = (
        f"though only what the kit's whisperer {whisperer} told its confidant {confidant} in "
        "private changed (in the run below, with the two added)"
    )
    for a, b in zip(first.rounds, second.rounds, strict=False):
        t = a.round
        shown = []
        for agent in agents:
            if a.seen.get(agent, ()) != b.seen.get(agent, ()):
                shown.append((agent, "inbox"))
            elif a.observed.get(agent, ()) != b.observed.get(agent, ()):
                shown.append((agent, "view.observed"))
        if shown:
            return [
                f"round {t}: agent {agent} (doctrine {_doctrine(first, agent)!r}) was shown "
                f"something it could not observe: its {what} differs between two runs, "
                f"{secret}; the engine, or the world rules' events, leaked it"
                for agent, what in shown
            ]
        decided = []
        for agent in agents:
            d = _doctrine(first, agent)
            mine, theirs = a.moves.get(agent, ()), b.moves.get(agent, ())
            if [_comparable(m) for m in mine] != [_comparable(m) for m in theirs]:
                decided.append(
                    f"round {t}: agent {agent} (doctrine {d!r}) decided on what it could not "
                    f"observe: it returned {_moves(mine)} in one run and {_moves(theirs)} in "
                    f"the other, {secret}"
                )
            elif _honoured(a, agent) != _honoured(b, agent):
                decided.append(
                    f"round {t}: agent {agent} (doctrine {d!r}) decided on what it could not "
                    f"observe: its honour decisions were {list(_honoured(a, agent))} in one "
                    f"run and {list(_honoured(b, agent))} in the other, {secret}"
                )
        if decided:
            return decided
        if a.world != b.world:
            facts = sorted(a.world.facts ^ b.world.facts)
            keys = sorted(
                k
                for k in set(a.world.variables) | set(b.world.variables)
                if a.world.variables.get(k) != b.world.variables.get(k)
            )
            return [
                f"round {t}: every agent decided alike, but the world came out different "
                f"(facts {facts}, variables {keys}), {secret}: the world rules "
                f"{first.scenario.world_rules!r} act on messages they should leave alone"
            ]
    ends = _end(first), _end(second)
    if ends[0] != ends[1]:
        return [
            "every agent saw and decided alike in every round both runs played, but one run "
            f"{ends[0]} and the other {ends[1]}, {secret}"
        ]
    return []


# --------------------------------------------------------------------------------------
# moves-allowed
# --------------------------------------------------------------------------------------

RIGHTS = (
    "hosts-target",
    "capability",
    "alliance-member",
    "exclusion",
    "vote-eligible",
    "commitment-party",
    "known-target",
    "move-type",
)
"""The validation rules (:data:`negsim.engine.RULES`) whose breach ``moves-allowed`` reports:
a move the agent had no right or means to make (``sender-is-self`` and ``actor-is-self``
are ``speaks-for-itself``'s)."""

_KIT = ("stimulus", "whisperer", "puppet")
"""The kit's own doctrines, whose moves are not the doctrine under test's."""


def check_moves_allowed(record: RunRecord, replay: Replayer) -> list[str]:
    """Every move a doctrine makes is one its agent may make.

    Validation rejects no move of an agent (other than the kit's own) for a rule of
    :data:`RIGHTS`: access granted or denied to forces it does not host, an attack or a
    strike without the forces, a proposal to an alliance it is not in, a vote it may
    not cast, a commitment cancelled or released that is not its to end.
    """
    problems = []
    for e in record.events:
        if isinstance(e, MoveRejected) and e.rule in RIGHTS and e.doctrine not in _KIT:
            problems.append(
                f"round {e.round}: agent {e.agent} (doctrine {e.doctrine!r}) made a move it may "
                f"not make, rejected for {e.rule} ({_RULES.get(e.rule, '')}): {e.detail}"
            )
    return problems


# --------------------------------------------------------------------------------------
# no-hidden-randomness
# --------------------------------------------------------------------------------------


def check_no_hidden_randomness(record: RunRecord, replay: Replayer) -> list[str]:
    """No agent's hook uses randomness or time that is not its own.

    During each hook call of an agent (:hook:`negsim_agent_start`,
    :hook:`negsim_update_beliefs`, :hook:`negsim_honour`, :hook:`negsim_decide`), the
    process-wide generators of :mod:`random` and ``numpy.random`` keep their state,
    and nothing reads the clock, the operating system's entropy or an unseeded
    generator: an agent's only randomness is its own stream (``view.rng``, the ``rng``
    argument). The use is reported even when the number drawn changed nothing this
    time.
    """
    return [
        f"{line}; use view.rng (or the rng argument) and nothing that varies between runs"
        for line in record.hidden
    ]


# --------------------------------------------------------------------------------------
# comparative-statics
# --------------------------------------------------------------------------------------


def check_comparative_statics(record: RunRecord, replay: Replayer) -> list[str]:
    """Every decision keeps the comparative statics its doctrine declares.

    Each decision of a doctrine with declared statics (:class:`negsim.testing.Monotone`)
    is made again on the same view with the parameter raised (half-way to the top of
    its range, and to the top); the move declared may not then go the wrong way.
    """
    return list(record.statics)


INVARIANTS: dict[str, Invariant] = {
    i.name: i
    for i in (
        Invariant(
            "termination", "every run ends within max_rounds with an outcome", check_termination
        ),
        Invariant(
            "speaks-for-itself", "no agent speaks or acts for another", check_speaks_for_itself
        ),
        Invariant(
            "delivery",
            "every message is delivered once, to exactly its recipients, in the round "
            "after it was sent",
            check_delivery,
        ),
        Invariant(
            "commitment-lifecycle",
            "every commitment's history is a path of the lifecycle machine, with a "
            "cause for each step",
            check_commitment_lifecycle,
        ),
        Invariant(
            "consensus",
            "no collective decision under consensus without every (non-excluded) member's consent",
            check_consensus,
        ),
        Invariant(
            "determinism",
            "the same scenario and seed give the same log in a process",
            check_determinism,
            cost="rerun",
        ),
        Invariant(
            "sees-only-what-it-may",
            "no agent's decisions depend on what it could not observe",
            check_sees_only_what_it_may,
            cost="rerun",
        ),
        Invariant(
            "moves-allowed",
            "no agent makes a move it has no right or means to make",
            check_moves_allowed,
        ),
        Invariant(
            "no-hidden-randomness",
            "no agent's hook uses randomness or time that is not its own",
            check_no_hidden_randomness,
        ),
        Invariant(
            "comparative-statics",
            "every decision keeps the comparative statics its doctrine declares",
            check_comparative_statics,
        ),
        Invariant(
            "hash-seed-determinism",
            "the same scenario and seed give a byte-identical log under another PYTHONHASHSEED",
            check_hash_seed_determinism,
            cost="process",
        ),
    )
}
"""Every invariant, by name, in the order they are checked."""


def select(names: Iterable[str] | None) -> tuple[Invariant, ...]:
    """The invariants named (all when ``None``), in :data:`INVARIANTS` order.

    Raises:
        ValueError: An unknown name; the message lists the valid ones.
    """
    if names is None:
        return tuple(INVARIANTS.values())
    wanted = list(names)
    unknown = [n for n in wanted if n not in INVARIANTS]
    if unknown:
        raise ValueError(
            f"unknown invariant(s) {', '.join(map(repr, unknown))}; valid: {', '.join(INVARIANTS)}"
        )
    return tuple(i for n, i in INVARIANTS.items() if n in wanted)
