"""``gamesim report DIR``: the equilibrium report of a comparison's folder.

Writes ``DIR/report.html`` (self-contained), ``DIR/report.md``,
``DIR/figures/*.png``, ``DIR/verdicts.csv`` and ``DIR/run_verdicts.csv``
(see :mod:`gamesim.reports`).
"""

from __future__ import annotations

from gamesim.cli.common import finite_float


def register(sub):
    p = sub.add_parser(
        "report", help="write the equilibrium report of a comparison folder",
        description="Read a folder written by `gamesim compare --out DIR` and write "
                    "DIR/report.html (self-contained), DIR/report.md, the figures "
                    "and the verdict tables.",
    )
    p.add_argument("folder", metavar="DIR", help="a comparison's output folder")
    p.add_argument("--metric", metavar="NAME",
                   help="the verdict metric (default: the stop metric, else "
                        "distance_to_equilibrium, NashConv, discriminator_gap or "
                        "grad_norm, whichever the history has first)")
    p.add_argument("--tol", type=finite_float, metavar="TOL",
                   help="the verdict tolerance (default: the experiment's tol for "
                        "its stop metric, else a default per metric)")
    p.add_argument("--no-density", dest="density", action="store_false",
                   help="skip the generated-density figure of GAN games (it runs "
                        "the first seed of each configuration again)")
    p.add_argument("--no-stability", dest="stability", action="store_false",
                   help="skip the stability-region figure")
    p.add_argument("--executor", default="auto", metavar="local|processes|auto",
                   help="where the re-runs of the density figure run (default auto: "
                        "worker processes when there are several)")
    p.set_defaults(func=run)


def run(args) -> int:
    from gamesim.reports import write_report

    files = write_report(args.folder, metric=args.metric, tol=args.tol,
                         density=args.density, stability=args.stability,
                         executor=args.executor)
    print(f"wrote {files.html}")
    print(f"wrote {files.markdown} ({len(files.figures)} figures in "
          f"{files.folder / 'figures'})")
    print(f"wrote {', '.join(str(p) for p in files.tables)}")
    return 0
