"""GDA, optimistic GDA and extragradient on the bilinear game f(x, y) = x y.

The classic picture (Daskalakis et al. 2018, "Training GANs with Optimism";
Mescheder et al. 2017, "The Numerics of GANs"; Gidel et al. 2019, "A
Variational Inequality Perspective on Generative Adversarial Networks"):
from (1, 1) with step 0.1, simultaneous gradient descent-ascent spirals
out (its linear step has spectral radius sqrt(1 + eta^2) > 1), alternating
GDA stays on a bounded orbit, and optimistic GDA and extragradient spiral in.

Run it with ``python examples/bilinear_gda_ogda_eg.py [--out DIR]``; it prints
||z_1000|| of each rule next to the value of reference A
(shared/reference-cases.md) and writes two figures into DIR.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from gamesim import make_game, parse_rule_specs, simulate
from gamesim.reports import convergence_figure, phase_portrait_figure

#: rule spec -> ||z_1000|| from (1, 1), step 0.1 (reference A)
REFERENCE = {
    "gda:lr=0.1": 204.740,
    "gda:lr=0.1,schedule=alternating": 1.39926,
    "ogda:lr=0.1": 0.00891624,
    "eg:lr=0.1": 0.00977339,
}


def run(steps: int = 1000) -> pd.DataFrame:
    """Every rule of :data:`REFERENCE` on x y; the history of all, labelled."""
    game = make_game("bilinear")
    frames = []
    for spec in REFERENCE:
        rules, schedule = parse_rule_specs(game, spec)
        res = simulate(game, rules, steps, schedule=schedule, record_every=10)
        frames.append(res.history.assign(rule=spec))
    return pd.concat(frames, ignore_index=True)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="examples-out/bilinear",
                        help="folder for the figures")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    history = run(1000)
    final = history[history["step"] == 1000].set_index("rule")
    norms = {}
    print(f"{'rule':<34} {'||z_1000||':>12} {'reference A':>12}")
    for spec, expected in REFERENCE.items():
        row = final.loc[spec]
        norms[spec] = float(np.hypot(row["generator[0]"], row["discriminator[0]"]))
        print(f"{spec:<34} {norms[spec]:>12.6g} {expected:>12.6g}")

    game = make_game("bilinear")
    fig = convergence_figure(history, "distance_to_equilibrium", "rule", tol=1e-3,
                             run_column="run")
    fig.savefig(out / "distance.png", dpi=110)
    fig = phase_portrait_figure(game, history[history["step"] <= 300], "rule",
                                run_column="run", columns=2)
    fig.savefig(out / "phase_portrait.png", dpi=110)
    print(f"wrote {out / 'distance.png'} and {out / 'phase_portrait.png'}")
    return norms


if __name__ == "__main__":
    main()
