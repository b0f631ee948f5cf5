"""Spectral analysis: why a rule converges, cycles or diverges near a fixed point.

Near a fixed point ``z*`` every gradient rule is, to first order, a linear
map on its full state; the eigenvalues of that map decide the outcome
(Mescheder, Nowozin and Geiger 2017, "The Numerics of GANs"; Mescheder,
Geiger and Nowozin 2018, "Which Training Methods for GANs do actually
Converge?"; Gidel et al. 2019, "Negative Momentum for Improved Game
Dynamics"; Balduzzi et al. 2018, "The Mechanics of n-Player Differentiable
Games").

Sign convention: ``J`` is the Jacobian of gamesim's *descent* field ``xi``;
Mescheder's update direction ``v = -xi`` has eigenvalues ``-lambda``.

Main entry points
-----------------
:func:`field_jacobian`
    ``J`` at a point, its eigenvalues and its symmetric (potential) and
    antisymmetric (Hamiltonian) parts.
:func:`linearise_update`
    The engine's step linearised on the full state (any rule, any schedule).
:func:`analyze`
    Spectral radius, predicted rate, largest stable step, verdict.
:func:`plot_stability_region`
    A rule's stability region in the ``eta lambda`` plane with the game's
    eigenvalues on it.
:func:`fit_rate`, :func:`compare_rates`
    The measured rate of a run against the prediction.
"""

from gamesim.spectral.adapters import FrozenAdam, frozen_rule
from gamesim.spectral.analysis import (
    CONVENTION,
    SpectralReport,
    analyze,
    max_stable_step,
)
from gamesim.spectral.closed_forms import (
    MODE_RULES,
    gda_max_step,
    mode_coefficients,
    mode_radius,
    mode_roots,
    operator_matrix,
)
from gamesim.spectral.jacobian import (
    FieldJacobian,
    equilibrium_point,
    field_jacobian,
    split_jacobian,
)
from gamesim.spectral.operator import UpdateOperator, linearise_update
from gamesim.spectral.rates import (
    RateComparison,
    RateFit,
    compare_rates,
    fit_rate,
    log_rate_error,
    predicted_vs_measured,
)
from gamesim.spectral.spectrum import Spectrum, spectrum
from gamesim.spectral.stability import (
    StepSizeBound,
    plot_stability_region,
    scan_step_sizes,
    stability_region,
)

__all__ = [
    "CONVENTION",
    "MODE_RULES",
    "FieldJacobian",
    "FrozenAdam",
    "RateComparison",
    "RateFit",
    "SpectralReport",
    "Spectrum",
    "StepSizeBound",
    "UpdateOperator",
    "analyze",
    "compare_rates",
    "equilibrium_point",
    "field_jacobian",
    "fit_rate",
    "frozen_rule",
    "gda_max_step",
    "linearise_update",
    "log_rate_error",
    "max_stable_step",
    "mode_coefficients",
    "mode_radius",
    "mode_roots",
    "operator_matrix",
    "plot_stability_region",
    "predicted_vs_measured",
    "scan_step_sizes",
    "spectrum",
    "split_jacobian",
    "stability_region",
]
