"""A message-sequence chart of one run, from its :class:`negsim.Result` or JSONL log."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from negsim.model import (
    ActionTaken,
    CommitmentChanged,
    CommitmentState,
    DecisionReached,
    Event,
    MessageSent,
    MoveRejected,
    OutcomeReached,
    ProposalClosed,
    Result,
)
from negsim.plotting._outcomes import OUTCOME_COLORS, require_matplotlib

if TYPE_CHECKING:
    import matplotlib.axes
    import matplotlib.figure

__all__ = ["plot_timeline"]

_COMMITMENT_MARK: dict[CommitmentState, tuple[str, str]] = {
    CommitmentState.DETACHED: ("v", "#e08a1e"),
    CommitmentState.DISCHARGED: ("o", "#3b9e5a"),
    CommitmentState.VIOLATED: ("X", "#d1495b"),
    CommitmentState.EXPIRED: (".", "#9a9a9a"),
    CommitmentState.CANCELLED: (".", "#8c62aa"),
    CommitmentState.RELEASED: (".", "#17becf"),
}
_ACTION_COLOR = {
    "attack": "#d1495b",
    "nuclear_strike": "#000000",
    "respond": "#2a7ab0",
    "grant_access": "#3b9e5a",
    "deny_access": "#e08a1e",
}
_FAN = 3
"""A message to more recipients is drawn as a broadcast."""
_MAX_HEIGHT = 300.0
"""Tallest figure, in inches (long runs are clipped to stay renderable)."""


def _message(
    ax: matplotlib.axes.Axes, e: MessageSent, x: dict[str, int], yy: float, box: dict[str, Any]
) -> None:
    """Draw a message: an arrow to each recipient.

    A broadcast (more than ``_FAN`` recipients) is one arrow onto a bar across the
    recipients' lanes, with a tick on each, labelled with the number of recipients.
    """
    m = e.message
    xs = x[m.sender]
    arrow = {"arrowstyle": "-|>", "color": "#444444", "linewidth": 0.9, "shrinkA": 2, "shrinkB": 2}
    targets = [x[r] for r in m.recipients]
    label = str(m.performative)
    if len(targets) > _FAN:
        lo, hi = min(targets), max(targets)
        ax.plot([lo, hi], [yy + 0.55, yy + 0.55], color="#444444", linewidth=0.9, zorder=2)
        ax.plot(
            targets,
            [yy + 0.55] * len(targets),
            linestyle="none",
            marker="v",
            markersize=3.5,
            color="#444444",
            zorder=2,
        )
        nearest = min(targets, key=lambda t: abs(t - xs))
        ax.annotate("", xy=(nearest, yy + 0.55), xytext=(xs, yy), arrowprops=arrow)
        label = f"{label} → {len(targets)}"
        xr = nearest
    else:
        for target in targets:
            ax.annotate("", xy=(target, yy + 0.55), xytext=(xs, yy), arrowprops=arrow)
        xr = targets[0] if targets else xs
    ax.text(
        (xs + xr) / 2, yy + 0.22, label, fontsize=7, ha="center", va="center", bbox=box, zorder=3
    )


def _shown(event: Event) -> bool:
    if isinstance(event, CommitmentChanged):
        return event.new in _COMMITMENT_MARK
    return isinstance(
        event,
        (MessageSent, ActionTaken, MoveRejected, DecisionReached, ProposalClosed, OutcomeReached),
    )


def _lanes(events: tuple[Event, ...]) -> list[str]:
    """Agents in order of first speech or action, then any others."""
    seen: dict[str, None] = {}
    for e in events:
        if isinstance(e, MessageSent):
            seen.setdefault(e.message.sender)
        elif isinstance(e, ActionTaken):
            seen.setdefault(e.action.actor)
    for e in events:
        if isinstance(e, MessageSent):
            seen.setdefault(e.message.sender)
            for r in e.message.recipients:
                seen.setdefault(r)
        elif isinstance(e, ActionTaken):
            seen.setdefault(e.action.actor)
            if e.action.target:
                seen.setdefault(e.action.target)
        elif isinstance(e, CommitmentChanged):
            seen.setdefault(e.debtor)
            seen.setdefault(e.creditor)
        elif isinstance(e, MoveRejected):
            seen.setdefault(e.agent)
        elif isinstance(e, DecisionReached):
            for a in e.consenting:
                seen.setdefault(a)
    return list(seen)


def plot_timeline(
    run: Result | str | os.PathLike[str],
    *,
    agents: Sequence[str] | None = None,
    title: str | None = None,
) -> matplotlib.figure.Figure:
    """Draw a message-sequence chart of one run.

    Agents are vertical lanes and time runs down the page, round by round. Each
    message is an arrow from its sender to each recipient, labelled with its
    performative; actions are markers on the actor's lane (``attack -> ROK``);
    commitments are marked on the debtor's lane when they detach (triangle), are
    discharged (circle) or violated (cross); rejected moves, alliance decisions and
    the outcome are labelled where they happen.

    Args:
        run: A result, or the path of a JSONL log written by ``negsim run --log``.
        agents: The lanes, left to right; agents in order of first message or action
            when ``None`` (an agent left out is added at the right).
        title: The title; the scenario, seed and outcome when ``None``.

    Returns:
        The figure.

    Raises:
        negsim.ScenarioFileError: The log cannot be read.
        ImportError: matplotlib is not installed.
    """
    require_matplotlib()
    from matplotlib.figure import Figure

    if not isinstance(run, Result):
        from negsim.results import read_jsonl

        run = read_jsonl(Path(run))
    events = tuple(e for e in run.events if _shown(e))
    lanes = list(dict.fromkeys([*(agents or ()), *_lanes(run.events)])) or ["(no agents)"]
    x = {a: i for i, a in enumerate(lanes)}

    # One slot (row) per drawn event; each round starts on a new row.
    slots: list[tuple[float, Event]] = []
    round_starts: list[tuple[float, int]] = []
    y = 0.0
    current = None
    for e in events:
        if e.round != current:
            if current is not None:
                y += 0.6
            round_starts.append((y, e.round))
            current = e.round
        slots.append((y, e))
        y += 1.0
    end = y + 0.4

    width = max(6.5, 1.7 * len(lanes) + 3.0)
    height = min(_MAX_HEIGHT, max(3.0, 0.3 * end + 1.6))
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    ax.set_xlim(-0.8, len(lanes) - 0.2)
    ax.set_ylim(end + 0.6, -1.2)
    ax.set_xticks(range(len(lanes)), lanes, fontweight="bold")
    ax.xaxis.tick_top()
    ax.set_yticks(
        [yy for yy, _ in round_starts], [f"round {r}" for _, r in round_starts], fontsize="small"
    )
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.tick_params(length=0)
    for i in range(len(lanes)):
        ax.axvline(i, color="#bbbbbb", linewidth=1.2, zorder=0)
    for yy, _ in round_starts[1:]:
        ax.axhline(yy - 0.8, color="#e5e5e5", linewidth=0.8, zorder=0)

    box: dict[str, Any] = {
        "boxstyle": "round,pad=0.15",
        "facecolor": "white",
        "edgecolor": "none",
        "alpha": 0.85,
    }
    for yy, e in slots:
        if isinstance(e, MessageSent):
            _message(ax, e, x, yy, box)
        elif isinstance(e, ActionTaken):
            a = e.action
            color = _ACTION_COLOR.get(str(a.kind), "#555555")
            ax.plot([x[a.actor]], [yy], marker="D", color=color, markersize=6, zorder=4)
            label = str(a.kind) + (f" \u2192 {a.target}" if a.target else "")
            if str(a.kind) == "attack":
                label += f" ({a.magnitude:g})"
            ax.text(
                x[a.actor] + 0.08,
                yy,
                label,
                fontsize=7,
                color=color,
                va="center",
                bbox=box,
                zorder=3,
            )
        elif isinstance(e, CommitmentChanged):
            marker, color = _COMMITMENT_MARK[e.new]
            ax.plot([x[e.debtor]], [yy], marker=marker, color=color, markersize=7, zorder=4)
            ax.text(
                x[e.debtor] + 0.08,
                yy,
                f"{e.commitment} {e.new}",
                fontsize=7,
                color=color,
                va="center",
                bbox=box,
                zorder=3,
            )
        elif isinstance(e, MoveRejected):
            ax.plot([x[e.agent]], [yy], marker="x", color="#888888", markersize=6, zorder=4)
            ax.text(
                x[e.agent] + 0.08,
                yy,
                f"rejected: {e.rule}",
                fontsize=7,
                color="#888888",
                va="center",
                bbox=box,
                zorder=3,
            )
        elif isinstance(e, DecisionReached):
            ax.text(
                (len(lanes) - 1) / 2,
                yy,
                f"{e.alliance} decides {e.decision} ({', '.join(e.consenting)})",
                fontsize=7.5,
                ha="center",
                va="center",
                color="#2a7ab0",
                bbox={**box, "edgecolor": "#2a7ab0"},
                zorder=3,
            )
        elif isinstance(e, ProposalClosed):
            ax.text(
                (len(lanes) - 1) / 2,
                yy,
                f"{e.alliance}: {e.decision} failed ({e.reason})",
                fontsize=7.5,
                ha="center",
                va="center",
                color="#888888",
                bbox=box,
                zorder=3,
            )
        elif isinstance(e, OutcomeReached):
            color = OUTCOME_COLORS.get(str(e.outcome), "#222222")
            ax.axhline(yy, color=color, linewidth=1.5, linestyle="--", zorder=1)
            ax.text(
                (len(lanes) - 1) / 2,
                yy,
                f"outcome: {e.outcome} \u2014 {e.reason}",
                fontsize=8.5,
                fontweight="bold",
                ha="center",
                va="center",
                color=color,
                bbox={**box, "edgecolor": color},
                zorder=5,
            )
    if title is None:
        p = run.provenance
        head = f"{p.scenario}, seed {p.seed}: " if p is not None else ""
        title = f"{head}{run.outcome} after {run.rounds} rounds"
    ax.set_title(title, fontsize="medium", pad=24)
    return fig
