"""Finite two-player games in mixed strategies: zero-sum, constant-sum, bimatrix.

The row player chooses a mixed strategy ``x`` on the simplex of its ``m``
pure strategies, the column player ``y`` on the simplex of its ``n``. The
row player receives ``x^T A y`` and the column player ``x^T B y``; **both
maximise** (a zero-sum game has ``B = -A``, a constant-sum game
``A + B = c``). In gamesim's minimisation convention each player's loss is
minus its payoff, so the descent field is

    xi(x, y) = (-A y, -B^T x),

and ``value(z) = x^T A y`` is the row player's expected payoff. The joint
vector is ``z = (x, y)`` of length ``m + n`` with the run axis first.

Projected gradient steps use :meth:`MatrixGame.project`, the exact Euclidean
projection of each block onto its simplex. On a simplex the field does not
vanish at an equilibrium, so ``grad_norm`` is no convergence measure there:
use ``nash_conv``.

Metrics (one value per run):

========================  =====================================================
``nash_conv``             sum of both players' best-response gains
``exploitability_row``    the row player's best-response gain
``exploitability_column`` the column player's best-response gain
``nash_conv_relative``    ``nash_conv`` divided by the payoff range (scale-free)
``duality_gap``           zero-sum and constant-sum games: equals ``nash_conv``
``kl_to_equilibrium``     ``KL(x*||x) + KL(y*||y)`` when the game has a single,
                          fully mixed equilibrium ``(x*, y*)``
``distance_to_equilibrium``  Euclidean distance to the computed set of
                          equilibria (segments and faces included when every
                          extreme equilibrium is known)
``value``                 ``x^T A y``
``grad_norm``             norm of the field ``xi``
========================  =====================================================

Building a game validates the payoffs (:class:`~gamesim.errors.PayoffError`
names the offending entry). Spec forms::

    matrix:name=rps                     # catalogue, see CATALOGUE
    matrix:file=payoffs.csv             # zero-sum, the row player's payoffs
    matrix:fileA=a.csv,fileB=b.csv      # bimatrix, one file per player
    matrix:A=1 -1;-1 1                  # inline: rows split by ';'
    matrix:A=3 0;5 1,B=3 5;0 1          # inline bimatrix

A CSV file holds one row of payoffs per line; a first line of column labels
and a first column of row labels are recognised when they are not numbers
(as in the bundled ``penalty_kicks.csv``).
"""

from __future__ import annotations

import logging
import math
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import numpy as np

from gamesim.equilibria import measures
from gamesim.equilibria.payoffs import as_bimatrix, constant_sum, payoff_scale
from gamesim.equilibria.records import EquilibriumSet
from gamesim.equilibria.solve import solve
from gamesim.errors import DataError, PayoffError, SpecError
from gamesim.games.base import Game, as_batch
from gamesim.io import read_csv_rows
from gamesim.registry import register_game

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class MatrixGame(Game):
    """A finite two-player game in mixed strategies (both players maximise).

    Parameters
    ----------
    A : array_like, shape (m, n)
        Payoffs of the row player.
    B : array_like, shape (m, n), optional
        Payoffs of the column player; omitted means zero-sum, ``B = -A``.
    name : str
        Name shown in reports.
    row_labels, column_labels : sequence of str, optional
        Names of the pure strategies.
    description : str, optional
        One line for reports and ``gamesim list``.
    observed : tuple of two sequences, optional
        Frequencies of the pure strategies observed in real play (row,
        column), shown beside the computed equilibria.

    Attributes
    ----------
    kind : str
        ``"zero_sum"``, ``"constant_sum"`` or ``"general_sum"``, detected
        from the payoffs with the relative tolerance.
    constant : float or None
        ``c`` with ``A + B = c`` for zero-sum (0) and constant-sum games.

    Examples
    --------
    >>> import numpy as np
    >>> game = MatrixGame([[1, -1], [-1, 1]])
    >>> z = game.initial_point()[None, :]
    >>> game.field(z), game.metrics(z)["nash_conv"]
    (array([[-0., -0., -0., -0.]]), array([0.]))
    """

    players = ("row", "column")
    constrained = True
    #: learning rules on mixed strategies (``needs_simplex``) may run here
    simplex = True
    #: what the engine compares with ``tol`` by default (``_avg`` when averaging)
    default_stop_metric = "nash_conv_relative"
    linear_field = True
    stochastic = False

    def __init__(
        self,
        A,
        B=None,
        *,
        name: str = "matrix",
        row_labels=None,
        column_labels=None,
        description: str | None = None,
        observed=None,
    ):
        self.A, self.B = as_bimatrix(A, B)
        m, n = self.A.shape
        self.sizes = (m, n)
        self.name = name
        self.constant = constant_sum(self.A, self.B)
        if self.constant is None:
            self.kind = "general_sum"
        else:
            self.kind = "zero_sum" if self.constant == 0 else "constant_sum"
        # Constant-sum games have the gradients and equilibria of zero-sum ones.
        self.zero_sum = self.constant is not None
        self.row_labels = _labels(row_labels, m, "row")
        self.column_labels = _labels(column_labels, n, "column")
        self.scale = payoff_scale(self.A, self.B)
        self._description = description
        self.observed = (
            None
            if observed is None
            else (
                np.asarray(observed[0], dtype=float),
                np.asarray(observed[1], dtype=float),
            )
        )

    def __repr__(self) -> str:
        m, n = self.sizes
        return f"MatrixGame(name={self.name!r}, {m} x {n}, {self.kind})"

    def describe(self) -> str:
        m, n = self.sizes
        text = f"{self.name}: {m} x {n} {self.kind.replace('_', '-')} matrix game"
        return f"{text} ({self._description})" if self._description else text

    # -- the game -------------------------------------------------------------
    def field(self, z, noise=None):
        """``(-A y, -B^T x)``: each player's gradient of its own loss."""
        z = np.asarray(z, dtype=float)
        m = self.sizes[0]
        # the two products go straight into their halves of one array
        out = np.empty(z.shape)
        np.matmul(z[..., m:], self.A.T, out=out[..., :m])
        np.matmul(z[..., :m], self.B, out=out[..., m:])
        return np.negative(out, out=out)

    @cached_property
    def _pure_payoffs(self) -> "PurePayoffs":
        """Payoff vectors against pure strategies, for fictitious play
        (:class:`PurePayoffs`, computed once per game)."""
        at, b = np.ascontiguousarray(self.A.T), np.ascontiguousarray(self.B)
        m, n = self.sizes
        square = m == n
        return PurePayoffs(
            at, b, np.stack([at, b]) if square else None,
            np.eye(m) if square else None,
            np.abs(at).max(axis=1), np.abs(b).max(axis=1))

    def value(self, z):
        """The row player's expected payoff ``x^T A y``, one per run."""
        x, y = self.split(np.asarray(z, dtype=float))
        # one matrix product, then a row-wise dot: ten times faster than a
        # three-operand einsum on large batches (equal up to round-off)
        return np.einsum("...j,...j->...", x @ self.A, y)

    def jacobian(self, z, noise=None):
        """The constant Jacobian ``[[0, -A], [-B^T, 0]]`` for every run."""
        z = np.atleast_2d(z)
        m, _n = self.sizes
        jac = np.zeros((self.n, self.n))
        jac[:m, m:] = -self.A
        jac[m:, :m] = -self.B.T
        return np.broadcast_to(jac, (z.shape[0], self.n, self.n)).copy()

    def project(self, z):
        """Euclidean projection of each player's block onto its simplex."""
        z = np.asarray(z, dtype=float)
        m, n = self.sizes
        if m == n:  # both blocks as rows of one (2 runs, m) array: one pass
            return _project_rows(z.reshape(-1, m)).reshape(z.shape)
        x, y = self.split(z)
        out = np.empty(z.shape)
        out[..., :m] = _project_rows(x.reshape(-1, m)).reshape(x.shape)
        out[..., m:] = _project_rows(y.reshape(-1, n)).reshape(y.shape)
        return out

    def initial_point(self):
        """Both players uniform."""
        m, n = self.sizes
        return np.concatenate([np.full(m, 1.0 / m), np.full(n, 1.0 / n)])

    # -- equilibria -----------------------------------------------------------
    @cached_property
    def equilibrium_set(self) -> EquilibriumSet:
        """The computed equilibria (:func:`gamesim.equilibria.solve`, auto)."""
        return solve(self.A, self.B)

    def equilibria(self):
        """Extreme equilibria as an array ``(k, m + n)``."""
        return self.equilibrium_set.profiles

    @cached_property
    def interior_equilibrium(self) -> np.ndarray | None:
        """The equilibrium if it is unique and fully mixed, else ``None``."""
        eq = self.equilibrium_set
        if eq.complete and not eq.continuum and len(eq) == 1:
            profile = eq.profiles[0]
            if np.all(profile > 1e-12):
                return profile
        return None

    def minimax(self):
        """Minimax strategies and value of a zero-sum or constant-sum game."""
        from gamesim.equilibria.linear_programming import minimax

        if not self.zero_sum:
            raise PayoffError(
                f"{self.name}: minimax needs a zero-sum or constant-sum game, "
                "this one is general-sum"
            )
        return minimax(self.A)

    def duality_gap(self, z):
        """``max_i (A y)_i - min_j (x^T A)_j`` (zero-sum and constant-sum only)."""
        if not self.zero_sum:
            return None
        x, y = self.split(as_batch(z, self.n))
        return measures.duality_gap(self.A, x, y)

    # -- measurements ---------------------------------------------------------
    def metric_names(self) -> list[str]:
        names = [
            "nash_conv",
            "exploitability_row",
            "exploitability_column",
            "nash_conv_relative",
        ]
        if self.zero_sum:
            names.append("duality_gap")
        if self.interior_equilibrium is not None:
            names.append("kl_to_equilibrium")
        return names + ["distance_to_equilibrium", "value", "grad_norm"]

    def metrics(self, z, noise=None):
        z = as_batch(z, self.n)
        x, y = self.split(z)
        # three products serve every measure: A y, B^T x and x^T A
        row_payoffs = y @ self.A.T
        column_payoffs = x @ self.B
        x_a = x @ self.A
        gains = measures.gains_from_payoffs(row_payoffs, column_payoffs, x, y)
        out = {
            "nash_conv": gains.nash_conv,
            "exploitability_row": gains.row,
            "exploitability_column": gains.column,
            "nash_conv_relative": gains.nash_conv / self.scale,
        }
        if self.zero_sum:
            out["duality_gap"] = measures.gap_from_payoffs(row_payoffs, x_a)
        star = self.interior_equilibrium
        if star is not None:
            xs, ys = self.split(star)
            out["kl_to_equilibrium"] = measures.kl_divergence(
                xs, x
            ) + measures.kl_divergence(ys, y)
        out["distance_to_equilibrium"] = self.equilibrium_set.distance(z)
        out["value"] = np.einsum("...j,...j->...", x_a, y)  # as in value()
        out["grad_norm"] = np.sqrt(np.einsum("...j,...j->...", row_payoffs,
                                             row_payoffs)
                                   + np.einsum("...j,...j->...", column_payoffs,
                                               column_payoffs))
        return out


class PurePayoffs(NamedTuple):
    """A matrix game's payoff vectors against pure strategies.

    Attributes
    ----------
    at : ndarray, shape (n, m)
        ``A^T``, C-contiguous: row ``j`` is ``A e_j``.
    b : ndarray, shape (m, n)
        ``B``, C-contiguous: row ``i`` is ``B^T e_i``.
    stacked : ndarray, shape (2, k, k), or None
        For square games ``[A^T, B]`` (one gather serves both players).
    eye : ndarray, shape (k, k), or None
        For square games the identity (rows: pure strategies).
    at_magnitude, b_magnitude : ndarray, shapes (n,) and (m,)
        The largest absolute value of each row of ``at`` and ``b`` (the
        compiled fictitious-play loop bounds its payoffs with them).
    """

    at: np.ndarray
    b: np.ndarray
    stacked: np.ndarray | None
    eye: np.ndarray | None
    at_magnitude: np.ndarray
    b_magnitude: np.ndarray


def project_to_simplex(v) -> np.ndarray:
    """Euclidean projection of each row of ``v`` onto the probability simplex.

    The exact sort-based algorithm: with ``u`` the entries sorted in
    decreasing order, ``rho`` the largest ``k`` with
    ``u_k > (sum_{i<=k} u_i - 1) / k``, and ``theta = (sum_{i<=rho} u_i - 1)
    / rho``, the projection is ``max(v - theta, 0)`` (Held, Wolfe and Crowder
    1974, "Validation of subgradient optimization"; Duchi et al. 2008,
    "Efficient projections onto the l1-ball").

    Each row is first shifted so that its largest entry is 0 (the projection
    ignores a shift along ``(1, ..., 1)``): otherwise, for entries beyond
    ``2**53`` the ``- 1`` is lost to rounding and every entry comes out 0.

    Examples
    --------
    >>> project_to_simplex([[0.5, 0.5, 1.0]])
    array([[0.16666667, 0.16666667, 0.66666667]])
    """
    v = np.asarray(v, dtype=float)
    return _project_rows(np.atleast_2d(v)).reshape(v.shape)


def _project_rows(rows: np.ndarray) -> np.ndarray:
    """:func:`project_to_simplex` of each row of a 2-D array (every step of a
    rule on the simplex passes here: few numpy calls)."""
    flat = rows - np.max(rows, axis=-1, keepdims=True)
    count_rows, k = flat.shape
    u = -np.sort(-flat, axis=-1)
    excess = np.cumsum(u, axis=-1)
    excess -= 1.0
    count = np.count_nonzero(u - excess / np.arange(1, k + 1) > 0, axis=-1)
    rho = np.maximum(count, 1)
    rho -= 1
    theta = excess[np.arange(count_rows), rho]
    theta /= rho + 1
    out = flat - theta[:, None]
    return np.maximum(out, 0.0, out=out)



# -- catalogue ----------------------------------------------------------------
def _penalty_kicks():
    A, rows, cols = read_payoff_csv(DATA_DIR / "penalty_kicks.csv", "A")
    return {
        "A": A,
        "row_labels": [f"kick {r}" for r in rows],
        "column_labels": [c.replace("_", " ") for c in cols],
        "description": (
            "kicker (row) vs goalkeeper, scoring probability in percent; "
            "Palacios-Huerta 2003, zero-sum"
        ),
        # "kicker left about 40%, goalkeeper left about 42%" (data/README.md)
        "observed": ([0.40, 0.60], [0.42, 0.58]),
    }


#: Catalogue of named games: name -> function returning MatrixGame arguments.
CATALOGUE = {
    "matching_pennies": lambda: {
        "A": [[1, -1], [-1, 1]],
        "row_labels": ["heads", "tails"],
        "column_labels": ["heads", "tails"],
        "description": "zero-sum, unique equilibrium uniform, value 0",
    },
    "rps": lambda: {
        "A": [[0, -1, 1], [1, 0, -1], [-1, 1, 0]],
        "row_labels": ["rock", "paper", "scissors"],
        "column_labels": ["rock", "paper", "scissors"],
        "description": "rock-paper-scissors, zero-sum, unique equilibrium uniform",
    },
    "shapley": lambda: {
        "A": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
        "B": [[0, 1, 0], [0, 0, 1], [1, 0, 0]],
        "description": (
            "Shapley (1964): fictitious play cycles; unique equilibrium uniform"
        ),
    },
    "prisoners_dilemma": lambda: {
        "A": [[3, 0], [5, 1]],
        "B": [[3, 5], [0, 1]],
        "row_labels": ["cooperate", "defect"],
        "column_labels": ["cooperate", "defect"],
        "description": "R=3, S=0, T=5, P=1; unique equilibrium: both defect",
    },
    "penalty_kicks": _penalty_kicks,
}


@register_game("matrix")
def matrix_game(name=None, file=None, fileA=None, fileB=None, A=None, B=None):
    """A finite two-player game in mixed strategies (see :mod:`gamesim.games.matrix`).

    Give exactly one source: ``name`` (one of :data:`CATALOGUE`), ``file``
    (zero-sum, row player's payoffs), ``fileA`` with ``fileB`` (bimatrix),
    or inline ``A`` (with optional ``B``) as rows separated by ``;``.
    """
    sources = {
        "name": name is not None,
        "file": file is not None,
        "fileA/fileB": fileA is not None or fileB is not None,
        "A/B": A is not None or B is not None,
    }
    given = [k for k, v in sources.items() if v]
    if len(given) != 1:
        raise SpecError(
            "matrix: give exactly one of name=, file=, fileA= with fileB=, or A= "
            f"(got {', '.join(given) or 'none'}); catalogue: {', '.join(CATALOGUE)}"
        )

    if name is not None:
        if name not in CATALOGUE:
            raise SpecError(
                f"matrix: unknown game name {name!r} (known: {', '.join(CATALOGUE)})"
            )
        return MatrixGame(name=name, **CATALOGUE[name]())
    if file is not None:
        A_, rows, cols = read_payoff_csv(file, "A")
        return MatrixGame(
            A_,
            name=Path(str(file)).stem,
            row_labels=rows,
            column_labels=cols,
            description=f"from {file}",
        )
    if fileA is not None or fileB is not None:
        if fileA is None or fileB is None:
            raise SpecError("matrix: fileA= and fileB= must be given together")
        A_, rows, cols = read_payoff_csv(fileA, "A")
        B_, _, _ = read_payoff_csv(fileB, "B")
        return MatrixGame(
            A_,
            B_,
            name=Path(str(fileA)).stem,
            row_labels=rows,
            column_labels=cols,
            description=f"from {fileA}, {fileB}",
        )
    if A is None:
        raise SpecError("matrix: B= needs A=")
    return MatrixGame(
        parse_inline_matrix(A, "A"),
        None if B is None else parse_inline_matrix(B, "B"),
        name="matrix",
    )


def parse_inline_matrix(text, name: str) -> np.ndarray:
    """Read ``"1 -1; -1 1"`` (rows split by ``;``, entries by spaces)."""
    if not isinstance(text, str):  # a single number parsed by the spec reader
        text = str(text)
    rows = [r.split() for r in text.split(";")]
    if any(len(r) == 0 for r in rows):
        raise PayoffError(
            f"payoff matrix {name}: empty row in {text!r} (write rows as 'a b; c d')"
        )
    return _numbers(rows, name, where=lambda i, j: f"row {i}, column {j}")


def read_payoff_csv(path, name: str = "A"):
    """Read a payoff matrix from a CSV file.

    Returns
    -------
    (ndarray, row labels or None, column labels or None)

    Raises
    ------
    DataError
        If the file cannot be read, or cannot be parsed as CSV (a quote that
        is never closed).
    PayoffError
        If it is empty, ragged, or holds an entry that is not a finite number;
        the message names the file, line and column (counted from 1).
    """
    path = Path(str(path))
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise DataError(f"cannot read payoff file {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise DataError(
            f"payoff file {path} is not a readable CSV file: {exc}"
        ) from None
    lines = [
        (k, [c.strip() for c in row])
        for k, row in read_csv_rows(text, f"payoff file {path}")
        if any(c.strip() for c in row)
    ]
    if not lines:
        raise PayoffError(f"payoff file {path} is empty")

    # A header line and a label column are recognised by not being numbers
    # (a label column only beside at least one payoff: a file of one text
    # column, such as "1;2" with the wrong separator, is not all labels).
    column_labels = row_labels = None
    first = lines[0][1]
    if not all(_is_number(c) for c in (first[1:] if len(first) > 1 else first)):
        column_labels = first
        lines = lines[1:]
    if lines and all(len(row) > 1 and not _is_number(row[0]) for _, row in lines):
        row_labels = [row[0] for _, row in lines]
        lines = [(k, row[1:]) for k, row in lines]
        if column_labels is not None:
            column_labels = column_labels[1:]
    if not lines or not lines[0][1]:
        what = f": only the line of labels {', '.join(first)!r}" if not lines else ""
        raise PayoffError(f"payoff file {path} holds no payoffs{what}")

    width = len(lines[0][1])
    for k, row in lines:
        if len(row) != width:
            raise PayoffError(
                f"payoff file {path} is ragged: line {lines[0][0]} has {width} "
                f"payoffs but line {k} has {len(row)}"
            )
    if column_labels is not None and len(column_labels) != width:
        column_labels = None
    matrix = _numbers(
        [row for _, row in lines],
        name,
        where=lambda i, j: (
            f"{path} line {lines[i][0]}, column {j + 1 + (row_labels is not None)}"
        ),
    )
    return matrix, row_labels, column_labels


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _numbers(rows, name: str, where) -> np.ndarray:
    """Convert text cells to a finite float matrix, naming the bad cell."""
    width = len(rows[0])
    out = np.empty((len(rows), width))
    for i, row in enumerate(rows):
        if len(row) != width:
            raise PayoffError(
                f"payoff matrix {name} is ragged: row 0 has {width} entries but "
                f"row {i} has {len(row)}"
            )
        for j, cell in enumerate(row):
            try:
                value = float(cell)
            except ValueError:
                hint = (" (separate the cells of a CSV file with commas)"
                        if ";" in cell or "\t" in cell else "")
                raise PayoffError(
                    f"payoff matrix {name}: {cell!r} at {where(i, j)} is not a "
                    f"number{hint}"
                ) from None
            if not math.isfinite(value):
                raise PayoffError(
                    f"payoff matrix {name}: non-finite entry {cell!r} at {where(i, j)}"
                )
            out[i, j] = value
    return out


def _labels(labels, k: int, who: str):
    if labels is None:
        return None
    labels = [str(v) for v in labels]
    if len(labels) != k:
        raise PayoffError(f"{len(labels)} {who} labels for {k} {who} strategies")
    return labels
