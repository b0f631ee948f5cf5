"""Writing result files atomically, and checking output folders.

Every file gamesim writes goes to a temporary name in the same folder and is
then renamed over the target, so an interrupted run never leaves a truncated
table or report behind.
"""

from __future__ import annotations

import json
import os
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
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                               dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write text (UTF-8) atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Write an object as indented JSON atomically."""
    return atomic_write_text(path, json.dumps(obj, indent=2, default=str) + "\n")


def atomic_write_csv(path: str | os.PathLike, frame) -> Path:
    """Write a pandas DataFrame as CSV atomically (no index column)."""
    return atomic_write_text(path, frame.to_csv(index=False))
