"""``negsim explain``: why an agent decided as it did, from a run's decision ledger."""

from __future__ import annotations

from pathlib import Path

import click

from negsim.cli._errors import CliInputError
from negsim.cli._logs import read_log

__all__ = ["explain", "explain_lines"]

_HELP = """Explain AGENT's decisions in the run logged in LOG, in words and numbers.

The run must keep its decision ledger (negsim run --ledger --log LOG): each rule the
agent evaluated while deciding, with its inputs and its value. For each, explain
prints whether the rule held and by what margin, the rule's meaning and expression,
its inputs, and for each input the value at which the decision would flip, the rest
held where they were.

\b
Examples:
  negsim run examples/scenarios/korea_bilateral.toml --seed 4 --ledger --log run.jsonl
  negsim explain run.jsonl --agent JPN --round 3
"""


@click.command("explain", help=_HELP, short_help="Explain an agent's decisions in a logged run.")
@click.argument("log", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--agent", required=True, metavar="ID", help="The agent whose decisions to explain.")
@click.option(
    "--round",
    "round_",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Only the decisions of round N (default: every round).",
)
def explain(log: Path, agent: str, round_: int | None) -> None:
    """Print why ``agent`` decided as it did in the run logged in ``log``.

    Args:
        log: A JSON Lines event log written with ``--ledger``.
        agent: The agent's id.
        round_: One round, or ``None`` for all.

    Raises:
        CliInputError: The log cannot be read, keeps no ledger, or has no such agent or
            round.
    """
    for line in explain_lines(log, agent, round_):
        click.echo(line)


def explain_lines(log: Path, agent: str, round_: int | None = None) -> list[str]:
    """The lines ``negsim explain`` prints (see :func:`explain`)."""
    from negsim.logic import Rule
    from negsim.model import RuleEvaluated

    result = read_log(log)
    ledger = [e for e in result.events if isinstance(e, RuleEvaluated)]
    if not ledger:
        raise CliInputError(
            f"{log}: the run kept no decision ledger; run it again with "
            "negsim run --ledger --log (the ledger is off by default)"
        )
    agents = sorted({e.agent for e in ledger})
    mine = [e for e in ledger if e.agent == agent]
    if not mine:
        raise CliInputError(
            f"{log}: no decision of agent {agent!r} in the ledger; agents: {', '.join(agents)}"
        )
    rounds = sorted({e.round for e in mine})
    if round_ is not None:
        mine = [e for e in mine if e.round == round_]
        if not mine:
            raise CliInputError(
                f"{log}: {agent} evaluated no decision rule in round {round_}; rounds: "
                + ", ".join(map(str, rounds))
            )
    lines: list[str] = []
    for e in mine:
        verdict = "holds" if e.holds else "does not hold"
        lines.append(f"round {e.round}, {e.agent}: {e.rule} {verdict} (value {e.value:.4g})")
        if e.doc:
            lines.append(f"  {e.doc}: while {e.expr} > 0")
        lines.append("  inputs: " + ", ".join(f"{k} = {v:.4g}" for k, v in e.inputs.items()))
        rule = Rule(e.rule, e.expr, e.doc, "")
        for name in e.inputs:
            threshold = rule.threshold(name, dict(e.inputs))
            if threshold.value is not None:
                lines.append(f"  {threshold.describe()}")
    return lines
