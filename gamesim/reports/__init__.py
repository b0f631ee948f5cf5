"""Equilibrium reports: verdicts, figures and self-contained HTML pages.

A comparison's output folder (``gamesim compare --out DIR``) becomes a
report with ``gamesim report DIR`` or :func:`write_report`:
``DIR/report.html`` (figures inline, opens without network access),
``DIR/report.md``, ``DIR/figures/*.png`` and the verdict tables
``DIR/verdicts.csv`` and ``DIR/run_verdicts.csv``.

The report says what game was played and what its equilibrium is, which
rules ran with which hyperparameters and seeds, the package versions, and
for each configuration a verdict (:mod:`gamesim.reports.verdict`): reached
the equilibrium within tolerance, still approaching, cycles, stalled or
diverged, with the evidence.

Modules
-------
:mod:`~gamesim.reports.verdict`
    The verdict rules and their thresholds.
:mod:`~gamesim.reports.figures`
    The figures; :func:`convergence_figure` is the reusable one.
:mod:`~gamesim.reports.report`
    Building the report (:func:`build_report`) and writing it
    (:func:`write_report`).
:mod:`~gamesim.reports.render`
    HTML and Markdown rendering.
:mod:`~gamesim.reports.context`
    Game descriptions and package versions.
:mod:`~gamesim.reports.apidoc`
    The API reference of ``docs/reference/`` generated from the docstrings.
"""

from gamesim.reports.figures import (
    convergence_figure,
    density_figure,
    discriminator_figure,
    phase_portrait_figure,
    simplex_figure,
    stability_figure,
)
from gamesim.reports.report import (
    Report,
    ReportFiles,
    build_report,
    rerun_first_seed,
    write_report,
)
from gamesim.reports.verdict import (
    VERDICTS,
    ConfigVerdict,
    RunVerdict,
    choose_metric,
    config_verdict,
    default_tolerance,
    history_verdicts,
    run_verdict,
)

__all__ = [
    "VERDICTS",
    "ConfigVerdict",
    "Report",
    "ReportFiles",
    "RunVerdict",
    "build_report",
    "choose_metric",
    "config_verdict",
    "convergence_figure",
    "default_tolerance",
    "density_figure",
    "discriminator_figure",
    "history_verdicts",
    "phase_portrait_figure",
    "rerun_first_seed",
    "run_verdict",
    "simplex_figure",
    "stability_figure",
    "write_report",
]
