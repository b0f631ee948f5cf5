"""``gamesim compare``: a sweep over games, rule grids and seeds.

With neither ``--game`` nor ``--config`` it runs the default experiment
(``gamesim/data/default_experiment.toml`` when bundled, else a small
bilinear sweep) and writes to ``./gamesim-out``.
"""

from __future__ import annotations

import math
import signal
import sys
import time
from pathlib import Path

from gamesim.cli.common import finite_float, format_number, positive_int
from gamesim.compare import Experiment, SweepInterrupted, SweepProgress, run_experiment

DEFAULT_EXPERIMENT = Path(__file__).resolve().parent.parent / "data" / \
    "default_experiment.toml"
DEFAULT_OUT = "gamesim-out"

#: the sweep run when no bundled default experiment exists
FALLBACK = dict(
    games=["bilinear"],
    rules=["gda:lr=0.05|0.1|0.2", "gda:lr=0.05|0.1|0.2,schedule=alternating",
           "ogda:lr=0.05|0.1|0.2", "eg:lr=0.05|0.1|0.2"],
    seeds=10, steps=2000, tol=1e-3, init_noise=0.1, out=DEFAULT_OUT,
)


def register(sub):
    p = sub.add_parser(
        "compare", help="compare update rules over games, step sizes and seeds",
        description="Run every game x rule configuration (grids written a|b|c) on "
                    "several seeds; write runs.csv, summary.csv and history.csv. "
                    "Running the same command again resumes an interrupted sweep.",
    )
    p.add_argument("--config", metavar="FILE", help="experiment file (TOML); flags "
                   "override its values")
    p.add_argument("--game", nargs="+", action="extend", metavar="SPEC",
                   help="game spec(s), e.g. bilinear dirac:r1=0|0.3")
    p.add_argument("--rules", "--rule", nargs="+", action="extend", metavar="SPEC",
                   help="rule spec(s) with grids, e.g. 'gda:lr=0.01|0.1' "
                        "'ogda:lr=0.1,lr_d=0.05|0.2'; per-player specs joined by "
                        "';' ('generator=adam:lr=0.01;discriminator=gda:lr=0.1')")
    p.add_argument("--seeds", type=positive_int, metavar="N",
                   help="number of seeds per configuration (0..N-1)")
    p.add_argument("--steps", type=positive_int, metavar="N",
                   help="maximum steps per run (default 1000)")
    p.add_argument("--tol", type=finite_float, help="stop a run when its stop "
                   "metric is at most TOL")
    p.add_argument("--stop-metric", metavar="NAME",
                   help="metric compared with TOL and used to rank step sizes")
    p.add_argument("--record-every", type=positive_int, metavar="N",
                   help="steps between history rows (default steps/100)")
    p.add_argument("--init-noise", type=finite_float, metavar="SIGMA",
                   help="perturb each run's initial point (seeded); default 0")
    p.add_argument("--average", choices=("auto", "none", "uniform", "ema"))
    p.add_argument("--seeds-per-task", type=positive_int, metavar="N",
                   help="seeds per batch (default: all seeds of a configuration)")
    p.add_argument("--executor", metavar="local|processes|auto|dask://HOST:PORT",
                   help="where tasks run (default auto: processes when useful)")
    p.add_argument("--workers", type=positive_int, metavar="N",
                   help="worker processes (default: every core)")
    p.add_argument("--out", metavar="DIR",
                   help=f"output folder (default {DEFAULT_OUT})")
    p.add_argument("--restart", action="store_true",
                   help="run every task again instead of resuming")
    bar = p.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                     help="draw the progress bar even when stderr is not a terminal")
    bar.add_argument("--no-progress", dest="progress", action="store_false",
                     help="never draw the progress bar")
    p.add_argument("--no-report", dest="report", action="store_false",
                   help="do not write report.html and report.md at the end "
                        "(`gamesim report DIR` writes them later)")
    p.set_defaults(func=run)


def experiment_from_args(args) -> Experiment:
    """The experiment the arguments describe (file, defaults, then flags)."""
    if args.config:
        base = Experiment.from_toml(args.config)
    elif args.game or args.rules:
        base = Experiment(games=args.game or (), rules=args.rules or (),
                          out=DEFAULT_OUT)
    elif DEFAULT_EXPERIMENT.exists():
        base = Experiment.from_toml(DEFAULT_EXPERIMENT)
    else:
        base = Experiment(**FALLBACK)
    if args.config and (args.game or args.rules):
        base = base.replace(games=args.game, rules=args.rules)
    changes = dict(
        seeds=args.seeds, steps=args.steps, tol=args.tol, stop_metric=args.stop_metric,
        record_every=args.record_every, init_noise=args.init_noise,
        seeds_per_task=args.seeds_per_task, executor=args.executor,
        workers=args.workers, out=args.out,
    )
    experiment = base.replace(**changes)
    if args.average is not None:
        experiment = Experiment.from_dict({**experiment.to_dict(),
                                           "average": args.average})
    if experiment.out is None:
        experiment = experiment.replace(out=DEFAULT_OUT)
    return experiment


class ProgressBar:
    """A one-line progress bar on a stream (standard error by default).

    It redraws in place only when the stream is a terminal (or when forced);
    otherwise it stays silent and :meth:`finish` prints one final line.
    """

    width = 24

    def __init__(self, stream=None, enabled: bool | None = None,
                 interval: float = 0.1):
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled
        self.interval = interval
        self._last_draw = -math.inf
        self._drawn = False
        self.last: SweepProgress | None = None

    def __call__(self, p: SweepProgress) -> None:
        self.last = p
        if not self.enabled:
            return
        now = time.monotonic()
        if p.tasks_done < p.tasks_total and now - self._last_draw < self.interval:
            return
        self._last_draw = now
        self.stream.write("\r" + self.line(p) + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def line(self, p: SweepProgress) -> str:
        """The bar's text for one progress report."""
        share = p.tasks_done / p.tasks_total if p.tasks_total else 1.0
        fill = int(round(share * self.width))
        rate = f"{p.runs_per_second:.1f} runs/s" if p.runs_per_second else "- runs/s"
        left = _duration(p.eta) if p.eta is not None else "--:--"
        return (f"[{'#' * fill}{'.' * (self.width - fill)}] {p.tasks_done}/"
                f"{p.tasks_total} tasks  {rate}  {left} left")

    def finish(self, ok: bool = True) -> None:
        """End the bar's line, or print a final line when it was not drawn."""
        p = self.last
        if self._drawn:
            self.stream.write("\n")
        elif ok and p is not None:
            resumed = f" ({p.resumed} resumed)" if p.resumed else ""
            self.stream.write(
                f"{p.tasks_done}/{p.tasks_total} tasks{resumed}, {p.runs_total} runs "
                f"in {_duration(p.elapsed)} ({p.runs_per_second:.1f} runs/s)\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def run(args) -> int:
    experiment = experiment_from_args(args)
    bar = ProgressBar(enabled=args.progress)
    previous = None
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        # SIGTERM stops the sweep the way Ctrl-C does: workers are ended and
        # every finished task stays saved
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        result = run_experiment(experiment, resume=not args.restart, progress=bar)
    except SweepInterrupted as exc:
        bar.finish(ok=False)
        print(f"gamesim: sweep incomplete: {exc}", file=sys.stderr)
        return 1
    except BaseException:
        bar.finish(ok=False)
        raise
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    bar.finish()
    _print_summary(result)
    if getattr(args, "report", True) and result.out is not None:
        return _write_report(result)
    return 0


def _write_report(result) -> int:
    """Write the report; a failure leaves the tables and says so (status 1)."""
    import logging

    from gamesim.reports import write_report

    try:
        files = write_report(result.out, result, executor="auto")
    except Exception as exc:  # the sweep's tables are saved whatever happens
        logging.getLogger(__name__).debug("report failed", exc_info=True)
        print(f"gamesim: the report could not be written ({type(exc).__name__}: "
              f"{exc}); the tables are in {result.out}; `gamesim report "
              f"{result.out}` tries again", file=sys.stderr)
        return 1
    _print_verdicts(result.out)
    print(f"wrote {files.html} and {files.markdown.name}")
    return 0


def _print_verdicts(out) -> None:
    """One line per configuration: the report's verdict and its evidence."""
    import pandas as pd

    path = Path(out) / "verdicts.csv"
    if not path.exists():
        return
    verdicts = pd.read_csv(path)
    width = min(44, max(len(str(label)) for label in verdicts["label"]))
    print("verdicts (see the report for the evidence):")
    for _, row in verdicts.iterrows():
        print(f"  {_clip(row['label'], width):<{width}}  {row['verdict']:<10} "
              f"{row['seeds']}; final {row['metric']} "
              f"{format_number(row['final_median'])}")
        note = row.get("note")
        if isinstance(note, str) and note:
            print(f"  {'':<{width}}  warning: {note}")


def _print_summary(result) -> None:
    summary = result.summary
    with_tol = result.experiment.tol is not None
    # without --tol no run is stopped at a tolerance: "no tol", not a share,
    # so the column is not read as the report's verdict ("converged 5/5")
    head = (f"{'game':<16} {'rules':<44}  {'reached tol':>11}  {'steps to tol':>12}"
            f"  {'metric':>11}  best")
    print(head)
    for _, row in summary.iterrows():
        if not with_tol:
            reached = steps = "no tol"
        else:
            reached = f"{row['converged_share']:.0%}"
            steps = "-" if math.isnan(row["steps_to_tol_median"]) else \
                f"{row['steps_to_tol_median']:.0f}"
        metric = row.get(f"{row['stop_metric']}_median", math.nan)
        print(f"{_clip(row['game'], 16):<16} {_clip(row['rule_spec'], 44):<44} "
              f" {reached:>11}  {steps:>12}  "
              f"{format_number(metric):>11}  {'*' if row['best'] else ''}")
    metrics = sorted(set(summary["stop_metric"]))
    print("reached tol: share of runs stopped at the tolerance (tol); steps to "
          "tol: their median steps")
    print(f"metric: median final {', '.join(metrics)}; *: best step size of its rule")
    if not with_tol:
        print("no tol: no tolerance given (--tol), so no run was stopped early; "
              "the report's verdicts judge each rule with default tolerances")
    print(f"wrote {result.out}/runs.csv, summary.csv, history.csv")


def _clip(text: str, width: int) -> str:
    text = str(text)
    return text if len(text) <= width else text[:width - 1] + "~"
