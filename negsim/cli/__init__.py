"""The ``negsim`` command line: thin, it parses, calls the library and prints.

::

    negsim run examples/scenarios/korea_bilateral.toml --seed 3
    negsim run scenario.toml --set agents.JPN.params.korea_minute=true --json
    negsim plugins --params

Exit codes: 0 on success, 2 for a bad command line or bad scenario input
(:class:`negsim.ScenarioError`), 1 when a run fails (:class:`negsim.SimulationError`)
or for any other negsim error. Set ``NEGSIM_DEBUG=1`` to see the traceback of a
failed run.
"""

from __future__ import annotations

from negsim.cli._main import main

__all__ = ["main"]
