"""``gamesim equilibria``: the equilibria of a game, computed exactly.

For a matrix game: every extreme equilibrium (vertex enumeration for small
games, the LP or Lemke-Howson for large ones), whether they form a
continuum, the minimax value of zero-sum games, the pure equilibria, the
sink components of the best-response graph, and observed frequencies where
the catalogue has them (penalty kicks). For other games: the equilibria the
game knows.
"""

from __future__ import annotations

import json

import numpy as np

from gamesim.cli.common import format_number
from gamesim.equilibria import pure_equilibria, sink_components, solve
from gamesim.equilibria.solve import METHODS
from gamesim.errors import ConfigError
from gamesim.registry import make_game

#: relative size below which a printed number is rounding noise and prints as
#: 0 (rock-paper-scissors' value comes out as 2.2e-16): 1e-12 times the scale
#: of the number, which is 1 for a probability and max |payoff| over both
#: payoff matrices for a payoff or a value (the JSON keeps the raw floats)
ZERO_BELOW = 1e-12


def register(sub):
    p = sub.add_parser("equilibria", help="compute the equilibria of a game")
    p.add_argument("--game", required=True, help="game spec, e.g. matrix:name=rps")
    p.add_argument(
        "--method",
        choices=METHODS,
        default="auto",
        help="solver for matrix games (default: auto)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args) -> int:
    game = make_game(args.game)
    scale = None
    if getattr(game, "simplex", False):
        report = matrix_report(game, args.method)
        scale = float(max(np.max(np.abs(game.A)), np.max(np.abs(game.B))))
    else:
        report = generic_report(game)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print("\n".join(format_report(report, payoff_scale=scale)))
    return 0


def matrix_report(game, method: str = "auto") -> dict:
    """Everything ``gamesim equilibria`` says about a matrix game, as a dict."""
    eq = solve(game.A, game.B, method=method)
    m, n = game.sizes
    report = {
        "game": game.name,
        "description": game.describe(),
        "kind": game.kind,
        "sizes": [m, n],
        "row_labels": game.row_labels,
        "column_labels": game.column_labels,
        **eq.to_dict(),
    }
    if game.zero_sum:
        sol = game.minimax()
        report["minimax"] = {
            "row": sol.x.tolist(),
            "column": sol.y.tolist(),
            "value": sol.value,
        }
    pure = pure_equilibria(game.A, game.B)
    report["pure_equilibria"] = [
        [int(np.argmax(x)), int(np.argmax(y))] for x, y in pure
    ]
    report["sink_components"] = [
        [list(map(int, node)) for node in comp]
        for comp in sink_components(game.A, game.B)
    ]
    if game.observed is not None:
        report["observed"] = {
            "row": game.observed[0].tolist(),
            "column": game.observed[1].tolist(),
        }
    return report


def generic_report(game) -> dict:
    """The equilibria a non-matrix game knows about."""
    points = game.equilibria()
    if points is None:
        raise ConfigError(
            f"game {game.name!r} knows no equilibria; gamesim equilibria computes "
            "them for matrix games (matrix:...)"
        )
    points = np.atleast_2d(points)
    sx, sy = game.slices
    return {
        "game": game.name,
        "description": game.describe(),
        "method": "known",
        "count": len(points),
        "equilibria": [
            {game.players[0]: p[sx].tolist(), game.players[1]: p[sy].tolist()}
            for p in points
        ],
    }


def _vector(values, labels=None, zero_below: float = 0.0) -> str:
    cells = [format_number(v, zero_below) for v in values]
    if labels:
        cells = [f"{lab}={c}" for lab, c in zip(labels, cells)]
    return "(" + ", ".join(cells) + ")"


def format_report(report: dict, payoff_scale: float | None = None) -> list[str]:
    """Lines of text for a report made by :func:`matrix_report`.

    Numbers below :data:`ZERO_BELOW` times their scale print as 0: the
    scale of a probability is 1, that of a payoff or value ``payoff_scale``
    (no payoff is rounded to 0 when it is None), that of a non-matrix
    game's parameters the largest of them.
    """
    lines = [report["description"]]
    if "kind" not in report:  # a non-matrix game
        points = [np.ravel(v) for item in report["equilibria"] for v in item.values()]
        largest = max((np.max(np.abs(p)) for p in points if p.size), default=0.0)
        noise = ZERO_BELOW * float(largest)
        for k, item in enumerate(report["equilibria"], start=1):
            lines.append(f"  {k}. " + "  ".join(
                f"{who} {_vector(v, zero_below=noise)}" for who, v in item.items()))
        return lines

    # rounding noise: probabilities against 1, payoffs against the payoff scale
    prob = ZERO_BELOW
    pay = 0.0 if payoff_scale is None else ZERO_BELOW * payoff_scale
    rows, cols = report["row_labels"], report["column_labels"]
    extent = "all extreme equilibria" if report["complete"] else "some equilibria"
    lines.append(f"method    {report['method']} ({extent})")
    if report["continuum"] is not None:
        lines.append(
            "continuum "
            + (
                "yes: the equilibria form segments or faces between the extreme ones"
                if report["continuum"]
                else "no: finitely many equilibria"
            )
        )
    for k, item in enumerate(report["equilibria"], start=1):
        payoffs = ""
        if "payoff_row" in item:
            payoffs = (
                f"  payoffs {format_number(item['payoff_row'], pay)}, "
                f"{format_number(item['payoff_column'], pay)}"
            )
        lines.append(
            f"  {k}. row {_vector(item['row'], rows, prob)}  "
            f"column {_vector(item['column'], cols, prob)}{payoffs}"
        )
    if "minimax" in report:
        mm = report["minimax"]
        lines.append(
            f"minimax   row {_vector(mm['row'], rows, prob)}  column "
            f"{_vector(mm['column'], cols, prob)}  "
            f"value {format_number(mm['value'], pay)}"
        )
    if "observed" in report:
        ob = report["observed"]
        lines.append(
            f"observed  row {_vector(ob['row'], rows, prob)}  column "
            f"{_vector(ob['column'], cols, prob)}"
        )
    pure = report["pure_equilibria"]
    lines.append("pure      " + (", ".join(f"({i}, {j})" for i, j in pure) or "none"))
    sinks = [comp for comp in report["sink_components"] if len(comp) > 1]
    if sinks:
        lines.append(
            "best-response cycles (sink components): "
            + "; ".join(
                "{" + ", ".join(f"({i}, {j})" for i, j in comp) + "}" for comp in sinks
            )
        )
    return lines
