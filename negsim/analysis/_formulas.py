"""Commitments and exclusions as formulas, split into independent groups.

Two commitments interact only through the atoms they mention, directly or through an
exclusion that mentions atoms of both. So the commitments are grouped into the connected
components of the graph "shares an atom with" (exclusions join every atom they mention),
and every question is asked group by group: the verdict for the whole set is the
combination of the verdicts for its groups. Groups that are identical up to a renaming of
atoms (the 32 groups of Art. 5 commitments in the Baltic scenario, one per attacked ally)
have the same :func:`shape`, and are decided once.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence

import attrs

from negsim.errors import Problem, ScenarioError
from negsim.logic import (
    And,
    Atom,
    Const,
    Equiv,
    Implies,
    Not,
    Or,
    Prop,
    atoms,
    parse,
    plain_atom,
)
from negsim.model import Commitment, CommitmentState

__all__ = [
    "Entry",
    "Exclusion",
    "Group",
    "entries_of",
    "exclusions_of",
    "groups",
    "shape",
    "subgroups",
]

_ACTIVE = (CommitmentState.CONDITIONAL, CommitmentState.DETACHED)
_TRUE = Const(True)


@attrs.frozen
class Entry:
    """One active commitment, parsed.

    Attributes:
        commitment: The commitment.
        antecedent: Its antecedent; ``true`` when it is already detached.
        consequent: Its consequent.
        atoms: The atom keys of both.
    """

    commitment: Commitment
    antecedent: Prop
    consequent: Prop
    atoms: frozenset[str]

    @property
    def id(self) -> str:
        """The commitment's id."""
        return self.commitment.id


@attrs.frozen
class Exclusion:
    """One of the world's exclusions, parsed.

    Attributes:
        index: Its position in the scenario's list.
        text: As written.
        prop: Parsed.
        atoms: Its atom keys.
    """

    index: int
    text: str
    prop: Prop
    atoms: frozenset[str]


@attrs.frozen
class Group:
    """Commitments connected by shared atoms, with the exclusions over those atoms.

    Attributes:
        entries: The commitments, sorted by id.
        exclusions: The exclusions that mention their atoms, in scenario order.
    """

    entries: tuple[Entry, ...]
    exclusions: tuple[Exclusion, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        """The commitments' ids, sorted."""
        return tuple(e.id for e in self.entries)


def _parse(text: str, where: str) -> Prop:
    """Parse proposition text; a plain atom is read directly (the parser caches only 4,096)."""
    parts = plain_atom(text)
    if parts is not None:
        return Atom(*parts)
    return parse(text, source=where)


_ID = operator.attrgetter("id")


def entries_of(commitments: Iterable[Commitment]) -> list[Entry]:
    """Parse the active commitments (conditional or detached), sorted by id.

    Args:
        commitments: Any commitments; terminal ones (discharged, violated, expired,
            cancelled, released) no longer bind and are left out.

    Returns:
        The parsed commitments.

    Raises:
        negsim.errors.ScenarioError: Two commitments share an id, or a proposition does
            not parse (every problem is listed).
    """
    out: list[Entry] = []
    seen: set[str] = set()
    problems: list[Problem] = []
    parsed: dict[str, Prop] = {}  # the same text is often shared (``attacked(EST)``)
    get = parsed.get

    def read(text: str, id_: str, side: str) -> Prop:
        prop = parsed[text] = _parse(text, f"commitments[{id_}].{side}")
        return prop

    for c in sorted(commitments, key=_ID):
        id_, state = c.id, c.state
        if id_ in seen:
            problems.append(Problem(f"commitments[{id_}]", "duplicate commitment id"))
            continue
        seen.add(id_)
        if state not in _ACTIVE:
            continue
        try:
            found = get(c.consequent)
            consequent = read(c.consequent, id_, "consequent") if found is None else found
            antecedent: Prop = _TRUE
            if state is not CommitmentState.DETACHED:
                found = get(c.antecedent)
                antecedent = read(c.antecedent, id_, "antecedent") if found is None else found
        except ScenarioError as exc:
            problems.extend(Problem(p.path or exc.source, p.message) for p in exc.problems)
            continue
        if type(antecedent) is Atom and type(consequent) is Atom:  # most are: one set
            keys = frozenset((antecedent.key, consequent.key))
        else:
            keys = _atoms(antecedent) | _atoms(consequent)
        out.append(Entry(c, antecedent, consequent, keys))
    if problems:
        raise ScenarioError("<commitments>", problems)
    return out


def _atoms(prop: Prop) -> frozenset[str]:
    return frozenset((prop.key,)) if isinstance(prop, Atom) else atoms(prop)


def exclusions_of(exclusions: Iterable[str | Prop]) -> list[Exclusion]:
    """Parse the world's exclusions.

    Args:
        exclusions: Proposition text (or trees) that must hold in every world.

    Returns:
        The parsed exclusions, in order.

    Raises:
        negsim.errors.ScenarioError: An exclusion does not parse.
    """
    out = []
    for i, item in enumerate(exclusions):
        prop = item if not isinstance(item, str) else _parse(item, f"world.exclusions[{i}]")
        out.append(Exclusion(i, str(prop), prop, atoms(prop)))
    return out


class _UnionFind:
    """Disjoint sets of hashable nodes, with path halving."""

    def __init__(self) -> None:
        self.parent: dict[object, object] = {}

    def find(self, node: object) -> object:
        parent = self.parent
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(self, a: object, b: object) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb

    def join(self, nodes: Iterable[object]) -> None:
        """Put all of ``nodes`` in one set."""
        parent = self.parent
        first: object = _NONE
        for node in nodes:
            up = parent.setdefault(node, node)
            root = node if up == node else self.find(node)
            if first is _NONE:
                first = root
            elif root != first:
                parent[root] = first


_NONE = object()


def groups(
    entries: Sequence[Entry], exclusions: Sequence[Exclusion]
) -> tuple[list[Group], list[Exclusion]]:
    """Split commitments into independent groups connected by shared atoms.

    Args:
        entries: The commitments.
        exclusions: The exclusions; each joins all the atoms it mentions.

    Returns:
        The groups, ordered by their first commitment id, and the exclusions that mention
        no atom of any commitment (they matter only if they contradict each other).
    """
    # The sets are of atom keys; a commitment or exclusion belongs to its atoms' set (or,
    # mentioning none, is alone).
    uf = _UnionFind()
    for e in entries:
        uf.join(e.atoms)
    for x in exclusions:
        uf.join(x.atoms)
    members: dict[object, list[Entry]] = {}
    find, parent = uf.find, uf.parent
    for e in entries:
        if e.atoms:
            key = next(iter(e.atoms))
            root = key if parent[key] == key else find(key)
        else:
            root = ("c", e.id)
        members.setdefault(root, []).append(e)
    excl: dict[object, list[Exclusion]] = {}
    for x in exclusions:
        root = uf.find(next(iter(x.atoms))) if x.atoms else ("x", x.index)
        excl.setdefault(root, []).append(x)
    out = [Group(tuple(es), tuple(excl.pop(root, ()))) for root, es in members.items()]
    out.sort(key=lambda g: g.entries[0].id)
    rest = sorted((x for xs in excl.values() for x in xs), key=lambda x: x.index)
    return out, rest


def subgroups(
    entries: Sequence[Entry], exclusions: Sequence[Exclusion], *, side: str
) -> list[list[Entry]]:
    """Group commitments by the atoms of one side only (with the exclusions joining atoms).

    Two commitments whose consequents (``side="consequent"``) lie in different subgroups
    can never demand incompatible things; likewise for antecedents.

    Args:
        entries: The commitments of one group.
        exclusions: The group's exclusions.
        side: ``"antecedent"`` or ``"consequent"``.

    Returns:
        The subgroups with two or more commitments, each sorted by id.
    """
    uf = _UnionFind()
    for x in exclusions:
        keys = sorted(x.atoms)
        for key in keys[1:]:
            uf.union(("a", keys[0]), ("a", key))
    for e in entries:
        prop = e.antecedent if side == "antecedent" else e.consequent
        uf.find(("c", e.id))
        for key in atoms(prop):
            uf.union(("c", e.id), ("a", key))
    members: dict[object, list[Entry]] = {}
    for e in entries:
        members.setdefault(uf.find(("c", e.id)), []).append(e)
    return [es for es in members.values() if len(es) > 1]


def _walk(prop: Prop, names: dict[Atom, str], out: list[str]) -> None:
    match prop:
        case Atom():
            name = names.get(prop)
            if name is None:
                name = names[prop] = f"v{len(names)}"
            out.append(name)
        case Const(value=value):
            out.append("T" if value else "F")
        case Not(operand=operand):
            out.append("~")
            _walk(operand, names, out)
        case And(operands=operands) | Or(operands=operands):
            out.append("&(" if isinstance(prop, And) else "|(")
            for operand in operands:
                _walk(operand, names, out)
                out.append(",")
            out.append(")")
        case Implies(left=left, right=right) | Equiv(left=left, right=right):
            out.append(">(" if isinstance(prop, Implies) else "=(")
            _walk(left, names, out)
            out.append(",")
            _walk(right, names, out)
            out.append(")")


def shape(group: Group) -> tuple[str, tuple[str, ...]]:
    """The group's formulas with atoms renamed in order of first appearance.

    Two groups with the same shape are the same formulas up to a renaming of atoms (and of
    commitment ids, position by position), so every verdict about one holds for the other.

    Args:
        group: The group.

    Returns:
        The shape, and the group's atom keys in the order they were renamed (``v0``,
        ``v1``, ...).
    """
    names: dict[Atom, str] = {}  # atoms are equal exactly when their keys are
    out: list[str] = []
    append = out.append
    for e in group.entries:
        # most propositions are one atom: no need to walk them
        a, q = e.antecedent, e.consequent
        if type(a) is Atom:
            name = names.get(a)
            if name is None:
                name = names[a] = f"v{len(names)}"
            append(name)
        else:
            _walk(a, names, out)
        append(";")
        if type(q) is Atom:
            name = names.get(q)
            if name is None:
                name = names[q] = f"v{len(names)}"
            append(name)
        else:
            _walk(q, names, out)
        append("|")
    append("#")
    for x in group.exclusions:
        _walk(x.prop, names, out)
        out.append("|")
    return "".join(out), tuple(atom.key for atom in names)
