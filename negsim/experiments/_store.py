"""Sweep results on disk: a directory of part files that survives a kill.

A Parquet file cannot be appended to, and one whose writer is killed has no footer
and cannot be read. So a sweep's ``--out results.parquet`` is a *directory*::

    results.parquet/
        _sweep.json           the sweep's definition (checked when resuming)
        _lock                 pid and host of the sweep writing it (while it runs)
        part-00000.parquet    rows of the first runs to finish
        part-00001.parquet    ...

Rows are buffered in the parent process as chunks of runs finish and written as a
part every ``flush_every`` seconds or ``part_rows`` rows: first to a hidden
``.part-NNNNN.parquet.tmp``, then renamed into place (an atomic rename), so every
``part-*`` file is complete. A killed sweep leaves complete parts (and perhaps a
``.tmp`` file, removed on resume); re-running the same sweep reads the run keys of the
parts and runs only the missing runs, into new parts. No row is lost (runs whose rows
were still buffered are run again, with the same seeds) and none is duplicated (a
run's row is written once, in one part). ``--out results.csv`` works the same way
with ``part-NNNNN.csv`` files.

The directory reads as one dataset: :func:`negsim.experiments.read_results`, or
``pandas.read_parquet("results.parquet")`` / ``pyarrow.dataset.dataset(...)``.

The schema, one row per run:

===================  ========  ==============================================================
column               type      meaning
===================  ========  ==============================================================
``run_key``          string    the run's key: ``path=value;...;replicate=N``, unique
``point``            int64     index of the run's parameter point in the sweep
``param.<path>``     varies    one column per swept parameter (bool, int64, float64, string)
``replicate``        int64     replicate number at this point, from 0
``seed``             uint64    the run's seed, ``derive_seed(sweep seed, "run", run_key)``
``outcome``          string    the outcome (``deterred``, ...); null when the run failed
``rounds``           int64     rounds played (the failing round when a plugin raised)
``reason``           string    why the world rules classified the outcome so
``metric.<name>``    float64   one column per metric (null when a run has no such metric)
``error``            string    ``ExceptionType: message`` when the run failed, else null
``negsim_version``   string    the negsim version that ran it
``scenario``         string    the scenario's name
``scenario_digest``  string    digest of the run's scenario (after its overrides)
``plugins``          string    the plugins that took part: ``name=distribution version; ...``
===================  ========  ==============================================================
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import socket
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from negsim.experiments._errors import SweepError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FORMATS",
    "MANIFEST",
    "MemoryStore",
    "ResultStore",
    "column_order",
    "read_results",
    "store_format",
]

FORMATS = ("parquet", "csv")
"""The formats a sweep writes, chosen by the suffix of ``out``."""

MANIFEST = "_sweep.json"
"""The name of the sweep definition file inside a results directory."""

LOCK = "_lock"
_PART = re.compile(r"^part-(\d{5,})\.(parquet|csv)$")

HEAD = ("run_key", "point")
MIDDLE = ("replicate", "seed", "outcome", "rounds", "reason")
TAIL = ("error", "negsim_version", "scenario", "scenario_digest", "plugins")
STRING_COLUMNS = (
    "run_key",
    "outcome",
    "reason",
    "error",
    "negsim_version",
    "scenario",
    "scenario_digest",
    "plugins",
)


def column_order(params: Sequence[str], metrics: Iterable[str]) -> list[str]:
    """Every column of a results table, in order.

    Args:
        params: The ``param.<path>`` columns, in sweep order.
        metrics: The ``metric.<name>`` columns (sorted here).

    Returns:
        The column names.
    """
    return [*HEAD, *params, *MIDDLE, *sorted(metrics), *TAIL]


def store_format(path: str | os.PathLike[str]) -> str:
    """The format of a results path, from its suffix.

    Raises:
        SweepError: The suffix is neither ``.parquet`` nor ``.csv``.
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise SweepError(f"--out {str(path)!r}: name it *.parquet or *.csv (the format)")
    return suffix


def _arrow_type(kind: str) -> Any:
    import pyarrow as pa

    return {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64()}.get(kind, pa.string())


class MemoryStore:
    """Rows kept in memory, for a sweep without ``out`` (small sweeps only).

    Args:
        param_kinds: The type of each ``param.<path>`` column.
    """

    def __init__(self, param_kinds: Mapping[str, str]) -> None:
        self.param_kinds = dict(param_kinds)
        self.rows: list[dict[str, Any]] = []
        self.path: Path | None = None

    def open(self, manifest: Mapping[str, Any], *, overwrite: bool = False) -> set[str]:
        """Start a sweep; nothing is done yet.

        Returns:
            The keys of runs already done: none.
        """
        return set()

    def prepare(self) -> None:
        """Nothing to prepare."""

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        """Keep ``rows``."""
        self.rows.extend(rows)

    def close(self) -> None:
        """Nothing to release."""

    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame, columns and dtypes as read from a results directory."""
        import pyarrow as pa

        metrics = {k for r in self.rows for k in r if k.startswith("metric.")}
        schema = _schema(self.param_kinds, metrics)
        table = pa.Table.from_pylist(self.rows, schema=schema)
        return _to_pandas(table)


def _schema(param_kinds: Mapping[str, str], metrics: Iterable[str]) -> Any:
    import pyarrow as pa

    fields = []
    for name in column_order(list(param_kinds), metrics):
        if name in param_kinds:
            fields.append(pa.field(name, _arrow_type(param_kinds[name])))
        elif name in ("point", "replicate", "rounds"):
            fields.append(pa.field(name, pa.int64()))
        elif name == "seed":
            fields.append(pa.field(name, pa.uint64()))
        elif name.startswith("metric."):
            fields.append(pa.field(name, pa.float64()))
        else:
            fields.append(pa.field(name, pa.string()))
    return pa.schema(fields)


def _arrow_table(rows: Sequence[Mapping[str, Any]], schema: Any) -> Any:
    """``rows`` as an Arrow table of ``schema``, through Arrow's JSON reader.

    ``pyarrow.Table.from_pylist`` would do, but its first call imports pandas: a few
    hundred milliseconds of CPU that the parent of a sweep would take from its
    workers. This way a sweep never imports pandas. Values round-trip exactly: floats
    are written with ``repr`` (NaN and infinities included) and read with correct
    rounding; a column a row lacks is null.
    """
    import pyarrow.json as pj

    data = "\n".join(map(json.dumps, rows)).encode()
    return pj.read_json(
        io.BytesIO(data),
        read_options=pj.ReadOptions(use_threads=False),
        parse_options=pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore"),
    )


class ResultStore:
    """A sweep's results directory (see the module docstring for the layout).

    Args:
        path: The directory, named ``*.parquet`` or ``*.csv``.
        param_kinds: The type of each ``param.<path>`` column.

    Raises:
        SweepError: The name has neither suffix.
    """

    def __init__(self, path: str | os.PathLike[str], param_kinds: Mapping[str, str]) -> None:
        self.path = Path(path)
        self.format = store_format(self.path)
        self.param_kinds = dict(param_kinds)
        self.metrics: set[str] = set()
        self._next = 0
        self._locked = False
        self._created = False

    # -- opening ---------------------------------------------------------------------

    def open(self, manifest: Mapping[str, Any], *, overwrite: bool = False) -> set[str]:
        """Create or resume the directory and lock it.

        Args:
            manifest: The sweep's definition; an existing directory must hold the same.
            overwrite: Delete the results of a different sweep found at the path.

        Returns:
            The keys of the runs already done.

        Raises:
            SweepError: The path holds something else, a different sweep (without
                ``overwrite``), or a sweep that another process is writing.
        """
        p = self.path
        if p.exists() and not p.is_dir():
            if not overwrite:
                raise SweepError(
                    f"{p} is a file, not a sweep's results directory; "
                    "choose another --out or pass --overwrite to replace it"
                )
            p.unlink()
        if p.is_dir():
            self._check_existing(manifest, overwrite)
        self._created = not p.exists()
        p.mkdir(parents=True, exist_ok=True)
        self._lock()
        try:
            for tmp in p.glob(".part-*.tmp"):
                tmp.unlink()  # a part whose writer was killed before the rename
            done = self._done_keys()
            if not (p / MANIFEST).exists():
                _atomic_write(p / MANIFEST, json.dumps(dict(manifest), indent=2, sort_keys=True))
        except BaseException:
            self.close()
            raise
        return done

    def _check_existing(self, manifest: Mapping[str, Any], overwrite: bool) -> None:
        p = self.path
        ours = [
            f
            for f in p.iterdir()
            if f.name in (MANIFEST, LOCK) or _PART.match(f.name) or f.name.startswith(".part-")
        ]
        others = [f.name for f in p.iterdir() if f not in ours]
        if not (p / MANIFEST).exists():
            if others or ours:
                held = ", ".join(sorted(others or [f.name for f in ours])[:5])
                raise SweepError(
                    f"{p} exists and is not a negsim sweep's results directory "
                    f"(it holds {held}); choose another --out"
                )
            return
        try:
            old = json.loads((p / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SweepError(
                f"{p / MANIFEST} cannot be read ({exc}); choose another --out"
            ) from None
        if old == dict(manifest):
            return
        if others:
            held = ", ".join(sorted(others)[:5])
            raise SweepError(f"{p} holds files negsim did not write ({held}); choose another --out")
        if not overwrite:
            diff = sorted(k for k in set(old) | set(manifest) if old.get(k) != manifest.get(k))
            raise SweepError(
                f"{p} holds the results of a different sweep (differs in: {', '.join(diff)}); "
                "re-run that sweep's own command to complete it, choose another --out, or pass "
                "--overwrite to delete those results"
            )
        self._lock()  # refuse to delete what a running sweep is writing
        for f in ours:
            if f.name != LOCK:
                f.unlink()

    def _lock(self) -> None:
        if self._locked:
            return
        lock = self.path / LOCK
        me = {"pid": os.getpid(), "host": socket.gethostname()}
        holder: dict[str, Any] = {}
        with contextlib.suppress(OSError, ValueError):  # no lock, or a torn one
            holder = dict(json.loads(lock.read_text(encoding="utf-8")))
        pid = holder.get("pid")
        if (
            holder.get("host") == me["host"]
            and isinstance(pid, int)
            and pid != me["pid"]
            and _alive(pid)
        ):
            raise SweepError(
                f"{self.path} is being written by another sweep (pid {pid}); "
                "wait for it or stop it first"
            )
        _atomic_write(lock, json.dumps(me))
        self._locked = True

    def _parts(self) -> list[Path]:
        parts = [f for f in self.path.iterdir() if _PART.match(f.name)]
        return sorted(parts, key=lambda f: int(_PART.match(f.name).group(1)))  # type: ignore[union-attr]

    def _done_keys(self) -> set[str]:
        done: set[str] = set()
        for part in self._parts():
            index = int(_PART.match(part.name).group(1))  # type: ignore[union-attr]
            self._next = max(self._next, index + 1)
            try:
                keys, metrics = _read_keys(part)
            except Exception as exc:
                raise SweepError(
                    f"{part} cannot be read ({exc}); delete it and re-run the "
                    "sweep to run its runs again"
                ) from None
            done.update(keys)
            self.metrics.update(metrics)
        return done

    # -- writing ---------------------------------------------------------------------

    def prepare(self) -> None:
        """Import the writer's libraries now, not at the first write.

        Called when the first chunk finishes, while the workers run the queued ones.
        """
        if self.format == "parquet":
            import pyarrow.json
            import pyarrow.parquet  # noqa: F401

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        """Write ``rows`` as the next part file, atomically."""
        if not rows:
            return
        self.metrics.update(k for r in rows for k in r if k.startswith("metric."))
        name = f"part-{self._next:05d}.{self.format}"
        tmp = self.path / f".{name}.tmp"
        if self.format == "parquet":
            import pyarrow.parquet as pq

            table = _arrow_table(rows, _schema(self.param_kinds, self.metrics))
            with open(tmp, "wb") as fh:
                pq.write_table(table, fh)
                fh.flush()
                os.fsync(fh.fileno())
        else:
            columns = column_order(list(self.param_kinds), self.metrics)
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(columns)
                for row in rows:
                    writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, self.path / name)
        _fsync_dir(self.path)
        self._next += 1

    def close(self) -> None:
        """Release the lock.

        The directory stays, unless this store made it and no part was written (the
        sweep failed or was stopped before its first rows): nothing is left behind.
        """
        if self._locked:
            with contextlib.suppress(OSError):
                (self.path / LOCK).unlink()
            self._locked = False
        if self._created and self.path.is_dir() and not self._parts():
            with contextlib.suppress(OSError):
                (self.path / MANIFEST).unlink(missing_ok=True)
                self.path.rmdir()  # refuses if anything else is inside
            self._created = False


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _read_keys(part: Path) -> tuple[list[str], list[str]]:
    if part.suffix == ".parquet":
        import pyarrow.parquet as pq

        schema = pq.read_schema(part)
        table = pq.read_table(part, columns=["run_key"])
        metrics = [n for n in schema.names if n.startswith("metric.")]
        return [str(k) for k in table.column(0).to_pylist()], metrics
    with open(part, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        at = header.index("run_key")
        keys = [row[at] for row in reader]
    return keys, [n for n in header if n.startswith("metric.")]


# -- reading ------------------------------------------------------------------------------


def _to_pandas(table: Any) -> pd.DataFrame:
    import pandas as pd
    import pyarrow as pa

    mapping = {
        pa.int64(): pd.Int64Dtype(),
        pa.uint64(): pd.UInt64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }
    frame: pd.DataFrame = table.to_pandas(types_mapper=mapping.get)
    return frame


def read_results(
    path: str | os.PathLike[str], columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """Read a sweep's results as one DataFrame, sorted by point and replicate.

    Args:
        path: A results directory (``results.parquet/``, ``results.csv/``) or a single
            ``.parquet`` / ``.csv`` file of rows.
        columns: Read only these columns (those that exist); all when ``None``.

    Returns:
        One row per run (see the schema in :mod:`negsim.experiments`). Parts written
        with different metric columns are merged; a missing value is null. For a
        results directory, ``frame.attrs["outcomes"]`` holds the outcome classes its
        world rules declare, in their order.

    Raises:
        SweepError: No such results, or a part cannot be read.
    """
    import pandas as pd
    import pyarrow as pa

    p = Path(path)
    if p.is_dir():
        files = [f for f in p.iterdir() if _PART.match(f.name)]
        files.sort(key=lambda f: int(_PART.match(f.name).group(1)))  # type: ignore[union-attr]
        manifest = {}
        with contextlib.suppress(OSError, ValueError):
            manifest = json.loads((p / MANIFEST).read_text(encoding="utf-8"))
    elif p.is_file():
        files, manifest = [p], {}
    else:
        raise SweepError(f"no sweep results at {str(p)!r}")
    kinds = manifest.get("param_kinds", {})
    tables = []
    for f in files:
        try:
            tables.append(_read_part(f, columns, kinds))
        except Exception as exc:
            raise SweepError(f"{f} cannot be read: {exc}") from None
    if not tables:
        names = column_order(list(kinds), [])
        if columns is not None:
            names = [c for c in names if c in columns]
        return pd.DataFrame({n: pd.Series([], dtype=object) for n in names})
    table = pa.concat_tables(tables, promote_options="default")
    order = [c for c in table.column_names]
    if "point" in order and "replicate" in order:
        table = table.sort_by([("point", "ascending"), ("replicate", "ascending")])
    frame = _to_pandas(table).reset_index(drop=True)
    if manifest.get("outcomes"):
        frame.attrs["outcomes"] = list(manifest["outcomes"])
    return frame


def _read_part(f: Path, columns: Sequence[str] | None, kinds: Mapping[str, str]) -> Any:
    import pyarrow as pa

    if f.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        names = pq.read_schema(f).names
        wanted = (
            names
            if columns is None
            else [c for c in names if c in set(columns) | {"point", "replicate"}]
        )
        return pq.read_table(f, columns=wanted)
    import pyarrow.csv as pcsv

    with open(f, encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh), [])
    types: dict[str, Any] = {}
    for name in header:
        if name in kinds:
            types[name] = _arrow_type(kinds[name])
        elif name in ("point", "replicate", "rounds"):
            types[name] = pa.int64()
        elif name == "seed":
            types[name] = pa.uint64()
        elif name.startswith("metric."):
            types[name] = pa.float64()
        elif name in STRING_COLUMNS:
            types[name] = pa.string()
    include = (
        header
        if columns is None
        else [c for c in header if c in set(columns) | {"point", "replicate"}]
    )
    return pcsv.read_csv(
        f,
        convert_options=pcsv.ConvertOptions(
            column_types=types,
            include_columns=include,
            strings_can_be_null=True,
            true_values=["True", "true"],
            false_values=["False", "false"],
        ),
    )
