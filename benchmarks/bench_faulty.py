"""How fast the fuzzing kit catches the faulty plugins of ``tests/faulty``, at its defaults.

Run from the repository root::

    python benchmarks/bench_faulty.py                 # every broken plugin and its mend
    python benchmarks/bench_faulty.py peeker coin_toss

Each broken plugin of ``tests/faulty/test_the_kit_catches_what_authors_get_wrong.py``
is checked with every invariant and every default of :func:`negsim.testing.check_doctrine`
(or ``check_modifier``, ``check_protocol``): the active hypothesis profile's number of
examples, the default time limits and shrinking. It prints whether the check caught it,
which invariants it named, and the wall-clock seconds it took (finding, shrinking and
reporting); then the same for the mended plugin, which must pass. Timings are this
machine's; nothing here is asserted.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from negsim.testing import (
    CoverageWarning,
    InvariantViolation,
    check_doctrine,
    check_modifier,
    check_protocol,
)
from tests.faulty.test_the_kit_catches_what_authors_get_wrong import CASES


def main(wanted: list[str]) -> None:
    warnings.simplefilter("ignore", CoverageWarning)
    print(f"{'plugin':<16} {'broken':<48} {'s':>6}   {'mended':<8} {'s':>6}")
    for case in CASES:
        if wanted and case.id not in wanted:
            continue
        kind, _ = case.values
        results = []
        for fixed in (False, True):
            plugin = kind(fixed=fixed)
            role = plugin.negsim_plugin_spec().role
            checker = {"modifier": check_modifier, "protocol": check_protocol}.get(
                role, check_doctrine
            )
            started = time.perf_counter()
            try:
                checker(plugin, name=case.id)
                verdict = "passed"
            except InvariantViolation as violation:
                verdict = "caught: " + ", ".join(violation.invariants)
            results.append((verdict, time.perf_counter() - started))
        (broken, tb), (mended, tm) = results
        print(f"{case.id:<16} {broken:<48} {tb:6.1f}   {mended:<8} {tm:6.1f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
