"""Writing result files atomically, and checking output folders.

Every file gamesim writes goes to a temporary name in the same folder and is
then renamed over the target, so an interrupted run never leaves a truncated
table or report behind: a reader sees the old file or the new one, whole.
An exception during the write (a full disk, Ctrl-C) also removes the
temporary file; only a killed process (SIGKILL, power loss) can leave one
behind, as a hidden ``.NAME.*.tmp`` file next to the target.

The file gets the permissions of the file it replaces, or those of a newly
created file (``0o666`` less the umask).
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import stat
import tempfile
from pathlib import Path
from typing import Any

from gamesim.errors import ConfigError


def ensure_writable_dir(path: str | os.PathLike) -> Path:
    """Create ``path`` if needed and check that files can be written in it.

    Raises
    ------
    ConfigError
        If the folder cannot be created or written.
    """
    if not str(path).strip():
        raise ConfigError("output folder name is empty")
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create output folder {str(folder)!r}: "
                          f"{exc.strerror or exc}") from None
    if not folder.is_dir():
        raise ConfigError(f"output path {str(folder)!r} is not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".gamesim-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ConfigError(f"output folder {str(folder)!r} is not writable: "
                          f"{exc.strerror or exc}") from None
    return folder


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    Raises
    ------
    ConfigError
        If the file cannot be written (missing folder, no permission, full
        disk); the message names the file. The old file, if any, is intact
        and the temporary file is removed.
    """
    target = Path(path)
    fd, tmp = _create_temporary(target)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _copy_mode(target, tmp)
        os.replace(tmp, target)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise ConfigError(
                f"cannot write {str(target)!r}: {exc.strerror or exc}") from None
        raise
    return target


def _create_temporary(target: Path) -> tuple[int, str]:
    """Open a new hidden file next to ``target`` (mode 0o666 less the umask)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), str(tmp)
        except FileExistsError:
            continue
        except OSError as exc:
            raise ConfigError(
                f"cannot write {str(target)!r}: {exc.strerror or exc}") from None
    raise ConfigError(f"cannot write {str(target)!r}: "
                      f"{os.strerror(errno.EEXIST)} (temporary names exhausted)")


def _copy_mode(target: Path, tmp: str) -> None:
    """Give the temporary file the permissions of the file it replaces."""
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return
    os.chmod(tmp, mode)


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write text (UTF-8) atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Write an object as indented JSON atomically."""
    return atomic_write_text(path, json.dumps(obj, indent=2, default=str) + "\n")


def atomic_write_csv(path: str | os.PathLike, frame) -> Path:
    """Write a pandas DataFrame as CSV atomically (no index column)."""
    return atomic_write_text(path, frame.to_csv(index=False))
