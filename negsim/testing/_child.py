"""Playing runs again in another Python process (for the hash-seed determinism check).

The parent describes its plugins so that the child can build the very same registry:
a module by its name and file (imported by name if possible, else loaded from the
file), any other plugin object pickled. A :class:`Worker` starts one child with
another ``PYTHONHASHSEED`` and sends it runs one JSON line at a time, so a search pays
for the interpreter's start-up once. Importing this module imports neither hypothesis
nor the rest of :mod:`negsim.testing`.
"""

from __future__ import annotations

import base64
import importlib
import importlib.util
import io
import json
import os
import pickle
import select
import subprocess
import sys
import types
from collections.abc import Mapping, Sequence
from typing import IO, Any

__all__ = [
    "HASH_SEED_PAIRS",
    "TransportError",
    "Worker",
    "child_hash_seeds",
    "describe_plugins",
    "serve",
]


class TransportError(TypeError):
    """A plugin cannot be sent to another process."""


def describe_plugins(plugins: Sequence[tuple[str, object]]) -> list[dict[str, str]]:
    """How to rebuild each ``(name, plugin)`` pair in another process.

    Raises:
        TransportError: A plugin is neither a module nor a picklable object.
    """
    out = []
    for name, plugin in plugins:
        if isinstance(plugin, types.ModuleType):
            out.append(
                {
                    "name": name,
                    "module": plugin.__name__,
                    "file": str(getattr(plugin, "__file__", "") or ""),
                }
            )
            continue
        try:
            blob = pickle.dumps(plugin)
            pickle.loads(blob)
        except Exception as exc:
            raise TransportError(
                f"plugin {name!r} ({type(plugin).__module__}.{type(plugin).__qualname__}) cannot "
                f"be sent to a subprocess: {exc}. Make it a module, or an instance of a class "
                "defined at the top level of an importable module, or leave out the "
                "'hash-seed-determinism' invariant"
            ) from exc
        out.append({"name": name, "pickle": base64.b64encode(blob).decode("ascii")})
    return out


def _load(entry: Mapping[str, str]) -> object:
    if "pickle" in entry:
        return pickle.loads(base64.b64decode(entry["pickle"]))
    module = entry["module"]
    if module != "__main__":
        try:
            return importlib.import_module(module)
        except ImportError:
            if not entry.get("file"):
                raise
    path = entry["file"]
    alias = module if module != "__main__" else "_negsim_plugin_" + entry["name"].replace("-", "_")
    spec = importlib.util.spec_from_file_location(alias, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load plugin {entry['name']!r} from {path}")
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[alias] = loaded
    spec.loader.exec_module(loaded)
    return loaded


def serve() -> None:
    """The child's loop: read the plugins, then one run per line; answer one line each.

    Each request is ``{"scenario": data, "seed": n}``; each answer ``{"lines": [...]}``
    (the run's JSON Lines) or ``{"error": "..."}``. Anything plugins print goes to
    stderr, so it cannot garble the answers.
    """
    import traceback

    import negsim
    from negsim.scenario import scenario_from_dict

    channel = sys.stdout
    sys.stdout = sys.stderr
    plugins = [(e["name"], _load(e)) for e in json.loads(sys.stdin.readline())["plugins"]]
    registry = negsim.PluginRegistry(plugins, discover=False)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            scenario = scenario_from_dict(
                request["scenario"], source="<generated>", registry=registry
            )
            result = negsim.simulate(scenario, seed=request["seed"], registry=registry)
            out = io.StringIO()
            negsim.write_jsonl(result, out)
            answer: dict[str, Any] = {"lines": out.getvalue().splitlines()}
        except Exception as exc:
            answer = {"error": "".join(traceback.format_exception_only(exc)).strip()}
        channel.write(json.dumps(answer) + "\n")
        channel.flush()


HASH_SEED_PAIRS = (("10", "94"), ("39", "233"))
"""Pairs of ``PYTHONHASHSEED`` values under which a set of any two or more of the
strategies' agent ids (``A``-``F``, ``X``) iterates from a different first element.
Whatever the parent's own hash seed, its order differs from at least one of the pair,
so a doctrine that picks "the first" of a set is caught. (Found by trying seeds 0-299
on CPython 3.11's string hash.)"""


def child_hash_seeds() -> tuple[str, str]:
    """The two hash seeds for replays: a pair of :data:`HASH_SEED_PAIRS` without ours."""
    parent = os.environ.get("PYTHONHASHSEED")
    first, second = HASH_SEED_PAIRS
    return second if parent in first else first


class Worker:
    """A child interpreter, with another ``PYTHONHASHSEED``, that replays runs.

    Args:
        plugins: From :func:`describe_plugins`.
        timeout: Seconds to wait for one answer before giving up on the child.
        hashseed: The child's ``PYTHONHASHSEED`` (see :func:`child_hash_seeds`).
    """

    def __init__(
        self, plugins: Sequence[Mapping[str, str]], timeout: float = 120.0, hashseed: str = "0"
    ) -> None:
        self.hashseed = hashseed
        self.timeout = timeout
        self._plugins = list(plugins)
        self._proc: subprocess.Popen[str] | None = None
        self._log: IO[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        env = dict(os.environ)
        env["PYTHONHASHSEED"] = self.hashseed
        env["PYTHONPATH"] = os.pathsep.join(p or os.getcwd() for p in sys.path)
        import tempfile

        self._log = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - kept open
        proc = subprocess.Popen(
            [sys.executable, "-c", "from negsim.testing._child import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            env=env,
        )
        assert proc.stdin is not None
        proc.stdin.write(json.dumps({"plugins": self._plugins}) + "\n")
        proc.stdin.flush()
        return proc

    def _stderr(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return " | ".join(self._log.read().strip().splitlines()[-8:])

    def run(self, data: Mapping[str, Any], seed: int) -> tuple[str, ...]:
        """The run's JSON Lines in the child; on failure, one line saying what failed."""
        if self._proc is None or self._proc.poll() is not None:
            self.close()
            self._proc = self._start()
        proc = self._proc
        assert proc.stdin is not None
        assert proc.stdout is not None
        try:
            proc.stdin.write(json.dumps({"scenario": data, "seed": seed}) + "\n")
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], self.timeout)
            line = proc.stdout.readline() if ready else ""
        except OSError:
            line = ""
        if not line:
            problem = (
                f"the subprocess did not answer within {self.timeout:.0f} s"
                if proc.poll() is None
                else f"the subprocess died: {self._stderr()}"
            )
            self.close()
            return (f"<{problem}>",)
        answer = json.loads(line)
        if "error" in answer:
            return (f"<the run failed in the subprocess: {answer['error']}>",)
        return tuple(answer["lines"])

    def close(self) -> None:
        """Stop the child (it is started again on the next :meth:`run`)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.stdin is not None:
                proc.stdin.close()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None


if __name__ == "__main__":  # pragma: no cover
    serve()
