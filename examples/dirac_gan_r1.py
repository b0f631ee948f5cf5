"""The Dirac-GAN with and without the R1 penalty (Mescheder et al. 2018).

Data sit at 0, the generator at theta, the discriminator is
D(x) = sigmoid(psi x) (Mescheder, Geiger and Nowozin 2018, "Which Training
Methods for GANs do actually Converge?", ICML, Figure 1 and Section 4).
At the equilibrium (0, 0) the Jacobian of the descent field has the
eigenvalues +-i/2 without a penalty: simultaneous gradient descent spirals
slowly out and alternating descent circles. With R1, gamma / 2 E[|grad_x
D|^2] on real data, the eigenvalues become -gamma/2 +- sqrt(gamma^2/4 - 1/4)
in Mescheder's sign (here, for J of the descent field, their negatives),
and simultaneous gradient descent converges.

Run it with ``python examples/dirac_gan_r1.py [--out DIR]``: it prints the
eigenvalues next to reference B (shared/reference-cases.md), the final
distance to the equilibrium and D(theta), and writes two figures.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from gamesim import make_game, parse_rule_specs, simulate
from gamesim.reports import convergence_figure, phase_portrait_figure
from gamesim.spectral import field_jacobian

#: (label, game spec, rule spec)
CASES = (
    ("no penalty, simultaneous", "dirac", "gda:lr=0.1"),
    ("no penalty, alternating", "dirac", "gda:lr=0.1,schedule=alternating"),
    ("R1 gamma=0.3, simultaneous", "dirac:r1=0.3", "gda:lr=0.1"),
    ("R1 gamma=1, simultaneous", "dirac:r1=1", "gda:lr=0.1"),
)


def run(steps: int = 3000) -> pd.DataFrame:
    """Every case from (theta, psi) = (1, 1); histories labelled by case."""
    frames = []
    for label, game_spec, rule_spec in CASES:
        game = make_game(game_spec)
        rules, schedule = parse_rule_specs(game, rule_spec)
        res = simulate(game, rules, steps, schedule=schedule, record_every=15)
        frames.append(res.history.assign(case=label))
    return pd.concat(frames, ignore_index=True)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="examples-out/dirac",
                        help="folder for the figures")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    # 1. the spectrum at the equilibrium (reference B)
    eigenvalues = {}
    for spec in ("dirac", "dirac:r1=0.3", "dirac:r1=1"):
        eig = np.sort_complex(field_jacobian(make_game(spec)).eigenvalues)
        eigenvalues[spec] = eig
        print(f"eigenvalues of J at (0, 0), {spec:<13} "
              + ", ".join(f"{v.real:+.6f}{v.imag:+.6f}i" for v in eig))

    # 2. the runs
    history = run()
    last = history.groupby("case", sort=False).tail(1).set_index("case")
    final = {}
    print(f"{'case':<28} {'distance to (0, 0)':>19} {'D(theta)':>9}")
    for label, _, _ in CASES:
        row = last.loc[label]
        final[label] = float(row["distance_to_equilibrium"])
        print(f"{label:<28} {final[label]:>19.4g} {row['d_fake']:>9.4f}")

    fig = convergence_figure(history, "distance_to_equilibrium", "case", tol=1e-3,
                             run_column="run")
    fig.savefig(out / "distance.png", dpi=110)
    fields = {label: make_game(game_spec) for label, game_spec, _ in CASES}
    fig = phase_portrait_figure(make_game("dirac"), history, "case", run_column="run",
                                columns=2, games=fields)
    fig.savefig(out / "phase_portrait.png", dpi=110)
    print(f"wrote {out / 'distance.png'} and {out / 'phase_portrait.png'}")
    return {"eigenvalues": eigenvalues, "distance": final}


if __name__ == "__main__":
    main()
