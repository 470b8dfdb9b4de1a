"""One run as a self-contained HTML page: timeline, messages, commitments, ledger, provenance.

:func:`report_html` turns a :class:`negsim.Result` (or the path of its JSON Lines log)
into one HTML document that needs nothing else: the style is inline, the charts are
inline SVG, and the page has no script. A ``Content-Security-Policy`` in the page forbids
every script and every load from anywhere, so nothing in it can reach the network. All
text from the log (agent ids, message content, reasons) is escaped.

The sections, each under a heading with a fixed ``id``:

``timeline``
    Rounds x kinds of event: how many of each happened in each round, then each round's
    events in words.
``messages``
    The message-sequence chart: a lifeline per agent, an arrow from the sender to each
    recipient (one row per message, rounds top to bottom), labelled with the
    performative.
``commitments``
    Each commitment's lifecycle: its state round by round. Commitments that never left
    their first state are counted, not drawn.
``network``
    Agents on a circle; an arrow from debtor to creditor for their commitments, coloured
    by the furthest state one of them reached; the alliances seen deciding in the log.
``ledger``
    The decision ledger when the run kept one (``negsim run --ledger``): each rule an
    agent evaluated, its margin and inputs, and where each input would flip it; else a
    note saying how to keep one.
``provenance``
    The negsim version, the plugins, the scenario digest, seed and overrides, and the
    run's metrics.

Long runs are capped: each list and chart shows at most ``limit`` items and says how
many it left out. The same log gives the same bytes (nothing reads the clock).
"""

from __future__ import annotations

import html
import math
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from negsim.errors import NegsimError
from negsim.model import (
    ActionTaken,
    CommitmentChanged,
    CommitmentCreated,
    CommitmentState,
    DecisionReached,
    Event,
    FactChanged,
    HonourDecided,
    MessageSent,
    MoveRejected,
    Narration,
    NegotiationEnded,
    NegotiationOpened,
    OutcomeReached,
    ProposalClosed,
    Result,
    RuleEvaluated,
    VariableChanged,
)
from negsim.results._jsonl import read_jsonl

__all__ = ["LIMIT", "SECTIONS", "report_html", "write_report"]

LIMIT = 200
"""The most items a section shows by default: messages in the chart, commitments drawn,
ledger rows, events listed per round."""

SECTIONS = ("timeline", "messages", "commitments", "network", "ledger", "provenance")
"""The ids of the report's sections, in page order."""

_KIND_ORDER = (
    "message",
    "action",
    "rejected",
    "honour",
    "fact",
    "variable",
    "commitment_created",
    "commitment",
    "decision",
    "proposal_closed",
    "negotiation_opened",
    "negotiation_ended",
    "narration",
    "rule",
    "outcome",
)
_KIND_LABEL = {
    "message": "messages",
    "action": "actions",
    "rejected": "rejected moves",
    "honour": "honour decisions",
    "fact": "facts changed",
    "variable": "variables changed",
    "commitment_created": "commitments made",
    "commitment": "commitment changes",
    "decision": "alliance decisions",
    "proposal_closed": "proposals closed",
    "negotiation_opened": "negotiations opened",
    "negotiation_ended": "negotiations ended",
    "narration": "narration",
    "rule": "ledger entries",
    "outcome": "outcome",
}
_STATE_COLOR = {
    CommitmentState.CONDITIONAL: "#b9c2cc",
    CommitmentState.DETACHED: "#e08a1e",
    CommitmentState.DISCHARGED: "#3b9e5a",
    CommitmentState.VIOLATED: "#d1495b",
    CommitmentState.EXPIRED: "#8d8d8d",
    CommitmentState.CANCELLED: "#8c62aa",
    CommitmentState.RELEASED: "#17a2b8",
}
_STATE_RANK = {
    CommitmentState.VIOLATED: 6,
    CommitmentState.DETACHED: 5,
    CommitmentState.DISCHARGED: 4,
    CommitmentState.CANCELLED: 3,
    CommitmentState.RELEASED: 2,
    CommitmentState.EXPIRED: 1,
    CommitmentState.CONDITIONAL: 0,
}
"""Which state colours an edge of the network: the furthest any of its commitments reached."""
_PAIRS = 25
"""The most debtor-creditor pairs the network's table lists."""
_ALLIANCE_COLORS = ("#2a7ab0", "#8c62aa", "#c0792b", "#3b9e5a", "#d1495b", "#17a2b8")
_FONT = '"DejaVu Sans", "Liberation Sans", Arial, sans-serif'
_MONO = '"DejaVu Sans Mono", "Liberation Mono", monospace'
_NAME = 16
"""Agent ids longer than this are shortened in the charts (the full id is in the tooltip)."""

_CSS = f"""
:root {{ color-scheme: light; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; background: #f6f7f9; color: #1f2933; font: 14px/1.5 {_FONT}; }}
main {{ max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }}
header.top {{ background: #fff; border-bottom: 1px solid #dde2e8; }}
header.top .inner {{ max-width: 1180px; margin: 0 auto; padding: 22px 28px 14px; }}
h1 {{ font-size: 24px; margin: 0 0 4px; font-weight: 700; letter-spacing: -0.01em; }}
h2 {{ font-size: 18px; margin: 0 0 6px; }}
h3 {{ font-size: 15px; margin: 18px 0 6px; }}
p.sub {{ margin: 0 0 12px; color: #52606d; }}
.badge {{ display: inline-block; padding: 2px 10px; border-radius: 12px; background: #1f2933;
  color: #fff; font-weight: 700; font-size: 13px; margin-right: 6px; }}
.cards {{ display: flex; flex-wrap: wrap; gap: 10px; margin: 14px 0 10px; }}
.card {{ background: #f6f7f9; border: 1px solid #e4e7eb; border-radius: 6px;
  padding: 6px 12px; min-width: 96px; }}
.card b {{ display: block; font-size: 18px; }}
.card span {{ color: #52606d; font-size: 12px; }}
nav {{ display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 13px; }}
nav a {{ color: #2a7ab0; text-decoration: none; }}
section {{ background: #fff; border: 1px solid #dde2e8; border-radius: 8px;
  padding: 18px 20px; margin: 0 0 22px; }}
.note {{ color: #52606d; font-size: 13px; margin: 4px 0 10px; }}
.cap {{ background: #fff8e6; border-left: 3px solid #e0a21e; padding: 6px 10px;
  font-size: 13px; margin: 8px 0; }}
.scroll {{ overflow-x: auto; }}
svg {{ display: block; font-family: {_FONT}; }}
svg text {{ fill: #1f2933; }}
svg .halo {{ paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }}
table {{ border-collapse: collapse; font-size: 13px; }}
th, td {{ text-align: left; padding: 4px 10px 4px 0; vertical-align: top;
  border-bottom: 1px solid #eef0f3; }}
th {{ color: #52606d; font-weight: 600; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.holds {{ color: #2f7d46; font-weight: 600; }}
.fails {{ color: #b83246; font-weight: 600; }}
code, .mono {{ font-family: {_MONO}; font-size: 12px; }}
details {{ margin: 2px 0; }}
summary {{ cursor: pointer; padding: 2px 0; }}
details ul {{ margin: 2px 0 8px; padding-left: 22px; }}
h4 {{ font-size: 13px; margin: 10px 0 0; color: #52606d; }}
details li {{ font-size: 13px; }}
.legend {{ display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; color: #52606d;
  margin: 6px 0; }}
.legend i {{ display: inline-block; width: 12px; height: 12px; border-radius: 2px;
  vertical-align: -2px; margin-right: 4px; }}
.cols {{ display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }}
.cols > div {{ max-width: 100%; }}
.cols > div:last-child {{ flex: 1 1 300px; }}
.inputs > span {{ display: inline-block; white-space: nowrap; margin: 0 14px 0 0; }}
.inputs i {{ font-style: normal; color: #52606d; }}
td small {{ color: #52606d; }}
td.rule {{ min-width: 190px; }}
i.ring {{ display: inline-block; width: 12px; height: 12px; border-radius: 6px;
  border: 2.5px solid; margin-right: 6px; vertical-align: -2px; }}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'"
"""The page's Content-Security-Policy: its inline style and nothing else, no script, no
load of any kind."""


def _e(text: object) -> str:
    """Escape text for HTML and SVG, quotes included."""
    return html.escape(str(text), quote=True)


def _num(value: float) -> str:
    return f"{value:.4g}"


def _short(name: str) -> str:
    return name if len(name) <= _NAME else name[: _NAME - 1] + "\u2026"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def report_html(run: Result | str | os.PathLike[str], *, limit: int = LIMIT) -> str:
    """The HTML report of one run, as a string.

    Args:
        run: A result, or the path of a JSON Lines log written by ``negsim run --log``.
        limit: The most items each section shows: messages in the chart, commitments
            drawn, ledger rows, events listed in a round; each section says how many it
            left out.

    Returns:
        One self-contained HTML document (inline style and SVG, no script, no external
        resource): the same run gives the same text.

    Raises:
        negsim.ScenarioFileError: The log cannot be read or is not a negsim log.
        ValueError: ``limit`` is less than 1.

    Example:
        >>> import negsim
        >>> from negsim.results import report_html
        >>> scenario = negsim.load_scenario("examples/scenarios/korea_bilateral.toml")
        >>> page = report_html(negsim.simulate(scenario, seed=4))
        >>> page.startswith("<!DOCTYPE html>"), 'id="messages"' in page
        (True, True)
    """
    if limit < 1:
        raise ValueError(f"'limit' must be >= 1: {limit}")
    result = run if isinstance(run, Result) else read_jsonl(Path(run))
    return "".join(_page(result, limit))


def write_report(
    run: Result | str | os.PathLike[str], path: str | os.PathLike[str], *, limit: int = LIMIT
) -> None:
    """Write the HTML report of one run (see :func:`report_html`) to ``path``.

    Args:
        run: A result, or the path of its JSON Lines log.
        path: The HTML file to write (UTF-8).
        limit: The most items each section shows.

    Raises:
        negsim.ScenarioFileError: The log cannot be read or is not a negsim log.
        OSError: The file cannot be written.
    """
    text = report_html(run, limit=limit)  # fails before the file is touched
    Path(path).write_text(text, encoding="utf-8", newline="\n")


# -- the page --------------------------------------------------------------------------


def _page(result: Result, limit: int) -> Iterator[str]:
    p = result.provenance
    name = p.scenario if p is not None else "negsim run"
    title = f"{name}, seed {p.seed}" if p is not None else name
    yield '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    yield f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
    yield '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    yield f"<title>{_e(title)}: {_e(result.outcome)}</title>\n<style>{_CSS}</style>\n"
    yield "</head>\n<body>\n"
    yield from _header(result, title)
    yield "<main>\n"
    agents = _agents(result)
    yield from _timeline(result, limit)
    yield from _messages(result, agents, limit)
    yield from _lifecycles(result, limit)
    yield from _network(result, agents)
    yield from _ledger(result, limit)
    yield from _provenance(result)
    yield "</main>\n</body>\n</html>\n"


def _header(result: Result, title: str) -> Iterator[str]:
    events = Counter(e.kind for e in result.events)
    states = Counter(c.state for c in result.commitments)
    cards = [
        (result.rounds, "rounds"),
        (events["message"], "messages"),
        (events["action"], "actions"),
        (len(result.commitments), "commitments"),
        (states[CommitmentState.DISCHARGED], "discharged"),
        (states[CommitmentState.VIOLATED], "violated"),
    ]
    yield '<header class="top"><div class="inner">\n'
    yield f"<h1>{_e(title)}</h1>\n"
    yield (
        f'<p class="sub"><span class="badge" id="outcome">{_e(result.outcome)}</span>'
        f"after {_plural(result.rounds, 'round')}: {_e(result.reason)}</p>\n"
    )
    yield '<div class="cards">'
    for value, label in cards:
        yield f'<div class="card"><b>{value:,}</b><span>{label}</span></div>'
    yield "</div>\n<nav>"
    for section, label in zip(SECTIONS, _TITLES, strict=True):
        yield f'<a href="#{section}">{label}</a>'
    yield "</nav>\n</div></header>\n"


_TITLES = (
    "Timeline",
    "Message-sequence chart",
    "Commitment lifecycles",
    "Alliance and commitment network",
    "Decision ledger",
    "Provenance",
)


def _section(key: str, note: str) -> str:
    heading = _TITLES[SECTIONS.index(key)]
    return f'<section id="{key}">\n<h2>{heading}</h2>\n<p class="note">{note}</p>\n'


def _capped(shown: int, total: int, what: str) -> str:
    if shown >= total:
        return ""
    return (
        f'<p class="cap">Showing the first {shown:,} of {total:,} {what}: '
        f"{total - shown:,} left out (to see more, raise the limit: "
        "<code>negsim report --limit N</code>, or <code>limit=N</code> from Python).</p>\n"
    )


def _agents(result: Result) -> list[str]:
    """Every agent the log names: speakers first, in order of first message, then the rest."""
    seen: dict[str, None] = {}
    for e in result.events:
        if isinstance(e, MessageSent):
            seen.setdefault(e.message.sender)
            for r in e.message.recipients:
                seen.setdefault(r)
    others: set[str] = set()
    for e in result.events:
        if isinstance(e, ActionTaken):
            others.add(e.action.actor)
            if e.action.target:
                others.add(e.action.target)
        elif isinstance(e, (RuleEvaluated, MoveRejected)):
            others.add(e.agent)
        elif isinstance(e, DecisionReached):
            others.update(e.consenting)
        elif isinstance(e, ProposalClosed):
            others.update(e.blocking)
        elif isinstance(e, NegotiationOpened):
            others.update(e.parties)
        elif isinstance(e, (CommitmentChanged, HonourDecided)):
            others.update((e.debtor, e.creditor))
    for c in result.commitments:
        others.update((c.debtor, c.creditor))
    return [*seen, *sorted(others - seen.keys())]


# -- timeline --------------------------------------------------------------------------


def _describe(e: Event) -> str:
    """One event in words (plain text, escaped by the caller)."""
    if isinstance(e, MessageSent):
        m = e.message
        content = ", ".join(f"{k}: {_value(v)}" for k, v in m.content.items())
        text = f"{m.sender} \u2192 {', '.join(m.recipients)}: {m.performative}"
        return text + (f" {{{content}}}" if content else "")
    if isinstance(e, ActionTaken):
        a = e.action
        target = f" {a.target}" if a.target else ""
        return f"{a.actor} {a.kind}{target} ({a.magnitude:.2f})"
    if isinstance(e, MoveRejected):
        return f"rejected: {e.agent} (doctrine {e.doctrine}) broke {e.rule}: {e.detail}"
    if isinstance(e, HonourDecided):
        verb = "honours" if e.honour else "defects on"
        return f"{e.debtor} {verb} {e.commitment} (to {e.creditor})"
    if isinstance(e, FactChanged):
        sign = "+" if e.value else "\u2212"
        return f"{sign} {e.fact}"
    if isinstance(e, VariableChanged):
        return f"{e.name} = {e.value:g}"
    if isinstance(e, CommitmentCreated):
        c = e.commitment
        return (
            f"new commitment {c.id} ({c.debtor} \u2192 {c.creditor}): "
            f"if {c.antecedent} then {c.consequent}"
        )
    if isinstance(e, CommitmentChanged):
        pair = f"{e.debtor} \u2192 {e.creditor}"
        return f"commitment {e.commitment} ({pair}): {e.old} \u2192 {e.new}"
    if isinstance(e, DecisionReached):
        return (
            f"{e.alliance} decided {e.decision} ({e.rule}; consenting: {', '.join(e.consenting)})"
        )
    if isinstance(e, ProposalClosed):
        blocking = f"; blocking: {', '.join(e.blocking)}" if e.blocking else ""
        return f"{e.alliance} proposal {e.proposal} ({e.decision}) closed: {e.reason}{blocking}"
    if isinstance(e, NegotiationOpened):
        return f"negotiation {e.negotiation} opens under {e.protocol}: {', '.join(e.parties)}"
    if isinstance(e, NegotiationEnded):
        how = (
            "agreed " + ", ".join(f"{k}: {_value(v)}" for k, v in e.terms.items())
            if e.agreed
            else "failed"
        )
        return f"negotiation {e.negotiation} {how}: {e.note}"
    if isinstance(e, Narration):
        return e.text
    if isinstance(e, OutcomeReached):
        return f"outcome: {e.outcome}: {e.reason}"
    if isinstance(e, RuleEvaluated):
        return f"{e.agent} evaluated {e.rule}: {_num(e.value)}"
    return e.kind


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _timeline(result: Result, limit: int) -> Iterator[str]:
    yield _section(
        "timeline",
        "How many events of each kind happened in each round (darker: more, within a row), "
        "then each round's events in words. Round 0 is the set-up.",
    )
    counts: Counter[tuple[str, int]] = Counter((e.kind, e.round) for e in result.events)
    kinds = [k for k in _KIND_ORDER if any(kk == k for kk, _ in counts)]
    kinds += sorted({k for k, _ in counts} - set(kinds))
    rounds = sorted({r for _, r in counts} | set(range(1, result.rounds + 1)))
    if not kinds:
        yield '<p class="note">The log has no events.</p>\n</section>\n'
        return
    cell, row, left, top = 30, 24, 150, 26
    width = left + cell * len(rounds) + 10
    height = top + row * len(kinds) + 6
    yield '<div class="scroll">'
    yield (
        f'<svg id="timeline-grid" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="events per round">'
    )
    step = 1 if len(rounds) <= 40 else 5
    for j, r in enumerate(rounds):
        if r % step == 0 or r == rounds[0]:
            x = left + cell * j + cell / 2
            yield f'<text x="{x:.1f}" y="16" font-size="11" text-anchor="middle">{r}</text>'
    for i, kind in enumerate(kinds):
        y = top + row * i
        label = _KIND_LABEL.get(kind, kind)
        yield (
            f'<text x="{left - 10}" y="{y + row / 2 + 4:.1f}" font-size="12" '
            f'text-anchor="end">{_e(label)}</text>'
        )
        most = max(counts[kind, r] for r in rounds)
        for j, r in enumerate(rounds):
            n = counts[kind, r]
            x = left + cell * j
            shade = 0.0 if n == 0 else 0.18 + 0.72 * n / most
            fill = f"rgba(42,122,176,{shade:.2f})" if n else "#f3f5f7"
            yield (
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" height="{row - 2}" rx="3" '
                f'fill="{fill}"><title>round {r}: {n} {_e(label)}</title></rect>'
            )
            if n:
                color = "#fff" if shade > 0.55 else "#1f2933"
                yield (
                    f'<text x="{x + cell / 2:.1f}" y="{y + row / 2 + 4:.1f}" font-size="11" '
                    f'text-anchor="middle" style="fill:{color}">{n}</text>'
                )
    yield "</svg></div>\n"
    by_round: dict[int, list[Event]] = {}
    for e in result.events:
        if not isinstance(e, RuleEvaluated):  # the ledger has its own section
            by_round.setdefault(e.round, []).append(e)
    total = sum(map(len, by_round.values()))
    yield (
        f'<details class="rounds"><summary>Every event in words, round by round '
        f"({_plural(total, 'event')}; ledger entries are in the decision ledger)</summary>\n"
    )
    for r, listed in sorted(by_round.items()):
        shown = listed[:limit]
        yield f"<h4>Round {r}</h4><ul>"
        for e in shown:
            yield f"<li>{_e(_describe(e))}</li>"
        yield "</ul>\n"
        yield _capped(len(shown), len(listed), f"events of round {r}")
    yield "</details>\n"
    yield "</section>\n"


# -- message-sequence chart ------------------------------------------------------------


def _messages(result: Result, agents: list[str], limit: int) -> Iterator[str]:
    sent = [e for e in result.events if isinstance(e, MessageSent)]
    yield _section(
        "messages",
        "Agents are lifelines; time runs down, round by round. Each message is an arrow from "
        "its sender to each recipient, labelled with its performative (hover for its content).",
    )
    if not sent:
        yield '<p class="note">No agent sent a message in this run.</p>\n</section>\n'
        return
    shown = sent[:limit]
    lanes = [a for a in agents if any(_involved(a, e) for e in shown)]
    gap = max(96, 7 * max(len(_short(a)) for a in lanes) + 24)
    left, top, row, band = 80, 44, 26, 12
    x = {a: left + gap / 2 + gap * i for i, a in enumerate(lanes)}
    ys: list[float] = []
    starts: list[tuple[float, int]] = []
    y = float(top)
    current: int | None = None
    for e in shown:
        if e.round != current:
            y += band if current is not None else 0
            starts.append((y, e.round))
            current = e.round
        y += row
        ys.append(y)
    height = int(y + row + 24)
    width = int(left + gap * len(lanes))
    yield '<div class="scroll">'
    yield (
        f'<svg id="message-chart" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="message-sequence chart">'
        '<defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" '
        'fill="#3e4c59"/></marker></defs>'
    )
    for i, (yy, r) in enumerate(starts):
        if i:
            yield (
                f'<line x1="0" x2="{width}" y1="{yy + band / 2 - 1:.1f}" '
                f'y2="{yy + band / 2 - 1:.1f}" stroke="#e4e7eb"/>'
            )
        yield (
            f'<text x="8" y="{yy + row - 4:.1f}" font-size="11" '
            f'style="fill:#52606d">round {r}</text>'
        )
    for a in lanes:
        yield (
            f'<line class="lifeline" x1="{x[a]:.1f}" x2="{x[a]:.1f}" y1="{top - 8}" '
            f'y2="{height - 26}" stroke="#c3cad3" stroke-width="1.5"/>'
        )
        for yy in (22, height - 8):
            yield (
                f'<text x="{x[a]:.1f}" y="{yy}" font-size="13" font-weight="700" '
                f'text-anchor="middle">{_e(_short(a))}<title>{_e(a)}</title></text>'
            )
    for e, yy in zip(shown, ys, strict=True):
        yield from _arrows(e, x, yy)
    yield "</svg></div>\n"
    yield _capped(len(shown), len(sent), "messages")
    yield "</section>\n"


def _involved(agent: str, e: MessageSent) -> bool:
    return agent == e.message.sender or agent in e.message.recipients


def _arrows(e: MessageSent, x: Mapping[str, float], y: float) -> Iterator[str]:
    m = e.message
    xs = x[m.sender]
    tip = f"{m.sender} \u2192 {', '.join(m.recipients)}: {_describe(e)}"
    yield f'<g class="message"><title>{_e(tip)}</title>'
    for r in m.recipients:
        xr = x[r]
        if r == m.sender:  # a message to oneself: a small loop
            yield (
                f'<path class="arrow" d="M{xs:.1f},{y - 8:.1f} h18 v10 h-16" fill="none" '
                f'stroke="#3e4c59" stroke-width="1.3" marker-end="url(#head)"/>'
            )
            continue
        end = xr - 3 if xr > xs else xr + 3
        yield (
            f'<line class="arrow" x1="{xs:.1f}" y1="{y:.1f}" x2="{end:.1f}" y2="{y:.1f}" '
            f'stroke="#3e4c59" stroke-width="1.3" marker-end="url(#head)"/>'
        )
    others = [x[r] for r in m.recipients if r != m.sender]
    nearest = min(others, key=lambda t: abs(t - xs)) if others else xs + 40
    # The label sits by the sender, on the side of its nearest recipient.
    side, anchor = (8, "start") if nearest >= xs else (-8, "end")
    many = len(m.recipients) > 3
    label = str(m.performative) + (f" \u2192 {len(m.recipients)}" if many else "")
    yield (
        f'<text class="halo" x="{xs + side:.1f}" y="{y - 5:.1f}" font-size="11" '
        f'text-anchor="{anchor}">{_e(label)}</text><circle cx="{xs:.1f}" cy="{y:.1f}" r="2.5" '
        'fill="#3e4c59"/></g>'
    )


# -- commitment lifecycles -------------------------------------------------------------


def _histories(result: Result) -> dict[str, tuple[int, list[tuple[int, CommitmentState]]]]:
    """Each commitment's first round and its states from then on, as (round, state)."""
    created: dict[str, int] = {}
    changes: dict[str, list[CommitmentChanged]] = {}
    for e in result.events:
        if isinstance(e, CommitmentCreated):
            created.setdefault(e.commitment.id, e.round)
        elif isinstance(e, CommitmentChanged):
            changes.setdefault(e.commitment, []).append(e)
    out: dict[str, tuple[int, list[tuple[int, CommitmentState]]]] = {}
    for c in result.commitments:
        moves = changes.get(c.id, [])
        start = created.get(c.id, 0)
        first = moves[0].old if moves else CommitmentState(c.state)
        out[c.id] = (start, [(start, first), *((m.round, m.new) for m in moves)])
    return out


def _lifecycles(result: Result, limit: int) -> Iterator[str]:
    yield _section(
        "commitments",
        "Each commitment's state round by round, from the round it was made (0 for the "
        "scenario's treaties); a lighter bar after a final state.",
    )
    yield _legend(_STATE_COLOR.items())
    histories = _histories(result)
    by_id = {c.id: c for c in result.commitments}
    moved = sorted(
        (cid for cid, (_, states) in histories.items() if len(states) > 1),
        key=lambda cid: (histories[cid][1][1][0], cid),
    )
    still = Counter(states[0][1] for _, states in histories.values() if len(states) == 1)
    if not moved:
        yield '<p class="note">No commitment changed state in this run.</p>\n'
    else:
        shown = moved[:limit]
        last = max(result.rounds, *(r for cid in shown for r, _ in histories[cid][1]))
        span = last + 1
        cell = max(14.0, min(36.0, 760 / span))
        left, top, row = 270, 24, 22
        width = int(left + cell * span + 10)
        height = top + row * len(shown) + 6
        yield '<div class="scroll">'
        yield (
            f'<svg id="lifecycle-chart" class="chart" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="commitment lifecycles">'
        )
        step = 1 if span <= 30 else 5
        for r in range(0, span, step):
            yield (
                f'<text x="{left + cell * r + cell / 2:.1f}" y="15" font-size="11" '
                f'text-anchor="middle">{r}</text>'
            )
        for i, cid in enumerate(shown):
            c = by_id[cid]
            y = top + row * i
            short = cid if len(cid) <= 24 else cid[:23] + "\u2026"
            label = f"{short}  {c.debtor}\u2192{c.creditor}"
            tip = f"{cid}: {c.debtor} \u2192 {c.creditor}, if {c.antecedent} then {c.consequent}"
            yield (
                f'<g class="lifecycle"><title>{_e(tip)}</title><text x="{left - 10}" '
                f'y="{y + row / 2 + 4:.1f}" font-size="12" text-anchor="end">{_e(label)}</text>'
            )
            states = histories[cid][1]
            for k, (r, state) in enumerate(states):
                end = states[k + 1][0] if k + 1 < len(states) else span
                if end <= r and k + 1 < len(states):
                    continue  # left in the round it was entered
                end = max(end, r + 1)
                opacity = 0.45 if state.terminal else 1.0
                yield (
                    f'<rect x="{left + cell * r:.1f}" y="{y + 3}" width="{cell * (end - r):.1f}" '
                    f'height="{row - 6}" fill="{_STATE_COLOR.get(state, "#999")}" '
                    f'fill-opacity="{opacity}"><title>{_e(cid)}: {_e(state)} from round '
                    f"{r}</title></rect>"
                )
            yield "</g>"
        yield "</svg></div>\n"
        yield _capped(len(shown), len(moved), "commitments that changed state")
    if still:
        parts = ", ".join(f"{n:,} {state}" for state, n in sorted(still.items()))
        yield (
            f'<p class="note">{_plural(sum(still.values()), "commitment")} never left '
            f"their first state and are not drawn: {_e(parts)}.</p>\n"
        )
    yield "</section>\n"


def _legend(items: Iterable[tuple[object, str]]) -> str:
    keys = "".join(f'<span><i style="background:{color}"></i>{_e(k)}</span>' for k, color in items)
    return f'<div class="legend">{keys}</div>\n'


# -- network ---------------------------------------------------------------------------


def _alliances(result: Result) -> dict[str, list[str]]:
    """The alliances the log shows deciding or proposing, with the members it shows."""
    members: dict[str, set[str]] = {}
    for e in result.events:
        if isinstance(e, MessageSent) and e.message.performative == "propose":
            alliance = e.message.content.get("alliance")
            if isinstance(alliance, str) and alliance:
                members.setdefault(alliance, set()).update(
                    (e.message.sender, *e.message.recipients)
                )
        elif isinstance(e, DecisionReached):
            members.setdefault(e.alliance, set()).update(e.consenting)
        elif isinstance(e, ProposalClosed):
            members.setdefault(e.alliance, set()).update(e.blocking)
    return {a: sorted(m) for a, m in sorted(members.items())}


def _furthest(states: Counter[CommitmentState]) -> int:
    return max(_STATE_RANK[s] for s in states)


def _network(result: Result, agents: list[str]) -> Iterator[str]:
    yield _section(
        "network",
        "Agents on a circle. An arrow runs from debtor to creditor for their commitments, "
        "coloured by the furthest state any of them reached, thicker for more. Rings mark the "
        "alliances the log shows proposing or deciding.",
    )
    yield _legend((s, _STATE_COLOR[s]) for s in sorted(_STATE_RANK, key=_STATE_RANK.__getitem__))
    nodes = sorted(agents)
    if not nodes:
        yield '<p class="note">The log names no agent.</p>\n</section>\n'
        return
    edges: dict[tuple[str, str], Counter[CommitmentState]] = {}
    for c in result.commitments:
        edges.setdefault((c.debtor, c.creditor), Counter())[CommitmentState(c.state)] += 1
    alliances = _alliances(result)
    n = len(nodes)
    radius = max(120.0, 16.0 * n)
    padx, pady = 120, 44
    width, height = int(2 * (radius + padx)), int(2 * (radius + pady))
    cx, cy = width / 2, height / 2
    pos = {
        a: (
            cx + radius * math.sin(2 * math.pi * i / n),
            cy - radius * math.cos(2 * math.pi * i / n),
        )
        for i, a in enumerate(nodes)
    }
    yield '<div class="cols"><div class="scroll">'
    yield (
        f'<svg id="network-chart" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        'aria-label="alliance and commitment network"><defs>'
    )
    for state, color in _STATE_COLOR.items():
        yield (
            f'<marker id="to-{state}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
            'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
            f'<path d="M0,0L10,5L0,10z" fill="{color}"/></marker>'
        )
    yield "</defs>"
    opacity = 0.85 if len(edges) <= 40 else 0.35
    node_r = 9.0
    for (debtor, creditor), states in sorted(edges.items()):
        if debtor not in pos or creditor not in pos or debtor == creditor:
            continue
        top = max(states, key=lambda s: (_STATE_RANK[s], s))
        (x1, y1), (x2, y2) = pos[debtor], pos[creditor]
        dx, dy = x2 - x1, y2 - y1
        dist = math.hypot(dx, dy) or 1.0
        ux, uy = dx / dist, dy / dist
        sx, sy = x1 + ux * node_r, y1 + uy * node_r
        ex, ey = x2 - ux * (node_r + 2), y2 - uy * (node_r + 2)
        bend = 0.12 * dist  # to the right of the direction: A->B and B->A stay apart
        mx, my = (sx + ex) / 2 - uy * bend, (sy + ey) / 2 + ux * bend
        count = sum(states.values())
        stroke = 1.2 + math.log2(count)
        parts = ", ".join(f"{k} {s}" for s, k in sorted(states.items()))
        yield (
            f'<path class="edge" d="M{sx:.1f},{sy:.1f} Q{mx:.1f},{my:.1f} {ex:.1f},{ey:.1f}" '
            f'fill="none" stroke="{_STATE_COLOR.get(top, "#999")}" stroke-width="{stroke:.1f}" '
            f'stroke-opacity="{opacity}" marker-end="url(#to-{top})"><title>'
            f"{_e(debtor)} \u2192 {_e(creditor)}: {_plural(count, 'commitment')} "
            f"({_e(parts)})</title></path>"
        )
    colours = dict(zip(alliances, _ALLIANCE_COLORS, strict=False))
    for a in nodes:
        x, y = pos[a]
        rings = [al for al, members in alliances.items() if a in members and al in colours]
        for k, al in enumerate(rings):
            yield (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{node_r + 4 + 4 * k}" fill="none" '
                f'stroke="{colours[al]}" stroke-width="2.5"/>'
            )
        angle = math.atan2(y - cy, x - cx)
        lx, ly = (
            x + math.cos(angle) * (node_r + 10 + 4 * len(rings)),
            y + math.sin(angle) * (node_r + 10 + 4 * len(rings)),
        )
        anchor = "start" if math.cos(angle) > 0.3 else "end" if math.cos(angle) < -0.3 else "middle"
        yield (
            f'<g class="node"><title>{_e(a)}</title><circle cx="{x:.1f}" cy="{y:.1f}" '
            f'r="{node_r}" fill="#1f2933"/><text class="halo" x="{lx:.1f}" y="{ly + 4:.1f}" '
            f'font-size="12" font-weight="700" text-anchor="{anchor}">{_e(_short(a))}</text></g>'
        )
    yield "</svg></div>\n<div>"
    if alliances:
        yield "<h3>Alliances seen in the log</h3>"
        yield "<table><tr><th>alliance</th><th>members seen</th></tr>"
        for al, members in alliances.items():
            swatch = colours.get(al)
            mark = f'<i class="ring" style="border-color:{swatch}"></i>' if swatch else ""
            yield f"<tr><td>{mark}{_e(al)}</td><td>{_e(', '.join(members))}</td></tr>"
        yield "</table>\n"
    else:
        yield (
            '<p class="note">No alliance proposed or decided anything in this run; the '
            "edges are the commitments alone.</p>\n"
        )
    yield "<h3>Commitments by pair</h3>"
    yield '<p class="note">The pairs whose commitments went furthest first.</p>'
    yield "<table><tr><th>debtor \u2192 creditor</th><th>states</th></tr>"
    ranked = sorted(edges.items(), key=lambda item: (-_furthest(item[1]), item[0]))
    for (debtor, creditor), states in ranked[:_PAIRS]:
        parts = ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
        yield f"<tr><td>{_e(debtor)} \u2192 {_e(creditor)}</td><td>{_e(parts)}</td></tr>"
    if len(ranked) > _PAIRS:
        yield f'<tr><td colspan="2">\u2026 and {len(ranked) - _PAIRS:,} more pairs</td></tr>'
    yield "</table></div></div>\n</section>\n"


# -- decision ledger -------------------------------------------------------------------


def _ledger(result: Result, limit: int) -> Iterator[str]:
    entries = [e for e in result.events if isinstance(e, RuleEvaluated)]
    if not entries:
        p = result.provenance
        seed = f" --seed {p.seed}" if p is not None else ""
        yield _section(
            "ledger",
            "This run kept no decision ledger (it is off by default). Run the scenario again "
            f"with <code>negsim run FILE{_e(seed)} --ledger --log run.jsonl</code> and make the "
            "report from that log to see each rule every agent evaluated, its margin and "
            "where it would flip.",
        )
        yield "</section>\n"
        return
    yield _section(
        "ledger",
        "Each decision rule an agent evaluated, by agent. A rule holds while its value is "
        "above the threshold 0, so the value is its margin. Beside each input, in brackets: "
        "the side of the value at which the rule holds, the others held where they were "
        "(<code>p = 0.2 (&lt; 0.31)</code>: it holds while p is below 0.31). "
        "<code>negsim explain LOG --agent ID --round N</code> says the same in words.",
    )
    shown = entries[:limit]
    flips = _Flips()
    by_agent: dict[str, list[RuleEvaluated]] = {}
    for e in shown:
        by_agent.setdefault(e.agent, []).append(e)
    for agent, mine in sorted(by_agent.items()):
        rules: dict[str, list[bool]] = {}
        for e in mine:
            rules.setdefault(e.rule, []).append(e.holds)
        tally = "; ".join(
            f"{rule} held {sum(held)} of {len(held)}" for rule, held in sorted(rules.items())
        )
        yield (
            f'<details class="ledger"><summary><b>{_e(agent)}</b>: '
            f"{_plural(len(mine), 'entry').replace('entrys', 'entries')} ({_e(tally)})"
            "</summary>\n"
        )
        yield '<div class="scroll"><table><tr><th>round</th><th>rule</th><th>verdict</th>'
        yield "<th>value (margin)</th><th>threshold</th><th>inputs (where it flips)</th></tr>\n"
        for e in mine:
            verdict = "holds" if e.holds else "fails"
            inputs = "".join(
                f'<span><span class="mono">{_e(k)} = {_num(v)}</span>{_e(flips(e, k))}</span>'
                for k, v in e.inputs.items()
            )
            doc = f"<br><small>{_e(e.doc)}</small>" if e.doc else ""
            yield (
                f'<tr><td class="num">{e.round}</td><td class="rule"><b>{_e(e.rule)}</b>{doc}</td>'
                f'<td class="{verdict}">{verdict}</td><td class="num">{_num(e.value)}</td>'
                f'<td class="num">&gt; 0</td><td class="inputs">{inputs}</td></tr>\n'
            )
        yield "</table></div></details>\n"
    yield _capped(len(shown), len(entries), "ledger entries")
    yield "</section>\n"


class _Flips:
    """Where a ledger entry's rule flips in one input (``negsim.logic.Rule.threshold``)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str, str, tuple[tuple[str, float], ...]], str] = {}

    def __call__(self, e: RuleEvaluated, name: str) -> str:
        key = (e.rule, e.expr, name, tuple(sorted(e.inputs.items())))
        if key not in self._seen:
            self._seen[key] = self._find(e, name)
        return self._seen[key]

    @staticmethod
    def _find(e: RuleEvaluated, name: str) -> str:
        from negsim.logic import Rule

        try:
            threshold = Rule(e.rule, e.expr, e.doc, "").threshold(name, dict(e.inputs))
        except (NegsimError, ArithmeticError, LookupError, TypeError, ValueError):
            return ""
        if threshold.value is None:
            return ""
        return f" ({threshold.holds_when} {_num(threshold.value)})"


# -- provenance ------------------------------------------------------------------------


def _provenance(result: Result) -> Iterator[str]:
    p = result.provenance
    yield _section(
        "provenance",
        "What is needed to reproduce the run: the same scenario (its digest), seed, "
        "overrides and plugin versions give the same event log.",
    )
    yield '<div class="cols"><div>'
    if p is None:
        yield '<p class="note">The result carries no provenance (it was made by hand).</p>'
    else:
        rows = [
            ("scenario", p.scenario),
            ("scenario digest", p.scenario_digest),
            ("seed", str(p.seed)),
            ("overrides", "; ".join(p.overrides) or "none"),
            ("negsim", p.negsim_version),
        ]
        yield '<table id="provenance-table">'
        for label, value in rows:
            yield f'<tr><th>{_e(label)}</th><td class="mono">{_e(value)}</td></tr>'
        yield "</table>\n<h3>Plugins</h3>"
        if p.plugins:
            yield "<table><tr><th>name</th><th>role</th><th>distribution</th><th>version</th>"
            yield "<th>summary</th></tr>"
            for plugin in p.plugins:
                yield (
                    f"<tr><td>{_e(plugin.name)}</td><td>{_e(plugin.role)}</td>"
                    f"<td>{_e(plugin.distribution or '(in-process)')}</td>"
                    f"<td>{_e(plugin.version)}</td><td>{_e(plugin.summary)}</td></tr>"
                )
            yield "</table>\n"
        else:
            yield '<p class="note">No plugin is recorded.</p>\n'
    yield '</div><div><h3 style="margin-top:0">Metrics</h3><table>'
    for key, number in sorted(result.metrics.items()):
        yield f'<tr><th>{_e(key)}</th><td class="num">{number:g}</td></tr>'
    yield "</table></div></div>\n</section>\n"
