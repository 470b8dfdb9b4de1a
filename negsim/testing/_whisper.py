"""Whispers: messages that only one silent agent may see, for ``sees-only-what-it-may``.

The invariant plays a run twice with two agents added: the ``whisperer``
(:class:`Whisperer`) and its confidant (a :class:`~negsim.testing.Stimulus` with no
script, which never does anything). Every round the whisperer tells the confidant
things in ``recipients`` and ``secret`` messages, which nobody else may observe; the
two runs differ only in what it says, and how often (its ``stream`` parameter), so
every other agent must see, and do, the same in both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from negsim.hookspecs import hookimpl
from negsim.model import AgentView, Move, ParamSpec, ParamValue, PluginSpec
from negsim.testing._stimulus import STIMULUS

__all__ = ["STREAMS", "WHISPERER", "Whisperer", "whisper", "whisper_ids", "with_whisperer"]

WHISPERER = "whisperer"
"""The name under which the kit registers :class:`Whisperer` for the whispered runs."""

STREAMS = (0, 1)
"""The two streams of whispers a run is played with."""

_TOPICS = ("ultimatum", "bluff", "concession", "mobilisation", "backchannel", "deadline")


class Whisperer:
    """Doctrine ``whisperer``: every round, tells its confidant things no one else may see.

    Each round it sends its ``confidant`` one ``inform`` with ``recipients`` visibility
    and one or two in ``secret`` (two in alternate rounds, so that the runs of the two
    streams differ in how many messages it sends too). What the messages say depends on
    the ``stream`` parameter, and every field differs between streams 0 and 1: a topic,
    a value (0 or 100), a yes or no and an agent id (when there are two or more others
    to name).
    ``inform`` is a performative neither the engine nor the world rules act on, so the
    world is the same whatever the stream. It never reads its inbox.
    """

    @hookimpl
    def negsim_plugin_spec(self) -> PluginSpec:
        """Declare the doctrine and its two parameters."""
        return PluginSpec(
            role="doctrine",
            summary="negsim.testing: whispers to its confidant, differently in each stream",
            params=(
                ParamSpec("confidant", "", "Id of the agent it whispers to."),
                ParamSpec("stream", 0, "Which whispers it sends (0 or 1).", 0, 1),
            ),
        )

    @hookimpl
    def negsim_decide(self, view: AgentView) -> list[Move]:
        """Whisper to the confidant: this round's messages of this stream."""
        to = str(view.param("confidant"))
        if to == view.me or to not in view.public.agents:
            return []
        stream = int(view.param("stream"))
        others = sorted(a for a in view.public.agents if a not in (view.me, to))
        count = 3 if (view.round + stream) % 2 == 0 else 2
        moves: list[Move] = []
        for k in range(count):
            content: dict[str, Any] = whisper(stream, view.round, k, others)
            visibility = "recipients" if k == 0 else "secret"
            moves.append(view.say(to, "inform", visibility=visibility, **content))
        return moves


def whisper(stream: int, round: int, k: int, others: Iterable[str] = ()) -> dict[str, ParamValue]:
    """The content of the ``k``-th whisper of a round: every field differs between streams.

    Args:
        stream: 0 or 1.
        round: The round.
        k: The whisper's place in the round (0 is the ``recipients`` one).
        others: The agent ids it may name (none: no ``target`` field).
    """
    flip = (stream + round + k) % 2
    content: dict[str, ParamValue] = {
        "about": _TOPICS[(round + k + 3 * stream) % len(_TOPICS)],
        "value": 100.0 * flip,
        "consent": bool(flip),
    }
    names = list(others)
    if names:
        content["target"] = names[(round + k + stream) % len(names)]
    return content


def whisper_ids(agent_ids: Iterable[str]) -> tuple[str, str]:
    """The ids of the whisperer and its confidant in a scenario with ``agent_ids``.

    ``W`` and ``V``, or the first of ``W2``, ``W3``, ... (``V2``, ...) not taken.
    """
    taken = set(agent_ids)
    whisperer = _fresh("W", taken)
    return whisperer, _fresh("V", taken | {whisperer})


def _fresh(stem: str, taken: set[str]) -> str:
    name, n = stem, 1
    while name in taken:
        n += 1
        name = f"{stem}{n}"
    return name


def with_whisperer(data: Mapping[str, Any], stream: int) -> dict[str, Any]:
    """Scenario data with a whisperer (of ``stream``) and its silent confidant added.

    The two are outside every alliance, have no forces, and are bound by nothing; their
    ids are :func:`whisper_ids` of the scenario's. ``data`` is not changed.

    Args:
        data: Scenario data, as a scenario file holds it.
        stream: The whisperer's stream, 0 or 1.
    """
    agents = list(data.get("agents", []))
    whisperer, confidant = whisper_ids(str(a["id"]) for a in agents)
    agents += [
        {
            "id": whisperer,
            "name": "Whisperer (negsim.testing)",
            "doctrine": WHISPERER,
            "params": {"confidant": confidant, "stream": stream},
        },
        {"id": confidant, "name": "Confidant (negsim.testing)", "doctrine": STIMULUS},
    ]
    return {**data, "agents": agents}
