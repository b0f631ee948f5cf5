"""Writing result files atomically, checking output folders, reading CSV text.

Every file gamesim writes goes to a temporary name in the same folder and is
then renamed over the target, so an interrupted run never leaves a truncated
table or report behind: a reader sees the old file or the new one, whole.
An exception during the write (a full disk, Ctrl-C) also removes the
temporary file; only a killed process (SIGKILL, power loss) can leave one
behind, as a hidden ``.NAME.*.tmp`` file next to the target.

The file gets the permissions of the file it replaces, or those of a newly
created file (``0o666`` less the umask).

:func:`read_csv_rows` splits the text of an input file (payoffs, data) into
rows and says when it is not CSV at all, such as a quote that is never closed.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import secrets
import stat
import tempfile
from pathlib import Path
from typing import Any

from gamesim.errors import ConfigError, DataError


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


def read_csv_rows(text: str, what: str) -> list[tuple[int, list[str]]]:
    """The rows of CSV text, each with the line it starts on (from 1).

    Parsed by :mod:`csv`'s default dialect (commas, double quotes; a quoted
    field may span lines), which is lenient about text after a closing
    quote (``"a" ,b``) but would silently read a quote that is never closed
    as a field running to the end of the file: that is refused here.

    Parameters
    ----------
    text : str
        The file's text.
    what : str
        The file as error messages name it, e.g. ``"payoff file a.csv"``.

    Raises
    ------
    DataError
        If the text cannot be parsed as CSV: a quote opened and never
        closed, or a field over the csv module's size limit. The message
        names the file and the line.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataError(
                f"{what} could not be parsed as CSV (line {start}: {exc})"
            ) from None
        rows.append((start, row))

    # A quote left open swallows the rest of the file into the last row.
    # The strict reader says so ("unexpected end of data") where the lenient
    # one does not; it reads that row the same way up to the end otherwise.
    if rows:
        start = rows[-1][0]
        tail = "".join(io.StringIO(text, newline="").readlines()[start - 1:])
        try:
            for _ in csv.reader(io.StringIO(tail, newline=""), strict=True):
                pass
        except csv.Error as exc:
            if str(exc).startswith("unexpected end of data"):
                raise DataError(
                    f"{what} could not be parsed as CSV: a quote (\") in the row "
                    f"that starts on line {start} is never closed"
                ) from None
    return rows
