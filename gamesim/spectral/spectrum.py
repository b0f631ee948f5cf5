"""Eigenvalues with an accuracy estimate, robust to multiple eigenvalues.

A multiple eigenvalue that is *defective* (fewer eigenvectors than its
multiplicity, as for optimistic GDA at ``eta = 1/2`` on ``x y`` or the
Dirac-GAN with R1 weight 1) is ill-conditioned: rounding errors of size
``eps`` in the matrix move a double root by about ``sqrt(eps)``, so an
eigenvalue solver returns two values ``1e-8`` apart instead of one. The
*mean* of such a cluster is well conditioned (it is a trace divided by the
multiplicity), so :func:`spectrum` replaces every cluster of eigenvalues
closer than the splitting that rounding can cause by its mean, and reports
for each value an estimate of its absolute error:

* a simple eigenvalue: ``kappa * delta``, with ``kappa`` its condition number
  (from the left and right eigenvectors) and ``delta`` the size of the error
  in the matrix;
* a merged cluster: its radius, which bounds the error made if its members
  were in fact distinct eigenvalues.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

EPS = float(np.finfo(float).eps)


@dataclass(frozen=True)
class Spectrum:
    """Eigenvalues of a matrix with their estimated absolute errors.

    Attributes
    ----------
    values : ndarray of complex
        The eigenvalues (with multiplicity), sorted by decreasing modulus.
    accuracy : ndarray of float
        Estimated absolute error of each value.
    merged : int
        How many clusters of nearly equal eigenvalues were replaced by their
        mean (multiple eigenvalues).
    """

    values: np.ndarray
    accuracy: np.ndarray
    merged: int = 0

    @property
    def spectral_radius(self) -> float:
        """The largest modulus of an eigenvalue."""
        return float(np.max(np.abs(self.values))) if self.values.size else 0.0

    @property
    def radius_accuracy(self) -> float:
        """Estimated error of :attr:`spectral_radius`."""
        if not self.values.size:
            return 0.0
        moduli = np.abs(self.values)
        near = moduli >= self.spectral_radius - self.accuracy
        return float(np.max(self.accuracy[near]))


def spectrum(matrix, entry_error: float = 0.0) -> Spectrum:
    """Eigenvalues of a square matrix, merging perturbed multiple roots.

    Parameters
    ----------
    matrix : array_like, shape (n, n)
        A real or complex matrix.
    entry_error : float
        Known absolute error of the entries (for a matrix obtained by finite
        differences); rounding (``4 eps ||M||``) is always added.

    Returns
    -------
    Spectrum

    Examples
    --------
    >>> s = spectrum([[0.0, -0.5], [0.5, 1.0]])  # Dirac-GAN, R1 weight 1
    >>> s.values.real.round(12).tolist(), s.merged
    ([0.5, 0.5], 1)
    """
    M = np.asarray(matrix)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise ValueError(f"expected a square matrix, got shape {M.shape}")
    n = M.shape[0]
    if n == 0:
        return Spectrum(np.zeros(0, complex), np.zeros(0))

    # -- eigenvalues and their condition numbers ------------------------------
    values, left, right = scipy.linalg.eig(M, left=True, right=True)
    values = values.astype(complex)
    overlap = np.abs(np.einsum("ij,ij->j", left.conj(), right))
    kappa = np.minimum(1.0 / np.maximum(overlap, EPS), 1.0 / EPS)
    scale = max(float(np.linalg.norm(M, 2)), np.finfo(float).tiny)
    delta = n * float(entry_error) + 4.0 * EPS * scale
    accuracy = kappa * delta

    # -- merge the clusters a perturbation of size delta can split -----------
    # A defective double root splits by about 2 sqrt(delta * scale).
    tol = 8.0 * np.sqrt(delta * scale)
    labels = _clusters(values, tol)
    merged = 0
    for label in np.unique(labels):
        members = labels == label
        if members.sum() < 2:
            continue
        merged += 1
        mean = values[members].mean()
        radius = float(np.max(np.abs(values[members] - mean)))
        values[members] = mean
        accuracy[members] = max(radius, delta)
    if np.isrealobj(M):
        # parts within the accuracy of 0 are rounding residue (conjugate pairs
        # merged into a real value; the imaginary axis of bilinear games)
        values.imag[np.abs(values.imag) <= accuracy] = 0.0
        values.real[np.abs(values.real) <= accuracy] = 0.0

    order = np.lexsort((-values.imag, -values.real, -np.abs(values)))
    return Spectrum(values[order], accuracy[order], merged)


def _clusters(values: np.ndarray, tol: float) -> np.ndarray:
    """Label the values so that any two closer than ``tol`` share a label."""
    n = values.size
    labels = np.arange(n)
    close = np.abs(values[:, None] - values[None, :]) < tol
    changed = True
    while changed:  # propagate the smallest label along chains of close values
        new = np.array([labels[close[i]].min() for i in range(n)])
        changed = bool(np.any(new != labels))
        labels = new
    return labels
