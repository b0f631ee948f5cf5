"""Atomic writes (issue 9, item 3): an interrupted write never leaves a
truncated file behind.

The interruptions are simulated three ways: a write that raises halfway
(full disk, Ctrl-C), a failure at the flush or the rename, and a real
child process killed with SIGKILL while it rewrites a large file. After each,
the target must hold the old content or the new content, whole.
"""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

import gamesim.io
from gamesim import ConfigError
from gamesim.cli import main
from gamesim.io import (
    atomic_write_bytes,
    atomic_write_csv,
    atomic_write_json,
    atomic_write_text,
    ensure_writable_dir,
)

OLD = b"step,value\n" + b"".join(b"%d,%d\n" % (i, i * i) for i in range(1000))
NEW = b"x" * 300_000


class _HalfWriter(io.RawIOBase):
    """A binary file that writes half of what it is given, then raises."""

    def __init__(self, fd, error):
        self._file = io.FileIO(fd, "wb")
        self._error = error

    def writable(self):
        return True

    def write(self, data):
        data = bytes(data)
        self._file.write(data[: len(data) // 2])
        raise self._error

    def fileno(self):
        return self._file.fileno()

    def close(self):
        self._file.close()
        super().close()


def _interrupt_writes(monkeypatch, error):
    """Make every file gamesim.io opens write half its data, then raise."""
    real_fdopen = os.fdopen

    def fdopen(fd, mode="r", *args, **kwargs):
        if "w" in mode:
            return _HalfWriter(fd, error)
        return real_fdopen(fd, mode, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", fdopen)


def _only(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("error,expected", [
    (OSError(errno.ENOSPC, "No space left on device"), ConfigError),
    (KeyboardInterrupt(), KeyboardInterrupt),
])
def test_interrupted_write_keeps_the_old_file_and_no_temporary(
        tmp_path, monkeypatch, error, expected):
    target = tmp_path / "history.csv"
    target.write_bytes(OLD)
    _interrupt_writes(monkeypatch, error)
    with pytest.raises(expected) as info:
        atomic_write_bytes(target, NEW)
    assert target.read_bytes() == OLD
    assert _only(tmp_path) == ["history.csv"]
    if expected is ConfigError:  # a full disk is reported in one clear line
        assert str(info.value) == (
            f"cannot write {str(target)!r}: No space left on device")


def test_interrupted_first_write_leaves_nothing(tmp_path, monkeypatch):
    _interrupt_writes(monkeypatch, OSError(errno.EIO, "Input/output error"))
    with pytest.raises(ConfigError, match="Input/output error"):
        atomic_write_text(tmp_path / "report.md", "# report\n" * 1000)
    assert _only(tmp_path) == []


@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_failure_at_flush_or_rename(tmp_path, monkeypatch, where):
    target = tmp_path / "final.csv"
    target.write_bytes(OLD)

    def fail(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, where, fail)
    with pytest.raises(ConfigError, match="cannot write .*final.csv"):
        atomic_write_bytes(target, NEW)
    assert target.read_bytes() == OLD
    assert _only(tmp_path) == ["final.csv"]


def test_writers_round_trip_and_write_in_the_same_folder(tmp_path, monkeypatch):
    # the rename is atomic only within one file system: the temporary file
    # must be a sibling of the target
    renames = []
    real_replace = os.replace

    def spy(src, dst):
        renames.append((os.path.dirname(src), os.path.dirname(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    frame = pd.DataFrame({"run": [0, 0, 1], "step": [0, 10, 0],
                          "nash_conv": [0.5, 0.25, 1.0]})
    atomic_write_csv(tmp_path / "h.csv", frame)
    atomic_write_json(tmp_path / "r.json", {"status": "converged", "x": [0.5]})
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "h.csv"), frame)
    assert json.loads((tmp_path / "r.json").read_text()) == {
        "status": "converged", "x": [0.5]}
    assert renames == [(str(tmp_path), str(tmp_path))] * 2
    assert _only(tmp_path) == ["h.csv", "r.json"]


def test_permissions_are_those_of_a_normal_file(tmp_path):
    # mkstemp-style 0600 files would hide shared results from colleagues:
    # a new file gets 0666 less the umask, a replaced file keeps its mode
    umask = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "new.txt", "a")
        assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644
        (tmp_path / "old.txt").write_text("a")
        os.chmod(tmp_path / "old.txt", 0o640)
        atomic_write_text(tmp_path / "old.txt", "b")
        assert stat.S_IMODE((tmp_path / "old.txt").stat().st_mode) == 0o640
        assert (tmp_path / "old.txt").read_text() == "b"
    finally:
        os.umask(umask)


def test_missing_folder_is_a_named_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot write .*missing.*No such file"):
        atomic_write_text(tmp_path / "missing" / "a.csv", "1\n")


_KILLED_WRITER = textwrap.dedent("""
    import sys, types
    # load gamesim.io without the package's __init__ (numpy, pandas, the
    # engine): the child then starts in milliseconds, not seconds
    package = types.ModuleType("gamesim")
    package.__path__ = [sys.argv[3]]
    sys.modules["gamesim"] = package
    from gamesim.io import atomic_write_bytes
    target, size = sys.argv[1], int(sys.argv[2])
    k = 0
    print("ready", flush=True)
    while True:
        k += 1
        atomic_write_bytes(target, (b"%09d\\n" % k) * (size // 10))
""")


def test_a_killed_writer_never_leaves_a_truncated_file(tmp_path):
    # a real interruption: a child rewrites an 8 MB file in a loop and is
    # killed with SIGKILL at three moments; the target is always whole
    target = tmp_path / "table.csv"
    size = 8_000_000
    target.write_bytes(b"%09d\n" % 0 * (size // 10))
    for delay in (0.05, 0.25, 0.5):
        child = subprocess.Popen(
            [sys.executable, "-c", _KILLED_WRITER, str(target), str(size),
             os.path.dirname(gamesim.io.__file__)],
            stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() == "ready"
            time.sleep(delay)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        data = target.read_bytes()
        assert len(data) == size
        lines = data.split(b"\n")[:-1]
        assert len(set(lines)) == 1  # one version, not a mix of two
    # SIGKILL leaves no chance to clean up: stray temporaries are hidden
    # siblings that a later write does not trip over
    leftovers = [p for p in _only(tmp_path) if p != "table.csv"]
    assert leftovers, "no kill landed inside a write: the test proved nothing"
    assert all(p.startswith(".table.csv.") and p.endswith(".tmp") for p in leftovers)
    atomic_write_bytes(target, b"done\n")
    assert target.read_bytes() == b"done\n"


def test_cli_run_output_is_whole_or_untouched(tmp_path, monkeypatch, capsys):
    # gamesim run --out writes history.csv, final.csv, result.json; a disk
    # that fills up during the second leaves the first new and whole, the
    # second as it was, and ends with exit status 2 and one line
    out = tmp_path / "out"
    argv = ["run", "--game", "bilinear", "--rule", "eg:lr=0.1", "--steps", "50",
            "--out", str(out)]
    assert main(argv) == 0
    before = {name: (out / name).read_bytes() for name in _only(out)}
    assert sorted(before) == ["final.csv", "history.csv", "result.json"]

    gio = gamesim.io
    real = gio.atomic_write_bytes
    calls = []

    def full_disk_on_second(path, data):
        calls.append(os.path.basename(path))
        if len(calls) == 2:
            raise ConfigError(f"cannot write {str(path)!r}: No space left on device")
        return real(path, data)

    monkeypatch.setattr(gio, "atomic_write_bytes", full_disk_on_second)
    capsys.readouterr()
    argv[argv.index("50")] = "60"
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err
    assert _only(out) == ["final.csv", "history.csv", "result.json"]
    history = pd.read_csv(out / "history.csv")
    assert history["step"].max() == 60  # the new table, whole
    assert (out / "final.csv").read_bytes() == before["final.csv"]
    assert (out / "result.json").read_bytes() == before["result.json"]


def test_output_folder_checks(tmp_path):
    with pytest.raises(ConfigError, match="output folder name is empty"):
        ensure_writable_dir("")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="cannot create output folder"):
        ensure_writable_dir(blocker / "sub")
    with pytest.raises(ConfigError, match="cannot create output folder"):
        ensure_writable_dir(blocker)
    assert ensure_writable_dir(tmp_path / "a" / "b").is_dir()
    # the writability probe leaves nothing behind
    assert list((tmp_path / "a" / "b").iterdir()) == []
