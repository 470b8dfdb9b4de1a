"""The fuzzing kit as a plugin author meets it: the documented snippet and the pytest plugin.

``examples/fuzz_my_doctrine.py`` is included in ``docs/how-to/fuzz-your-doctrine.md``;
these tests run it as a script and under pytest, each in a fresh process, and run a
small test file against negsim's pytest plugin (its fixtures and marker).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

from tests import _processes as processes

ROOT = Path(__file__).resolve().parents[2]
SNIPPET = ROOT / "examples" / "fuzz_my_doctrine.py"


def _plugin_args() -> list[str]:
    """Load the pytest plugin explicitly unless its entry point loads it."""
    autoloaded = bool(entry_points(group="pytest11", name="negsim")) and not os.environ.get(
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD"
    )
    return [] if autoloaded else ["-p", "negsim.testing.pytest_plugin"]


def _run(args: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return processes.run(args, cwd=cwd, timeout=600, env=env, check=False)


def test_the_snippet_runs_as_a_script() -> None:
    proc = _run([sys.executable, str(SNIPPET)])
    assert proc.returncode == 0, proc.stderr
    assert "doctrine 'loyal' held 11 invariants" in proc.stdout
    assert "comparative-statics" in proc.stdout  # the static it declares
    assert "stimuli met by doctrine 'loyal'" in proc.stdout  # the coverage report


def test_the_snippet_gives_pytest_one_test_per_invariant() -> None:
    proc = _run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(SNIPPET),
            "-q",
            "-p",
            "no:cacheprovider",
            *_plugin_args(),
            "-m",
            "negsim_invariants",
        ]
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "11 passed" in proc.stdout


def test_the_pytest_plugin_gives_fixtures_and_a_marker(tmp_path: Path) -> None:
    (tmp_path / "test_mine.py").write_text(
        textwrap.dedent("""
        from negsim.model import PluginRole

        def test_registry(negsim_registry):
            assert "collective" in negsim_registry.names(PluginRole.DOCTRINE)

        def test_checker(doctrine_checker):
            report = doctrine_checker("collective", invariants=["delivery"], max_examples=5)
            assert report.invariants == ("delivery",)
            assert report.runs >= 1
    """)
    )
    proc = _run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *_plugin_args(),
            "-m",
            "negsim_invariants",
            "test_mine.py",
        ],
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed, 1 deselected" in proc.stdout
    proc = _run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *_plugin_args(),
            "--markers",
        ],
        cwd=tmp_path,
    )
    assert "@pytest.mark.negsim_invariants" in proc.stdout
