"""Comparisons and sweeps: many rules, step sizes, seeds and games at once.

A comparison crosses games with update rules whose hyperparameters may be
grids, and runs every resulting *configuration* (one game, one concrete set
of rules) on several seeds::

    from gamesim.compare import compare
    res = compare(["bilinear", "dirac"],
                  ["gda:lr=0.01|0.1|0.5", "ogda:lr=0.01|0.1|0.5",
                   "gda:lr=0.1,schedule=alternating"],
                  seeds=20, steps=2000, tol=1e-3, init_noise=0.1,
                  executor="processes", out="sweep")
    res.runs        # one row per run
    res.summary     # one row per configuration, best step size marked
    res.histories   # recorded steps of every run

and on the command line::

    gamesim compare --game bilinear dirac --rules 'gda:lr=0.01|0.1|0.5' \\
        'ogda:lr=0.01|0.1|0.5' --seeds 20 --steps 2000 --tol 1e-3 \\
        --init-noise 0.1 --executor processes --out sweep

Tasks and executors
-------------------
A *task* is one configuration with its seeds: they travel through the engine
as one batch (:func:`gamesim.engine.simulate` with ``seeds=[...]``), which
gives every run the same numbers it would get alone. Tasks run in this
process (``local``), in local worker processes (``processes``, every core)
or on a Dask cluster (``dask://HOST:PORT`` or a ``dask.distributed.Client``;
``pip install 'gamesim[dask]'``). The same seeds give identical tables on
every executor (apart from ``wall_time``). :func:`compare` runs locally
unless told otherwise; the command line and experiment files default to
``auto`` (processes when there is more than one task). Worker processes
import the script that started them: in a script, call ``compare`` with
``executor="processes"`` under ``if __name__ == "__main__":``.

Output folder (stable layout)
-----------------------------
::

    OUT/
      experiment.json          format "gamesim-compare/1", the experiment,
                               the task list, status running|complete
      tasks/<key>.history.csv  a finished task's history rows
      tasks/<key>.runs.csv     a finished task's runs rows (written last)
      runs.csv                 every run            } written once all
      summary.csv              every configuration  } tasks are done
      history.csv              every recorded step  }

``<key>`` is a 16-character hash of the game spec, the rule specs, the seeds
and the engine settings (steps, tol, stop metric, record_every, init_noise,
average). Every file is written atomically as soon as its task ends, so an
interrupted sweep (a worker killed, the command stopped) loses only the tasks
that were running; running the same comparison again loads the finished
tasks and runs only the missing ones (task files of other experiments in
the same folder are left alone and ignored). :func:`load_comparison` reads a folder
back into a :class:`ComparisonResult` (``complete`` is false for an
interrupted one).

Columns of ``runs`` (``runs.csv``), in order
---------------------------------------------
``config``
    12-character id of the configuration (hash of game and rule specs).
``task``
    key of the task that ran the row.
``game``, ``rule``, ``rule_spec``
    game spec; rule name (``adam/gda`` when the generator and the
    discriminator use different rules); the concrete rule spec(s), per-player
    parts joined by ``;``.
``lr``, ``lr_d``
    step sizes of the first player (generator, row) and the second
    (discriminator, column).
hyperparameters
    every other hyperparameter of the rule, one column each (``beta``,
    ``first_step``, ...); those of the second player's rule that differ from
    the first's carry the suffix ``_d``. Empty where a rule has no such
    parameter.
``schedule``, ``order``, ``d_steps``
    the engine schedule: simultaneous|alternating, who moves first,
    discriminator steps per generator step.
``seed``, ``status``, ``steps``
    the run's seed, final status (converged, max_steps, diverged, nonfinite,
    stopped) and steps taken.
``steps_to_tol``
    steps to reach the tolerance (empty unless ``status`` is converged).
``stop_metric``
    the metric compared with ``tol`` and used to rank step sizes.
``evaluations``
    gradient-field evaluations spent.
metrics
    the final value of every metric of the game (``distance_to_equilibrium``,
    ``grad_norm``, ``value``, ``d_real``, ``d_fake``, ...; ``*_avg`` for an
    averaged iterate).
``wall_time``
    seconds of the task's batch divided by its number of runs.

Columns of ``histories`` (``history.csv``): ``config``, ``seed``, ``step``,
then every metric and, for small games, the parameters; rows are recorded
every ``record_every`` steps (default ``steps // 100``) and at each run's
last step.

Columns of ``summary`` (``summary.csv``): ``config``, ``game``, ``rule``,
``rule_spec``, the hyperparameters, ``schedule``, ``order``, ``d_steps``,
``runs``, ``converged_share``, ``diverged_share`` (diverged or nonfinite),
``steps_to_tol_median``, ``steps_to_tol_iqr`` (over converged runs),
``<metric>_median`` and ``<metric>_iqr`` for every metric, ``stop_metric``,
``wall_time`` (sum), ``rank`` and ``best``. IQR is the 75th minus the 25th
percentile.

Best step size: configurations that differ only by ``lr`` and ``lr_d`` form
a group; they are ranked by the highest share of converged runs, then the
lowest median steps to tolerance, then the lowest median final value of the
stop metric, then the smaller step size. ``rank == 1`` (``best``) is the best
step size of that rule on that game.

Experiment files (TOML)
-----------------------
``gamesim compare --config experiment.toml``, or
:meth:`Experiment.from_toml`; flags given on the command line override the
file. Keys (all optional except games and rules)::

    games = ["bilinear", "dirac:r1=0|0.3"]   # or game = "..."; grids allowed
    rules = [                                # or rule = "..."
        "gda:lr=0.01|0.1|0.5",
        "gda:lr=0.1,schedule=simultaneous|alternating",
        "ogda:lr=0.1,lr_d=0.05|0.2",         # per-player step sizes
        ["generator=adam:lr=0.01", "discriminator=gda:lr=0.1"],
        { name = "momentum", lr = [0.05, 0.1], beta = -0.5 },
    ]
    seeds = 20              # count (0..19) or a list [3, 7, 11]
    steps = 2000
    tol = 1e-3              # default: none (no early stop)
    stop_metric = "distance_to_equilibrium"
    record_every = 20       # default steps // 100
    init_noise = 0.1        # default 0
    average = "auto"        # auto | none | uniform | ema
    seeds_per_task = 20     # default: all seeds of a configuration
    executor = "processes"  # auto | local | processes | dask://HOST:PORT
    workers = 2             # processes only; default every core
    out = "gamesim-out"     # relative to the current folder

Unknown keys are an error. Per-player tables are also accepted:
``{ generator = "adam:lr=0.01", discriminator = "gda:lr=0.2|0.5" }``.
"""

from gamesim.compare.executors import (
    DaskExecutor,
    Executor,
    LocalExecutor,
    ProcessExecutor,
    SweepInterrupted,
    make_executor,
)
from gamesim.compare.experiment import Config, Experiment, Settings, Task
from gamesim.compare.result import ComparisonResult, SweepProgress
from gamesim.compare.store import load_comparison
from gamesim.compare.sweep import compare, run_experiment
from gamesim.compare.tables import summarise
from gamesim.compare.tasks import run_task

__all__ = [
    "ComparisonResult",
    "Config",
    "DaskExecutor",
    "Executor",
    "Experiment",
    "LocalExecutor",
    "ProcessExecutor",
    "Settings",
    "SweepInterrupted",
    "SweepProgress",
    "Task",
    "compare",
    "load_comparison",
    "make_executor",
    "run_experiment",
    "run_task",
    "summarise",
]
