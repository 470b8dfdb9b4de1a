"""Backends: where chunks of runs execute. Serial, a local process pool, Dask distributed.

Every backend runs :func:`negsim.experiments._worker.run_chunk` on chunks of runs and
hands back each chunk's rows as it finishes, in any order; the parent process writes
them. At most a few chunks per worker are in flight, so memory does not grow with the
number of runs.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import os
import socket
import sys
import threading
import urllib.parse
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Literal, Protocol

import attrs

from negsim.experiments._errors import SweepError
from negsim.experiments._plan import RunSpec
from negsim.experiments._worker import WorkerSetup, WorkerState, init_worker, run_chunk
from negsim.plugins import PluginRegistry

__all__ = [
    "BACKENDS",
    "DASK_CONFIG",
    "Backend",
    "ChunkDone",
    "DaskBackend",
    "ProcessBackend",
    "SerialBackend",
    "default_workers",
    "local_cluster",
]

BackendName = Literal["serial", "process", "dask"]
BACKENDS: tuple[BackendName, ...] = ("serial", "process", "dask")
"""The backend names ``sweep`` accepts."""

_IN_FLIGHT = 8
"""Chunks submitted per worker before waiting for one to finish."""


def default_workers() -> int:
    """One worker per core available to this process."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@attrs.frozen
class ChunkDone:
    """A finished chunk: its rows, or the error that lost it.

    Attributes:
        size: How many runs it held.
        rows: One row per run, or ``None`` when the chunk was lost.
        error: Why the chunk was lost (a worker died, the scenario would not load...),
            or ``None``.
    """

    size: int
    rows: list[dict[str, Any]] | None = None
    error: BaseException | None = None


class Backend(Protocol):
    """What the sweep loop needs from a backend."""

    name: str
    parallelism: int

    def start(self) -> None:
        """Start the workers (before the progress bar's thread, so a fork is safe)."""

    def run(self, chunks: Iterable[list[RunSpec]]) -> Iterator[ChunkDone]:
        """Run ``chunks``; yield each as it finishes."""

    def close(self) -> None:
        """Stop the workers, abandoning unfinished chunks."""


class SerialBackend:
    """Run chunks one after another in this process.

    Args:
        setup: The sweep's setup.
        registry: A registry to use as is (it need not be picklable).
    """

    name = "serial"
    parallelism = 1

    def __init__(self, setup: WorkerSetup, registry: PluginRegistry | None = None) -> None:
        self.setup = setup
        self.registry = registry
        self._state: WorkerState | None = None

    def start(self) -> None:
        """Load the scenario and plugins (errors are raised here, as they are)."""
        self._state = WorkerState(self.setup, registry=self.registry)

    def run(self, chunks: Iterable[list[RunSpec]]) -> Iterator[ChunkDone]:
        """Run each chunk in turn."""
        if self._state is None:
            self.start()
        assert self._state is not None
        for chunk in chunks:
            yield ChunkDone(len(chunk), [self._state.run(spec) for spec in chunk])

    def close(self) -> None:
        """Nothing to stop."""


def default_start_method() -> str:
    """The process pool's default start method.

    ``fork`` on Linux when this process has a single thread (workers then start at
    once, with negsim already imported); otherwise ``forkserver`` (its server imports
    negsim once), or ``spawn`` where that is all there is.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and sys.platform == "linux" and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


class ProcessBackend:
    """A local pool of worker processes (:class:`concurrent.futures.ProcessPoolExecutor`).

    Each worker loads the scenario and builds the plugin registry once, in its
    initializer; chunks of runs are sent to it, never single runs.

    Args:
        setup: The sweep's setup (pickled to each worker).
        workers: How many processes; one per core when ``None``.
        start_method: ``fork``, ``forkserver`` or ``spawn``; see
            :func:`default_start_method` when ``None``.
    """

    name = "process"

    def __init__(
        self, setup: WorkerSetup, workers: int | None = None, start_method: str | None = None
    ) -> None:
        self.setup = setup
        self.parallelism = workers or default_workers()
        self.start_method = start_method
        self._executor: ProcessPoolExecutor | None = None
        self._pending: dict[Future[list[dict[str, Any]]], int] = {}

    def start(self) -> None:
        """Start the pool and wait until every worker has loaded the sweep."""
        method = self.start_method or default_start_method()
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(["negsim.experiments._worker"])
        self._executor = ProcessPoolExecutor(
            max_workers=self.parallelism,
            mp_context=context,
            initializer=init_worker,
            initargs=(self.setup,),
        )
        # With fork, the first submit starts every worker, before any other thread.
        self._executor.submit(int).result()

    def run(self, chunks: Iterable[list[RunSpec]]) -> Iterator[ChunkDone]:
        """Keep every worker busy; yield chunks as they finish."""
        if self._executor is None:
            self.start()
        executor = self._executor
        assert executor is not None
        pending = self._pending
        it = iter(chunks)
        exhausted = False
        broken: BaseException | None = None
        while True:
            while not exhausted and len(pending) < self.parallelism * _IN_FLIGHT:
                chunk = next(it, None)
                if chunk is None:
                    exhausted = True
                    break
                if broken is not None:
                    yield ChunkDone(len(chunk), error=broken)
                    continue
                try:
                    pending[executor.submit(run_chunk, self.setup, chunk)] = len(chunk)
                except Exception as exc:  # a broken pool refuses work
                    broken = exc
                    yield ChunkDone(len(chunk), error=exc)
            if not pending:
                return
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in done:
                size = pending.pop(future)
                error = future.exception()
                if error is not None:
                    yield ChunkDone(size, error=error)
                else:
                    yield ChunkDone(size, rows=future.result())

    def close(self) -> None:
        """Stop the pool; unfinished chunks are abandoned and their workers ended."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if not self._pending:
            executor.shutdown(wait=True)
            return
        for future in self._pending:
            future.cancel()
        self._pending.clear()
        terminate = getattr(executor, "terminate_workers", None)  # Python >= 3.14
        if terminate is not None:
            terminate()
        else:
            for process in list((getattr(executor, "_processes", None) or {}).values()):
                with contextlib.suppress(Exception):
                    process.terminate()
        executor.shutdown(wait=True, cancel_futures=True)


DASK_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "500ms",
}
"""The Dask settings of the ``LocalCluster`` negsim starts (:func:`local_cluster`).

Dask's statistical profiler samples each worker's running task every 10 ms, and its
event-loop tick (20 ms), system monitor (500 ms) and memory monitor (100 ms) wake
the workers, their nannies and the scheduler many times a second. In a worker each
wake-up takes the interpreter lock from the running chunk, and on a machine with
as many workers as cores the parent's share competes with them for a core: together
they cost a sweep of short runs several percent. negsim turns the profiler off and
wakes the others less often; the memory monitor still checks twice a second, and
the tick still reports an event loop blocked for longer than its limit (3 s).
"""


def _distributed() -> Any:
    try:
        return importlib.import_module("distributed")
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the dask backend needs dask.distributed: pip install 'negsim[dask]'"
        ) from exc


def local_cluster(workers: int | None = None, **kwargs: Any) -> Any:
    """Start the Dask ``LocalCluster`` a ``dask`` sweep starts when given no scheduler.

    Worker processes with one thread each (runs are pure Python: threads would share
    one interpreter lock), Dask's logs at ``ERROR``, the dashboard on a free port, and
    the settings in :data:`DASK_CONFIG`. Start one to run many sweeps without starting
    a cluster for each; give a client of it to :func:`negsim.experiments.sweep` as
    ``scheduler``, and close it when done::

        from distributed import Client

        with local_cluster(4) as cluster, Client(cluster) as client:
            for seed in range(10):
                sweep(..., backend="dask", scheduler=client, seed=seed)

    Args:
        workers: Worker processes; one per core when ``None``.
        **kwargs: Passed on to ``distributed.LocalCluster``, overriding the above.

    Returns:
        The running ``distributed.LocalCluster``.

    Raises:
        ImportError: dask.distributed is not installed.
    """
    distributed = _distributed()
    dask: Any = importlib.import_module("dask")
    options: dict[str, Any] = {
        "n_workers": workers or default_workers(),
        "threads_per_worker": 1,
        "processes": True,
        "dashboard_address": ":0",  # a free port: never clashes with another cluster
        "silence_logs": logging.ERROR,
    }
    options.update(kwargs)
    # The nannies pass the settings they were started with on to their workers.
    with dask.config.set(DASK_CONFIG):
        return distributed.LocalCluster(**options)


def _check_listening(address: str, timeout: float = 10.0) -> None:
    """Fail at once when nothing listens at a ``tcp://`` scheduler address.

    Dask retries a refused connection until its connect timeout (30 s by default);
    one plain TCP connection tells at once. Other protocols are left to Dask.

    Raises:
        SweepError: The connection is refused, or the host cannot be reached.
    """
    parts = urllib.parse.urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number; Dask will say so
        return
    if parts.scheme != "tcp" or not host or port is None:
        return
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise SweepError(
            f"cannot connect to the Dask scheduler at {address!r}: {reason}; is "
            "`dask scheduler` running there, and is the address (tcp://HOST:PORT) right?"
        ) from None


class DaskBackend:
    """Run chunks on Dask distributed.

    On a new :class:`distributed.LocalCluster` of worker processes
    (:func:`local_cluster`), or the cluster behind a scheduler address or an existing
    :class:`distributed.Client`.
    The setup is scattered to every worker once; workers build the plugin registry
    from the installed plugins' entry points (or the setup's factory) and load the
    shipped scenario once per process.

    Args:
        setup: The sweep's setup.
        workers: Worker processes for a new ``LocalCluster``; one per core when ``None``.
        scheduler: A scheduler address (``tcp://host:8786``) or a ``Client``; a new
            ``LocalCluster`` when ``None``.
    """

    name = "dask"

    def __init__(
        self, setup: WorkerSetup, workers: int | None = None, scheduler: Any = None
    ) -> None:
        self.setup = setup
        self.workers = workers
        self.scheduler = scheduler
        self.parallelism = workers or default_workers()
        self._client: Any = None
        self._cluster: Any = None
        self._own_client = False
        self._pending: dict[Any, int] = {}
        self._setup_future: Any = None

    def start(self) -> None:
        """Connect to (or start) the cluster and scatter the setup to every worker.

        Raises:
            ImportError: dask.distributed is not installed.
            SweepError: The scheduler cannot be reached.
        """
        Client = _distributed().Client
        if isinstance(self.scheduler, Client):
            self._client = self.scheduler
        elif self.scheduler:
            _check_listening(str(self.scheduler))
            try:
                self._client = Client(self.scheduler, set_as_default=False)
            except OSError as exc:  # refused, unreachable, timed out
                raise SweepError(
                    f"cannot connect to the Dask scheduler at {self.scheduler!r}: {exc}"
                ) from exc
            self._own_client = True
        else:
            self._cluster = local_cluster(self.parallelism)
            self._client = Client(self._cluster, set_as_default=False)
            self._own_client = True
        if self.scheduler is not None:
            nthreads = self._client.nthreads()
            self.parallelism = max(1, sum(nthreads.values()))
        self._setup_future = self._client.scatter(self.setup, broadcast=True, hash=False)

    def run(self, chunks: Iterable[list[RunSpec]]) -> Iterator[ChunkDone]:
        """Keep every worker thread busy; yield chunks as they finish."""
        as_completed: Any = importlib.import_module("distributed").as_completed
        if self._client is None:
            self.start()
        client = self._client
        pending = self._pending
        it = iter(chunks)
        queue = as_completed(loop=client.loop)
        exhausted = False

        def top_up() -> None:
            nonlocal exhausted
            while not exhausted and len(pending) < self.parallelism * _IN_FLIGHT:
                chunk = next(it, None)
                if chunk is None:
                    exhausted = True
                    return
                future = client.submit(run_chunk, self._setup_future, chunk, pure=False)
                pending[future] = len(chunk)
                queue.add(future)

        top_up()
        while pending:
            future = next(queue)
            size = pending.pop(future)
            try:
                rows = future.result()
            except Exception as exc:
                done = ChunkDone(size, error=exc)
            else:
                done = ChunkDone(size, rows=rows)
            future.release()
            top_up()
            yield done

    def close(self) -> None:
        """Cancel unfinished chunks; close the client and cluster this backend made."""
        client, self._client = self._client, None
        if client is None:
            return
        with contextlib.suppress(Exception):
            if self._pending:
                client.cancel(list(self._pending))
            self._pending.clear()
            if self._setup_future is not None:
                self._setup_future.release()
        if self._own_client:
            with contextlib.suppress(Exception):
                client.close()
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.close()
            self._cluster = None
