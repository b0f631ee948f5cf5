"""Interrupted sweeps lose nothing that finished and resume without duplicates.

Two kinds of interruption (issue 6):

* a worker process killed with SIGKILL part-way through a sweep;
* the whole ``gamesim compare`` command stopped by SIGINT (Ctrl-C, sent to
  its process group), SIGTERM or SIGKILL.

After each, running the same command again must give the complete table:
every configuration and seed exactly once, with the numbers of an
uninterrupted in-process run (the reference here is ``compare`` run in
memory with the local executor).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from gamesim.compare import (
    ProcessExecutor,
    SweepInterrupted,
    compare,
    load_comparison,
)

# CPU-bound enough (about 0.3 s a task on an idle core) for an interruption to land
# part-way, small enough for the whole file to take well under a minute
SWEEP = dict(
    games=["bilinear:n=2", "bilinear:n=4"],
    rules=["gda:lr=0.001|0.002|0.003|0.004", "ogda:lr=0.001|0.002|0.003|0.004",
           "eg:lr=0.001|0.002|0.003|0.004"],
    seeds=10, steps=50000, record_every=5000, init_noise=0.1,
)
TASKS = 2 * 3 * 4
RUNS = TASKS * 10


@pytest.fixture(scope="module")
def reference():
    return compare(**SWEEP, executor="local")


def assert_complete_and_equal(result, reference):
    runs = result.runs
    assert len(runs) == RUNS
    assert not runs.duplicated(["config", "seed"]).any()
    assert not result.histories.duplicated(["config", "seed", "step"]).any()
    pd.testing.assert_frame_equal(runs.drop(columns="wall_time"),
                                  reference.runs.drop(columns="wall_time"),
                                  check_exact=True)
    pd.testing.assert_frame_equal(result.histories, reference.histories,
                                  check_exact=True)


def saved_tasks(out: Path) -> list[Path]:
    return sorted((out / "tasks").glob("*.runs.csv"))


# -- a worker killed ---------------------------------------------------------------

def parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def pool_workers() -> list[int]:
    """This process's pool workers: children of the forkserver we started."""
    ours = os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and parent_of(parent_of(int(entry.name))) == ours:
                found.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


class KillOneWorker:
    """Progress callback that SIGKILLs a pool worker once a task has finished."""

    def __init__(self):
        self.killed = None

    def __call__(self, progress):
        if self.killed is None and progress.last is not None:
            workers = pool_workers()
            assert workers, "no worker process to kill"
            self.killed = workers[0]
            os.kill(self.killed, signal.SIGKILL)


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="finds processes through /proc")


@needs_proc
def test_worker_killed_then_rerun_completes(tmp_path, reference):
    out = tmp_path / "sweep"
    killer = KillOneWorker()
    executor = ProcessExecutor(workers=2, start_method="forkserver", retries=0)
    with pytest.raises(SweepInterrupted, match="worker process died"):
        compare(**SWEEP, executor=executor, out=out, progress=killer)
    assert killer.killed is not None
    finished = saved_tasks(out)
    assert 1 <= len(finished) < TASKS
    assert not (out / "runs.csv").exists()

    reports = []
    result = compare(**SWEEP, executor="local", out=out, progress=reports.append)
    assert reports[0].resumed == len(finished)  # only missing tasks ran again
    assert reports[-1].tasks_done == TASKS
    assert_complete_and_equal(result, reference)
    assert_complete_and_equal(load_comparison(out), reference)


@needs_proc
def test_worker_killed_is_retried_within_the_same_sweep(tmp_path, reference):
    killer = KillOneWorker()
    executor = ProcessExecutor(workers=2, start_method="forkserver", retries=1)
    result = compare(**SWEEP, executor=executor, out=tmp_path / "sweep",
                     progress=killer)
    assert killer.killed is not None
    assert_complete_and_equal(result, reference)


# -- the whole command interrupted -----------------------------------------------

def _toml_value(value):
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


@pytest.fixture
def experiment_file(tmp_path):
    path = tmp_path / "experiment.toml"
    lines = [f"{key} = {_toml_value(value)}" for key, value in SWEEP.items()]
    lines += ['executor = "processes"', "workers = 2", 'out = "sweep"']
    path.write_text("\n".join(lines) + "\n")
    return path


def start(experiment_file) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gamesim", "compare", "--config", str(experiment_file),
         "--no-progress"],
        cwd=experiment_file.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )


def wait_for_tasks(out: Path, count: int, proc, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while len(saved_tasks(out)) < count:
        assert proc.poll() is None, "the sweep ended before it could be interrupted"
        assert time.monotonic() < deadline, "no task finished in time"
        time.sleep(0.02)


def session_processes(sid: int) -> list[int]:
    """Processes still alive in session ``sid`` (the command and its workers)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive


def wait_gone(sid: int, timeout: float = 10.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while session_processes(sid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return session_processes(sid)


@needs_proc
def test_command_interrupted_three_ways_then_resumed(experiment_file, reference):
    out = experiment_file.parent / "sweep"
    interruptions = [
        ("SIGINT to the process group", signal.SIGINT, True, 130),
        ("SIGTERM", signal.SIGTERM, False, 130),
        ("SIGKILL", signal.SIGKILL, False, -signal.SIGKILL),
    ]
    for what, sig, group, code in interruptions:
        before = len(saved_tasks(out)) if out.exists() else 0
        proc = start(experiment_file)
        try:
            wait_for_tasks(out, before + 2, proc)
        except AssertionError:
            proc.kill()
            raise
        if group:
            os.killpg(proc.pid, sig)
        else:
            os.kill(proc.pid, sig)
        try:
            _, err = proc.communicate(timeout=30)
        finally:
            for pid in session_processes(proc.pid):
                os.kill(pid, signal.SIGKILL)
        assert proc.returncode == code, f"{what}: exit {proc.returncode}: {err}"
        if sig != signal.SIGKILL:
            assert "gamesim: interrupted" in err.splitlines(), what
        # workers do not outlive the command, even after SIGKILL (the output
        # pipes closed above already prove it)
        assert wait_gone(proc.pid) == [], what
        assert not (out / "runs.csv").exists(), what
        finished = saved_tasks(out)
        assert before + 2 <= len(finished) < TASKS, what
        for path in finished:  # every saved file is whole
            assert len(pd.read_csv(path)) == 10, (what, path.name)

    done = len(saved_tasks(out))
    proc = start(experiment_file)
    stdout, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert f"{TASKS}/{TASKS} tasks ({done} resumed)" in err
    assert "wrote sweep/runs.csv" in stdout
    result = load_comparison(out)
    assert result.complete
    assert_complete_and_equal(result, reference)
    assert len(saved_tasks(out)) == TASKS
