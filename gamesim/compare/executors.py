"""Where tasks run: in this process, in local processes, or on Dask.

Every executor has one method, :meth:`Executor.run`, which takes a function
and a list of tasks and yields ``(task, outcome)`` pairs as tasks finish, in
whatever order they finish. The caller saves each outcome at once, so an
interruption loses only the tasks still running.

``local``
    :class:`LocalExecutor`, one task after the other in this process.
``processes``
    :class:`ProcessExecutor`, a :class:`concurrent.futures.ProcessPoolExecutor`
    using every core (start method ``forkserver`` where available, else
    ``spawn``; never ``fork``, which is unsafe in a process with threads).
``dask://HOST:PORT``
    :class:`DaskExecutor`, a Dask distributed scheduler (needs the ``dask``
    extra: ``pip install gamesim[dask]``). In Python a
    ``dask.distributed.Client`` may be given instead of an address.
``auto``
    ``processes`` when there is more than one task and more than one core,
    else ``local``.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import threading
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures.process import BrokenProcessPool, ProcessPoolExecutor
from typing import Any, Callable, Iterator, Sequence

from gamesim.errors import ConfigError

logger = logging.getLogger(__name__)

#: seconds allowed to reach a Dask scheduler before giving up
DASK_CONNECT_TIMEOUT = 5.0

_DASK_ADDRESS = re.compile(r"^dask://(?P<host>\[[0-9A-Fa-f:.]+\]|[^:/\s]+)"
                           r"(?::(?P<port>\d+))?/?$")


class SweepInterrupted(RuntimeError):
    """A sweep stopped before every task finished (for example a worker died).

    The tasks that finished are saved; running the same comparison again
    runs only the missing ones.
    """


def available_cores() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


class Executor:
    """Base class: runs tasks and yields ``(task, outcome)`` as they finish."""

    name = "executor"
    workers = 1

    def run(self, fn: Callable, tasks: Sequence) -> Iterator[tuple[Any, Any]]:
        """Apply ``fn`` to every task; yield ``(task, result)`` as each ends."""
        raise NotImplementedError

    def describe(self) -> str:
        """Short text for logs and the experiment manifest."""
        return self.name

    def close(self) -> None:
        """Release what the executor holds."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class LocalExecutor(Executor):
    """Run tasks one after the other in this process."""

    name = "local"

    def run(self, fn, tasks):
        """Run the tasks one after another in this process."""
        for task in tasks:
            yield task, fn(task)


def _worker_init() -> None:
    """Worker initialiser: one kernel thread; leave when the parent is gone.

    A worker whose parent was killed (SIGKILL leaves it no time to clean up)
    would otherwise wait for work forever. The watch uses the parent's
    sentinel (a pipe the parent holds open), which works for the ``spawn``
    and ``forkserver`` start methods alike.
    """
    # the sweep spreads over the cores already: compiled loops stay on one
    # thread per worker (gamesim.kernels.threads reads this)
    os.environ.setdefault("GAMESIM_THREADS", "1")
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - not started by multiprocessing
        return

    def watch():
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, name="gamesim-parent-watch", daemon=True).start()


class ProcessExecutor(Executor):
    """Run tasks in a pool of local worker processes.

    Parameters
    ----------
    workers : int, optional
        Number of processes (default: every available core).
    start_method : {"forkserver", "spawn"}, optional
        How workers start (default ``forkserver`` where available).
    retries : int
        How many times to start a new pool and resubmit the unfinished tasks
        when a worker process dies (killed, out of memory). After that,
        :class:`SweepInterrupted` is raised; finished tasks are kept.
    """

    name = "processes"

    def __init__(self, workers: int | None = None, start_method: str | None = None,
                 retries: int = 1):
        if workers is not None and (isinstance(workers, bool) or
                                    not isinstance(workers, int) or workers < 1):
            raise ConfigError(f"workers must be an integer >= 1, got {workers!r}")
        if retries < 0:
            raise ConfigError(f"retries must be >= 0, got {retries}")
        methods = multiprocessing.get_all_start_methods()
        if start_method is None:
            start_method = "forkserver" if "forkserver" in methods else "spawn"
        usable = [m for m in methods if m != "fork"]
        if start_method not in usable:
            raise ConfigError(f"start method {start_method!r} is not usable here "
                              f"(use one of {', '.join(usable)})")
        self.workers = workers or available_cores()
        self.start_method = start_method
        self.retries = retries
        self._pool: ProcessPoolExecutor | None = None

    def describe(self) -> str:
        return f"processes ({self.workers} workers, {self.start_method})"

    def _new_pool(self, tasks: int) -> ProcessPoolExecutor:
        context = multiprocessing.get_context(self.start_method)
        if self.start_method == "forkserver":
            context.set_forkserver_preload(["gamesim.compare.tasks",
                                            "gamesim.games", "gamesim.rules"])
        return ProcessPoolExecutor(max_workers=max(1, min(self.workers, tasks)),
                                   mp_context=context, initializer=_worker_init)

    def run(self, fn, tasks):
        """Run the tasks in worker processes, retrying a task whose worker
        died; yield each result as it arrives."""
        pending = list(tasks)
        failures = 0
        finished_any = False
        while pending:
            pool = self._pool = self._new_pool(len(pending))
            futures = {pool.submit(fn, task): i for i, task in enumerate(pending)}
            done_idx: set[int] = set()
            broken = False
            try:
                waiting = set(futures)
                while waiting and not broken:
                    finished, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        try:
                            outcome = fut.result()
                        except BrokenProcessPool:
                            broken = True
                            continue
                        done_idx.add(futures[fut])
                        yield pending[futures[fut]], outcome
                for fut in waiting if broken else ():
                    # tasks that finished before the pool broke still count
                    if fut.done() and not fut.cancelled() and fut.exception() is None:
                        done_idx.add(futures[fut])
                        yield pending[futures[fut]], fut.result()
            finally:
                # an early exit (error, interrupt) abandons the running tasks
                early = len(done_idx) < len(futures) and not broken
                self._shutdown(pool, kill=early)
                self._pool = None
            pending = [t for i, t in enumerate(pending) if i not in done_idx]
            finished_any = finished_any or bool(done_idx)
            if broken:
                failures += 1
                if failures > self.retries:
                    # workers that die before any task ends usually could not
                    # start: a script that starts a sweep when imported
                    hint = "" if finished_any else (
                        " (no task finished: if this is a script, is the "
                        "comparison under if __name__ == '__main__':?)")
                    raise SweepInterrupted(
                        f"a worker process died and {len(pending)} task(s) did not "
                        f"finish (after {failures - 1} retry(ies)); finished tasks "
                        f"are saved: run the same comparison again to do the rest"
                        f"{hint}"
                    )
                logger.warning("a worker process died; restarting the pool for the "
                               "%d unfinished task(s)", len(pending))

    @staticmethod
    def _shutdown(pool: ProcessPoolExecutor, kill: bool) -> None:
        """Stop the pool; with ``kill``, end the workers without waiting."""
        if not kill:
            pool.shutdown(wait=True, cancel_futures=True)
            return
        # ProcessPoolExecutor has no public way to stop running tasks before
        # Python 3.14 (terminate_workers); its process table is read instead.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            if proc.is_alive():
                proc.terminate()

    def close(self):
        if self._pool is not None:
            self._shutdown(self._pool, kill=True)
            self._pool = None


def parse_dask_address(text: str) -> str:
    """``dask://HOST:PORT`` -> ``tcp://HOST:PORT`` (port 8786 by default).

    Raises
    ------
    ConfigError
        If the address is not of that form.
    """
    match = _DASK_ADDRESS.match(text.strip())
    if not match:
        raise ConfigError(f"bad Dask address {text!r}: expected dask://HOST:PORT")
    port = int(match["port"] or 8786)
    if not 0 < port < 65536:
        raise ConfigError(f"bad Dask address {text!r}: port {port} out of range")
    return f"tcp://{match['host']}:{port}"


class DaskExecutor(Executor):
    """Run tasks on a Dask distributed cluster.

    Parameters
    ----------
    client : str or dask.distributed.Client
        ``dask://HOST:PORT`` or an existing client, which is left open.
    retries : int
        Times Dask may rerun a task whose worker died.
    timeout : float, optional
        Seconds allowed to reach the scheduler (default
        :data:`DASK_CONNECT_TIMEOUT`).

    Notes
    -----
    Workers must be able to import the same version of gamesim. Dask
    itself reschedules the tasks of a worker that dies.
    """

    name = "dask"

    def __init__(self, client, retries: int = 2, timeout: float | None = None):
        distributed = _import_distributed()
        self.retries = retries
        if isinstance(client, str):
            address = parse_dask_address(client)
            if timeout is None:
                timeout = DASK_CONNECT_TIMEOUT
            self.client = _connect(distributed, address, timeout)
            self._owned = True
        elif isinstance(client, distributed.Client):
            self.client = client
            self._owned = False
        else:
            raise ConfigError(f"not a Dask client or address: {client!r}")
        self.address = self.client.scheduler.address
        info = self.client.scheduler_info()
        self.workers = max(1, len(info.get("workers", {})))
        if not info.get("workers"):
            logger.warning("the Dask scheduler has no workers yet; tasks will wait")

    def describe(self) -> str:
        return f"dask ({self.address})"

    def run(self, fn, tasks):
        """Submit the tasks to the Dask cluster; yield results as they end."""
        distributed = _import_distributed()
        futures = [self.client.submit(fn, task, pure=False, retries=self.retries)
                   for task in tasks]
        which = {fut.key: task for fut, task in zip(futures, tasks)}
        try:
            for fut in distributed.as_completed(futures, loop=self.client.loop):
                try:
                    outcome = fut.result()
                except distributed.KilledWorker as exc:
                    raise SweepInterrupted(
                        f"Dask workers died running a task ({exc}); finished tasks "
                        "are saved: run the same comparison again to do the rest"
                    ) from None
                yield which[fut.key], outcome
        finally:
            unfinished = [f for f in futures if not f.done()]
            if unfinished:
                self.client.cancel(unfinished)

    def close(self):
        if self._owned:
            self.client.close()


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise ConfigError(
            "the Dask executor needs dask.distributed: pip install 'gamesim[dask]'"
        ) from None
    return distributed


def _connect(distributed, address: str, timeout: float):
    # Dask logs each failed connection attempt; one clear error is enough.
    quiet = [logging.getLogger(n) for n in ("distributed", "distributed.client",
                                            "distributed.comm")]
    levels = [q.level for q in quiet]
    for q in quiet:
        q.setLevel(logging.CRITICAL)
    try:
        return distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError):
        raise ConfigError(
            f"cannot reach the Dask scheduler at {address} within {timeout:g} s; "
            "is it running, and is the address right?"
        ) from None
    finally:
        for q, level in zip(quiet, levels):
            q.setLevel(level)


def make_executor(spec, *, workers: int | None = None, tasks: int = 2) -> Executor:
    """An executor from a name, a ``dask://`` address or a Dask client.

    Parameters
    ----------
    spec : str, Executor or dask.distributed.Client
        ``"auto"``, ``"local"``, ``"processes"``, ``"dask://HOST:PORT"``, an
        :class:`Executor`, or a Dask client.
    workers : int, optional
        Worker processes for ``"processes"``.
    tasks : int
        Number of tasks (``"auto"`` runs a single task in this process).
    """
    if isinstance(spec, Executor):
        return spec
    if spec is None:
        spec = "auto"
    if not isinstance(spec, str):
        if type(spec).__module__.split(".")[0] == "distributed":
            return DaskExecutor(spec)
        raise ConfigError(f"unknown executor {spec!r}")
    text = spec.strip()
    if text == "auto":
        cores = workers or available_cores()
        text = "processes" if tasks > 1 and cores > 1 else "local"
    if text == "local":
        return LocalExecutor()
    if text == "processes":
        return ProcessExecutor(workers=workers)
    if text.startswith("dask://"):
        parse_dask_address(text)
        return DaskExecutor(text)
    raise ConfigError(
        f"unknown executor {spec!r} (use local, processes, auto or dask://HOST:PORT)"
    )
