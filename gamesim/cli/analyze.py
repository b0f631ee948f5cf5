"""``gamesim analyze``: spectral analysis of rules on a game at a fixed point."""

from __future__ import annotations

import json

from gamesim.cli.common import finite_float, format_number
from gamesim.engine import parse_rule_specs
from gamesim.errors import ConfigError
from gamesim.registry import make_game


def register(sub):
    p = sub.add_parser(
        "analyze",
        help="eigenvalues, spectral radius and largest stable step at an equilibrium",
        description="Linearise the rules' update at a fixed point of the game and "
        "report the eigenvalues of the Jacobian J of the descent field xi (the "
        "update direction v = -xi of Mescheder et al. has eigenvalues -lambda), "
        "the spectral radius of the update on its full state, the predicted rate "
        "and the largest stable step size.",
    )
    p.add_argument("--game", required=True, help="game spec, e.g. dirac:r1=0.3")
    p.add_argument("--rule", action="append", required=True, metavar="[PLAYER=]SPEC",
                   help="rule spec for both players, or PLAYER=SPEC for one "
                   "(schedule=alternating, order=..., d_steps=... allowed)")
    p.add_argument("--point", default=None, metavar="V,V,...",
                   help="the fixed point (default: the game's known equilibrium)")
    p.add_argument("--preconditioner", type=finite_float, default=None,
                   metavar="D", help="Adam's frozen sqrt(v_hat) + eps (needed for "
                   "adam and oadam: frozen-preconditioner linearisation)")
    p.add_argument("--no-scan", action="store_true",
                   help="skip the search for the largest stable step size")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _point(text):
    if text is None:
        return None
    try:
        return [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise ConfigError(f"--point must be numbers separated by commas, got {text!r}")


def run(args) -> int:
    from gamesim.spectral import analyze

    game = make_game(args.game)
    rules, schedule = parse_rule_specs(game, args.rule)
    report = analyze(game, rules, schedule, point=_point(args.point),
                     preconditioner=args.preconditioner, step_scan=not args.no_scan)
    summary = report.to_dict()
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    width = max(10, *(len(p) for p in summary["rule"]))
    print(f"{'game':<{width}} {summary['game']}")
    for player, spec in summary["rule"].items():
        print(f"{player:<{width}} {spec}")
    print(f"{'schedule':<{width}} {summary['schedule']}")
    point = ", ".join(f"{k}={v}" for k, v in summary["point"].items())
    print(f"{'point':<{width}} {point}")
    print(f"J = d xi/dz ({summary['jacobian_method']}), eigenvalues:")
    for v in summary["jacobian_eigenvalues"]:
        print(f"    {_complex(v)}")
    print(f"update operator on ({', '.join(summary['update_operator_state'])})")
    print(f"spectral radius   {format_number(summary['spectral_radius'])}"
          f"  (+- {summary['spectral_radius_accuracy']:.1g}, "
          f"{summary['spectral_radius_method']})")
    rate = summary["predicted_rate"]
    print(f"predicted rate    {format_number(rate['per_step'])} per step, "
          f"{format_number(rate['per_evaluation'])} per field evaluation")
    if summary["max_stable_step"] is not None:
        detail = summary["max_stable_step_detail"]
        print(f"max stable step   {_number(summary['max_stable_step'])} "
              f"({detail['method']})")
    print(f"verdict           {summary['verdict']}")
    for note in summary["notes"]:
        print(f"note: {note}")
    return 0


def _number(v):
    return v if isinstance(v, str) else format_number(v)


def _complex(v) -> str:
    re, im = v["real"], v["imag"]
    sign = "-" if im < 0 else "+"
    return f"{format_number(re)} {sign} {format_number(abs(im))}i"
