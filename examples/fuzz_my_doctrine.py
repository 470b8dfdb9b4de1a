"""Fuzz a doctrine against negsim's invariants: the whole recipe.

This file holds a small doctrine, ``loyal``, and checks it two ways:

* as a script, ``python examples/fuzz_my_doctrine.py``: ``check_doctrine`` plays
  hypothesis-generated runs and raises an ``AssertionError`` with a minimal
  counterexample if an invariant breaks, or prints what it checked;
* with pytest, ``pytest examples/fuzz_my_doctrine.py``: the ``DoctrineInvariants``
  subclass becomes one test per invariant.

The doctrine declares a comparative static, ``COMPARATIVE_STATICS``: more resolve never
makes it respond less. The kit makes each of its decisions again with ``resolve``
raised and holds it to that promise.

To fuzz your own doctrine, import its module (or use its installed name, such as
``"mydoctrine"``) in place of ``loyal``.
"""

import sys

import negsim
from negsim.model import Move
from negsim.testing import DoctrineInvariants, Monotone, check_doctrine

# -- the doctrine: it pledges to its allies, then defends them ---------------------------


@negsim.hookimpl
def negsim_plugin_spec() -> negsim.PluginSpec:
    return negsim.PluginSpec(
        role="doctrine",
        summary="Pledges to defend its allies, and does so when they are attacked",
        params=[negsim.ParamSpec("resolve", 0.8, "Chance, each round, that it responds.", 0, 1)],
    )


COMPARATIVE_STATICS = [Monotone("resolve", never_lowers="respond")]
"""What it promises: raising its resolve never makes it respond less."""


@negsim.hookimpl
def negsim_decide(view: negsim.AgentView) -> list[Move]:
    me = view.me
    allies = sorted({m for al in view.public.alliances_of(me) for m in al.members} - {me})
    moves: list[Move] = []
    for ally in allies:
        if view.round == 1:
            moves.append(
                view.say(
                    ally,
                    "pledge",
                    antecedent=f"attacked({ally})",
                    consequent=f"responds({me},{ally})",
                    deadline=2,
                )
            )
        defending = view.holds(f"responds({me},{ally})")
        if view.holds(f"attacked({ally})") and not defending:
            keeps_its_word = view.rng.random() < float(view.param("resolve"))  # its own stream
            if keeps_its_word:
                moves.append(view.act("respond", ally))
    return moves


loyal = sys.modules[__name__]  # this module is the plugin

# -- fuzz it -------------------------------------------------------------------------------


class TestLoyal(DoctrineInvariants):
    """pytest collects one test per invariant from this class."""

    doctrine = loyal
    name = "loyal"
    max_examples = 25  # leave it out to follow your hypothesis profile


if __name__ == "__main__":
    report = check_doctrine(loyal, name="loyal", max_examples=50)
    print(report)
    print(report.coverage)
