"""The GAN game on real data, and the Gaussian location game.

Importing this package registers the games ``gan`` (:class:`GANGame`, a
generator against a discriminator on a CSV data set) and ``gaussian``
(:class:`GaussianGame`, known densities, exact ``D*`` and JSD).

Modules: :mod:`~gamesim.gan.data` (loading CSV columns),
:mod:`~gamesim.gan.generators`, :mod:`~gamesim.gan.discriminators`,
:mod:`~gamesim.gan.losses`, :mod:`~gamesim.gan.measures`,
:mod:`~gamesim.gan.game`, :mod:`~gamesim.gan.gaussian` and
:mod:`~gamesim.gan.recommended` (configurations known to converge).
"""

from gamesim.gan.data import Dataset, load_csv
from gamesim.gan.game import GANGame
from gamesim.gan.gaussian import GaussianGame

__all__ = ["Dataset", "GANGame", "GaussianGame", "load_csv"]
