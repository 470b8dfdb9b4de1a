"""Rendering with rich: the run timeline, the trace, the outcome and the plugin tables.

Every line is built from :class:`rich.text.Text` pieces, never from markup strings,
so brackets in scenario text or message content print as written. When stdout is not
a terminal rich prints plain text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from rich.console import Console
from rich.table import Table
from rich.text import Text

from negsim.engine import TraceRecord
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
    ParamSpec,
    ProposalClosed,
    Result,
    RuleEvaluated,
    Scenario,
    VariableChanged,
)
from negsim.plugins import PluginRegistry

__all__ = [
    "TracePrinter",
    "event_line",
    "format_content",
    "format_value",
    "make_console",
    "outcome_line",
    "param_range",
    "render_commitments",
    "render_header",
    "render_metrics",
    "render_outcome",
    "render_plugins",
    "render_timeline",
]

_INDENT = "  "
_MAX_VALUE = 60
"""Longest content value shown in full; the JSONL log always has everything."""

_STATE_STYLE = {
    CommitmentState.CONDITIONAL: "",
    CommitmentState.DETACHED: "yellow",
    CommitmentState.DISCHARGED: "green",
    CommitmentState.VIOLATED: "bold red",
    CommitmentState.EXPIRED: "dim",
    CommitmentState.CANCELLED: "magenta",
    CommitmentState.RELEASED: "cyan",
}


def make_console() -> Console:
    """The console the commands print to: stdout, no syntax highlighting, no wrapping.

    Returns:
        A :class:`rich.console.Console` writing to the current ``sys.stdout``.
    """
    return Console(highlight=False, emoji=False, soft_wrap=True)


# -- values ----------------------------------------------------------------------------


def format_value(value: object) -> str:
    """A compact rendering of one content or parameter value.

    Strings print bare unless empty, padded with spaces, or containing a brace or a
    comma followed by a space (then quoted, so the separators stay unambiguous);
    floats print in their shortest form; long values are cut to 60 characters.

    Args:
        value: The value.

    Returns:
        The text to show.
    """
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = f"{value:g}"
    elif isinstance(value, str):
        plain = value and value == value.strip() and not any(c in value for c in ("{", "}", ", "))
        text = value if plain else repr(value)
    else:
        text = str(value)
    if len(text) > _MAX_VALUE:
        text = text[: _MAX_VALUE - 3] + "..."
    return text


def format_content(content: Mapping[str, object]) -> str:
    """A message's content as ``{key: value, ...}``, or ``""`` when empty.

    Args:
        content: The message content.

    Returns:
        The compact text.
    """
    if not content:
        return ""
    return "{" + ", ".join(f"{k}: {format_value(v)}" for k, v in content.items()) + "}"


# -- the timeline ----------------------------------------------------------------------


def render_header(console: Console, scenario: Scenario, seed: int) -> None:
    """Print the run's header: scenario name, seed, agents, world rules.

    Args:
        console: Where to print.
        scenario: The scenario being run (overrides applied).
        seed: The run's seed.
    """
    console.print(
        Text.assemble(
            ("negsim run ", "bold"), (scenario.name, "bold cyan"), "  seed ", (str(seed), "bold")
        )
    )
    agents = ", ".join(f"{a.id} ({a.doctrine})" for a in scenario.agents)
    console.print(Text(f"agents: {agents}", style="dim"))
    console.print(
        Text(
            f"world rules: {scenario.world_rules}, at most {scenario.max_rounds} rounds",
            style="dim",
        )
    )


def render_timeline(console: Console, scenario: Scenario, result: Result) -> None:
    """Print every round's events, then the outcome and the metrics.

    Args:
        console: Where to print.
        scenario: The scenario that was run.
        result: The run's result.
    """
    by_round: defaultdict[int, list[Event]] = defaultdict(list)
    for event in result.events:
        by_round[event.round].append(event)
    variables = dict(scenario.world.variables)
    first = 0 if by_round.get(0) else 1
    for t in range(first, max(result.rounds, max(by_round, default=0)) + 1):
        console.rule(Text("Start" if t == 0 else f"Round {t}", style="bold"))
        lines = [
            line for e in by_round.get(t, ()) if (line := event_line(e, variables)) is not None
        ]
        if not lines:
            console.print(Text(_INDENT + "(no events)", style="dim"))
        for line in lines:
            console.print(Text(_INDENT) + line)
    console.rule()
    render_outcome(console, result)
    render_commitments(console, result)
    render_metrics(console, result)


def event_line(event: Event, variables: dict[str, float] | None = None) -> Text | None:
    """One event as a line of the timeline.

    Args:
        event: Any event of the log.
        variables: The world's variables before the event, by name, when known; a
            variable change then shows the old value too, and updates this dict.

    Returns:
        The line, or ``None`` for the :class:`~negsim.model.OutcomeReached` event
        (the outcome is printed after the last round) and the decision ledger's
        :class:`~negsim.model.RuleEvaluated` events (``negsim explain`` shows them).
    """
    if isinstance(event, MessageSent):
        m = event.message
        line = Text.assemble(
            (m.sender, "bold"),
            " -> ",
            (", ".join(m.recipients), "bold"),
            "  ",
            (str(m.performative), "cyan"),
        )
        content = format_content(m.content)
        if content:
            line.append("  " + content)
        if m.in_reply_to:
            line.append(f"  (re {m.in_reply_to})", style="dim")
        return line
    if isinstance(event, ActionTaken):
        a = event.action
        line = Text.assemble((a.actor, "bold"), "  ", (str(a.kind), "bold yellow"))
        if a.target:
            line.append(" " + a.target, style="bold")
        line.append(f" ({a.magnitude:.2f})")
        if a.params:
            line.append("  " + format_content(a.params))
        return line
    if isinstance(event, MoveRejected):
        return Text(
            f"rejected: {event.agent} (doctrine {event.doctrine}) broke rule "
            f"{event.rule}: {event.detail}",
            style="red",
        )
    if isinstance(event, DecisionReached):
        return Text.assemble(
            (event.alliance, "bold"),
            " decided ",
            (event.decision, "bold green"),
            f" ({event.rule}; consenting: {', '.join(event.consenting) or 'none'};"
            f" proposal {event.proposal})",
        )
    if isinstance(event, ProposalClosed):
        blocking = f"; blocking: {', '.join(event.blocking)}" if event.blocking else ""
        return Text.assemble(
            (event.alliance, "bold"),
            " proposal ",
            event.proposal,
            " (",
            event.decision,
            ") ",
            ("closed", "magenta"),
            f": {event.reason}{blocking}",
        )
    if isinstance(event, FactChanged):
        sign, style = ("+", "green") if event.value else ("-", "red")
        return Text(f"{sign} {event.fact}", style=style)
    if isinstance(event, VariableChanged):
        old = None if variables is None else variables.get(event.name)
        if variables is not None:
            variables[event.name] = event.value
        was = "" if variables is None else f"{'-' if old is None else f'{old:g}'} -> "
        return Text(f"~ {event.name}: {was}{event.value:g}", style="blue")
    if isinstance(event, CommitmentCreated):
        c = event.commitment
        deadline = "" if c.deadline is None else f", deadline {c.deadline} rounds"
        expires = "" if c.expires is None else f", expires after round {c.expires}"
        return Text.assemble(
            ("new commitment ", "bold"),
            c.id,
            f" ({c.debtor} -> {c.creditor}): if ",
            (c.antecedent, "italic"),
            " then ",
            (c.consequent, "italic"),
            deadline + expires,
        )
    if isinstance(event, CommitmentChanged):
        return Text.assemble(
            "commitment ",
            (event.commitment, "bold"),
            f" ({event.debtor} -> {event.creditor}): {event.old} -> ",
            (str(event.new), _STATE_STYLE.get(event.new, "")),
        )
    if isinstance(event, HonourDecided):
        verdict, style = ("honours", "green") if event.honour else ("defects on", "red")
        return Text.assemble(
            (event.debtor, "bold"),
            " ",
            (verdict, style),
            " ",
            (event.commitment, "bold"),
            f" (to {event.creditor})",
        )
    if isinstance(event, NegotiationOpened):
        return Text.assemble(
            ("negotiation ", "bold"),
            event.negotiation,
            f" opens under {event.protocol}: {', '.join(event.parties)}",
        )
    if isinstance(event, NegotiationEnded):
        how = f"agreed {format_content(event.terms)}" if event.agreed else "failed"
        return Text.assemble(("negotiation ", "bold"), event.negotiation, f" {how}: {event.note}")
    if isinstance(event, Narration):
        return Text(event.text, style="italic")
    if isinstance(event, (OutcomeReached, RuleEvaluated)):
        return None  # the ledger is for negsim explain
    return Text(f"{event.kind}: {event!r}", style="dim")


def outcome_line(result: Result) -> Text:
    """The outcome line: outcome, rounds played and the reason.

    Args:
        result: The run's result.

    Returns:
        ``outcome: <outcome> after <n> rounds: <reason>``, in bold.
    """
    rounds = f"{result.rounds} round" + ("" if result.rounds == 1 else "s")
    reason = f": {result.reason}" if result.reason else ""
    return Text(f"outcome: {result.outcome} after {rounds}{reason}", style="bold")


def render_outcome(console: Console, result: Result) -> None:
    """Print the outcome line.

    Args:
        console: Where to print.
        result: The run's result.
    """
    console.print(outcome_line(result))


def render_commitments(console: Console, result: Result) -> None:
    """Print every commitment's final state as a table.

    Args:
        console: Where to print.
        result: The run's result.
    """
    if not result.commitments:
        return
    table = Table(
        "commitment", "debtor -> creditor", "state", box=None, padding=(0, 2), show_edge=False
    )
    for c in result.commitments:
        table.add_row(
            c.id,
            f"{c.debtor} -> {c.creditor}",
            Text(str(c.state), style=_STATE_STYLE.get(c.state, "")),
        )
    console.print(table)


def render_metrics(console: Console, result: Result) -> None:
    """Print the run's metrics as a two-column table.

    Args:
        console: Where to print.
        result: The run's result.
    """
    if not result.metrics:
        return
    table = Table("metric", "value", box=None, padding=(0, 2), show_edge=False)
    table.columns[1].justify = "right"
    for name, value in result.metrics.items():
        table.add_row(name, f"{value:g}")
    console.print(table)


# -- the trace -------------------------------------------------------------------------


_NONE = "(none)"
"""Shown in the plugins column of a hook call that no plugin implements."""


class TracePrinter:
    """Prints each hook call as it happens, under a "Trace" heading.

    Lines are printed during the run, so when a plugin raises, the calls up to the
    failure are on screen. One line per call: round, hook, agent (``-`` for world
    hooks), the implementations in the order pluggy called them (``(none)`` when no
    plugin implements the hook) and a short form of the result::

        r2  negsim_decide             DPRK  hawk    -> [attack(ROK), demand->JPN]

    Args:
        console: Where to print.
        scenario: The scenario being run (for column widths).
    """

    def __init__(self, console: Console, scenario: Scenario) -> None:
        self.console = console
        self.agent_width = max((len(a) for a in scenario.agent_ids), default=1)
        stacks = [" > ".join(a.stack) for a in scenario.agents] + [scenario.world_rules]
        self.plugin_width = max(len(_NONE), *(len(s) for s in stacks))
        self.round_width = len(str(scenario.max_rounds)) + 1
        self._started = False

    def __call__(self, record: TraceRecord) -> None:
        """Print one hook call.

        Args:
            record: The call, from the engine.
        """
        if not self._started:
            self._started = True
            self.console.rule(Text("Trace", style="bold"))
        plugins = " > ".join(record.plugins) if record.plugins else _NONE
        self.console.print(
            Text.assemble(
                _INDENT,
                (f"r{record.round}".ljust(self.round_width), "dim"),
                "  ",
                record.hook.ljust(24),
                "  ",
                ((record.agent or "-").ljust(self.agent_width), "bold"),
                "  ",
                (plugins.ljust(self.plugin_width), "cyan"),
                "  -> ",
                (record.result, "dim"),
            )
        )


# -- plugins ---------------------------------------------------------------------------


def param_range(spec: ParamSpec) -> str:
    """A parameter's valid range as text: ``0 .. 1``, ``>= 0``, ``<= 1`` or ``-``.

    Args:
        spec: The parameter.

    Returns:
        The range.
    """
    if spec.low is not None and spec.high is not None:
        return f"{spec.low:g} .. {spec.high:g}"
    if spec.low is not None:
        return f">= {spec.low:g}"
    if spec.high is not None:
        return f"<= {spec.high:g}"
    return "-"


def render_plugins(console: Console, registry: PluginRegistry, *, show_params: bool) -> None:
    """Print the table of installed plugins and, if asked, their parameters.

    Args:
        console: Where to print.
        registry: The plugins.
        show_params: Also print a parameter table per plugin that has parameters.
    """
    infos = registry.info()
    if not infos:
        console.print("no negsim plugins are installed")
        return
    table = Table(title="negsim plugins", title_justify="left")
    for column in ("name", "role", "distribution", "version", "summary"):
        table.add_column(column, overflow="fold")
    for info in infos:
        table.add_row(
            info.name, info.role, info.distribution or "-", info.version or "-", info.summary
        )
    console.print(table)
    if not show_params:
        return
    for info in infos:
        params = registry.spec(info.name).params
        if not params:
            continue
        sub = Table(title=f"{info.name} ({info.role}) parameters", title_justify="left")
        for column in ("parameter", "default", "range", "meaning"):
            sub.add_column(column, overflow="fold")
        for p in params:
            sub.add_row(p.name, format_value(p.default), param_range(p), p.doc)
        console.print(sub)
