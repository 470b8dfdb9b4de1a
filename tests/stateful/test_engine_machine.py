"""The engine, stepped round by round beside a simple reference model.

A ``RuleBasedStateMachine`` plays three scripted agents ``A``, ``B``, ``C`` in the toy
world. Its rules queue moves for the next round (messages, pledges, facts set or
cleared, proposals, votes, cancellations and releases, and moves the engine must
refuse: a message in another agent's name, a message to oneself); the ``step`` rule
plays the round with :meth:`negsim.Simulation.step`. A reference model, written
independently of the engine and without its optimisations (no indexing of
commitments by atom, no due lists), predicts what the round does: which moves are
refused and why, what each inbox holds next round, the facts, the open proposals
and the decisions of the alliance, and every commitment's state. The invariants
compare the two after every rule.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

import negsim
from negsim.model import (
    CommitmentState,
    DecisionReached,
    Message,
    MoveRejected,
    ProposalClosed,
)
from tests.toyplugins import Scripted, agent, make_registry, make_scenario

AGENTS = ("A", "B", "C")
ATOMS = ("alert(A)", "alert(B)", "ready(C)", "calm")
MAX_ROUNDS = 500
_S = CommitmentState

# -- propositions, built and evaluated by the model itself ------------------------------

Prop = tuple[Any, ...]


def render(p: Prop) -> str:
    if p[0] == "true":
        return "true"
    if p[0] == "atom":
        return p[1]
    if p[0] == "not":
        return f"~{p[1]}"
    return f"{p[1]} {'&' if p[0] == 'and' else '|'} {p[2]}"


def holds(p: Prop, facts: set[str]) -> bool:
    kind = p[0]
    if kind == "true":
        return True
    if kind == "atom":
        return p[1] in facts
    if kind == "not":
        return p[1] not in facts
    if kind == "and":
        return p[1] in facts and p[2] in facts
    return p[1] in facts or p[2] in facts


atoms = st.sampled_from(ATOMS)
props = st.one_of(
    st.just(("true",)),
    atoms.map(lambda a: ("atom", a)),
    atoms.map(lambda a: ("not", a)),
    st.tuples(st.sampled_from(("and", "or")), atoms, atoms),
)
agents = st.sampled_from(AGENTS)
deadlines = st.one_of(st.none(), st.integers(0, 3))


@attrs.define
class ModelCommitment:
    id: str
    debtor: str
    creditor: str
    ante: Prop
    cons: Prop
    deadline: int | None
    expires: int | None
    standing: bool = False
    state: CommitmentState = _S.CONDITIONAL
    detached_at: int | None = None

    def update(self, facts: set[str], t: int) -> None:
        """Singh's lifecycle against the facts after round ``t``.

        A standing commitment (a maintenance obligation) detaches whenever its
        antecedent holds, is never discharged, and is violated in a round its
        consequent does not hold.
        """
        if self.state is _S.CONDITIONAL:
            if self.expires is not None and t > self.expires:
                self.state = _S.EXPIRED
                return
            if not holds(self.ante, facts):
                return
            if holds(self.cons, facts) and not self.standing:
                self.state = _S.DISCHARGED
                return
            self.state, self.detached_at = _S.DETACHED, t
        if self.state is _S.DETACHED and self.standing:
            if not holds(self.cons, facts):
                self.state = _S.VIOLATED
        elif self.state is _S.DETACHED:
            assert self.detached_at is not None
            if holds(self.cons, facts):
                self.state = _S.DISCHARGED
            elif self.deadline is not None and t - self.detached_at >= self.deadline:
                self.state = _S.VIOLATED


@attrs.define
class ModelProposal:
    proposer: str
    deadline: int
    votes: dict[str, bool]


@attrs.frozen
class Queued:
    """A move queued for the next round: ``say`` (as itself or ``as_`` another) or ``act``."""

    kind: str
    performative: str = ""
    recipients: tuple[str, ...] = ()
    content: tuple[tuple[str, Any], ...] = ()
    as_: str | None = None
    params: tuple[tuple[str, Any], ...] = ()


class EngineMachine(RuleBasedStateMachine):
    """Drives a :class:`negsim.Simulation` and a reference model side by side."""

    @initialize(
        rule_=st.sampled_from(("consensus", "majority")),
        silence=st.booleans(),
        decision_deadline=st.integers(1, 3),
        treaties=st.lists(
            st.tuples(
                agents,
                agents,
                props,
                props,
                deadlines,
                st.one_of(st.none(), st.integers(0, 6)),
                st.booleans(),
            ),
            max_size=3,
        ),
        initial=st.lists(atoms, unique=True, max_size=2),
    )
    def setup(
        self,
        rule_: str,
        silence: bool,
        decision_deadline: int,
        treaties: list[tuple[Any, ...]],
        initial: list[str],
    ) -> None:
        self.scripted = Scripted()
        registry = make_registry(script=self.scripted)
        alliance = {
            "id": "ALL",
            "name": "all",
            "kind": "collective",
            "members": list(AGENTS),
            "decision_rule": rule_,
            "silence_procedure": silence and rule_ == "consensus",
            "decision_deadline": decision_deadline,
        }
        self.alliance = alliance
        tables = []
        self.commitments: dict[str, ModelCommitment] = {}
        for i, (debtor, creditor, ante, cons, deadline, expires, standing) in enumerate(treaties):
            c = ModelCommitment(f"t{i}", debtor, creditor, ante, cons, deadline, expires, standing)
            self.commitments[c.id] = c
            table = {
                "id": c.id,
                "debtor": debtor,
                "creditor": creditor,
                "antecedent": render(ante),
                "consequent": render(cons),
            }
            if deadline is not None:
                table["deadline"] = deadline
            if expires is not None:
                table["expires"] = expires
            if standing:
                table["standing"] = True
            tables.append(table)
        scenario = make_scenario(
            registry,
            [agent(a) for a in AGENTS],
            alliances=[alliance],
            commitments=tables,
            facts=initial,
            max_rounds=MAX_ROUNDS,
        )
        self.sim = negsim.Simulation(scenario, seed=0, registry=registry)
        self.sim.start()
        self.facts = set(initial)
        for c in self.commitments.values():
            c.update(self.facts, 0)
        self.open: dict[str, ModelProposal] = {}
        self.queue: dict[str, list[Queued]] = defaultdict(list)
        self.pledged: dict[tuple[str, int], tuple[Prop, Prop, int | None]] = {}
        self.expected_inbox: dict[str, list[str]] = {}
        self.delivered: dict[str, list[str]] = {}
        self.rejected: list[tuple[str, str]] = []
        self.decided: list[tuple[str, str, tuple[str, ...]]] = []
        self.sent_ids: list[str] = []

    # -- rules that queue moves ------------------------------------------------------

    def _others(self, me: str) -> tuple[str, ...]:
        return tuple(a for a in AGENTS if a != me)

    @precondition(lambda self: not self.sim.done)
    @rule(
        sender=agents,
        to=st.sets(agents, min_size=1),
        performative=st.sampled_from(("inform", "offer", "demand", "consult", "accept")),
    )
    def say(self, sender: str, to: set[str], performative: str) -> None:
        recipients = tuple(sorted(to - {sender})) or self._others(sender)[:1]
        self.queue[sender].append(
            Queued("say", performative, recipients, (("n", len(self.queue[sender])),))
        )

    @precondition(lambda self: not self.sim.done)
    @rule(debtor=agents, to=st.sets(agents, min_size=1), ante=props, cons=props, deadline=deadlines)
    def pledge(
        self, debtor: str, to: set[str], ante: Prop, cons: Prop, deadline: int | None
    ) -> None:
        recipients = tuple(sorted(to - {debtor})) or self._others(debtor)[:1]
        content: tuple[tuple[str, Any], ...] = (
            ("antecedent", render(ante)),
            ("consequent", render(cons)),
        )
        if deadline is not None:
            content += (("deadline", deadline),)
        self.queue[debtor].append(Queued("say", "pledge", recipients, content))
        self.pledged[(debtor, len(self.queue[debtor]) - 1)] = (ante, cons, deadline)

    @precondition(lambda self: not self.sim.done)
    @rule(actor=agents, fact=atoms, on=st.booleans())
    def set_fact(self, actor: str, fact: str, on: bool) -> None:
        self.queue[actor].append(Queued("act", params=(("set" if on else "unset", fact),)))

    @precondition(lambda self: not self.sim.done)
    @rule(proposer=agents)
    def propose(self, proposer: str) -> None:
        self.queue[proposer].append(
            Queued("say", "propose", self._others(proposer), (("alliance", "ALL"),))
        )

    @precondition(lambda self: not self.sim.done and bool(self.open))
    @rule(data=st.data(), voter=agents, consent=st.booleans())
    def vote(self, data: st.DataObject, voter: str, consent: bool) -> None:
        pid = data.draw(st.sampled_from(sorted(self.open)))
        self.queue[voter].append(
            Queued("say", "vote", self._others(voter), (("proposal", pid), ("consent", consent)))
        )

    @precondition(lambda self: not self.sim.done and bool(self.commitments))
    @rule(data=st.data(), cancel=st.booleans())
    def end_commitment(self, data: st.DataObject, cancel: bool) -> None:
        c = self.commitments[data.draw(st.sampled_from(sorted(self.commitments)))]
        who, to = (c.debtor, c.creditor) if cancel else (c.creditor, c.debtor)
        if who == to:
            return
        self.queue[who].append(
            Queued("say", "cancel" if cancel else "release", (to,), (("commitment", c.id),))
        )

    @precondition(lambda self: not self.sim.done)
    @rule(forger=agents, victim=agents)
    def forge(self, forger: str, victim: str) -> None:
        if forger != victim:
            self.queue[forger].append(
                Queued("say", "inform", self._others(victim), (("forged", True),), as_=victim)
            )

    @precondition(lambda self: not self.sim.done)
    @rule(sender=agents)
    def talk_to_oneself(self, sender: str) -> None:
        self.queue[sender].append(Queued("say", "inform", (sender,), (("alone", True),)))

    # -- the round -------------------------------------------------------------------

    @precondition(lambda self: not self.sim.done)
    @rule()
    def step(self) -> None:
        t = self.sim.round + 1
        queue = {a: list(self.queue.get(a, ())) for a in AGENTS}
        for a in AGENTS:
            self.scripted.script[(a, t)] = _player(queue[a])
        self.sim.step()
        self.delivered = self.expected_inbox  # what this round's inboxes had to hold
        self._predict(t, queue, dict(self.pledged))
        self.queue.clear()
        self.pledged.clear()

    def _predict(
        self,
        t: int,
        queue: dict[str, list[Queued]],
        pledges: dict[tuple[str, int], tuple[Prop, Prop, int | None]],
    ) -> None:
        accepted: list[tuple[str, str, Queued, int]] = []  # (sender, id, move, index)
        actions: list[Queued] = []
        self.rejected = []
        for a in AGENTS:  # agents decide, then are validated, in id order
            n = 0
            for i, q in enumerate(queue[a]):
                if q.kind == "act":
                    actions.append(q)
                    continue
                mid = f"{t}:{a}:{n}"
                n += 1
                if q.as_ is not None:
                    self.rejected.append((a, "sender-is-self"))
                elif a in q.recipients:
                    self.rejected.append((a, "known-recipient"))
                elif q.performative == "vote" and dict(q.content)["proposal"] not in self.open:
                    self.rejected.append((a, "vote-eligible"))
                else:
                    accepted.append((a, mid, q, i))
        self.sent_ids = [mid for _, mid, _, _ in accepted]
        # next round's inboxes: by sender id, then order sent
        inbox: dict[str, list[str]] = defaultdict(list)
        for _sender, mid, q, _ in accepted:
            for r in q.recipients:
                inbox[r].append(mid)
        self.expected_inbox = dict(inbox)
        # the toy world: facts set and cleared by mobilize actions, in order
        for q in actions:
            params = dict(q.params)
            if "set" in params:
                self.facts.add(params["set"])
            if "unset" in params:
                self.facts.discard(params["unset"])
        # the alliance: proposals and votes in message order, then the tally
        for sender, mid, q, _ in accepted:
            content = dict(q.content)
            if q.performative == "propose":
                self.open[mid] = ModelProposal(
                    sender, t + self.alliance["decision_deadline"], {sender: True}
                )
            elif q.performative == "vote":
                self.open[content["proposal"]].votes[sender] = content["consent"]
        self.decided = []
        for pid in sorted(self.open):
            verdict = self._verdict(self.open[pid], t)
            if verdict is not None:
                del self.open[pid]
                self.decided.append((pid, *verdict))
                if verdict[0] == "decided":
                    self.facts.add("decided(ALL,collective_response)")
        # commitments: created by pledges and ended by cancel/release in message order,
        # then every active one against the new facts
        for sender, mid, q, i in accepted:
            content = dict(q.content)
            if q.performative == "pledge":
                ante, cons, deadline = pledges[(sender, i)]
                for r in q.recipients:
                    cid = f"{mid}/{r}"
                    self.commitments[cid] = ModelCommitment(
                        cid, sender, r, ante, cons, deadline, None
                    )
            elif q.performative in ("cancel", "release"):
                c = self.commitments[content["commitment"]]
                if c.state in (_S.CONDITIONAL, _S.DETACHED):
                    c.state = _S.CANCELLED if q.performative == "cancel" else _S.RELEASED
        for c in self.commitments.values():
            c.update(self.facts, t)

    def _verdict(self, p: ModelProposal, t: int) -> tuple[str, tuple[str, ...]] | None:
        yes = tuple(m for m in AGENTS if p.votes.get(m) is True)
        no = tuple(m for m in AGENTS if p.votes.get(m) is False)
        silent = tuple(m for m in AGENTS if m not in p.votes)
        overdue = t >= p.deadline
        if self.alliance["decision_rule"] == "majority":
            if 2 * len(yes) > len(AGENTS):
                return "decided", yes
            if 2 * len(no) >= len(AGENTS):
                return "closed", no
        else:
            if no:
                return "closed", no
            if not silent:
                return "decided", AGENTS
            if overdue and self.alliance["silence_procedure"]:
                return "decided", AGENTS
        if overdue:
            return "closed", silent
        return None

    # -- invariants ------------------------------------------------------------------

    @invariant()
    def inboxes_hold_exactly_last_rounds_messages(self) -> None:
        # each message once, to exactly its recipients, ordered by sender then order sent
        got = {a: [m.id for m in ms] for a, ms in self.sim.inboxes.items() if ms}
        assert got == self.delivered

    @invariant()
    def the_rounds_messages_are_the_accepted_ones(self) -> None:
        if self.sim.round:
            assert [m.id for m in self.sim.sent] == self.sent_ids
            assert all(m.round == self.sim.round for m in self.sim.sent)

    @invariant()
    def refused_moves_are_exactly_the_bad_ones(self) -> None:
        if not self.sim.round:
            return
        events = [e for e in self.sim.events if e.round == self.sim.round]
        rejected = [(e.agent, e.rule) for e in events if isinstance(e, MoveRejected)]
        assert rejected == self.rejected

    @invariant()
    def facts_match(self) -> None:
        assert set(self.sim.world.facts) == self.facts

    @invariant()
    def proposals_and_decisions_match(self) -> None:
        assert set(self.sim.desk.open) == set(self.open)
        for pid, p in self.open.items():
            assert dict(self.sim.desk.open[pid].votes) == p.votes
        if not self.sim.round:
            return
        events = [e for e in self.sim.events if e.round == self.sim.round]
        seen = []
        for e in events:
            if isinstance(e, DecisionReached):
                seen.append((e.proposal, "decided", tuple(e.consenting)))
            elif isinstance(e, ProposalClosed):
                seen.append((e.proposal, "closed", tuple(e.blocking)))
        assert seen == self.decided

    @invariant()
    def commitment_states_match(self) -> None:
        engine = {cid: (c.state, c.detached_at) for cid, c in self.sim.monitor.current.items()}
        model = {cid: (c.state, c.detached_at) for cid, c in self.commitments.items()}
        assert engine == model

    @invariant()
    def terminal_states_stay_terminal(self) -> None:
        finished = {cid: c.state for cid, c in self.commitments.items() if c.state.terminal}
        previous = getattr(self, "_finished", {})
        for cid, state in previous.items():
            assert finished.get(cid) is state
        self._finished = finished


def _player(moves: list[Queued]) -> Any:
    def play(view: negsim.AgentView) -> list[object]:
        out: list[object] = []
        for q in moves:
            if q.kind == "act":
                out.append(view.act("mobilize", **dict(q.params)))
                continue
            message: Message = view.say(list(q.recipients), q.performative, **dict(q.content))
            if q.as_ is not None:
                message = attrs.evolve(message, sender=q.as_)
            out.append(message)
        return out

    return play


TestEngineMachine = EngineMachine.TestCase
