"""Playing a run again in a fresh Python process (for the hash-seed determinism check).

The parent describes its plugins so that the child can build the very same registry:
a module by its name and file (imported by name if possible, else loaded from the
file), any other plugin object pickled. The child reads a JSON payload on stdin and
writes the run's JSON Lines on stdout. Importing this module imports neither
hypothesis nor the rest of :mod:`negsim.testing`.
"""

from __future__ import annotations

import base64
import importlib
import importlib.util
import json
import os
import pickle
import subprocess
import sys
import types
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["describe_plugins", "main", "run_in_subprocess"]


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
            out.append({
                "name": name,
                "module": plugin.__name__,
                "file": str(getattr(plugin, "__file__", "") or ""),
            })
            continue
        try:
            blob = pickle.dumps(plugin)
            pickle.loads(blob)
        except Exception as exc:  # noqa: BLE001 - anything pickle refuses
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


def main() -> None:
    """Run the payload read from stdin and print its JSON Lines."""
    import io

    import negsim
    from negsim.scenario import scenario_from_dict

    payload = json.load(sys.stdin)
    plugins = [(e["name"], _load(e)) for e in payload["plugins"]]
    registry = negsim.PluginRegistry(plugins, discover=False)
    scenario = scenario_from_dict(payload["scenario"], source="<generated>", registry=registry)
    result = negsim.simulate(scenario, seed=payload["seed"], registry=registry)
    out = io.StringIO()
    negsim.write_jsonl(result, out)
    sys.stdout.write(out.getvalue())


def run_in_subprocess(
    data: Mapping[str, Any],
    seed: int,
    plugins: Sequence[dict[str, str]],
    *,
    timeout: float = 120.0,
) -> tuple[str, tuple[str, ...]]:
    """Play a run in a fresh interpreter with another ``PYTHONHASHSEED``.

    Returns:
        The hash seed used and the run's JSON Lines; when the child fails, one line
        saying so, with the end of its stderr.
    """
    parent = os.environ.get("PYTHONHASHSEED")
    hashseed = "4242" if parent == "0" else "0"
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = hashseed
    env["PYTHONPATH"] = os.pathsep.join(p or os.getcwd() for p in sys.path)
    payload = json.dumps({"scenario": data, "seed": seed, "plugins": list(plugins)})
    try:
        proc = subprocess.run(
            [sys.executable, "-c", "from negsim.testing._child import main; main()"],
            input=payload,
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return hashseed, (f"<the subprocess did not finish within {timeout:.0f} s>",)
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-8:])
        return hashseed, (f"<the subprocess failed: {tail}>",)
    return hashseed, tuple(proc.stdout.splitlines())


if __name__ == "__main__":  # pragma: no cover
    main()
