"""The GAN game on real data.

A generator ``G_theta`` (the minimiser) and a discriminator ``f_phi`` (the
maximiser) play on a data set loaded from a CSV file (see
:mod:`gamesim.gan.data`). The joint vector is ``z = (theta, phi)``, with the
engine's run axis first. With the ``standard`` loss the game is

    min_theta max_phi  V = E_data log D(x) + E_z log(1 - D(G(z))),

``D = sigmoid(f)``; its value at the ideal equilibrium (``p_g = p_data``,
``D = 1/2``) is ``-log 4`` (Goodfellow et al. 2014). The descent field is
``xi = (grad_theta L_G, grad_phi L_D)`` with each player's own loss (see
:mod:`gamesim.gan.losses`); penalties (R1, R2, gradient penalty) enter the
discriminator's loss only.

Samples per step
----------------
*Full batch* (``batch_size=full``, the default): every step uses the whole
data set and a fixed set of ``samples`` latent draws (a scrambled Sobol'
set, seeded at construction), so the field is deterministic.
*Minibatch* (``batch_size=64``): the game is stochastic; at each call
``field(z, noise)`` run ``i`` draws ``batch_size`` data rows (without
replacement) and ``samples`` standard normal latents from its own generator
``noise[i]``, so a batch of runs gives the same numbers as the runs one by
one. Called without ``noise``, the field is the full-batch field.

Measures
--------
:meth:`GANGame.metrics` never draws random numbers: it evaluates the whole
data set against a *fixed evaluation sample* of ``eval_samples`` generated
points (low-discrepancy latents seeded at construction), so its numbers are
deterministic. It reports ``d_real``, ``d_fake``, ``discriminator_gap``,
``optimal_discriminator_gap`` and ``jsd`` (both with kernel density
estimates of the data and of the evaluation sample), ``wasserstein`` (1-D)
or ``energy_distance`` (2-D and more), ``value`` (on the evaluation sample),
``grad_norm`` (of the full-batch field on the evaluation sample) and
``mode_coverage`` when the data have labels. All are in the game's units:
standardised units when ``standardize`` is on (the default).

Spec syntax
-----------
``gan:data=old_faithful,column=eruptions``; two columns are joined with
``+`` (or ``;``, which needs quoting in a shell):
``gan:data=old_faithful,columns=eruptions+waiting``. Hidden layer widths are
joined the same way (``d_hidden=16+16``). Values cannot contain ``,`` or
``|``. See :class:`GANGame` for every parameter.
"""

from __future__ import annotations

import copy
import logging
import math

import numpy as np

from gamesim.bestresponse import InnerSteps, gap_metric_names, gap_metrics
from gamesim.errors import ConfigError
from gamesim.games.base import Game
from gamesim.gan import measures
from gamesim.gan.data import default_labels, load_csv
from gamesim.gan.discriminators import make_discriminator
from gamesim.gan.generators import make_generator
from gamesim.gan.losses import get_loss, gradient_penalty_weights
from gamesim.registry import register_game

logger = logging.getLogger(__name__)

__all__ = ["GANGame", "split_list"]


def split_list(value) -> list[str]:
    """Split a spec value such as ``"eruptions+waiting"`` (or ``;``)."""
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value]
    text = str(value)
    for sep in (";", "+"):
        text = text.replace(sep, "\0")
    return [part.strip() for part in text.split("\0") if part.strip()]


def _widths(value, what: str) -> tuple[int, ...]:
    try:
        widths = tuple(int(v) for v in split_list(value))
    except ValueError:
        raise ConfigError(
            f"gan: {what} must be widths such as 16 or 16+16, got {value!r}"
        ) from None
    if not 1 <= len(widths) <= 2 or min(widths) < 1:
        raise ConfigError(
            f"gan: {what} must be one or two positive widths, got {value!r}"
        )
    return widths


def _nonneg(key: str, value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"gan: {key} must be a number, got {value!r}") from None
    if not (math.isfinite(v) and v >= 0):
        raise ConfigError(f"gan: {key} must be finite and >= 0, got {value!r}")
    return v


def _count(key: str, value, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ConfigError(f"gan: {key} must be an integer, got {value!r}")
    if value < low:
        raise ConfigError(f"gan: {key} must be >= {low}, got {value}")
    return int(value)


@register_game("gan")
class GANGame(Game):
    """The GAN game on real data: a generator against a discriminator.

    Parameters
    ----------
    data : str
        A bundled data set (``old_faithful``, ``palmer_penguins``) or the
        path of a CSV file with a header row.
    column, columns : str
        The column(s) to model; several joined by ``+`` (or ``;``). Give one
        of the two keys (they mean the same).
    labels : str
        A column of class labels for ``mode_coverage``; ``auto`` (default)
        takes the bundled data set's (``species`` for the penguins),
        ``none`` turns it off.
    standardize : bool
        Play on standardised columns (mean 0, standard deviation 1), the
        default. Measures are then in standardised units.
    missing : {"drop", "error"}
        Rows with missing values are dropped (logged) or refused.
    generator : {"affine", "mixture", "mlp"}
        The generator family (:mod:`gamesim.gan.generators`).
    components : int
        Mixture components (``mixture`` only).
    weights : {"learned", "equal"}
        Mixture weights learned (softmax logits) or fixed to ``1/K``.
    g_hidden : int or str
        Hidden widths of the MLP generator, e.g. ``16`` or ``16+16``.
    latent_dim : int
        Latent dimension of the MLP generator (default: the data's).
    discriminator : str
        The discriminator (:mod:`gamesim.gan.discriminators`): logistic
        regression on ``linear``, ``quadratic`` or ``fourier`` features or
        a combination joined by ``+`` (default ``linear+fourier``), or
        ``mlp``.
    features : int
        Number of random Fourier features (``fourier`` only).
    bandwidth : float
        Length scale of the Fourier features, in the game's units.
    d_hidden : int or str
        Hidden widths of the MLP discriminator.
    loss : {"nonsaturating", "standard", "wgan", "lsgan"}
        The game (:mod:`gamesim.gan.losses`; aliases ns, minimax,
        wasserstein, least_squares). Default ``nonsaturating``: the
        discriminator maximises the value ``V``, the generator minimises
        ``-E log D(G(z))``.
    r1, r2 : float
        Weights ``gamma`` of ``(gamma/2) E||grad_x f||^2`` on real (R1) and
        generated (R2) samples.
    gp : float
        Weight of the WGAN gradient penalty ``E (||grad_x f(x_hat)|| - 1)^2``.
    clip : float
        WGAN weight clipping: the discriminator's parameters are projected
        onto ``[-clip, clip]`` after each step (0: off).
    batch_size : int or "full"
        Data rows per step; ``full`` (default) uses every row, deterministic.
    samples : int
        Generated samples per step (default 128).
    eval_samples : int
        Size of the fixed evaluation sample of the measures (default 256).
    g_init : {"standard", "raw"}
        Where the generator starts: near ``N(0, I)`` in the game's units
        (``standard``; with standardised data it then already matches the
        data's mean and covariance), or near ``N(0, I)`` in the file's own
        units (``raw``: away from the data, as an untrained generator is;
        the same as ``standard`` without standardisation).
    seed : int
        Seed of the model's initialisation (MLPs), of the Fourier features,
        of the fixed latent sets and of the interpolates of the gradient
        penalty.
    gap_steps, gap_lr : int, float
        The estimated duality gap among the metrics (0 steps: off): each
        player's best response is estimated with ``gap_steps`` full-batch
        gradient steps of size ``gap_lr`` from its current parameters
        (:class:`gamesim.bestresponse.InnerSteps`), on the minimax form of
        the game (:meth:`minimax_game`): a lower bound, labelled by
        :func:`gamesim.bestresponse.gap_labels`. It costs about
        ``2 * gap_steps`` field evaluations per recorded step.

    Examples
    --------
    >>> game = GANGame(data="old_faithful", column="eruptions")
    >>> z0 = game.initial_point()[None, :]
    >>> round(float(game.value(z0)[0]), 6)   # D = 1/2: -log 4
    -1.386294
    """

    players = ("generator", "discriminator")
    #: metrics on the evaluation sample are costly: record about 100 times
    default_records = 100

    def __init__(self, data: str = "old_faithful", column=None, columns=None,
                 labels: str = "auto", standardize: bool = True,
                 missing: str = "drop", generator: str = "mixture",
                 components: int = 3, weights: str = "learned", g_hidden=16,
                 latent_dim=None,
                 discriminator: str = "linear+fourier", features: int = 64,
                 bandwidth: float = 0.5, d_hidden=16,
                 loss: str = "nonsaturating",
                 r1: float = 0.0, r2: float = 0.0, gp: float = 0.0,
                 clip: float = 0.0, batch_size="full", samples: int = 128,
                 eval_samples: int = 256, g_init: str = "standard", seed: int = 0,
                 gap_steps: int = 10, gap_lr: float = 0.1):
        # 1. data
        if column is not None and columns is not None:
            raise ConfigError("gan: give column or columns, not both")
        chosen = column if column is not None else columns
        if chosen is None:
            # a missing, empty or unparseable file is the first thing to say
            from gamesim.gan.data import _read_table

            _, header, _ = _read_table(data)
            raise ConfigError(
                "gan: name the column(s) to model, e.g. "
                "gan:data=old_faithful,column=eruptions"
                f" (columns of {data!r}: {', '.join(header)})"
            )
        if labels == "auto":
            labels = default_labels(data)
        elif str(labels).lower() in ("none", "false", "off"):
            labels = None
        if not isinstance(standardize, bool):
            raise ConfigError(f"gan: standardize must be true or false, "
                              f"got {standardize!r}")
        self.dataset = load_csv(data, split_list(chosen), standardize=standardize,
                                missing=missing, labels=labels)
        d = self.dataset.dim
        self.real = self.dataset.values[None]  # (1, N, d), shared by all runs

        # 2. the players
        seed = _count("seed", seed, low=0)
        self.seed = seed
        self.generator = make_generator(
            str(generator), d, components=_count("components", components),
            weights=str(weights),
            hidden=_widths(g_hidden, "g_hidden"),
            latent_dim=None if latent_dim is None else _count("latent_dim", latent_dim),
        )
        self.discriminator = make_discriminator(
            str(discriminator), d, hidden=_widths(d_hidden, "d_hidden"),
            n_features=_count("features", features),
            bandwidth=_nonneg("bandwidth", bandwidth), seed=seed,
        )
        self.loss = get_loss(loss)
        self.r1, self.r2 = _nonneg("r1", r1), _nonneg("r2", r2)
        self.gp, self.clip = _nonneg("gp", gp), _nonneg("clip", clip)
        self.sizes = (self.generator.n_params, self.discriminator.n_params)
        self.zero_sum = self.loss.name in ("standard", "wgan") and not (
            self.r1 or self.r2 or self.gp)
        self.constrained = self.clip > 0

        # 3. samples per step and the fixed sets (seeded here, once)
        if isinstance(batch_size, str) and batch_size.lower() == "full":
            self.batch_size = None
        else:
            self.batch_size = _count("batch_size", batch_size)
            if self.batch_size > self.dataset.n:
                raise ConfigError(
                    f"gan: batch_size {self.batch_size} exceeds the "
                    f"{self.dataset.n} data rows"
                )
        self.stochastic = self.batch_size is not None
        self.samples = _count("samples", samples)
        self.eval_samples = _count("eval_samples", eval_samples, low=2)
        self.train_latent = self.generator.quasi_latent(self.samples, seed + 1)[None]
        self.eval_latent = self.generator.quasi_latent(
            self.eval_samples, seed + 2)[None]
        fixed = np.random.default_rng([seed, 3])
        self.train_mix = fixed.uniform(size=(1, min(self.dataset.n, self.samples), 1))
        self.eval_mix = fixed.uniform(
            size=(1, min(self.dataset.n, self.eval_samples), 1))
        if g_init not in ("standard", "raw"):
            raise ConfigError(
                f"gan: g_init must be 'standard' or 'raw', got {g_init!r}")
        theta0 = self.generator.init_params(np.random.default_rng([seed, 0]))
        if g_init == "raw":
            ds = self.dataset
            theta0 = self.generator.affine_image(theta0, 1.0 / ds.scale,
                                                 -ds.mean / ds.scale)[0]
        self.g_init = g_init
        self._init = np.concatenate([
            theta0,
            self._discriminator_start(np.random.default_rng([seed, 1])),
        ])

        self._real_prepared = self.discriminator.prepare(self.real)

        # 4. fixed parts of the measures
        self.modes = None
        if self.dataset.labels is not None:
            self.modes = measures.ModeModel.fit(self.dataset.values,
                                                self.dataset.labels)
        self._lp_real = measures.gaussian_kde_logpdf(self.real, self.real)
        self.name = self._spec_name(data, chosen, generator, discriminator)

        # 5. the estimated duality gap among the metrics (0 steps: off)
        gap_steps, gap_lr = _count("gap_steps", gap_steps, low=0), _nonneg(
            "gap_lr", gap_lr)
        if gap_steps and not gap_lr:
            raise ConfigError("gan: gap_lr must be > 0 when gap_steps > 0")
        self.gap_oracle = InnerSteps(gap_steps, gap_lr) if gap_steps else None

    # -- set-up helpers ----------------------------------------------------------
    def _discriminator_start(self, rng):
        phi = self.discriminator.init_params(rng)
        if self.loss.name == "lsgan":
            # least squares: an output of 1/2 is the "cannot tell" value
            bias = self.discriminator.n_params - 1 if hasattr(
                self.discriminator, "net") else 0
            phi[bias] = 0.5
        return phi

    def _spec_name(self, data, chosen, generator, discriminator) -> str:
        cols = "+".join(split_list(chosen))
        key = "column" if len(split_list(chosen)) == 1 else "columns"
        parts = [f"data={data}", f"{key}={cols}", f"generator={generator}",
                 f"discriminator={discriminator}", f"loss={self.loss.name}"]
        for k in ("r1", "r2", "gp", "clip"):
            if getattr(self, k):
                parts.append(f"{k}={getattr(self, k):g}")
        if self.batch_size is not None:
            parts.append(f"batch_size={self.batch_size}")
        if self.g_init != "standard":
            parts.append(f"g_init={self.g_init}")
        return "gan:" + ",".join(parts)

    def initial_point(self) -> np.ndarray:
        """Generator near a standard normal, discriminator at ``D = 1/2``.

        Affine: exactly ``N(0, I)``; mixture: components spread so that the
        mixture has mean 0 and covariance near ``I``; MLP: LeCun-normal
        weights from ``seed``. With ``g_init=raw`` this standard normal is
        in the file's units, mapped into the game's. The discriminator
        starts with ``f = 0`` everywhere (``f = 1/2`` for the least-squares
        loss), its MLP hidden layers random. The engine adds
        ``init_noise`` per run seed.
        """
        return self._init.copy()

    def param_names(self) -> list[str]:
        return [f"generator.{n}" for n in self.generator.param_names()] + [
            f"discriminator.{n}" for n in self.discriminator.param_names()]

    # -- samples -----------------------------------------------------------------
    def _minibatch(self, noise, runs: int):
        """Run i's data rows, latents and interpolation weights from noise[i]."""
        if len(noise) != runs:
            raise ConfigError(
                f"gan: {len(noise)} noise generators for {runs} runs"
            )
        n = self.dataset.n
        real, latent, mix = [], [], []
        for rng in noise:
            rows = rng.choice(n, size=self.batch_size, replace=False)
            real.append(self.dataset.values[rows])
            latent.append(self.generator.latent(rng, self.samples))
            if self.gp:
                mix.append(rng.uniform(size=(min(self.batch_size, self.samples), 1)))
        mix = np.stack(mix) if self.gp else None
        return np.stack(real), np.stack(latent), mix

    # -- the game ------------------------------------------------------------------
    def field(self, z: np.ndarray, noise=None) -> np.ndarray:
        """Descent field ``(grad_theta L_G, grad_phi L_D)``, shape ``(B, n)``.

        Full batch: deterministic. Minibatch: run ``i`` samples with
        ``noise[i]``; without ``noise`` the full-batch field is returned.
        """
        z = np.asarray(z, dtype=float)
        if self.stochastic and noise is not None:
            real, latent, mix = self._minibatch(noise, z.shape[0])
        else:
            real, latent, mix = self.real, self.train_latent, self.train_mix
        return self._field(z, real, latent, mix)

    def _field(self, z, real, latent, mix) -> np.ndarray:
        G, D, loss = self.generator, self.discriminator, self.loss
        theta, phi = self.split(z)
        fake = G.sample(theta, latent)
        n, m = real.shape[-2], fake.shape[-2]
        # sample weights of the generated points (mixtures), averaging 1
        wts = G.weights(theta, m)
        w_fake = np.ones(fake.shape[:2]) if wts is None else wts
        real_x = self._real_prepared if real is self.real else D.prepare(real)
        at_real, at_fake = D.at(phi, real_x), D.at(phi, fake)

        # 1. both players' losses at the current samples
        _, d_real = loss.real(at_real.logit)
        _, d_fake = loss.fake(at_fake.logit)
        gen_loss, d_gen = loss.generator(at_fake.logit)

        # 2. discriminator: grad_phi of its mean loss
        g_phi = at_real.grad_params(d_real / n) + at_fake.grad_params(
            w_fake * d_fake / m)

        # 3. generator: chain rule through the samples (grad_x f at G(z))
        #    and through the sample weights
        gx_fake = at_fake.grad_x()
        g_theta = G.vjp(theta, latent, gx_fake * (w_fake * d_gen / m)[..., None])
        if wts is not None:
            g_theta = g_theta + G.weights_vjp(theta, m, gen_loss / m)

        # 4. penalties on the discriminator (the generated points are held fixed)
        if self.r1:
            _, dg = gradient_penalty_weights(at_real.grad_x(), self.r1, "r1")
            g_phi = g_phi + at_real.penalty_grad(dg)
        if self.r2:
            _, dg = gradient_penalty_weights(gx_fake, self.r2, "r1")
            g_phi = g_phi + at_fake.penalty_grad(dg * w_fake[..., None])
        if self.gp:
            k = mix.shape[-2]
            x_hat = mix * real[..., :k, :] + (1.0 - mix) * fake[..., :k, :]
            at_hat = D.at(phi, x_hat)
            _, dg = gradient_penalty_weights(at_hat.grad_x(), self.gp, "gp")
            g_phi = g_phi + at_hat.penalty_grad(dg * w_fake[:, :k, None])
        return np.concatenate([g_theta, g_phi], axis=1)

    def losses(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each player's full-batch loss ``(L_G, L_D)``, shape ``(B,)`` each.

        On the whole data set and the fixed training latents, the samples of
        the deterministic :meth:`field` (whose blocks are the gradients of
        these losses); ``L_D`` includes the penalties.
        """
        G, D, loss = self.generator, self.discriminator, self.loss
        z = np.asarray(z, dtype=float)
        theta, phi = self.split(z)
        real, latent, mix = self.real, self.train_latent, self.train_mix
        fake = G.sample(theta, latent)
        wts = G.weights(theta, fake.shape[-2])
        w_fake = np.ones(fake.shape[:2]) if wts is None else wts
        at_real, at_fake = D.at(phi, self._real_prepared), D.at(phi, fake)
        loss_real, _ = loss.real(at_real.logit)
        loss_fake, _ = loss.fake(at_fake.logit)
        loss_gen, _ = loss.generator(at_fake.logit)
        l_gen = np.mean(w_fake * loss_gen, axis=1)
        l_disc = loss_real.mean(axis=1) + np.mean(w_fake * loss_fake, axis=1)
        if self.r1:
            l_disc = l_disc + gradient_penalty_weights(at_real.grad_x(), self.r1,
                                                       "r1")[0]
        if self.r2:
            sq = np.sum(at_fake.grad_x() ** 2, axis=-1)
            l_disc = l_disc + 0.5 * self.r2 * np.mean(w_fake * sq, axis=1)
        if self.gp:
            k = mix.shape[-2]
            x_hat = mix * real[..., :k, :] + (1.0 - mix) * fake[..., :k, :]
            norm = np.linalg.norm(D.at(phi, x_hat).grad_x(), axis=-1)
            l_disc = l_disc + self.gp * np.sum(w_fake[:, :k] * (norm - 1) ** 2,
                                               axis=1) / k
        return l_gen, l_disc

    def value(self, z: np.ndarray) -> np.ndarray:
        """The game value on the data and the fixed evaluation sample.

        ``standard``/``nonsaturating``: ``E log D(x) + E log(1 - D(G(z)))``,
        ``-log 4`` at ``D = 1/2``; ``wgan``: ``E f(x) - E f(G(z))``;
        ``lsgan``: minus the discriminator's loss. Penalties excluded.
        """
        z = np.asarray(z, dtype=float)
        _, phi = self.split(z)
        fake, wts = self.generated(z)
        f_real = self.discriminator.logit(phi, self._real_prepared)
        f_fake = self.discriminator.logit(phi, fake)
        return self._value(f_real, f_fake, wts)

    def _value(self, f_real, f_fake, wts):
        loss_real, _ = self.loss.real(f_real)
        loss_fake, _ = self.loss.fake(f_fake)
        return -(loss_real.mean(axis=-1) + measures.weighted_mean(loss_fake, wts))

    def jacobian(self, z: np.ndarray, noise=None) -> np.ndarray:
        """Jacobian of the field by central differences, ``(B, n, n)``.

        With minibatches, one minibatch per run is drawn from ``noise`` and
        held fixed while differencing (without ``noise``: the full batch).
        """
        from gamesim.games.base import central_difference_jacobian

        z = np.asarray(z, dtype=float)
        if self.stochastic and noise is not None:
            real, latent, mix = self._minibatch(noise, z.shape[0])
        else:
            real, latent, mix = self.real, self.train_latent, self.train_mix
        return central_difference_jacobian(
            lambda w: self._field(w, real, latent, mix), z)

    def project(self, z: np.ndarray) -> np.ndarray:
        """Weight clipping of the discriminator (when ``clip > 0``)."""
        if not self.clip:
            return z
        out = z.copy()
        k = self.sizes[0]
        out[:, k:] = np.clip(out[:, k:], -self.clip, self.clip)
        return out

    # -- measures --------------------------------------------------------------------
    def metric_names(self) -> list[str]:
        names = ["d_real", "d_fake", "discriminator_gap",
                 "optimal_discriminator_gap", "jsd",
                 "wasserstein" if self.dataset.dim == 1 else "energy_distance",
                 "value", "grad_norm"]
        if self.modes is not None:
            names.append("mode_coverage")
        if self.gap_oracle is not None:
            names += gap_metric_names(self)
        return names

    def minimax_game(self) -> GANGame | None:
        """This game with the minimax loss and no penalties (``None``: LSGAN).

        Its value is this game's value ``V`` (the non-saturating game shares
        it; the WGAN keeps its critic value), and it is zero-sum: the
        duality gap ``max_D V - min_G V`` is measured on it.
        """
        if self.loss.name == "lsgan":
            return None
        twin = copy.copy(self)
        twin.loss = get_loss("wgan" if self.loss.name == "wgan" else "standard")
        twin.r1 = twin.r2 = twin.gp = 0.0
        twin.zero_sum = True
        return twin

    def generated(self, z: np.ndarray):
        """The fixed evaluation sample of each run's generator.

        Returns
        -------
        samples : ndarray, shape (B, M, d)
        weights : ndarray, shape (B, M), or None
            Sample weights (mixture generators), averaging 1; ``None`` when
            all are equal.
        """
        theta, _ = self.split(np.asarray(z, dtype=float))
        samples = self.generator.sample(theta, self.eval_latent)
        return samples, self.generator.weights(theta, self.eval_samples)

    def metrics(self, z: np.ndarray, noise=None) -> dict[str, np.ndarray]:
        """Every measure at ``z`` on the fixed evaluation sample (no noise used)."""
        z = np.asarray(z, dtype=float)
        _, phi = self.split(z)
        D, loss = self.discriminator, self.loss
        fake, wts = self.generated(z)
        f_real, f_fake = D.logit(phi, self._real_prepared), D.logit(phi, fake)
        p_real, p_fake = loss.probability(f_real), loss.probability(f_fake)
        out = {
            "d_real": measures.d_real(p_real),
            "d_fake": measures.d_fake(p_fake, wts),
            "discriminator_gap": measures.discriminator_gap(p_real, p_fake, wts),
        }

        # kernel density estimates of p_data and p_g at both samples
        lp_real = np.broadcast_to(self._lp_real, p_real.shape)
        lq_real = measures.gaussian_kde_logpdf(self.real, fake, wts)
        lp_fake = measures.gaussian_kde_logpdf(fake, self.real)
        lq_fake = measures.gaussian_kde_logpdf(fake, fake, wts)
        out["optimal_discriminator_gap"] = measures.optimal_discriminator_gap(
            p_real, p_fake,
            measures.optimal_discriminator_from_log(lp_real, lq_real),
            measures.optimal_discriminator_from_log(lp_fake, lq_fake), wts,
        )
        out["jsd"] = measures.jsd_from_log_densities(lp_real, lq_real,
                                                     lp_fake, lq_fake, wts)

        # distance between the samples
        data = self.dataset.values
        per_run = [None] * len(fake) if wts is None else list(wts)
        if self.dataset.dim == 1:
            out["wasserstein"] = np.array([
                measures.wasserstein_1d(data, f, w) for f, w in zip(fake, per_run)])
        else:
            out["energy_distance"] = np.array([
                measures.energy_distance(data, f, w) for f, w in zip(fake, per_run)])
        out["value"] = self._value(f_real, f_fake, wts)
        g = self._field(z, self.real, self.eval_latent, self.eval_mix)
        out["grad_norm"] = np.linalg.norm(g, axis=1)
        if self.modes is not None:
            out["mode_coverage"] = measures.mode_coverage(fake, self.modes, wts)
        if self.gap_oracle is not None:
            out.update(gap_metrics(self, *self.split(z), self.gap_oracle))
        return out
