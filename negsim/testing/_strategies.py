"""Hypothesis strategies for negsim's value objects, scenarios and whole runs."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
from hypothesis import strategies as st

from negsim.model import (
    Agent,
    Alliance,
    Capabilities,
    Commitment,
    Message,
    ParamSpec,
    ParamValue,
    Performative,
    PluginRole,
    PluginSpec,
    Proposal,
    Scenario,
    WorldState,
)
from negsim.plugins import PluginRegistry, default_registry
from negsim.scenario import scenario_from_dict
from negsim.testing._stimulus import STIMULI, STIMULUS, VARIANTS, Step, script_text
from negsim.testing._toml import scenario_toml

__all__ = [
    "MEMBER_IDS",
    "ParamStrategy",
    "RunCase",
    "agents",
    "alliances",
    "commitments",
    "doctrine_params",
    "facts",
    "messages",
    "param_values",
    "propositions",
    "runs",
    "scenario_data",
    "scenarios",
    "world_states",
]

MEMBER_IDS = ("A", "B", "C", "D", "E", "F")
"""The ids generated scenarios give their member agents, in order."""

_CLASSIC = STIMULI[:21]
"""The kinds of step of untargeted scripts (those of the kit's first version)."""

CHALLENGER_ID = "X"
"""The id of the challenger in generated scenarios (outside every alliance)."""

ParamStrategy = st.SearchStrategy[ParamValue] | Callable[[tuple[str, ...]], st.SearchStrategy[Any]]
"""A strategy for one parameter, or a function of the scenario's agent ids returning one."""

_UNARY = ("attacked", "repelled", "mobilized", "struck", "stands_down", "withdrew")
_BINARY = ("responds", "grants_access", "denies_access", "conceded", "nuclear_threat", "consulted")
_NULLARY = ("escalated", "nuclear_used")


# --------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------


def param_values(spec: ParamSpec) -> st.SearchStrategy[ParamValue]:
    """Values of one parameter within its documented range.

    A parameter keeps its default two times in three; otherwise numbers lie in
    ``[spec.low, spec.high]`` (both ends included, and each end drawn on purpose), a
    side without a bound within 100 of the default, and booleans flip. Integers stay
    integers. Strings keep their default: a :class:`ParamSpec`
    cannot say what text is valid, so pass a strategy for them to
    :func:`doctrine_params`. Every strategy shrinks towards the default, so the
    parameters of a minimal counterexample that differ from their defaults are the
    ones that matter.

    Args:
        spec: The parameter, from ``registry.spec(name).params``.
    """
    default = spec.default
    if isinstance(default, bool):
        return _mostly(default, st.just(not default))
    if isinstance(default, int):
        low = math.ceil(spec.low) if spec.low is not None else min(default, 0) - 100
        high = math.floor(spec.high) if spec.high is not None else max(default, 0) + 100
        ends: st.SearchStrategy[ParamValue] = st.sampled_from((low, high))
        return _mostly(default, st.one_of(st.integers(low, high), ends))
    if isinstance(default, float):
        flow = float(spec.low) if spec.low is not None else min(default, 0.0) - 100.0
        fhigh = float(spec.high) if spec.high is not None else max(default, 0.0) + 100.0
        return _mostly(
            default,
            st.one_of(
                st.floats(flow, fhigh, allow_nan=False, allow_infinity=False),
                st.sampled_from((flow, fhigh)),
            ),
        )
    return st.just(default)


def _mostly(
    default: ParamValue, varied: st.SearchStrategy[ParamValue]
) -> st.SearchStrategy[ParamValue]:
    """``default`` two times in three, else ``varied``; shrinks to ``default``."""
    return st.integers(0, 2).flatmap(lambda k: varied if k == 2 else st.just(default))


def doctrine_params(
    spec: PluginSpec,
    overrides: Mapping[str, ParamStrategy] | None = None,
    agent_ids: tuple[str, ...] = (),
) -> st.SearchStrategy[dict[str, ParamValue]]:
    """A ``params`` table for a plugin: every parameter within its documented range.

    Parameters equal to their default are left out of the table (the loader fills
    them in), which keeps printed counterexamples short.

    Args:
        spec: The plugin's spec (``registry.spec("collective")``).
        overrides: Strategies for some parameters, by name, replacing
            :func:`param_values`; a value may also be a function of the scenario's agent
            ids that returns a strategy (for parameters naming agents).
        agent_ids: The scenario's agent ids, passed to such functions.

    Example:
        >>> from hypothesis import find
        >>> from negsim.plugins import default_registry
        >>> spec = default_registry().spec("bilateral")
        >>> find(doctrine_params(spec), lambda table: "cost_strike" in table)
        {'cost_strike': 0.0}
    """
    overrides = dict(overrides or {})
    fields: dict[str, st.SearchStrategy[ParamValue]] = {}
    defaults = spec.defaults
    for p in spec.params:
        given = overrides.get(p.name)
        if given is None:
            fields[p.name] = param_values(p)
        elif isinstance(given, st.SearchStrategy):
            fields[p.name] = given
        else:
            fields[p.name] = given(agent_ids)

    def drop_defaults(table: dict[str, ParamValue]) -> dict[str, ParamValue]:
        return {
            k: v
            for k, v in table.items()
            if not (v == defaults[k] and type(v) is type(defaults[k]))
        }

    return st.fixed_dictionaries(fields).map(drop_defaults)


# --------------------------------------------------------------------------------------
# Propositions, facts, world states
# --------------------------------------------------------------------------------------


def facts(agent_ids: Sequence[str], *, nullary: bool = True) -> st.SearchStrategy[str]:
    """Ground atoms of the crisis vocabulary over ``agent_ids`` (``attacked(A)``).

    Args:
        agent_ids: The ids atoms may name.
        nullary: Also ``escalated`` and ``nuclear_used``, which end a crisis at once.
    """
    return _facts(tuple(agent_ids), nullary)


@functools.lru_cache(maxsize=256)
def _facts(ids: tuple[str, ...], nullary: bool) -> st.SearchStrategy[str]:
    unary = st.builds("{}({})".format, st.sampled_from(_UNARY), st.sampled_from(ids))
    binary = st.builds(
        "{}({},{})".format, st.sampled_from(_BINARY), st.sampled_from(ids), st.sampled_from(ids)
    )
    if not nullary:
        return st.one_of(unary, binary)
    return st.one_of(unary, binary, st.sampled_from(_NULLARY))


def propositions(agent_ids: Sequence[str], max_leaves: int = 4) -> st.SearchStrategy[str]:
    """Proposition text over :func:`facts`: atoms, ``true``/``false``, ``~``, ``&``, ``|``, ``->``.

    Every value parses with :func:`negsim.logic.parse`.
    """
    return _propositions(tuple(agent_ids), max_leaves)


@functools.lru_cache(maxsize=256)
def _propositions(agent_ids: tuple[str, ...], max_leaves: int) -> st.SearchStrategy[str]:
    leaves = st.one_of(facts(agent_ids), st.sampled_from(("true", "false")))

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            inner.map(lambda a: f"~({a})"),
            st.tuples(inner, st.sampled_from(("&", "|", "->")), inner).map(
                lambda t: f"({t[0]}) {t[1]} ({t[2]})"
            ),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


def world_states(agent_ids: Sequence[str], max_round: int = 20) -> st.SearchStrategy[WorldState]:
    """World states: a round, a few true :func:`facts`, a few variables in [0, 1]."""
    ids = tuple(agent_ids)
    names = st.sampled_from(("escalation_risk", "tension", *(f"attack_size({a})" for a in ids)))
    return st.builds(
        WorldState,
        round=st.integers(0, max_round),
        facts=st.frozensets(facts(ids), max_size=6),
        variables=st.dictionaries(names, st.floats(0, 1), max_size=3),
    )


# --------------------------------------------------------------------------------------
# Agents, alliances, commitments, messages
# --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _capabilities(me: str, others: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return _capabilities_of(me, others)


@st.composite
def _capabilities_of(draw: st.DrawFn, me: str, others: tuple[str, ...]) -> dict[str, Any]:
    table: dict[str, Any] = {
        "conventional": draw(
            st.one_of(st.sampled_from((10.0, 0.0, 40.0, 100.0)), st.floats(0, 200))
        )
    }
    nuclear = draw(st.sampled_from((0, 20, 100)))
    if nuclear:
        table["nuclear"] = nuclear
    hosted = draw(st.lists(st.sampled_from(others), unique=True, max_size=2)) if others else []
    if hosted:
        table["forces_hosted"] = {
            u: draw(st.sampled_from((1000.0, 28500.0))) for u in sorted(hosted)
        }
    return table


def agents(
    doctrine: str,
    *,
    registry: PluginRegistry | None = None,
    ids: Sequence[str] = MEMBER_IDS[:3],
    param_strategies: Mapping[str, ParamStrategy] | None = None,
) -> st.SearchStrategy[Agent]:
    """Agents using ``doctrine``, with parameters in range and defaults filled in.

    Args:
        doctrine: A doctrine registered in ``registry``.
        registry: The plugins; the installed ones when ``None``.
        ids: The ids to choose from (the other ids may be hosted forces' owners).
        param_strategies: As for :func:`doctrine_params`.
    """
    registry = registry or default_registry()
    spec = registry.spec(doctrine)
    ids = tuple(ids)

    @st.composite
    def build(draw: st.DrawFn) -> Agent:
        me = draw(st.sampled_from(ids))
        others = tuple(i for i in ids if i != me)
        params = spec.defaults | draw(doctrine_params(spec, param_strategies, ids))
        caps = draw(_capabilities(me, others))
        return Agent(
            id=me,
            name=f"State {me}",
            doctrine=doctrine,
            params=params,
            capabilities=Capabilities(**caps),
        )

    return build()


@functools.lru_cache(maxsize=256)
def _alliance_table(members: tuple[str, ...], index: int) -> st.SearchStrategy[dict[str, Any]]:
    return _alliance_table_of(members, index)


@st.composite
def _alliance_table_of(draw: st.DrawFn, members: tuple[str, ...], index: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(("collective", "bilateral")))
    if kind == "bilateral" or len(members) == 2:
        chosen = sorted(
            draw(st.lists(st.sampled_from(members), unique=True, min_size=2, max_size=2))
        )
    else:
        chosen = sorted(draw(st.lists(st.sampled_from(members), unique=True, min_size=2)))
    rules = ("hub", "consensus") if kind == "bilateral" else ("consensus", "majority", "hub")
    rule = draw(st.sampled_from(rules))
    table: dict[str, Any] = {
        "id": f"AL{index}",
        "name": f"Alliance {index}",
        "kind": kind,
        "members": chosen,
        "decision_rule": rule,
    }
    if rule == "hub" or (kind == "bilateral" and draw(st.booleans())):
        table["hub"] = draw(st.sampled_from(chosen))
    if rule == "consensus" and draw(st.booleans()):
        table["silence_procedure"] = True
    table["decision_deadline"] = draw(st.integers(1, 6))
    return table


def alliances(agent_ids: Sequence[str]) -> st.SearchStrategy[Alliance]:
    """Valid alliances among ``agent_ids`` (at least two): collective or bilateral, any rule."""
    ids = tuple(agent_ids)
    return st.builds(lambda t: Alliance(**t), _alliance_table(ids, 1))


@functools.lru_cache(maxsize=1)
def _deadlines() -> st.SearchStrategy[int | None]:
    return st.one_of(st.none(), st.integers(0, 5))


def commitments(agent_ids: Sequence[str], *, index: int = 1) -> st.SearchStrategy[Commitment]:
    """Commitments between two of ``agent_ids`` over generated :func:`propositions`."""
    return _commitment_table(tuple(agent_ids), index).map(lambda t: Commitment(**t))


@functools.lru_cache(maxsize=256)
def _commitment_table(ids: tuple[str, ...], index: int) -> st.SearchStrategy[dict[str, Any]]:
    return _commitment_table_of(ids, index)


@st.composite
def _commitment_table_of(draw: st.DrawFn, ids: tuple[str, ...], index: int) -> dict[str, Any]:
    debtor = draw(st.sampled_from(ids))
    creditor = draw(st.sampled_from([i for i in ids if i != debtor] or [debtor]))
    table: dict[str, Any] = {
        "id": f"c{index}",
        "debtor": debtor,
        "creditor": creditor,
        "antecedent": draw(propositions(ids, max_leaves=3)),
        "consequent": draw(propositions(ids, max_leaves=3)),
    }
    deadline = draw(_deadlines())
    if deadline is not None:
        table["deadline"] = deadline
    expires = draw(st.one_of(st.none(), st.integers(0, 8)))
    if expires is not None:
        table["expires"] = expires
    if draw(st.integers(0, 3)) == 3:
        table["standing"] = True
    table["source"] = "generated"
    return table


def messages(
    agent_ids: Sequence[str],
    *,
    round: int = 1,
    alliances: Sequence[Alliance] = (),
    proposals: Sequence[Proposal] = (),
    commitments: Sequence[Commitment] = (),
) -> st.SearchStrategy[Message]:
    """Well-formed messages between ``agent_ids`` in ``round``, as a doctrine would send them.

    Content follows each :class:`negsim.Performative`: pledges, promises and threats carry
    an antecedent, a consequent and sometimes a deadline; ``propose`` names an alliance
    of the sender (only when ``alliances`` has one), ``vote`` one of ``proposals``,
    ``cancel`` and ``release`` one of ``commitments`` the sender is debtor or creditor
    of. Given a scenario whose agents, alliances and open proposals match, the engine's
    validation accepts every message.
    """
    ids = tuple(agent_ids)
    if len(ids) < 2:
        raise ValueError(f"messages() needs at least two agent ids, got {ids!r}")

    @st.composite
    def build(draw: st.DrawFn) -> Message:
        sender = draw(st.sampled_from(ids))
        others = [i for i in ids if i != sender]
        mine_al = [al for al in alliances if sender in al.members]
        open_p = [
            p
            for p in proposals
            if any(p.alliance == al.id and sender in al.members for al in alliances)
        ]
        as_debtor = [c for c in commitments if c.debtor == sender and not c.state.terminal]
        as_creditor = [c for c in commitments if c.creditor == sender and not c.state.terminal]
        choices = [
            Performative.INFORM,
            Performative.CONSULT,
            Performative.DEMAND,
            Performative.OFFER,
            Performative.ACCEPT,
            Performative.REJECT,
            Performative.THREATEN,
            Performative.PROMISE,
            Performative.REQUEST_SUPPORT,
            Performative.PLEDGE,
        ]
        if mine_al:
            choices.append(Performative.PROPOSE)
        if open_p:
            choices.append(Performative.VOTE)
        if as_debtor:
            choices.append(Performative.CANCEL)
        if as_creditor:
            choices.append(Performative.RELEASE)
        performative = draw(st.sampled_from(choices))
        content: dict[str, ParamValue] = {}
        recipients = draw(st.lists(st.sampled_from(others), unique=True, min_size=1))
        if performative in (Performative.PLEDGE, Performative.PROMISE, Performative.THREATEN):
            content["antecedent"] = draw(propositions(ids, max_leaves=3))
            content["consequent"] = draw(propositions(ids, max_leaves=3))
            deadline = draw(_deadlines())
            if deadline is not None:
                content["deadline"] = deadline
        elif performative is Performative.PROPOSE:
            al = draw(st.sampled_from(mine_al))
            content.update(alliance=al.id, decision="collective_response")
            recipients = [m for m in al.members if m != sender] or recipients
        elif performative is Performative.VOTE:
            p = draw(st.sampled_from(open_p))
            content.update(proposal=p.id, consent=draw(st.booleans()))
        elif performative is Performative.CANCEL:
            content["commitment"] = draw(st.sampled_from(as_debtor)).id
        elif performative is Performative.RELEASE:
            content["commitment"] = draw(st.sampled_from(as_creditor)).id
        elif performative is Performative.OFFER:
            content.update(value=draw(st.floats(0, 100)), demand="stand_down")
        elif performative is Performative.DEMAND:
            content["demand"] = draw(st.sampled_from(("concede", "deny_access", "stand_down")))
        return Message(
            sender=sender,
            recipients=recipients,
            performative=performative,
            content=content,
            round=round,
            id=f"{round}:{sender}:{draw(st.integers(0, 9))}",
        )

    return build()


# --------------------------------------------------------------------------------------
# Scenarios and runs
# --------------------------------------------------------------------------------------


_CHALLENGER_KINDS = (
    "attack",
    "threaten",
    "attack",
    "offer",
    "demand",
    "threaten",
    "attack",
    "withdraw",
    "inform",
    "stand_down",
    "nuclear_strike",
)
"""What a challenger's script is made of (repeats make a kind likelier)."""


def _step(
    others: tuple[str, ...], max_rounds: int, kind: st.SearchStrategy[str]
) -> st.SearchStrategy[Step]:
    return st.builds(
        Step,
        round=st.integers(1, max(1, max_rounds)),
        kind=kind,
        target=st.sampled_from((*others, "*")) if others else st.just("*"),
        value=st.integers(0, 4).map(lambda v: v / 4),
    )


@functools.lru_cache(maxsize=512)
def _script(
    others: tuple[str, ...],
    max_rounds: int,
    kinds: tuple[str, ...] = _CLASSIC,
    opening: tuple[str, ...] = (),
    force_opening: bool = False,
) -> st.SearchStrategy[str]:
    """A stimulus script of up to five steps of ``kinds``.

    With ``opening``, maybe (always with ``force_opening``) first an attack on one of
    them in round 1 to 3.
    """
    steps = st.lists(_step(others, max_rounds, st.sampled_from(kinds)), max_size=5)
    return _with_opening(steps, max_rounds, opening, force_opening)


def _with_opening(
    steps: st.SearchStrategy[list[Step]],
    max_rounds: int,
    opening: tuple[str, ...],
    force_opening: bool,
) -> st.SearchStrategy[str]:
    if opening:
        first = st.builds(
            Step,
            round=st.integers(1, min(3, max_rounds)),
            kind=st.just("attack"),
            target=st.sampled_from(opening),
            value=st.integers(1, 4).map(lambda v: v / 4),
        )
        steps = st.builds(
            lambda use, f, rest: [f, *rest] if use or force_opening else rest,
            st.booleans(),
            first,
            steps,
        )
    return steps.map(lambda steps: script_text(sorted(steps, key=lambda s: s.round)))


@functools.lru_cache(maxsize=512)
def _aimed_script(
    aim: str,
    others: tuple[str, ...],
    max_rounds: int,
    opening: tuple[str, ...] = (),
) -> st.SearchStrategy[str]:
    """A dense script aimed at ``aim``: every kind of step, in every content variant.

    Up to three steps in each of ``max_rounds`` rounds (each round's list shrinks to
    nothing on its own, so a counterexample keeps only the steps that matter), most of
    them at ``aim``; with ``opening``, first an attack on one of them in round 1 to 3.
    """
    targets = (aim, *(o for o in others if o != aim), "*")
    last = max(1, max_rounds)

    def in_round(r: int) -> st.SearchStrategy[list[Step]]:
        step = st.builds(
            Step,
            round=st.just(r),
            kind=st.sampled_from(_AIMED_KINDS),
            target=st.one_of(st.just(aim), st.sampled_from(targets)),
            value=st.integers(0, 4).map(lambda v: v / 4),
            variant=_variants(),
        )
        return st.lists(step, max_size=3)

    steps = st.tuples(*(in_round(r) for r in range(1, last + 1))).map(
        lambda rounds: _arranged([s for steps in rounds for s in steps], last)
    )
    return _with_opening(steps, max_rounds, opening, False)


def _arranged(steps: list[Step], last: int) -> list[Step]:
    """The steps, those that end a crisis moved to the last round.

    Attacks, often repelled at once (which ends a crisis too), go to the last two
    rounds; a vote follows each proposal.
    """
    out = []
    for s in steps:
        if s.kind in _ENDING:
            s = attrs.evolve(s, round=last)
        elif s.kind == "attack" and s.round < last - 1:
            s = attrs.evolve(s, round=max(1, last - 1))
        out.append(s)
        if s.kind == "propose" and s.round < last:
            out.append(attrs.evolve(s, round=s.round + 1, kind="vote"))
    return out


_AIMED_KINDS = (
    *STIMULI,
    *[k for k in STIMULI if VARIANTS.get(k, 1) > 2] * 3,
    "accept",
    "reject",
    "release",
    "cancel",
)
"""What aimed scripts are made of: every kind; three times more each with many
variants (threats, offers, demands, access requests, proposals, pledges, ...), and
twice those that answer or end something."""


@functools.lru_cache(maxsize=1)
def _variants() -> st.SearchStrategy[int]:
    """A content variant, with the full message (0) drawn last.

    Generation and shrinking favour small numbers, and the variants that leave keys out
    are the paths a doctrine's author is likelier to have missed.
    """
    top = max(VARIANTS.values())
    return st.integers(0, top - 1).map(lambda v: (v + 1) % top)


_PIECES = (
    ("B", "propose"),
    ("B", "request_access"),
    ("X", "request_access"),
    ("X", "threaten"),
    ("X", "offer"),
    ("B", "demand"),
    ("B", "consult"),
    ("B", "inform"),
)
"""Set pieces an aimed scenario may open with: who does what to ``A`` in round 1."""

_ENDING = ("concede", "stand_down", "withdraw", "nuclear_strike")
"""Kinds of step that usually end a crisis: aimed scripts play them in the last round."""

_ENDING_FACTS = ("conceded(", "stands_down(", "withdrew(", "repelled(")
"""Facts that end a crisis at once: aimed scenarios do not start with them."""


@functools.lru_cache(maxsize=256)
def _negotiation_table(
    protocols: tuple[str, ...], parties: tuple[str, ...], others: tuple[str, ...], rounds: int
) -> st.SearchStrategy[dict[str, Any]]:
    return _negotiation_table_of(protocols, parties, others, rounds)


@st.composite
def _negotiation_table_of(
    draw: st.DrawFn,
    protocols: tuple[str, ...],
    parties: tuple[str, ...],
    others: tuple[str, ...],
    rounds: int,
) -> dict[str, Any]:
    protocol = draw(st.sampled_from(protocols))
    opens = draw(st.integers(1, max(1, min(3, rounds))))
    table: dict[str, Any] = {
        "id": "talks",
        "protocol": protocol,
        "parties": list(parties),
        "opens": opens,
        "deadline": draw(st.integers(opens, max(opens, rounds))),
    }
    if protocol == "single_text" and others:
        table["mediator"] = draw(st.sampled_from(others))
    issues: list[dict[str, Any]] = [
        {
            "name": "reward",
            "low": 0.0,
            "high": draw(st.sampled_from((1.0, 100.0))),
            "debtor": parties[-1],
            "consequent": f"responds({parties[-1]},{parties[0]})",
        }
    ]
    if draw(st.booleans()):
        issues.append({"name": "demand", "kind": "discrete", "values": list(_DEMANDS)})
    table["issues"] = issues
    return table


_DEMANDS = ("deny_access", "stand_down", "concede")


def _world_rules(registry: PluginRegistry, world_rules: str | None) -> str:
    worlds = registry.names(PluginRole.WORLD)
    if world_rules is not None:
        if world_rules not in worlds:
            raise ValueError(
                f"{world_rules!r} is not registered world rules; registered: "
                f"{', '.join(worlds) or '(none)'}"
            )
        return world_rules
    if "crisis" in worlds:
        return "crisis"
    if len(worlds) == 1:
        return worlds[0]
    raise ValueError(
        "choose the world rules to fuzz with (world_rules=...): 'crisis' is not installed and "
        f"the registry has {', '.join(worlds) or 'none'}"
    )


def scenario_data(
    doctrine: str,
    *,
    registry: PluginRegistry | None = None,
    world_rules: str | None = None,
    challengers: Sequence[str] | None = None,
    max_members: int = 4,
    max_rounds: int = 10,
    param_strategies: Mapping[str, ParamStrategy] | None = None,
    targeted: bool = True,
    modifiers: Sequence[str] = (),
    protocols: Sequence[str] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Scenario data (as a scenario file holds it) that puts ``doctrine`` to work.

    Each scenario has 1 to ``max_members`` member agents ``A``, ``B``, ... and maybe a
    challenger ``X`` outside every alliance. ``A`` uses ``doctrine``; each other member
    uses ``doctrine`` or, when the registry has it, the kit's scripted ``stimulus``
    doctrine (:class:`Stimulus`); the challenger uses one of ``challengers``. Members
    form up to two alliances (collective or bilateral; consensus with or without the
    silence procedure, majority or hub) with treaty commitments
    ``C(i, j, attacked(j), responds(i,j))``, and up to two more commitments over
    generated :func:`propositions`. Capabilities vary (no forces, nuclear weapons,
    forces hosted by an ally); a few facts may hold at the start. Every doctrine and
    world parameter is drawn within its documented range (:func:`doctrine_params`);
    the world rules' ``challenger`` parameter, if they have one, names the
    challenger, and a ``wedge`` challenger's ``targets`` one of the members.

    Half the scenarios are shaped as a crisis, so that deep code paths run: at least
    two members, all in the first alliance and bound by its treaties, and a challenger
    that attacks one of them in the first rounds (a stimulus script that opens with an
    attack, or a ``wedge`` deciding in round 1 to 3), over at least four rounds.

    With ``targeted`` (the default), two scenarios in three are *aimed* at ``A``: a
    stimulus ally ``B`` in an alliance with it, bound to it by treaties both ways, and a
    stimulus challenger ``X``, whose dense scripts send ``A`` every kind of message
    and move in every content variant the docs allow (:data:`VARIANTS`: optional keys
    left out, values at their bounds), so that rare paths run within a small budget.
    ``A`` usually hosts forces of one of them or both, and ``B`` often the
    challenger's; most have three members or more; some open with set pieces (the
    ally proposes, asks for access, demands, consults, shares its perceptions; the
    challenger asks for access, threatens, offers); the first alliance holds every
    member, and is collective when they are three or more (so that a proposal has
    voters); steps that would end the crisis
    come last; and a negotiation under one of ``protocols`` may open between ``A`` and
    one of them, who bargains in every round it may.

    Args:
        doctrine: The doctrine under test (registered in ``registry``).
        registry: The plugins; the installed ones when ``None``.
        world_rules: The world rules; ``crisis`` when installed, else the only
            registered world rules.
        challengers: Doctrines the challenger may use; by default ``stimulus``, ``wedge``
            and ``doctrine``, those that are registered.
        max_members: The most member agents (at least 1).
        max_rounds: The largest ``max_rounds`` (at least 1).
        param_strategies: Strategies for some of ``doctrine``'s parameters (see
            :func:`doctrine_params`).
        targeted: Whether two scenarios in three are aimed at ``A`` (see above).
        modifiers: Modifier plugins every agent using ``doctrine`` lists (their
            parameters drawn like the doctrine's).
        protocols: Protocols an aimed scenario's negotiation may use: by default every
            registered one; with an explicit list, every scenario is aimed and has one.

    Raises:
        negsim.UnknownDoctrineError: ``doctrine`` is not registered.
        ValueError: ``doctrine`` is not a doctrine, or no world rules can be chosen.
    """
    registry = registry or default_registry()
    spec = registry.spec(doctrine)
    if spec.role != PluginRole.DOCTRINE:
        raise ValueError(f"{doctrine!r} is a {spec.role} plugin, not a doctrine")
    world_name = _world_rules(registry, world_rules)
    world_spec = registry.spec(world_name)
    doctrines = registry.names(PluginRole.DOCTRINE)
    if challengers is None:
        challengers = [n for n in (STIMULUS, STIMULUS, "wedge") if n in doctrines and n != doctrine]
        challengers.append(doctrine)
    challengers = tuple(challengers)
    for name in challengers:
        if name not in doctrines:
            raise ValueError(f"challenger doctrine {name!r} is not registered")
    member_doctrines: tuple[str, ...] = (doctrine,)
    if STIMULUS in doctrines and doctrine != STIMULUS:
        member_doctrines = (doctrine, doctrine, STIMULUS)
    has_challenger_param = isinstance(world_spec.defaults.get("challenger"), str)
    world_params = doctrine_params(
        attrs.evolve(world_spec, params=[p for p in world_spec.params if p.name != "challenger"])
    )
    max_members = max(1, max_members)
    max_rounds = max(1, max_rounds)
    modifiers = tuple(modifiers)
    if protocols is None:
        talks_always = False
        protocols = registry.names(PluginRole.PROTOCOL)
    else:
        talks_always = bool(protocols)
    protocols = tuple(protocols)
    aimable = targeted and STIMULUS in doctrines and doctrine != STIMULUS

    cache: dict[tuple[Any, ...], st.SearchStrategy[dict[str, ParamValue]]] = {}

    def agent_params(
        name: str, me: str, ids: tuple[str, ...], members: tuple[str, ...], crisis: bool
    ) -> st.SearchStrategy[dict[str, ParamValue]]:
        key = (name, me, ids, members, crisis)
        if key not in cache:
            cache[key] = _agent_params(name, me, ids, members, crisis)
        return cache[key]

    def _agent_params(
        name: str, me: str, ids: tuple[str, ...], members: tuple[str, ...], crisis: bool
    ) -> st.SearchStrategy[dict[str, ParamValue]]:
        # The draws do not depend on ``crisis`` (only their use does), so that shrinking
        # a crisis-shaped scenario to a plain one keeps everything else.
        others = tuple(i for i in ids if i != me)
        if name == STIMULUS:
            if me == CHALLENGER_ID:
                script = _script(
                    others, max_rounds, _CHALLENGER_KINDS, opening=members, force_opening=crisis
                )
            else:
                script = _script(others, max_rounds)
            return st.builds(lambda s: {"script": s} if s else {}, script)
        overrides: dict[str, ParamStrategy] = {}
        if name == "wedge" and me == CHALLENGER_ID:
            overrides["targets"] = st.sampled_from(("", *members)).map(
                lambda t: t or members[0] if crisis else t
            )
        if name == doctrine:
            overrides.update(param_strategies or {})
        table = doctrine_params(registry.spec(name), overrides, others)
        if name == doctrine and modifiers:
            table = st.tuples(
                table, *(doctrine_params(registry.spec(m), overrides, others) for m in modifiers)
            ).map(lambda ts: {k: v for t in ts for k, v in t.items()})
        if name == "wedge" and me == CHALLENGER_ID and crisis:
            table = table.map(
                lambda t: (
                    t | {"attack_round": min(int(t.get("attack_round", 3)), 3)}
                    if int(t.get("attack_round", 3)) > 3
                    else t
                )
            )
        return table

    def agent_table(
        draw: st.DrawFn, me: str, name: str, params: dict[str, ParamValue], ids: tuple[str, ...]
    ) -> dict[str, Any]:
        table: dict[str, Any] = {"id": me, "name": f"State {me}", "doctrine": name}
        if name == doctrine and modifiers:
            table["modifiers"] = list(modifiers)
        if params:
            table["params"] = params
        table["capabilities"] = draw(_capabilities(me, tuple(x for x in ids if x != me)))
        return table

    def aimed(draw: st.DrawFn) -> dict[str, Any]:
        """A scenario whose stimulus agents aim everything at A (see the docstring)."""
        sizes = range(2, max(2, max_members) + 1)
        n = draw(st.sampled_from((*sizes, *sizes[1:])))  # three or more, mostly
        rounds = draw(st.sampled_from(range(min(2, max_rounds), max_rounds + 1)))
        members = MEMBER_IDS[:n]
        ids = (*members, CHALLENGER_ID)
        agents_data = []
        for i, me in enumerate(ids):
            others = tuple(x for x in ids if x != me)
            if i == 0:
                name = doctrine
                params = draw(agent_params(name, me, ids, members, False))
            elif me in ("B", CHALLENGER_ID) or draw(st.sampled_from(member_doctrines)) == STIMULUS:
                name = STIMULUS
                script = draw(_aimed_script(members[0], others, rounds))
                params = {"script": script} if script else {}
            else:
                name = doctrine
                params = draw(agent_params(name, me, ids, members, False))
            agents_data.append(agent_table(draw, me, name, params, ids))
        # A hosts forces of its ally or of the challenger more often than not, so that
        # requests for access and threats against hosts meet a host
        guests = draw(st.lists(st.sampled_from(("B", CHALLENGER_ID)), unique=True, max_size=2))
        caps = agents_data[0]["capabilities"]
        if guests:
            caps["forces_hosted"] = {
                **caps.get("forces_hosted", {}),
                **dict.fromkeys(guests, 1000.0),
            }
        if draw(st.booleans()):  # and its ally hosts the challenger's
            caps = agents_data[1]["capabilities"]
            caps["forces_hosted"] = {**caps.get("forces_hosted", {}), CHALLENGER_ID: 1000.0}
        # set pieces in round 1: the situations rarest by chance, each maybe
        pieces = draw(st.lists(st.sampled_from(_PIECES), unique=True, max_size=len(_PIECES)))
        for who, kind in pieces:
            agent = agents_data[1] if who == "B" else agents_data[-1]
            variant = draw(_variants()) % VARIANTS.get(kind, 1)
            piece = script_text([Step(1, kind, "A", 1.0, variant)])
            params = agent.setdefault("params", {})
            params["script"] = ";".join(x for x in (piece, params.get("script", "")) if x)
        first = draw(_alliance_table(members, 1))
        if n >= 3:  # every member, as in a crisis: a proposal has voters to forge
            first["kind"] = "collective"
            first["members"] = list(members)
            first.pop("hub", None)
            if first["decision_rule"] == "hub":
                first["hub"] = draw(st.sampled_from(members))
        else:
            first["members"] = ["A", "B"]
        if first.get("hub") not in (None, *first["members"]):
            first["hub"] = draw(st.sampled_from(first["members"]))
        if first.get("hub") not in (None, *first["members"]):
            first["hub"] = draw(st.sampled_from(first["members"]))
        alliance_tables = [first]
        if n >= 3 and draw(st.booleans()):
            alliance_tables.append(draw(_alliance_table(members, 2)))
        commitment_tables: list[dict[str, Any]] = []
        for debtor, creditor in (("A", "B"), ("B", "A")):
            treaty: dict[str, Any] = {
                "id": f"treaty-{debtor}-{creditor}",
                "debtor": debtor,
                "creditor": creditor,
                "antecedent": f"attacked({creditor})",
                "consequent": f"responds({debtor},{creditor})",
            }
            deadline = draw(_deadlines())
            if deadline is not None:
                treaty["deadline"] = deadline
            if draw(st.integers(0, 3)) == 3:
                treaty["standing"] = True
            commitment_tables.append(treaty)
        for k in range(draw(st.sampled_from((0, 1)))):
            commitment_tables.append(draw(_commitment_table(ids, k + 1)))
        world: dict[str, Any] = {}
        initial = draw(st.lists(facts(ids, nullary=False), unique=True, max_size=2))
        initial = [f for f in initial if not f.startswith(_ENDING_FACTS)]
        if initial:
            world["facts"] = initial
        wparams = draw(world_params)
        if has_challenger_param:
            wparams["challenger"] = CHALLENGER_ID
        if wparams:
            world["params"] = wparams
        data: dict[str, Any] = {
            "scenario": {"name": "fuzz", "world_rules": world_name, "max_rounds": rounds},
        }
        if world:
            data["world"] = world
        data["agents"] = agents_data
        data["alliances"] = alliance_tables
        data["commitments"] = commitment_tables
        if protocols and (talks_always or draw(st.booleans())):
            party = draw(st.sampled_from(("B", CHALLENGER_ID)))
            others = tuple(x for x in ids if x not in ("A", party))
            table = draw(_negotiation_table(protocols, ("A", party), others, rounds))
            pparams = draw(protocol_params(table["protocol"]))
            if pparams:
                table["params"] = pparams
            data["negotiations"] = [table]
            # the stimulus party bargains in every round the talks may be open
            agent = next(a for a in agents_data if a["id"] == party)
            variants = draw(
                st.lists(
                    st.integers(0, VARIANTS["bargain"] - 1),
                    min_size=table["deadline"] - table["opens"] + 1,
                    max_size=table["deadline"] - table["opens"] + 1,
                )
            )
            bargains = [
                Step(r, "bargain", "*", 0.0, v)
                for r, v in zip(range(table["opens"], table["deadline"] + 1), variants, strict=True)
            ]
            script = str(agent.get("params", {}).get("script", ""))
            agent["params"] = {
                **agent.get("params", {}),
                "script": ";".join(x for x in (script, script_text(bargains)) if x),
            }
        return data

    def protocol_params(name: str) -> st.SearchStrategy[dict[str, ParamValue]]:
        key = ("protocol", name)
        if key not in cache:
            cache[key] = doctrine_params(registry.spec(name))
        return cache[key]

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        if aimable and (talks_always or draw(st.integers(0, 2)) > 0):
            return aimed(draw)
        n = draw(st.sampled_from(range(1, max_members + 1)))
        crisis = n >= 2 and draw(st.booleans())
        # a challenger in three plain scenarios out of four (none is the simplest case)
        challenger = bool(challengers) and (draw(st.integers(0, 3)) > 0 or crisis)
        rounds = draw(st.sampled_from(range(1, max_rounds + 1)))
        if crisis:
            rounds = max(rounds, min(4, max_rounds))
        members = MEMBER_IDS[:n]
        ids = (*members, CHALLENGER_ID) if challenger else members
        agents_data: list[dict[str, Any]] = []
        for i, me in enumerate(ids):
            if me == CHALLENGER_ID:
                name = draw(st.sampled_from(challengers))
            else:
                name = doctrine if i == 0 else draw(st.sampled_from(member_doctrines))
            params = draw(agent_params(name, me, ids, members, crisis))
            agents_data.append(agent_table(draw, me, name, params, ids))
        alliance_tables: list[dict[str, Any]] = []
        if n >= 2:
            count = draw(st.sampled_from((0, 1, 1, 2)))
            for k in range(max(count, 1) if crisis else count):
                table = draw(_alliance_table(members, k + 1))
                if crisis and k == 0 and table["kind"] == "collective":
                    table["members"] = list(members)
                alliance_tables.append(table)
        pairs = sorted(
            {
                (i, j)
                for al in alliance_tables
                for i in al["members"]
                for j in al["members"]
                if i != j
            }
        )
        bound = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=4)) if pairs else []
        if crisis:
            first = alliance_tables[0]["members"]
            bound = [(i, j) for i, j in pairs if i in first and j in first]
        commitment_tables: list[dict[str, Any]] = []
        for debtor, creditor in sorted(bound):
            treaty: dict[str, Any] = {
                "id": f"treaty-{debtor}-{creditor}",
                "debtor": debtor,
                "creditor": creditor,
                "antecedent": f"attacked({creditor})",
                "consequent": f"responds({debtor},{creditor})",
            }
            deadline = draw(_deadlines())
            if deadline is not None:
                treaty["deadline"] = deadline
            commitment_tables.append(treaty)
        if len(ids) >= 2:
            for k in range(draw(st.sampled_from((0, 1, 2)))):
                commitment_tables.append(draw(_commitment_table(ids, k + 1)))
        world: dict[str, Any] = {}
        initial = draw(st.lists(facts(ids, nullary=False), unique=True, max_size=2))
        if initial:
            world["facts"] = initial
        wparams = draw(world_params)
        if has_challenger_param and challenger:
            wparams["challenger"] = CHALLENGER_ID
        if wparams:
            world["params"] = wparams
        data: dict[str, Any] = {
            "scenario": {"name": "fuzz", "world_rules": world_name, "max_rounds": rounds},
        }
        if world:
            data["world"] = world
        data["agents"] = agents_data
        if alliance_tables:
            data["alliances"] = alliance_tables
        if commitment_tables:
            data["commitments"] = commitment_tables
        return data

    return build()


def scenarios(
    doctrine: str, *, registry: PluginRegistry | None = None, **kwargs: Any
) -> st.SearchStrategy[Scenario]:
    """Scenarios built from :func:`scenario_data` (same arguments) by the loader."""
    registry = registry or default_registry()
    return scenario_data(doctrine, registry=registry, **kwargs).map(
        lambda data: scenario_from_dict(data, registry=registry)
    )


@attrs.frozen(repr=False)
class RunCase:
    """One generated run: scenario data and a seed.

    Attributes:
        data: The scenario, shaped like a scenario file (:func:`scenario_data`).
        seed: The run's seed.
    """

    data: Mapping[str, Any] = attrs.field(eq=False)
    seed: int

    def scenario(self, registry: PluginRegistry | None = None) -> Scenario:
        """The scenario, loaded and checked against ``registry``."""
        return scenario_from_dict(self.data, source="<generated>", registry=registry)

    def toml(self) -> str:
        """The scenario as the text of a scenario file."""
        return scenario_toml(self.data)

    def __repr__(self) -> str:
        agents_ = self.data.get("agents", [])
        doctrines = ", ".join(f"{a['id']}:{a['doctrine']}" for a in agents_)
        return (
            f"RunCase(seed={self.seed}, max_rounds={self.data['scenario'].get('max_rounds')}, "
            f"agents=[{doctrines}], alliances={len(self.data.get('alliances', []))}, "
            f"commitments={len(self.data.get('commitments', []))})"
        )


def runs(
    doctrine: str,
    *,
    registry: PluginRegistry | None = None,
    **kwargs: Any,
) -> st.SearchStrategy[RunCase]:
    """Whole runs: :func:`scenario_data` (same arguments) and a seed, as a :class:`RunCase`."""
    return st.builds(
        RunCase,
        scenario_data(doctrine, registry=registry, **kwargs),
        st.integers(0, 2**31 - 1),
    )
