"""Load real data for the GAN game: columns of a CSV file.

A data set is named either by a bundled name (``old_faithful``,
``palmer_penguins``; see ``gamesim/data/README.md`` for provenance) or by the
path of a CSV file with a header row. :func:`load_csv` returns a
:class:`Dataset`: the chosen numeric columns as an ``(N, d)`` float array,
optionally standardised (each column to mean 0 and standard deviation 1, the
mean and scale recorded so values can be mapped back), and optionally a
column of labels (such as the penguin species) for mode coverage.

Missing values (an empty cell or ``NA``/``NaN``) in the chosen columns are
either dropped, row by row, with a logged count (``missing="drop"``) or
refused (``missing="error"``); they are never passed on as NaN.

Examples
--------
>>> ds = load_csv("old_faithful", "eruptions", standardize=True)
>>> ds.values.shape, ds.columns
((272, 1), ('eruptions',))
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from gamesim.errors import DataError
from gamesim.io import read_csv_rows

logger = logging.getLogger(__name__)

__all__ = ["BUNDLED", "Dataset", "bundled_path", "default_labels", "load_csv"]

#: bundled data sets: name -> default label column (None if unlabelled)
BUNDLED = {"old_faithful": None, "palmer_penguins": "species"}

_MISSING = {"", "na", "nan", "n/a", "null", "none"}


@dataclass(frozen=True)
class Dataset:
    """Numeric columns of a CSV file, ready for a game.

    Attributes
    ----------
    values : ndarray, shape (N, d)
        The data, standardised if ``standardized``.
    columns : tuple of str
        Names of the ``d`` columns.
    mean, scale : ndarray, shape (d,)
        Standardisation: ``values = (raw - mean) / scale``. Zeros and ones
        when not standardised.
    standardized : bool
    source : str
        The bundled name or the file path.
    dropped : int
        Rows dropped for missing values.
    labels : ndarray of str, shape (N,), or None
        The label of each row, if a label column was asked for.
    label_column : str or None
    """

    values: np.ndarray = field(repr=False, compare=False)
    columns: tuple
    mean: np.ndarray = field(compare=False)
    scale: np.ndarray = field(compare=False)
    standardized: bool
    source: str
    dropped: int = 0
    labels: np.ndarray | None = field(default=None, repr=False, compare=False)
    label_column: str | None = None

    @property
    def n(self) -> int:
        """Number of rows."""
        return int(self.values.shape[0])

    @property
    def dim(self) -> int:
        """Number of columns ``d``."""
        return int(self.values.shape[1])

    def to_raw(self, values) -> np.ndarray:
        """Map values in the game's units back to the file's units."""
        return np.asarray(values) * self.scale + self.mean


def bundled_path(name: str):
    """The packaged file of a bundled data set (an importlib resource)."""
    return resources.files("gamesim").joinpath("data", f"{name}.csv")


def _resolve(name_or_path) -> tuple[str, str]:
    """The text of the file and a description of its source."""
    key = str(name_or_path)
    if key in BUNDLED:
        return bundled_path(key).read_text(encoding="utf-8"), key
    path = os.fspath(name_or_path)
    if not os.path.exists(path):
        raise DataError(
            f"data {key!r}: no such file, and not a bundled data set "
            f"(bundled: {', '.join(sorted(BUNDLED))})"
        )
    if os.path.isdir(path):
        raise DataError(f"data {key!r} is a directory, not a CSV file")
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read(), path
    except UnicodeDecodeError:
        raise DataError(f"data {key!r} is not a UTF-8 text (CSV) file") from None


def _read_table(name_or_path) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    """The source, the header and the data rows (with their line numbers).

    The checks that need no column name: the file exists and parses as CSV,
    it is not empty, it has data rows, and every row has the header's
    number of fields.
    """
    text, source = _resolve(name_or_path)
    rows = read_csv_rows(text, f"data {source!r}")
    while rows and not any(cell.strip() for cell in rows[-1][1]):
        rows.pop()
    if not rows or not any(cell.strip() for cell in rows[0][1]):
        raise DataError(f"data {source!r} is empty (no header row)")
    header = [cell.strip() for cell in rows[0][1]]
    body = rows[1:]
    if not body:
        raise DataError(f"data {source!r} has a header but no data rows")
    for lineno, row in body:
        if len(row) != len(header):
            raise DataError(
                f"data {source!r}, line {lineno}: {len(row)} fields, but the "
                f"header has {len(header)} (ragged rows)"
            )
    return source, header, body


def load_csv(
    name_or_path,
    columns: str | Sequence[str],
    *,
    standardize: bool = False,
    missing: str = "drop",
    labels: str | None = None,
) -> Dataset:
    """Load numeric columns of a bundled data set or of a CSV file.

    Parameters
    ----------
    name_or_path : str or path
        ``"old_faithful"``, ``"palmer_penguins"`` or the path of a CSV file
        whose first row names the columns (comma separated).
    columns : str or sequence of str
        The column(s) to load, in order.
    standardize : bool
        Centre each column and divide it by its standard deviation
        (``ddof=0``); the mean and scale are recorded in the result.
    missing : {"drop", "error"}
        What to do with rows that miss a value in a chosen column (or in the
        label column): drop them and log how many, or raise.
    labels : str, optional
        A column of class labels to keep alongside (e.g. ``"species"``).

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        Missing or empty file, a file that cannot be parsed as CSV (a quote
        that is never closed), no data rows, an unknown column (the message
        lists the available ones), a non-numeric value, a row with the wrong
        number of fields, missing values with ``missing="error"``, or a
        constant column with ``standardize=True``.
    """
    if missing not in ("drop", "error"):
        raise DataError(f"missing must be 'drop' or 'error', got {missing!r}")
    if isinstance(columns, str):
        columns = [columns]
    columns = [str(c).strip() for c in columns]
    if not columns:
        raise DataError("no columns asked for")

    # 1. header and rows, each row checked for its number of fields
    source, header, body = _read_table(name_or_path)

    # 2. the chosen columns exist
    wanted = columns + ([labels] if labels is not None else [])
    for name in wanted:
        if header.count(name) > 1:
            raise DataError(
                f"data {source!r} has {header.count(name)} columns named "
                f"{name!r}: rename them so the choice is not ambiguous"
            )
        if name not in header:
            raise DataError(
                f"data {source!r} has no column {name!r} "
                f"(available: {', '.join(header)})"
            )
    index = [header.index(c) for c in columns]

    # 3. parse the numbers, recording missing cells
    raw = np.empty((len(body), len(columns)))
    for i, (lineno, row) in enumerate(body):
        for j, col in enumerate(index):
            raw[i, j] = _number(row[col], source, columns[j], lineno)
    keep = np.all(np.isfinite(raw), axis=1)
    label_values = None
    if labels is not None:
        li = header.index(labels)
        label_values = np.array([row[li].strip() for _, row in body], dtype=object)
        keep &= np.array([v.lower() not in _MISSING for v in label_values])

    # 4. missing values: drop with a logged count, or refuse
    dropped = int(np.count_nonzero(~keep))
    if dropped:
        if missing == "error":
            first = body[int(np.argmin(keep))][0]
            raise DataError(
                f"data {source!r}: {dropped} row(s) miss a value in "
                f"{', '.join(wanted)} (first at line {first}); "
                "use missing='drop' to drop them"
            )
        logger.info(
            "data %r: dropped %d of %d rows with missing values in %s",
            source, dropped, len(body), ", ".join(wanted),
        )
        raw = raw[keep]
        if label_values is not None:
            label_values = label_values[keep]
    if len(raw) == 0:
        raise DataError(f"data {source!r}: no complete rows in {', '.join(wanted)}")

    # 5. standardise (recorded)
    d = len(columns)
    mean, scale = np.zeros(d), np.ones(d)
    if standardize:
        mean = raw.mean(axis=0)
        scale = raw.std(axis=0)
        flat = [c for c, s in zip(columns, scale) if not s > 0]
        if flat:
            raise DataError(
                f"data {source!r}: column(s) {', '.join(flat)} are constant; "
                "they cannot be standardised"
            )
        raw = (raw - mean) / scale
    return Dataset(
        values=raw,
        columns=tuple(columns),
        mean=mean,
        scale=scale,
        standardized=bool(standardize),
        source=source,
        dropped=dropped,
        labels=None if label_values is None else label_values.astype(str),
        label_column=labels,
    )


def default_labels(name_or_path) -> str | None:
    """The label column a bundled data set offers (``species``), else None."""
    return BUNDLED.get(str(name_or_path))


def _number(cell: str, source: str, column: str, lineno: int) -> float:
    text = cell.strip()
    if text.lower() in _MISSING:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise DataError(
            f"data {source!r}, line {lineno}, column {column!r}: "
            f"{cell!r} is not a number"
        ) from None
    if not math.isfinite(value):
        raise DataError(
            f"data {source!r}, line {lineno}, column {column!r}: "
            f"{cell!r} is not a finite number"
        )
    return value
