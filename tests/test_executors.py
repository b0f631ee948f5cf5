"""The same sweep gives identical tables in-process, on processes and on Dask.

Issue 6's acceptance sweep: 4 rules x 5 step sizes x 20 seeds on the
bilinear game and on the Dirac-GAN. Every number of the runs, history and
summary tables must be equal exactly (only ``wall_time`` may differ): the
engine is deterministic given the seeds, and tasks carry nothing but specs
and seeds to the workers.
"""

import subprocess
import sys

import pandas as pd
import pytest

from gamesim.compare import (
    DaskExecutor,
    LocalExecutor,
    ProcessExecutor,
    compare,
    make_executor,
)
from gamesim.compare.executors import parse_dask_address
from gamesim.errors import ConfigError

STEP_SIZES = "0.01|0.05|0.1|0.2|0.5"
SWEEP = dict(
    games=["bilinear", "dirac"],
    rules=[f"gda:lr={STEP_SIZES}", f"ogda:lr={STEP_SIZES}", f"eg:lr={STEP_SIZES}",
           f"momentum:lr={STEP_SIZES},beta=-0.5,schedule=alternating"],
    seeds=20, steps=150, tol=1e-3, init_noise=0.1, record_every=10,
)
TASKS = 2 * 4 * 5


def assert_identical(a, b):
    """Exact equality of every table, wall time aside."""
    pd.testing.assert_frame_equal(a.runs.drop(columns="wall_time"),
                                  b.runs.drop(columns="wall_time"), check_exact=True)
    pd.testing.assert_frame_equal(a.histories, b.histories, check_exact=True)
    pd.testing.assert_frame_equal(a.summary.drop(columns="wall_time"),
                                  b.summary.drop(columns="wall_time"),
                                  check_exact=True)


@pytest.fixture(scope="module")
def reference():
    return compare(**SWEEP, executor="local")


def test_reference_sweep_has_every_run(reference):
    runs = reference.runs
    assert len(runs) == TASKS * 20
    assert not runs.duplicated(["config", "seed"]).any()
    assert runs["config"].nunique() == TASKS == len(reference.summary)
    assert set(runs["game"]) == {"bilinear", "dirac"}
    assert sorted(runs["lr"].unique()) == [0.01, 0.05, 0.1, 0.2, 0.5]
    # seeds differ through the initial-point noise, so runs are not copies
    first = runs[runs["config"] == runs["config"].iloc[0]]
    assert first["distance_to_equilibrium"].nunique() == 20


def test_processes_give_identical_tables(reference):
    result = compare(**SWEEP, executor=ProcessExecutor(workers=2))
    assert_identical(reference, result)


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                       processes=True, host="127.0.0.1",
                                       dashboard_address="127.0.0.1:0",
                                       worker_dashboard_address="127.0.0.1:0")
    client = distributed.Client(cluster, set_as_default=False)
    yield cluster, client
    client.close()
    cluster.close()


def test_dask_client_gives_identical_tables(reference, dask_cluster):
    _, client = dask_cluster
    result = compare(**SWEEP, executor=client)
    assert_identical(reference, result)
    assert result.experiment.executor.startswith("dask://127.0.0.1:")
    assert client.status == "running"  # a client we were given stays open


def test_dask_address_gives_identical_tables(reference, dask_cluster, tmp_path):
    cluster, _ = dask_cluster
    address = "dask://" + cluster.scheduler_address.split("://", 1)[1]
    result = compare(**SWEEP, executor=address, out=tmp_path / "out")
    assert_identical(reference, result)


def test_unreachable_dask_address_fails_fast(free_port):
    import time

    started = time.perf_counter()
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        DaskExecutor(f"dask://127.0.0.1:{free_port}", timeout=1.0)
    assert time.perf_counter() - started < 10


@pytest.fixture
def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("text, expected", [
    ("dask://127.0.0.1:8786", "tcp://127.0.0.1:8786"),
    ("dask://scheduler", "tcp://scheduler:8786"),
    ("dask://[::1]:9000", "tcp://[::1]:9000"),
])
def test_parse_dask_address(text, expected):
    assert parse_dask_address(text) == expected


@pytest.mark.parametrize("text", ["dask://", "dask://host:port", "dask://h:70000",
                                  "tcp://h:1"])
def test_bad_dask_address_is_a_config_error(text):
    with pytest.raises(ConfigError, match="Dask address"):
        parse_dask_address(text)


def test_make_executor_names():
    assert isinstance(make_executor("local"), LocalExecutor)
    assert isinstance(make_executor("auto", tasks=1), LocalExecutor)
    assert isinstance(make_executor("processes", workers=2), ProcessExecutor)
    assert make_executor("auto", workers=2, tasks=5).name == "processes"
    with pytest.raises(ConfigError, match="unknown executor 'threads'"):
        make_executor("threads")
    with pytest.raises(ConfigError, match="workers must be"):
        ProcessExecutor(workers=0)


def test_dask_is_imported_only_when_used():
    code = ("import sys, gamesim.compare, gamesim.cli.compare; "
            "print(any(m.split('.')[0] in ('dask', 'distributed') "
            "for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "False"


def test_dask_worker_killed_mid_sweep_changes_nothing(reference, dask_cluster):
    # Dask reruns the tasks of a worker that dies; the table must not notice.
    # Kept last in this file: the cluster's nanny restarts the killed worker.
    import os
    import signal

    _, client = dask_cluster
    pids = list(client.run(os.getpid).values())
    killed = []

    def kill_a_worker(progress):
        if not killed and progress.last is not None:
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    result = compare(**SWEEP, executor=client, progress=kill_a_worker)
    assert killed
    assert_identical(reference, result)
