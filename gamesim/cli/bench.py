"""``gamesim bench``: the convergence benchmark suite and its leaderboard.

Runs the fixed suite of :mod:`gamesim.bench` (every registered rule that
applies, on every game of the suite, at the game's step sizes and seeds)
and writes ``leaderboard.md``, ``leaderboard.csv``, ``runs.csv``,
``applicability.csv``, ``bench.json`` and ``figures/<game>.png`` to the
output folder. Running the same command again resumes from the saved tasks.

Exit status: 0 when every configuration ran; 1 when a configuration failed
with an error inside a run (a bug: the leaderboard lists it, the others
ran) or the sweep stopped before every task finished (the finished ones are
saved); 2 for a user error (an unknown game or rule, an unusable output
folder or executor); 130 when interrupted.
"""

from __future__ import annotations

import math
import signal
import sys

from gamesim.cli.common import positive_int

DEFAULT_OUT = "gamesim-bench"


def register(sub):
    from gamesim.bench.suite import GAMES

    p = sub.add_parser(
        "bench", help="run the convergence benchmark suite and write its leaderboard",
        description="Run every registered update rule on the fixed benchmark games "
                    "(bilinear, quadratic, Dirac-GAN, matrix games, the GAN on Old "
                    "Faithful) at a small grid of step sizes and seeds; rank the "
                    "rules per game by gradient evaluations to tolerance. Quick "
                    "mode (default) takes a few minutes on 2 cores.",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="mode", action="store_const", const="quick",
                      help="seeds 0-1, two step sizes, costly rules skipped on the "
                           "GAN (default)")
    mode.add_argument("--full", dest="mode", action="store_const", const="full",
                      help="seeds 0-4, three step sizes, every rule (much longer)")
    p.set_defaults(mode="quick")
    p.add_argument("--out", metavar="DIR", default=DEFAULT_OUT,
                   help=f"output folder (default {DEFAULT_OUT})")
    p.add_argument("--executor", metavar="local|processes|auto|dask://HOST:PORT",
                   default="auto",
                   help="where the runs go (default auto: worker processes)")
    p.add_argument("--workers", type=positive_int, metavar="N",
                   help="worker processes (default: every core)")
    p.add_argument("--games", nargs="+", metavar="KEY",
                   help="only these games: " + ", ".join(g.key for g in GAMES))
    p.add_argument("--rules", nargs="+", metavar="NAME",
                   help="only these rules (default: every registered rule)")
    p.add_argument("--restart", action="store_true",
                   help="run every task again instead of resuming")
    p.add_argument("--no-figures", dest="figures", action="store_false",
                   help="write the tables only")
    p.set_defaults(func=run)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def run(args) -> int:
    from gamesim.bench import run_suite, suite
    from gamesim.compare import SweepInterrupted

    s = suite(args.mode, games=args.games, rules=args.rules)
    previous = None
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        result = run_suite(s, out=args.out, executor=args.executor,
                           workers=args.workers, resume=not args.restart,
                           progress=_Progress(), figures=args.figures)
    except SweepInterrupted as exc:
        print(f"gamesim: benchmark incomplete: {exc}", file=sys.stderr)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    _print_podium(result)
    print(f"suite version {s.version}, {s.mode} mode, {len(result.runs)} runs in "
          f"{result.wall_time:.1f} s; wrote {result.out}/leaderboard.md, "
          "leaderboard.csv, runs.csv, figures/")
    table = result.applicability
    errors = table[table["availability"] == "error"]
    for row in errors.itertuples():
        print(f"gamesim: configuration failed: {row.game} / {row.rule_spec}: "
              f"{row.reason}", file=sys.stderr)
    return 1 if len(errors) else 0


class _Progress:
    """One line on standard error each time a game's comparison finishes."""

    def __call__(self, p) -> None:
        if p.tasks_total and p.tasks_done == p.tasks_total:
            print(f"[{p.games_done + 1}/{p.games_total}] {p.game}: {p.tasks_total} "
                  f"configuration(s) done at {p.elapsed:.1f} s", file=sys.stderr,
                  flush=True)


def _print_podium(result) -> None:
    """The three best rules of every game."""
    board = result.leaderboard
    print(f"{'game':<26} {'rank':>4}  {'rule (best step size)':<34} {'conv':>5} "
          f"{'evals':>7} {'final':>10}")
    for game in result.suite.games:
        rows = board[(board["game"] == game.key) & board["rank"].notna()]
        for row in rows.head(3).itertuples(index=False):
            evals = "-" if math.isnan(row.evaluations_to_tol) else \
                f"{row.evaluations_to_tol:.0f}"
            print(f"{game.key:<26} {int(row.rank):>4}  {row.rule_spec[:34]:<34} "
                  f"{row.converged_share:>5.0%} {evals:>7} {row.final:>10.3g}")
    print("conv: share of runs within tolerance; evals: median gradient evaluations "
          "to tolerance; final: median final metric")
