"""Sweep results on disk: a directory of part files that survives a kill.

A Parquet file cannot be appended to, and one whose writer is killed has no footer
and cannot be read. So a sweep's ``--out results.parquet`` is a *directory*::

    results.parquet/
        _sweep.json           the sweep's definition (checked when resuming)
        _lock                 locked by the sweep writing it; holds its pid and host
        part-00000.parquet    rows of the first runs to finish
        part-00001.parquet    ...

Rows are buffered in the parent process as chunks of runs finish and written as a
part every ``flush_every`` seconds or ``part_rows`` rows: first to a hidden
``.part-NNNNN.parquet.<random>.tmp``, then renamed into place (an atomic rename), so
every ``part-*`` file is complete. A killed sweep leaves complete parts (and perhaps a
``.tmp`` file, removed on resume); re-running the same sweep reads the run keys of the
parts and runs only the missing runs, into new parts. No row is lost (runs whose rows
were still buffered are run again, with the same seeds) and none is duplicated (a
run's row is written once, in one part). ``--out results.csv`` works the same way
with ``part-NNNNN.csv`` files.

The directory reads as one dataset: :func:`negsim.experiments.read_results`, or
``pandas.read_parquet("results.parquet")`` / ``pyarrow.dataset.dataset(...)``.

The lock is an advisory ``flock`` on ``_lock``, held while the sweep runs: the kernel
releases it when the process ends however it ends, so a killed sweep never leaves a
stale lock, and on a network filesystem that supports locks (NFSv4, and NFSv3 with its
lock manager) it holds across hosts. Where the filesystem cannot lock, the sweep
refuses to start and says so. On resume every part is read first; a part that cannot
be read, or a CSV part whose last row is cut or whose rows do not match its header, is
renamed ``damaged-part-NNNNN.csv`` (kept, never counted as done), and its runs are run
again. A file-system error (no permission, a read-only or full disk) is a
:class:`SweepError` naming the path; the parts already written stay as they are.

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
import tempfile
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
DAMAGED = "damaged-"
"""The prefix of a part set aside on resume because it cannot be read whole."""

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
        self._lock_fd: int | None = None
        self._created = False
        self.set_aside: list[tuple[str, str]] = []
        """The parts set aside on resume, with why: ``(new name, reason)``."""

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
        try:
            return self._open(manifest, overwrite)
        except OSError as exc:
            self.close()
            raise SweepError(_os_problem(exc, self.path)) from None

    def _open(self, manifest: Mapping[str, Any], overwrite: bool) -> set[str]:
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
            for tmp in [*p.glob(".part-*.tmp"), *p.glob(f".{MANIFEST}.*tmp")]:
                tmp.unlink()  # a file whose writer was killed before the rename
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
            if f.name in (MANIFEST, LOCK)
            or _PART.match(f.name)
            or f.name.startswith((".part-", f".{MANIFEST}.", DAMAGED))
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
        """Hold ``_lock`` with an exclusive ``flock`` until :meth:`close`.

        Hand-written on :mod:`fcntl` rather than the filelock package: filelock
        truncates the lock file on every attempt, so the file could not tell a second
        sweep who holds it; and the lock must also refuse a ``_lock`` that is a
        directory or a filesystem that cannot lock, with a message.
        """
        if self._locked:
            return
        lock = self.path / LOCK
        if lock.is_dir():
            raise SweepError(
                f"{lock} is a directory, not negsim's lock file; remove it or choose another --out"
            )
        me = {"pid": os.getpid(), "host": socket.gethostname()}
        while True:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                if not _try_lock(fd, lock):
                    raise SweepError(
                        f"{self.path} is being written by another sweep ({_holder(fd)}); "
                        "wait for it or stop it first"
                    )
                same = os.fstat(fd).st_ino == os.stat(lock).st_ino
            except BaseException:
                os.close(fd)
                raise
            if same:
                break
            os.close(fd)  # the holder removed the file as we opened it: lock the new one
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(me).encode())
        self._lock_fd = fd
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
                aside = part.with_name(DAMAGED + part.name)
                os.replace(part, aside)
                self.set_aside.append((str(aside), str(exc) or type(exc).__name__))
                continue
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
        try:
            self._write(rows, name)
        except OSError as exc:
            raise SweepError(
                _os_problem(exc, self.path / name)
                + "; the parts already written are kept: run the same sweep again to resume"
            ) from None
        self._next += 1

    def _write(self, rows: Sequence[dict[str, Any]], name: str) -> None:
        fd, tmp_name = tempfile.mkstemp(dir=self.path, prefix=f".{name}.", suffix=".tmp")
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            self._write_to(rows, tmp)
            os.replace(tmp, self.path / name)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        _fsync_dir(self.path)

    def _write_to(self, rows: Sequence[dict[str, Any]], tmp: Path) -> None:
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

    def close(self) -> None:
        """Release the lock.

        The directory stays, unless this store made it and no part was written (the
        sweep failed or was stopped before its first rows): nothing is left behind.
        """
        if self._locked:
            with contextlib.suppress(OSError):
                (self.path / LOCK).unlink()  # before the unlock: see _lock's inode check
            if self._lock_fd is not None:
                os.close(self._lock_fd)  # releases the flock
                self._lock_fd = None
            self._locked = False
        if self._created and self.path.is_dir() and not self._parts():
            with contextlib.suppress(OSError):
                (self.path / MANIFEST).unlink(missing_ok=True)
                self.path.rmdir()  # refuses if anything else is inside
            self._created = False


def _try_lock(fd: int, lock: Path) -> bool:
    """Take an exclusive ``flock`` on ``fd`` without waiting; ``False`` if another holds it.

    Raises:
        SweepError: The filesystem cannot lock (the sweep refuses rather than run
            unprotected).
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: O_EXCL would be the fallback
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:
        raise SweepError(
            f"{lock} cannot be locked on this filesystem ({exc.strerror or exc}); put --out "
            "on a filesystem that supports file locks (a local disk, NFSv4)"
        ) from None
    return True


def _holder(fd: int) -> str:
    """Who holds the lock, from the lock file's content (written by the holder)."""
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
        if isinstance(data, dict) and "pid" in data:
            return f"pid {data.get('pid')} on host {data.get('host')}"
    return "its pid and host are not recorded yet"


def _os_problem(exc: OSError, path: Path) -> str:
    """A file-system error as a message: the path, what happened, what to do."""
    import errno

    where = exc.filename if exc.filename else path
    advice = {
        errno.EACCES: "choose an --out you may write to",
        errno.EPERM: "choose an --out you may write to",
        errno.EROFS: "the filesystem is read-only: choose another --out",
        errno.ENOSPC: "the disk is full: free space",
        errno.EDQUOT: "the disk quota is used up: free space",
        errno.ENOTDIR: "a part of the path is a file, not a directory: choose another --out",
        errno.EISDIR: "a directory stands where a file should be: remove it",
    }.get(exc.errno or 0, "check the path and the disk")
    return f"cannot write {where}: {exc.strerror or exc}; {advice}"


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


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
        text = fh.read()
    if not text.endswith("\n"):
        raise ValueError("its last row is cut (no line end)")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = next(reader, None)
    if not header or "run_key" not in header:
        raise ValueError("no header with a run_key column")
    at = header.index("run_key")
    keys = []
    for row in reader:
        if len(row) != len(header) or not row[at]:
            raise ValueError(
                f"row {reader.line_num} has {len(row)} fields, not {len(header)}, or no run_key"
            )
        keys.append(row[at])
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

    with open(f, "rb") as raw:  # a cut last row would read back as a wrong value
        cut = False
        if raw.seek(0, os.SEEK_END):
            raw.seek(-1, os.SEEK_END)
            cut = raw.read(1) != b"\n"
        if cut:
            raise ValueError(
                "its last row is cut (no line end); run the sweep again to set it aside "
                "and run its runs again"
            )
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
