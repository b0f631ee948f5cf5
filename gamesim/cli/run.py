"""``gamesim run``: one game, one set of rules, one batch of runs."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from gamesim.cli.common import (
    finite_float,
    float_list,
    format_number,
    nonnegative_int,
    positive_int,
)
from gamesim.engine import parse_rule_specs, simulate
from gamesim.errors import ConfigError
from gamesim.io import atomic_write_csv, atomic_write_json, ensure_writable_dir
from gamesim.registry import make_game


def register(sub):
    p = sub.add_parser("run", help="run update rules on a game")
    p.add_argument("--game", required=True, help="game spec, e.g. bilinear:n=5")
    p.add_argument("--rule", action="append", required=True, metavar="[PLAYER=]SPEC",
                   help="rule spec for both players, or PLAYER=SPEC for one")
    p.add_argument("--steps", type=positive_int, default=1000)
    p.add_argument("--seed", type=nonnegative_int, default=0)
    p.add_argument("--batch", type=positive_int, default=1,
                   help="number of runs (seeds SEED, SEED+1, ...)")
    p.add_argument("--tol", type=finite_float, default=None,
                   help="stop a run when the stop metric is at most TOL")
    p.add_argument("--stop-metric", default=None)
    p.add_argument("--record-every", type=positive_int, default=None)
    p.add_argument("--z0", type=float_list, default=None, metavar="X1,X2,...",
                   help="initial point of every run: the joint parameters "
                        "(first player's, then second's), comma-separated; "
                        "default the game's (for matrix games the uniform "
                        "strategies: the equilibrium of matching pennies "
                        "and rock-paper-scissors)")
    p.add_argument("--init-noise", type=finite_float, default=0.0,
                   help="standard deviation of seeded Gaussian noise added to "
                        "each run's initial point")
    p.add_argument("--average", choices=("auto", "none", "uniform", "ema"),
                   default="auto")
    p.add_argument("--out", default=None, help="folder for history.csv, final.csv, "
                   "result.json")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args) -> int:
    out = ensure_writable_dir(args.out) if args.out is not None else None
    game = make_game(args.game)
    rules, schedule = parse_rule_specs(game, args.rule)
    z0 = getattr(args, "z0", None)
    if z0 is not None and len(z0) != game.n:
        raise ConfigError(
            f"--z0 has {len(z0)} value(s) but game {game.name!r} has {game.n} "
            f"parameters ({', '.join(game.param_names())})")
    average = None if args.average == "none" else args.average
    result = simulate(
        game, rules, args.steps, seed=args.seed, batch=args.batch, tol=args.tol,
        stop_metric=args.stop_metric, record_every=args.record_every,
        init_noise=args.init_noise, schedule=schedule, average=average, z0=z0,
    )
    summary = result.to_dict(0)
    if result.runs > 1:
        summary["runs"] = [result.to_dict(i) for i in range(result.runs)]
        summary["status_counts"] = dict(Counter(result.status.tolist()))
    if out is not None:
        atomic_write_csv(Path(out) / "history.csv", result.history)
        atomic_write_csv(Path(out) / "final.csv", result.final)
        atomic_write_json(Path(out) / "result.json", summary)
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    rows = [("game", summary["game"])]
    rows += [(player, spec) for player, spec in summary["rules"].items()]
    rows.append(("schedule", summary["schedule"]))
    counts = Counter(result.status.tolist())
    rows.append(("status", ", ".join(f"{k} x{v}" if result.runs > 1 else k
                                     for k, v in counts.items())))
    rows.append(("steps", str(summary["steps"])))
    if result.runs > 1:
        rows.append(("metrics of", f"run 0 (seed {summary['seed']}); every run "
                     "in --json or --out"))
    rows += [(name, format_number(value))
             for name, value in summary["metrics"].items()]
    width = max(len(key) for key, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    if out is not None:
        print(f"wrote     {out}/history.csv, final.csv, result.json")
    return 0
