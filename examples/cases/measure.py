"""The historical cases: their expected files, the checks, and the table the docs include.

Each case is a scenario ``<case>.toml`` and an expected file ``<case>.expected.toml``
beside it. The expected file names the scenario, the number of seeded runs (seeds
``0 .. runs-1``) and a list of statements, each a measurable claim about the share of
runs in which something happens, with the range of shares the record allows (the
tolerance), the claim in words and its source. The statement kinds are a closed
vocabulary, parsed as data:

``decision_day``
    The alliance's first decision (``DecisionReached``) comes on a day in ``days``
    (inclusive; day 0 is the scenario's start). With ``proposal_suffix`` only a
    decision on a proposal whose id ends so counts (``":dpc"``: the exclusion route).
``outcome``
    The run ends in one of ``outcomes``.
``fact``
    The fact ``fact`` is set at some point of the run, or holds at its end.
``blocked``
    At least ``at_least`` proposals are blocked by an objection (with ``reason``, only
    proposals closed for that reason, e.g. ``"silence broken"``).
``commitment``
    The commitment ``commitment`` reaches one of ``states``.

A statement holds when the observed share of runs lies in ``share = [low, high]``. A
statement the model does not reproduce carries ``known_miss = "<why>"``: the tests then
assert that it still fails, so a change to the model that fixes it is noticed.

Run as a script, it prints the Markdown table of measured shares that the docs include
(``docs/explanation/cases/_measured.md``, and one ``_measured_<case>.md`` per case)::

    python examples/cases/measure.py [--case nato_2001] [--runs 50] [--out table.md]
"""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

import negsim
from negsim.model import (
    CommitmentChanged,
    CommitmentState,
    DecisionReached,
    FactChanged,
    Outcome,
    ProposalClosed,
    Result,
)

HERE = Path(__file__).resolve().parent

KINDS = ("blocked", "commitment", "decision_day", "fact", "outcome")
"""The statement kinds an expected file may use."""

_FIELDS: dict[str, dict[str, type]] = {
    "decision_day": {"days": list, "proposal_suffix": str},
    "outcome": {"outcomes": list},
    "fact": {"fact": str},
    "blocked": {"at_least": int, "reason": str},
    "commitment": {"commitment": str, "states": list},
}
_REQUIRED = {
    "decision_day": ("days",),
    "outcome": ("outcomes",),
    "fact": ("fact",),
    "blocked": ("at_least",),
    "commitment": ("commitment", "states"),
}
_COMMON = {"id": str, "kind": str, "share": list, "claim": str, "source": str, "known_miss": str}


class ExpectedFileError(ValueError):
    """An expected file that cannot be read: names the file, the place and the fix."""


@attrs.frozen
class Statement:
    """One measurable claim of a case.

    Attributes:
        id: Its name within the case.
        kind: One of :data:`KINDS`.
        share: The range of shares of runs the record allows, inclusive.
        claim: The claim in words.
        source: Where the record states it.
        params: The kind's own fields (``days``, ``fact``, ...).
        known_miss: Why the model does not reproduce it ("" when it should).
    """

    id: str
    kind: str
    share: tuple[float, float]
    claim: str
    source: str
    params: dict[str, Any]
    known_miss: str = ""


@attrs.frozen
class Case:
    """A historical case: its scenario, its number of runs and its statements."""

    name: str
    scenario: Path
    runs: int
    statements: tuple[Statement, ...]


def _fail(path: Path, where: str, problem: str) -> ExpectedFileError:
    return ExpectedFileError(f"{path.name}: {where}: {problem}")


def load_case(path: Path) -> Case:
    """Read ``<case>.expected.toml``; raise :class:`ExpectedFileError` on any problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise _fail(path, "TOML", str(err)) from None
    scenario = data.get("scenario")
    if not isinstance(scenario, str) or not (path.parent / scenario).is_file():
        raise _fail(
            path, "scenario", f"expected the name of a scenario file beside it: {scenario!r}"
        )
    runs = data.get("runs")
    if not isinstance(runs, int) or isinstance(runs, bool) or runs < 1:
        raise _fail(path, "runs", f"expected a whole number of runs >= 1: {runs!r}")
    unknown = sorted(set(data) - {"scenario", "runs", "statement"})
    if unknown:
        raise _fail(path, unknown[0], "unknown key; expected scenario, runs, statement")
    raw = data.get("statement")
    if not isinstance(raw, list) or not raw:
        raise _fail(path, "statement", "expected at least one [[statement]] table")
    statements = tuple(_statement(path, f"statement[{i}]", s) for i, s in enumerate(raw))
    ids = [s.id for s in statements]
    for i, sid in enumerate(ids):
        if sid in ids[:i]:
            raise _fail(path, f"statement[{i}].id", f"{sid!r} is already the id of a statement")
    return Case(path.name.removesuffix(".expected.toml"), path.parent / scenario, runs, statements)


def _statement(path: Path, where: str, raw: object) -> Statement:
    if not isinstance(raw, dict):
        raise _fail(path, where, f"expected a [[statement]] table: {raw!r}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise _fail(path, f"{where}.kind", f"expected one of {', '.join(KINDS)}: {kind!r}")
    allowed = {**_COMMON, **_FIELDS[kind]}
    for key, value in raw.items():
        if key not in allowed:
            raise _fail(
                path, f"{where}.{key}", f"unknown key for kind {kind!r}; valid: {sorted(allowed)}"
            )
        if not isinstance(value, allowed[key]) or isinstance(value, bool):
            expected = allowed[key].__name__
            raise _fail(path, f"{where}.{key}", f"expected a {expected}: {value!r}")
    for key in ("id", "share", "claim", "source", *_REQUIRED[kind]):
        if key not in raw:
            raise _fail(path, f"{where}.{key}", f"missing (kind {kind!r} needs it)")
    share = raw["share"]
    if (
        len(share) != 2
        or not all(isinstance(x, int | float) for x in share)
        or not 0 <= share[0] <= share[1] <= 1
    ):
        raise _fail(
            path, f"{where}.share", f"expected [low, high] with 0 <= low <= high <= 1: {share}"
        )
    days = raw.get("days", [0, 0])
    whole = all(isinstance(d, int) and not isinstance(d, bool) for d in days)
    if len(days) != 2 or not whole or not 0 <= days[0] <= days[1]:
        raise _fail(path, f"{where}.days", f"expected [first, last] whole days >= 0: {days}")
    _names(path, f"{where}.outcomes", raw.get("outcomes", []), [str(o) for o in Outcome])
    _names(path, f"{where}.states", raw.get("states", []), [str(c) for c in CommitmentState])
    params = {k: v for k, v in raw.items() if k not in _COMMON}
    return Statement(
        raw["id"],
        kind,
        (float(share[0]), float(share[1])),
        raw["claim"],
        raw["source"],
        params,
        raw.get("known_miss", ""),
    )


def _names(path: Path, where: str, given: list[Any], valid: list[str]) -> None:
    for name in given:
        if name not in valid:
            raise _fail(path, where, f"unknown name {name!r}; valid: {', '.join(valid)}")


def _event(statement: Statement) -> Callable[[Result], bool]:
    p = statement.params
    match statement.kind:
        case "decision_day":
            first, last = p["days"]
            suffix = p.get("proposal_suffix", "")

            def decided(r: Result) -> bool:
                days = [e for e in r.events if isinstance(e, DecisionReached)]
                return (
                    bool(days)
                    and days[0].proposal.endswith(suffix)
                    and first <= days[0].round <= last
                )

            return decided
        case "outcome":
            return lambda r: str(r.outcome) in p["outcomes"]
        case "fact":
            return lambda r: (
                p["fact"] in r.world.facts
                or any(
                    isinstance(e, FactChanged) and e.value and e.fact == p["fact"] for e in r.events
                )
            )
        case "blocked":
            reason = p.get("reason", "")

            def blocked(r: Result) -> bool:
                closed = [
                    e
                    for e in r.events
                    if isinstance(e, ProposalClosed)
                    and e.blocking
                    and (not reason or e.reason == reason)
                ]
                return len(closed) >= p["at_least"]

            return blocked
        case _:  # commitment
            return lambda r: any(
                isinstance(e, CommitmentChanged)
                and e.commitment == p["commitment"]
                and str(e.new) in p["states"]
                for e in r.events
            )


@attrs.frozen
class Measured:
    """A statement with what the runs gave: ``count`` of ``runs`` runs."""

    statement: Statement
    count: int
    runs: int

    @property
    def share(self) -> float:
        """The observed share of runs."""
        return self.count / self.runs

    @property
    def holds(self) -> bool:
        """Whether the observed share lies in the statement's range."""
        low, high = self.statement.share
        return low <= self.share <= high

    def describe(self, case: str) -> str:
        """A readable line for a failure message."""
        low, high = self.statement.share
        s = self.statement
        return (
            f"{case}: {s.id} ({s.kind}): {s.claim} -- observed {self.count}/{self.runs} = "
            f"{self.share:.2f}, expected a share in [{low:.2f}, {high:.2f}] (source: {s.source})"
        )


def simulate(case: Case, runs: int | None = None) -> list[Result]:
    """``runs`` (the case's own by default) seeded runs of the case's scenario."""
    scenario = negsim.load_scenario(case.scenario)
    return [negsim.simulate(scenario, seed=s) for s in range(runs or case.runs)]


def measure(case: Case, results: Sequence[Result]) -> list[Measured]:
    """Every statement of ``case`` measured over ``results``."""
    return [Measured(s, sum(map(_event(s), results)), len(results)) for s in case.statements]


def cases() -> list[Path]:
    """The expected files of every shipped case, sorted."""
    return sorted(HERE.glob("*.expected.toml"))


def names() -> list[str]:
    """The names of the shipped cases, sorted."""
    return [load_case(p).name for p in cases()]


def decision_days(results: Sequence[Result]) -> str:
    """How many runs reached their first alliance decision on each day ("none" if never)."""
    days: dict[int | None, int] = {}
    for r in results:
        first = next((e.round for e in r.events if isinstance(e, DecisionReached)), None)
        days[first] = days.get(first, 0) + 1
    said = [f"day {d}: {k}" for d, k in sorted((d, k) for d, k in days.items() if d is not None)]
    if None in days:
        said.append(f"no decision: {days[None]}")
    return ", ".join(said)


def table(
    runs: int | None = None,
    only: str | None = None,
    run: Callable[[Case, int | None], list[Result]] | None = None,
) -> str:
    """The Markdown table of every case's (or case ``only``'s) statements and shares.

    ``run`` gives a case's results (:func:`simulate` by default; the tests pass one
    that reuses the runs they have made).
    """
    lines = [
        "| case | statement | record allows | measured | verdict |",
        "|---|---|---|---|---|",
    ]
    n = set()
    days: list[str] = []
    for path in cases():
        case = load_case(path)
        if only and case.name != only:
            continue
        results = (run or simulate)(case, runs)
        days.append(f"{case.name}: {decision_days(results)}")
        for m in measure(case, results):
            n.add(m.runs)
            low, high = m.statement.share
            verdict = "known miss" if m.statement.known_miss else "reproduced"
            if m.holds == bool(m.statement.known_miss):
                verdict = "**changed**: " + ("now holds" if m.holds else "fails")
            lines.append(
                f"| {case.name} | {m.statement.claim} | {low:.2f}-{high:.2f} | "
                f"{m.count}/{m.runs} = {m.share:.2f} | {verdict} |"
            )
    if not n:
        raise ValueError(f"no case named {only!r}; the cases: {', '.join(names())}")
    runs_said = ", ".join(str(x) for x in sorted(n))
    lines += [
        "",
        "Day of the alliance's first decision (runs): " + "; ".join(days) + ".",
        "",
        f"{runs_said} runs per case, seeds 0 to runs-1. Made by "
        f"`python examples/cases/measure.py{' --case ' + only if only else ''}`.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    """Print (or write) the table of measured shares."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=None, help="runs per case (the file's own)")
    parser.add_argument("--case", default=None, help="only this case (e.g. nato_2001)")
    parser.add_argument("--out", type=Path, default=None, help="write the table here")
    args = parser.parse_args(argv)
    try:
        known = names()
        if args.case is not None and args.case not in known:
            parser.error(f"--case: no case named {args.case!r}; the cases: {', '.join(known)}")
        text = table(args.runs, args.case)
    except ExpectedFileError as err:
        parser.exit(2, f"measure.py: error: {err}\n")
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
