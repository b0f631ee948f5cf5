"""Measures of a GAN: how far the discriminator is from 1/2, how far the
generator's distribution is from the data.

Names follow DESIGN.md:

* ``d_real``, ``d_fake``: mean discriminator output ``D(x)`` (the estimated
  probability that ``x`` is real) on real and on generated samples;
* ``discriminator_gap``: mean ``|D(x) - 1/2|`` over real and generated
  samples together, each set weighted one half (the pooled mean when both
  sets have the same size). It is 0 when ``D = 1/2`` everywhere, the
  discriminator of a generator that has captured the data (Goodfellow et al.
  2014, proposition 1 and theorem 1);
* ``optimal_discriminator_gap``: mean ``|D(x) - D*(x)|`` with
  ``D* = p_data / (p_data + p_g)``, weighted in the same way;
* ``jsd``: the Jensen-Shannon divergence in nats, ``0 <= jsd <= ln 2``;
* ``wasserstein``: the 1-D Wasserstein-1 distance between samples
  (``scipy.stats.wasserstein_distance``);
* ``energy_distance``: the energy distance of Szekely and Rizzo for samples
  in any dimension, ``sqrt(2 E|X - Y| - E|X - X'| - E|Y - Y'|)`` with the
  Euclidean norm (the V-statistic; in 1-D it equals
  ``scipy.stats.energy_distance``);
* ``mode_coverage``: the fraction of labelled clusters (modes) of the data
  that receive their share of generated samples (:class:`ModeModel`).

Densities for ``D*`` and the JSD come either from the game (exact) or from
Gaussian kernel density estimates of each sample set (the estimator of
``scipy.stats.gaussian_kde`` with Scott's bandwidth, batched over runs);
:func:`kde_log_densities` gives the four log-densities both measures need.

References
----------
I. Goodfellow et al. (2014), "Generative Adversarial Nets", NeurIPS.
G. Szekely, M. Rizzo (2013), "Energy statistics: A class of statistics based
on distances", Journal of Statistical Planning and Inference 143: 1249-1272.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.spatial.distance import cdist, pdist, squareform
from scipy.special import expit, rel_entr

from gamesim.errors import DataError

LN2 = math.log(2.0)

__all__ = [
    "ModeModel",
    "d_fake",
    "d_real",
    "discriminator_gap",
    "energy_distance",
    "gaussian_kde_logpdf",
    "jsd_discrete",
    "jsd_from_log_densities",
    "kde_log_densities",
    "mode_coverage",
    "optimal_discriminator",
    "optimal_discriminator_from_log",
    "optimal_discriminator_gap",
    "wasserstein_1d",
    "weighted_mean",
]


# -- the discriminator's outputs ---------------------------------------------
def d_real(prob_real) -> np.ndarray:
    """Mean ``D(x)`` over real samples (the last axis)."""
    return np.mean(prob_real, axis=-1)


def d_fake(prob_fake, weights=None) -> np.ndarray:
    """Mean ``D(G(z))`` over generated samples (the last axis).

    ``weights`` (same shape, optional) are sample weights of a weighted
    generator sample (mixture generators); every measure below takes them.
    """
    return weighted_mean(prob_fake, weights)


def weighted_mean(values, weights=None) -> np.ndarray:
    """Mean over the last axis, weighted if ``weights`` is given."""
    values = np.asarray(values)
    if weights is None:
        return np.mean(values, axis=-1)
    return np.sum(values * weights, axis=-1) / np.sum(weights, axis=-1)


def discriminator_gap(prob_real, prob_fake, fake_weights=None) -> np.ndarray:
    """Mean ``|D(x) - 1/2|`` over real and generated samples together.

    Each set has weight one half, so the measure lives on the mixture
    ``(p_data + p_g) / 2``, where ``D*`` is defined.

    Examples
    --------
    >>> round(float(discriminator_gap(np.array([0.5, 0.7]), np.array([0.2]))), 12)
    0.2
    """
    real = np.mean(np.abs(np.asarray(prob_real) - 0.5), axis=-1)
    fake = weighted_mean(np.abs(np.asarray(prob_fake) - 0.5), fake_weights)
    return 0.5 * (real + fake)


def optimal_discriminator(p_data, p_g) -> np.ndarray:
    """``D* = p_data / (p_data + p_g)`` elementwise (probabilities or densities).

    Where both are zero every ``D`` is optimal; this function returns 1/2
    there (the value that makes no claim).

    Examples
    --------
    >>> optimal_discriminator([0.5, 0.5], [0.9, 0.1]).round(6)   # 5/14, 5/6
    array([0.357143, 0.833333])
    """
    p = np.asarray(p_data, dtype=float)
    q = np.asarray(p_g, dtype=float)
    total = p + q
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(total > 0, p / np.where(total > 0, total, 1.0), 0.5)
    return out


def optimal_discriminator_from_log(log_p_data, log_p_g) -> np.ndarray:
    """``D*`` from log-densities: ``sigmoid(log p_data - log p_g)``.

    Stable for densities far below the smallest float; 1/2 where both are
    ``-inf``.
    """
    lp = np.asarray(log_p_data, dtype=float)
    lq = np.asarray(log_p_g, dtype=float)
    both = np.isneginf(lp) & np.isneginf(lq)
    with np.errstate(invalid="ignore"):
        diff = np.where(both, 0.0, lp - lq)
    return expit(diff)


def optimal_discriminator_gap(prob_real, prob_fake, dstar_real, dstar_fake,
                              fake_weights=None):
    """Mean ``|D - D*|`` over real and generated samples (each weighted 1/2)."""
    real = np.mean(np.abs(np.asarray(prob_real) - dstar_real), axis=-1)
    fake = weighted_mean(np.abs(np.asarray(prob_fake) - dstar_fake), fake_weights)
    return 0.5 * (real + fake)


# -- Jensen-Shannon divergence -------------------------------------------------
def jsd_discrete(p, q) -> float:
    """Jensen-Shannon divergence of two discrete distributions, in nats.

    ``JSD = KL(p || m) / 2 + KL(q || m) / 2`` with ``m = (p + q) / 2``;
    ``0 log 0 = 0``, so disjoint supports give exactly ``ln 2``.

    Raises
    ------
    DataError
        If the vectors differ in length, have negative or non-finite entries,
        or do not sum to 1 (within 1e-9).

    Examples
    --------
    >>> round(jsd_discrete([0.5, 0.5], [0.9, 0.1]), 6)
    0.101749
    """
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape or p.ndim != 1:
        raise DataError(f"jsd: distributions of shapes {p.shape} and {q.shape}")
    for name, v in (("p", p), ("q", q)):
        if not np.all(np.isfinite(v)) or np.any(v < 0):
            raise DataError(f"jsd: {name} has negative or non-finite entries")
        if abs(v.sum() - 1.0) > 1e-9:
            raise DataError(f"jsd: {name} sums to {v.sum()!r}, not 1")
    m = 0.5 * (p + q)
    return float(0.5 * rel_entr(p, m).sum() + 0.5 * rel_entr(q, m).sum())


def jsd_from_log_densities(lp_at_p, lq_at_p, lp_at_q, lq_at_q, q_weights=None):
    """Monte Carlo JSD (nats) from log-densities at samples of p and of q.

    Samples lie on the last axis; leading axes (runs) are kept; q's samples
    may carry weights.

    ``JSD = (1/2) E_p log(2p / (p + q)) + (1/2) E_q log(2q / (p + q))``,
    each log written ``log 2 + log p - logaddexp(log p, log q)`` so that
    disjoint supports (``log q = -inf`` at p's samples) give ``ln 2``.

    It is an estimate: with few samples and nearly equal distributions its
    sampling error can make it slightly negative (of the order of
    ``1/sqrt(N)`` times the spread of the log-ratios). It is returned as
    computed, not clipped, so that its noise stays visible.
    """
    lp_at_p, lq_at_p = np.asarray(lp_at_p), np.asarray(lq_at_p)
    lp_at_q, lq_at_q = np.asarray(lp_at_q), np.asarray(lq_at_q)
    on_p = LN2 + lp_at_p - np.logaddexp(lp_at_p, lq_at_p)
    on_q = LN2 + lq_at_q - np.logaddexp(lp_at_q, lq_at_q)
    return 0.5 * np.mean(on_p, axis=-1) + 0.5 * weighted_mean(on_q, q_weights)


def kde_log_densities(x, y, y_weights=None):
    """Gaussian-KDE log-densities of two samples, each at both samples.

    Parameters
    ----------
    x, y : ndarray, shape (..., N, d) and (..., M, d)
        Samples of p (the data) and q (the generator); leading axes (runs)
        broadcast.

    Returns
    -------
    lp_x, lq_x, lp_y, lq_y : ndarray
        ``log p`` and ``log q`` at the points of ``x``, then of ``y``, with
        ``p`` and ``q`` the kernel density estimates built from ``x`` and
        ``y`` (weighted by ``y_weights`` if given) by
        :func:`gaussian_kde_logpdf`.
    """
    x, y = _as_samples(x), _as_samples(y)
    return (
        gaussian_kde_logpdf(x, x),
        gaussian_kde_logpdf(x, y, y_weights),
        gaussian_kde_logpdf(y, x),
        gaussian_kde_logpdf(y, y, y_weights),
    )


def gaussian_kde_logpdf(points, sample, weights=None) -> np.ndarray:
    """Log-density at ``points`` of the Gaussian KDE of ``sample``, batched.

    The estimator of ``scipy.stats.gaussian_kde`` with its default (Scott's)
    bandwidth: kernel covariance ``n_eff^(-2/(d+4)) Cov(sample)``, with the
    unbiased (weighted) sample covariance and ``n_eff = (sum w)^2 / sum w^2``
    (``n`` for equal weights). A (numerically) singular sample covariance
    gets a ridge of ``1e-12`` times its trace plus ``1e-300``, so a
    collapsed generator yields a very narrow bump instead of an error.

    Parameters
    ----------
    points : ndarray, shape (..., Q, d)
    sample : ndarray, shape (..., S, d)
    weights : ndarray, shape (..., S), optional
        Non-negative sample weights.

    Returns
    -------
    ndarray, shape (..., Q)
    """
    points, sample = _as_samples(points), _as_samples(sample)
    n, d = sample.shape[-2], sample.shape[-1]
    if weights is None:
        w = np.full(sample.shape[:-1], 1.0 / n)
    else:
        w = np.broadcast_to(weights, sample.shape[:-1])
        w = w / w.sum(axis=-1, keepdims=True)
    n_eff = 1.0 / np.sum(w**2, axis=-1)
    centred = sample - np.sum(w[..., None] * sample, axis=-2, keepdims=True)
    cov = np.einsum("...n,...ni,...nj->...ij", w, centred, centred)
    cov = cov / (1.0 - np.sum(w**2, axis=-1))[..., None, None]
    cov = cov * (n_eff ** (-2.0 / (d + 4)))[..., None, None]
    ridge = 1e-12 * np.trace(cov, axis1=-2, axis2=-1) + 1e-300
    cov = cov + ridge[..., None, None] * np.eye(d)
    chol = np.linalg.cholesky(cov)
    inv = np.linalg.inv(chol)
    # whiten both sets: squared Mahalanobis distances via one matrix product
    wp = np.einsum("...ij,...qj->...qi", inv, points)
    ws = np.einsum("...ij,...sj->...si", inv, sample)
    # exponent -|p - s|^2 / 2 + log w_s, built in one array (it is the
    # largest object here: runs x points x sample)
    arg = wp @ np.swapaxes(ws, -1, -2)
    arg -= 0.5 * np.sum(wp**2, axis=-1)[..., :, None]
    arg -= (0.5 * np.sum(ws**2, axis=-1) - _log(w))[..., None, :]
    np.minimum(arg, _log(w)[..., None, :], out=arg)  # rounding: |p - s|^2 >= 0
    log_det = 2.0 * np.sum(np.log(np.diagonal(chol, axis1=-2, axis2=-1)), axis=-1)
    log_norm = 0.5 * d * math.log(2 * math.pi) + 0.5 * log_det
    return _logsumexp_inplace(arg) - log_norm[..., None]


def _log(w):
    with np.errstate(divide="ignore"):
        return np.log(w)


def _logsumexp_inplace(a: np.ndarray) -> np.ndarray:
    """``log sum exp`` over the last axis (at least one entry finite);
    overwrites ``a``."""
    top = a.max(axis=-1, keepdims=True)
    a -= top
    np.exp(a, out=a)
    return top[..., 0] + np.log(a.sum(axis=-1))


def _as_samples(x) -> np.ndarray:
    """View a 1-D sample ``(N,)`` as ``(N, 1)``; leave ``(..., N, d)`` alone."""
    x = np.asarray(x, dtype=float)
    return x[:, None] if x.ndim == 1 else x


# -- distances between samples -----------------------------------------------
def wasserstein_1d(x, y, y_weights=None) -> float:
    """Wasserstein-1 distance between two 1-D samples (scipy); ``y`` may be
    weighted."""
    return float(stats.wasserstein_distance(np.ravel(x), np.ravel(y),
                                            v_weights=y_weights))


def energy_distance(x, y, y_weights=None) -> float:
    """Energy distance between samples in R^d (Szekely and Rizzo).

    ``sqrt(2 E||X - Y|| - E||X - X'|| - E||Y - Y'||)`` with all pairs
    (V-statistic), Euclidean norm; ``y`` may be weighted. In 1-D this is
    ``scipy.stats.energy_distance``; it is 0 only for equal samples.
    """
    x, y = _as_samples(x), _as_samples(y)
    a = np.full(len(x), 1.0 / len(x))
    if y_weights is None:
        b = np.full(len(y), 1.0 / len(y))
    else:
        b = np.asarray(y_weights, dtype=float) / np.sum(y_weights)
    xy = a @ cdist(x, y) @ b
    xx = a @ squareform(pdist(x)) @ a
    yy = b @ squareform(pdist(y)) @ b
    return float(math.sqrt(max(2.0 * xy - xx - yy, 0.0)))


# -- mode coverage --------------------------------------------------------------
@dataclass(frozen=True)
class ModeModel:
    """Labelled clusters of the data, each summarised by a Gaussian.

    A generated sample is assigned to the cluster of highest Gaussian
    likelihood (equal priors) if its squared Mahalanobis distance to that
    cluster is within the ``level`` quantile of the chi-square law with
    ``d`` degrees of freedom; otherwise it lies off every mode. A mode is
    *covered* if it receives at least ``min_share`` times its share of the
    data (by default half of it).

    Attributes
    ----------
    labels : tuple of str
    means : ndarray, shape (K, d)
    precisions : ndarray, shape (K, d, d)
    log_dets : ndarray, shape (K,)
        ``log det`` of each covariance.
    shares : ndarray, shape (K,)
        Fraction of the data in each cluster.
    threshold : float
        Squared Mahalanobis radius of a mode.
    min_share : float
    """

    labels: tuple
    means: np.ndarray
    precisions: np.ndarray
    log_dets: np.ndarray
    shares: np.ndarray
    threshold: float
    min_share: float

    @classmethod
    def fit(cls, values, labels, level: float = 0.99, min_share: float = 0.5):
        """Fit one Gaussian per label.

        Raises
        ------
        DataError
            If a label has fewer than ``d + 1`` samples (no covariance).
        """
        values = _as_samples(values)
        labels = np.asarray(labels)
        d = values.shape[1]
        names = tuple(sorted(set(labels.tolist())))
        means, precisions, log_dets, shares = [], [], [], []
        for name in names:
            part = values[labels == name]
            if len(part) < d + 1:
                raise DataError(
                    f"mode coverage: label {name!r} has {len(part)} samples; "
                    f"need at least {d + 1}"
                )
            cov = np.atleast_2d(np.cov(part.T))
            means.append(part.mean(axis=0))
            precisions.append(np.linalg.inv(cov))
            log_dets.append(np.linalg.slogdet(cov)[1])
            shares.append(len(part) / len(values))
        return cls(
            labels=names,
            means=np.array(means),
            precisions=np.array(precisions),
            log_dets=np.array(log_dets),
            shares=np.array(shares),
            threshold=float(stats.chi2.ppf(level, d)),
            min_share=float(min_share),
        )

    def assign(self, samples) -> np.ndarray:
        """Index of each sample's mode, or -1 if it lies off every mode.

        ``samples`` has shape ``(..., M, d)``; the result ``(..., M)``.
        """
        diff = samples[..., None, :] - self.means  # (..., M, K, d)
        maha = np.einsum("...ki,kij,...kj->...k", diff, self.precisions, diff)
        loglik = -0.5 * maha - 0.5 * self.log_dets
        best = np.argmax(loglik, axis=-1)
        inside = np.take_along_axis(maha, best[..., None], axis=-1)[..., 0]
        return np.where(inside <= self.threshold, best, -1)

    def shares_of(self, samples, weights=None) -> np.ndarray:
        """(Weighted) fraction of the samples assigned to each mode,
        shape ``(..., K)``."""
        idx = self.assign(samples)
        k = len(self.labels)
        return np.stack([weighted_mean(idx == c, weights) for c in range(k)],
                        axis=-1)


def mode_coverage(samples, model: ModeModel, weights=None) -> np.ndarray:
    """Fraction of the data's modes that the samples cover.

    Parameters
    ----------
    samples : ndarray, shape (..., M, d)
    model : ModeModel
    weights : ndarray, shape (..., M), optional
        Sample weights.

    Returns
    -------
    ndarray, shape (...)
        Between 0 and 1; 1 when every mode receives at least
        ``model.min_share`` times its share of the data.
    """
    shares = model.shares_of(samples, weights)
    covered = shares >= model.min_share * model.shares
    return covered.mean(axis=-1)
