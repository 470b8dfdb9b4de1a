"""negsim-games: reference games for negsim, packaged as third-party plugins.

Each module is one game of the literature whose results are known: its world rules
(who moves, how a round is scored, how a run ends) and the classic strategies as
doctrines. Running the game in negsim and getting the literature's numbers checks the
engine end to end (delivery, simultaneous moves, adjudication, negotiations, private
types and beliefs, outcomes, metrics).

* :mod:`negsim_games.ipd`: the iterated prisoner's dilemma (world rules ``ipd``;
  doctrines ``tit_for_tat``, ``always_defect``, ``always_cooperate``, ``grudger``).
* :mod:`negsim_games.bargaining`: bilateral bargaining over one issue (world rules
  ``bargaining``; doctrines ``time_dependent``, ``boulware``, ``conceder``, the
  time-dependent tactics of Faratin, Sierra & Jennings 1998).
* :mod:`negsim_games.tioli`: take-it-or-leave-it crisis bargaining with a private cost
  of war (Fearon 1995), played under the ``bargaining`` world rules (doctrines
  ``tioli_proposer``, ``tioli_receiver``).

Every plugin is registered through the ``negsim`` entry-point group of the
distribution (see its ``pyproject.toml``), so after
``pip install -e examples/negsim-games`` scenario files name them like any other.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__: list[str] = []

try:
    __version__ = version("negsim-games")
except PackageNotFoundError:  # imported from a source tree without installing
    __version__ = "0+unknown"
