"""Bad input (issue 9, item 2): every user error gets a named, one-line answer.

Each case below is one mistake a user can make, given to the Python API, to
the command line, or to both:

* the API must raise the specific :class:`~gamesim.errors.GamesimError`
  subclass the case names (not a bare ``ValueError`` or ``TypeError``), with
  a message that names the problem (the fragments listed);
* the command line (``gamesim.cli.main``) must exit with status 2 and write
  exactly one line, ``gamesim: error: ...``, with no traceback; when the
  case has both, that line is the API's message word for word.

Options that argparse checks before any gamesim code runs (``--steps 0``)
have command-line cases of their own: their message names the option.
Files are written to a temporary folder by the ``files`` fixture.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gamesim import (
    ConfigError,
    DataError,
    GamesimError,
    PayoffError,
    SpecError,
    make_game,
    make_rule,
    parse_rule_specs,
    simulate,
)
from gamesim.cli import main
from gamesim.equilibria import solve
from gamesim.games import BilinearGame
from gamesim.games.matrix import MatrixGame, read_payoff_csv
from gamesim.io import ensure_writable_dir


@dataclass(frozen=True)
class Bad:
    """One user error: how to make it, what must be raised and said."""

    id: str
    error: type
    says: tuple[str, ...]
    api: Callable[[Path], Any] | None = None
    argv: Callable[[Path], list[str]] | None = None


def run_argv(game, *rules, extra=()):
    rules = rules or ("gda:lr=0.1",)
    return ["run", "--game", game, *[a for r in rules for a in ("--rule", r)],
            "--steps", "5", *extra]


def run_api(game, *rules, **kwargs):
    """What ``gamesim run`` does, from Python."""
    built = make_game(game)
    chosen, schedule = parse_rule_specs(built, list(rules) or ["gda:lr=0.1"])
    return simulate(built, chosen, kwargs.pop("steps", 5), schedule=schedule,
                    **kwargs)


def analyze_api(game, rule, **kwargs):
    from gamesim.spectral import analyze

    built = make_game(game)
    rules, schedule = parse_rule_specs(built, [rule])
    return analyze(built, rules, schedule, **kwargs)


def compare_api(files, games, rules, name, executor="local"):
    from gamesim.compare import compare

    return compare(games, rules, seeds=1, steps=5, executor=executor,
                   out=files / name)


def compare_argv(files, games, rules, name, executor="local"):
    return ["compare", "--game", *games, "--rules", *rules, "--seeds", "1",
            "--steps", "5", "--executor", executor, "--no-progress", "--out",
            str(files / name)]


def load_data(files, name, column, **kwargs):
    from gamesim.gan.data import load_csv

    return load_csv(files / name, column, **kwargs)


def toml_api(files, name):
    from gamesim.compare import Experiment

    return Experiment.from_toml(files / name)


def toml_argv(files, name):
    return ["compare", "--config", str(files / name), "--executor", "local",
            "--no-progress", "--out", str(files / f"out-{name}")]


def both(id, error, says, api, argv):
    return Bad(id, error, says, api=api, argv=argv)


def spec(id, error, says, kind, text, cli=None):
    """A bad game or rule spec, through make_game/make_rule and `gamesim run`."""
    if kind == "game":
        return Bad(id, error, says, api=lambda f: make_game(text),
                   argv=lambda f: run_argv(text) if cli is None else cli)
    return Bad(id, error, says, api=lambda f: make_rule(text),
               argv=lambda f: run_argv("bilinear", text) if cli is None else cli)


def game_file(id, error, says, name, *, command="run"):
    """A bad payoff file, through make_game and `gamesim run` or `equilibria`."""
    def text(f):
        return f"matrix:file={f / name}"

    def argv(f):
        if command == "equilibria":
            return ["equilibria", "--game", text(f)]
        return run_argv(text(f), "hedge")

    return Bad(id, error, says, api=lambda f: make_game(text(f)), argv=argv)


def data_file(id, error, says, data, column="b", *, bundled=False):
    """A bad data set for the GAN game (gan:data=...)."""
    def text(f):
        return f"gan:data={data if bundled else f / data},column={column}"

    return Bad(id, error, says, api=lambda f: make_game(text(f)),
               argv=lambda f: run_argv(text(f), "gda:lr=0.01"))


def cli(id, says, argv):
    """A command-line mistake argparse catches (no API counterpart)."""
    return Bad(id, GamesimError, says, argv=argv)


def api(id, error, says, call):
    """A Python-only mistake (arrays, objects)."""
    return Bad(id, error, says, api=call)


BILINEAR = make_game("bilinear")
GDA = make_rule("gda:lr=0.1")
A23 = "1,2,3\n4,5,6\n"

#: the bad files of the folder given to every case
FILES = {
    "empty.csv": "",
    "blank.csv": "\n  \n\n",
    "header.csv": "left,right\n",
    "nonnumeric.csv": "1,2\n3,x\n",
    "ragged.csv": "1,2\n3\n",
    "nan.csv": "1,nan\n3,4\n",
    "inf.csv": "1,2\n-inf,4\n",
    "semicolons.csv": "1;2\n3;4\n",
    "a23.csv": A23,
    "b22.csv": "1,2\n3,4\n",
    "data_ok.csv": "a,b\n1,2\n3,4\n5,7\n",
    "data_empty.csv": "",
    "data_header.csv": "a,b\n",
    "data_nonnumeric.csv": "a,b\n1,2\n3,x\n",
    "data_ragged.csv": "a,b\n1,2\n3\n",
    "data_inf.csv": "a,b\n1,2\n3,inf\n",
    "data_missing.csv": "a,b\n1,2\n3,\n5,6\n",
    "data_duplicate.csv": "a,a\n1,2\n3,4\n5,7\n",
    "quote.csv": '"left,right\n1,2\n3,4\n',
    "data_quote.csv": 'a,b\n1,2\n3,"4\n5,6\n',
    "broken.toml": 'games = ["bilinear"\nrules = ["gda"]\n',
    "unknown_key.toml": 'games = ["bilinear"]\nrules = ["gda"]\nspeed = 3\n',
    "bad_steps.toml": 'games = ["bilinear"]\nrules = ["gda"]\nsteps = "many"\n',
    "bad_seeds.toml": 'games = ["bilinear"]\nrules = ["gda"]\nseeds = -2\n',
    "bad_game.toml": 'games = ["bilinar"]\nrules = ["gda"]\nsteps = 5\nseeds = 1\n',
}
BINARY = {"binary.csv": b"\xff\xfe\x00\x01", "data_binary.csv": b"\xff\xfe\x00\x01",
          "binary.toml": b"\xff\xfe\x00\x01"}


CASES = [
    # -- unknown names ---------------------------------------------------------
    spec("unknown-game", SpecError, ("unknown game 'bilinar'", "did you mean bilinear"),
         "game", "bilinar"),
    spec("unknown-rule", SpecError, ("unknown rule 'odga'", "did you mean ogda"),
         "rule", "odga"),
    both("unknown-game-equilibria", SpecError, ("unknown game 'diracgan'",),
         lambda f: make_game("diracgan"),
         lambda f: ["equilibria", "--game", "diracgan"]),
    both("unknown-rule-analyze", SpecError, ("unknown rule 'gdx'",),
         lambda f: analyze_api("bilinear", "gdx"),
         lambda f: ["analyze", "--game", "bilinear", "--rule", "gdx"]),
    spec("unknown-catalogue-game", SpecError, ("unknown game name 'chess'", "rps"),
         "game", "matrix:name=chess"),
    spec("unknown-parameter", SpecError, ("unknown parameter(s) speed", "accepted: lr"),
         "rule", "gda:speed=2"),
    both("unknown-player", ConfigError, ("unknown player 'umpire'", "'generator'"),
         lambda f: run_api("bilinear", "umpire=gda"),
         lambda f: run_argv("bilinear", "umpire=gda")),
    both("unknown-schedule", ConfigError, ("unknown schedule 'backwards'",),
         lambda f: run_api("bilinear", "gda:schedule=backwards"),
         lambda f: run_argv("bilinear", "gda:schedule=backwards")),
    spec("unknown-dirac-loss", ConfigError, ("unknown loss 'hinge'", "standard"),
         "game", "dirac:loss=hinge"),
    spec("unknown-tie-break", ConfigError, ("tie_break must be one of", "'coin'"),
         "rule", "fp:tie_break=coin",
         cli=run_argv("matrix:name=rps", "fp:tie_break=coin")),
    spec("unknown-ode-method", ConfigError, ("method must be one of", "'Euler2'"),
         "rule", "replicator_ode:method=Euler2",
         cli=run_argv("matrix:name=rps", "replicator_ode:method=Euler2")),
    api("unknown-equilibrium-method", ConfigError,
        ("unknown equilibrium method 'magic'",),
        lambda f: solve([[1.0, -1.0], [-1.0, 1.0]], method="magic")),
    cli("unknown-equilibrium-method-cli", ("--method", "invalid choice: 'magic'"),
        lambda f: ["equilibria", "--game", "matrix:name=rps", "--method", "magic"]),
    cli("unknown-subcommand", ("invalid choice: 'frobnicate'",),
        lambda f: ["frobnicate"]),
    both("unknown-executor", ConfigError, ("unknown executor 'warp'",),
         lambda f: compare_api(f, ["bilinear"], ["gda"], "cmp-exec", executor="warp"),
         lambda f: compare_argv(f, ["bilinear"], ["gda"], "cmp-exec",
                                executor="warp")),

    # -- malformed specs -------------------------------------------------------
    spec("spec-without-equals", SpecError, ("'gda:lr'", "not of the form key=value"),
         "rule", "gda:lr"),
    spec("spec-empty-parameters", SpecError, ("nothing after ':'",), "game",
         "bilinear:"),
    spec("spec-bad-name", SpecError, ("bad name '9lives'",), "game", "9lives"),
    spec("spec-repeated-key", SpecError, ("'lr' repeated",), "rule",
         "gda:lr=0.1,lr=0.2"),
    spec("spec-grid-outside-sweep", SpecError, ("grid of values", "gamesim compare"),
         "rule", "gda:lr=0.1|0.2"),
    spec("spec-empty", SpecError, ("empty specification",), "game", " "),
    both("two-rules-for-one-player", SpecError, ("two rules given for player 'row'",),
         lambda f: run_api("matrix:name=rps", "hedge", "fp"),
         lambda f: run_argv("matrix:name=rps", "hedge", "fp")),
    both("no-rule-for-a-player", SpecError, ("no update rule given", "column"),
         lambda f: run_api("matrix:name=rps", "row=hedge"),
         lambda f: run_argv("matrix:name=rps", "row=hedge")),
    spec("matrix-two-sources", SpecError, ("give exactly one of", "got name, A/B"),
         "game", "matrix:name=rps,A=1"),
    both("grid-repeats-a-value", SpecError, ("lr repeats the value 0.1",),
         lambda f: compare_api(f, ["bilinear"], ["gda:lr=0.1|0.1"], "cmp-grid"),
         lambda f: compare_argv(f, ["bilinear"], ["gda:lr=0.1|0.1"], "cmp-grid")),
    both("unknown-game-in-sweep", SpecError, ("bilinar / gda", "unknown game"),
         lambda f: compare_api(f, ["bilinar"], ["gda"], "cmp-game"),
         lambda f: compare_argv(f, ["bilinar"], ["gda"], "cmp-game")),

    # -- experiment files (TOML) -----------------------------------------------
    both("toml-syntax", ConfigError, ("broken.toml", "is not valid TOML", "line 2"),
         lambda f: toml_api(f, "broken.toml"),
         lambda f: toml_argv(f, "broken.toml")),
    both("toml-unknown-key", ConfigError, ("unknown key(s) speed",),
         lambda f: toml_api(f, "unknown_key.toml"),
         lambda f: toml_argv(f, "unknown_key.toml")),
    both("toml-bad-steps", ConfigError, ("steps must be an integer >= 1", "'many'"),
         lambda f: toml_api(f, "bad_steps.toml"),
         lambda f: toml_argv(f, "bad_steps.toml")),
    both("toml-bad-seeds", ConfigError, ("seeds must be >= 1, got -2",),
         lambda f: toml_api(f, "bad_seeds.toml"),
         lambda f: toml_argv(f, "bad_seeds.toml")),
    both("toml-missing", ConfigError, ("nowhere.toml", "not found"),
         lambda f: toml_api(f, "nowhere.toml"),
         lambda f: toml_argv(f, "nowhere.toml")),
    cli("toml-unknown-game", ("bilinar / gda", "unknown game 'bilinar'"),
        lambda f: toml_argv(f, "bad_game.toml")),

    # -- payoff files (matrix:file=...) ----------------------------------------
    game_file("csv-missing", DataError, ("cannot read payoff file", "missing.csv",
                                         "No such file"), "missing.csv"),
    game_file("csv-empty", PayoffError, ("empty.csv is empty",), "empty.csv"),
    game_file("csv-blank-lines", PayoffError, ("blank.csv is empty",), "blank.csv"),
    game_file("csv-header-only", PayoffError, ("holds no payoffs", "'left, right'"),
              "header.csv"),
    game_file("csv-non-numeric", PayoffError, ("'x'", "line 2, column 2",
                                               "is not a number"), "nonnumeric.csv"),
    game_file("csv-ragged", PayoffError, ("is ragged", "line 2 has 1"), "ragged.csv"),
    game_file("csv-ragged-equilibria", PayoffError, ("is ragged",), "ragged.csv",
              command="equilibria"),
    game_file("csv-nan", PayoffError, ("non-finite entry 'nan'", "line 1, column 2"),
              "nan.csv"),
    game_file("csv-infinite", PayoffError, ("non-finite entry '-inf'",
                                            "line 2, column 1"), "inf.csv"),
    game_file("csv-wrong-separator", PayoffError, ("'3;4'", "separate the cells",
                                                   "commas"), "semicolons.csv"),
    game_file("csv-binary", DataError, ("binary.csv", "not a readable CSV file"),
              "binary.csv"),
    game_file("csv-unclosed-quote", DataError,
              ("payoff file", "quote.csv could not be parsed as CSV", "line 1",
               "never closed"), "quote.csv"),
    game_file("csv-unclosed-quote-equilibria", DataError,
              ("quote.csv could not be parsed as CSV", "never closed"), "quote.csv",
              command="equilibria"),
    game_file("csv-directory", DataError, ("cannot read payoff file",
                                           "Is a directory"), ""),
    Bad("csv-shapes-do-not-fit", PayoffError,
        ("A and B must have the same shape", "A (2, 3) and B (2, 2)"),
        api=lambda f: make_game(f"matrix:fileA={f / 'a23.csv'},fileB={f / 'b22.csv'}"),
        argv=lambda f: run_argv(f"matrix:fileA={f / 'a23.csv'},fileB={f / 'b22.csv'}",
                                "hedge")),
    spec("csv-file-a-without-b", SpecError,
         ("fileA= and fileB= must be given together",),
         "game", "matrix:fileA=a.csv"),
    api("csv-reader-missing", DataError, ("cannot read payoff file",),
        lambda f: read_payoff_csv(f / "nowhere.csv")),

    # -- payoffs given inline or as arrays --------------------------------------
    spec("inline-nan", PayoffError, ("non-finite entry 'nan'", "row 0, column 1"),
         "game", "matrix:A=1 nan;3 4"),
    spec("inline-infinite", PayoffError, ("non-finite entry 'inf'",), "game",
         "matrix:A=1 2;inf 4"),
    spec("inline-ragged", PayoffError, ("is ragged", "row 1 has 1"), "game",
         "matrix:A=1 2;3"),
    spec("inline-shapes-do-not-fit", PayoffError, ("same shape", "B (2, 3)"), "game",
         "matrix:A=1 2;3 4,B=1 2 3;4 5 6"),
    api("array-nan", PayoffError, ("non-finite entry nan", "row 0, column 1"),
        lambda f: MatrixGame([[1.0, np.nan], [0.0, 1.0]])),
    api("array-ragged", PayoffError, ("is ragged", "row 1 has 1"),
        lambda f: MatrixGame([[1.0, 2.0], [3.0]])),
    api("array-empty", PayoffError, ("is empty",), lambda f: MatrixGame([])),
    api("array-three-dimensional", PayoffError, ("two-dimensional",),
        lambda f: MatrixGame(np.zeros((2, 2, 2)))),
    api("array-non-numeric", PayoffError, ("non-numeric entry 'x'", "row 1, column 0"),
        lambda f: MatrixGame([[1, 2], ["x", 4]])),
    api("labels-do-not-fit", PayoffError, ("1 row labels for 2 row strategies",),
        lambda f: MatrixGame([[1, 2], [3, 4]], row_labels=["up"])),
    api("bilinear-infinite", PayoffError, ("non-finite entry inf at (0, 1)",),
        lambda f: BilinearGame([[1.0, np.inf]])),
    api("bilinear-shapes-do-not-fit", PayoffError, ("b has shape (2,)", "(1,)"),
        lambda f: BilinearGame([[1.0, 2.0]], b=[1.0, 2.0])),
    api("solver-nan", PayoffError, ("non-finite entry nan",),
        lambda f: solve([[1.0, np.nan]])),
    both("linprog-general-sum", PayoffError,
         ("zero-sum and constant-sum games only",),
         lambda f: solve([[3, 0], [5, 1]], [[3, 5], [0, 1]], method="linprog"),
         lambda f: ["equilibria", "--game", "matrix:name=prisoners_dilemma",
                    "--method", "linprog"]),

    # -- data files for the GAN game (gan:data=...) ------------------------------
    data_file("data-missing", DataError, ("no such file", "not a bundled data set"),
              "data_nowhere.csv"),
    data_file("data-empty", DataError, ("is empty",), "data_empty.csv"),
    data_file("data-header-only", DataError, ("has a header but no data rows",),
              "data_header.csv"),
    data_file("data-non-numeric", DataError,
              ("line 3", "column 'b'", "'x'", "is not a number"),
              "data_nonnumeric.csv"),
    data_file("data-ragged", DataError, ("line 3", "ragged"), "data_ragged.csv"),
    data_file("data-infinite", DataError, ("'inf' is not a finite number",),
              "data_inf.csv"),
    data_file("data-column-does-not-exist", DataError,
              ("has no column 'zzz'", "available: a, b"), "data_ok.csv", column="zzz"),
    data_file("data-bundled-column-does-not-exist", DataError,
              ("'old_faithful' has no column 'nope'", "eruptions"), "old_faithful",
              column="nope", bundled=True),
    data_file("data-binary", DataError, ("not a UTF-8",), "data_binary.csv"),
    data_file("data-unclosed-quote", DataError,
              ("data_quote.csv' could not be parsed as CSV", "line 3", "never closed"),
              "data_quote.csv", column="a"),
    both("data-unclosed-quote-no-column", DataError,
         ("data_quote.csv' could not be parsed as CSV",),
         lambda f: make_game(f"gan:data={f / 'data_quote.csv'}"),
         lambda f: run_argv(f"gan:data={f / 'data_quote.csv'}", "gda:lr=0.01")),
    both("data-empty-no-column", DataError, ("data_empty.csv' is empty",),
         lambda f: make_game(f"gan:data={f / 'data_empty.csv'}"),
         lambda f: run_argv(f"gan:data={f / 'data_empty.csv'}", "gda:lr=0.01")),
    both("data-no-column-named", ConfigError, ("name the column(s) to model",),
         lambda f: make_game("gan:data=old_faithful"),
         lambda f: run_argv("gan:data=old_faithful", "gda:lr=0.01")),
    api("data-loader-missing-values", DataError, ("miss a value in b", "line 3",
                                                  "missing='drop'"),
        lambda f: load_data(f, "data_missing.csv", "b", missing="error")),

    # -- step sizes, steps and other settings -----------------------------------
    spec("lr-zero", ConfigError, ("gda: lr must be finite and > 0, got 0",), "rule",
         "gda:lr=0"),
    spec("lr-negative", ConfigError, ("ogda: lr must be finite and > 0, got -0.1",),
         "rule", "ogda:lr=-0.1"),
    spec("lr-nan", ConfigError, ("lr must be finite and > 0, got nan",), "rule",
         "eg:lr=nan"),
    spec("lr-infinite", ConfigError, ("lr must be finite and > 0, got inf",), "rule",
         "eg:lr=inf"),
    spec("lr-not-a-number", ConfigError, ("lr must be a number, got 'fast'",), "rule",
         "gda:lr=fast"),
    spec("lr-boolean", ConfigError, ("lr must be a number, got True",), "rule",
         "gda:lr=true"),
    both("second-player-lr-negative", ConfigError, ("lr must be finite and > 0",
                                                    "got -1"),
         lambda f: run_api("bilinear", "gda:lr=0.1,lr_d=-1"),
         lambda f: run_argv("bilinear", "gda:lr=0.1,lr_d=-1")),
    api("lr-override-zero", ConfigError, ("step sizes must be finite and > 0",),
        lambda f: simulate(BILINEAR, GDA, 5, lr=0.0)),
    api("lr-override-shape", ConfigError, ("lr has shape (3,)",),
        lambda f: simulate(BILINEAR, GDA, 5, lr=[0.1, 0.2, 0.3])),
    api("steps-zero", ConfigError, ("steps must be >= 1, got 0",),
        lambda f: simulate(BILINEAR, GDA, 0)),
    api("steps-negative", ConfigError, ("steps must be >= 1, got -3",),
        lambda f: simulate(BILINEAR, GDA, -3)),
    api("steps-not-an-integer", ConfigError, ("steps must be an integer, got 1.5",),
        lambda f: simulate(BILINEAR, GDA, 1.5)),
    cli("steps-zero-cli", ("--steps", "must be >= 1, got 0"),
        lambda f: run_argv("bilinear")[:-2] + ["--steps", "0"]),
    cli("steps-negative-cli", ("--steps", "must be >= 1, got -3"),
        lambda f: run_argv("bilinear")[:-2] + ["--steps", "-3"]),
    cli("steps-not-an-integer-cli", ("--steps", "expected an integer, got '1e3'"),
        lambda f: run_argv("bilinear")[:-2] + ["--steps", "1e3"]),
    cli("record-every-zero-cli", ("--record-every", "must be >= 1, got 0"),
        lambda f: run_argv("bilinear", extra=["--record-every", "0"])),
    cli("batch-zero-cli", ("--batch", "must be >= 1, got 0"),
        lambda f: run_argv("bilinear", extra=["--batch", "0"])),
    cli("tol-nan-cli", ("--tol", "must be finite, got 'nan'"),
        lambda f: run_argv("bilinear", extra=["--tol", "nan"])),
    cli("sweep-steps-zero-cli", ("--steps", "must be >= 1, got 0"),
        lambda f: ["compare", "--game", "bilinear", "--rules", "gda", "--steps", "0"]),
    both("tol-negative", ConfigError, ("tol must be finite and >= 0, got -1.0",),
         lambda f: run_api("bilinear", tol=-1.0),
         lambda f: run_argv("bilinear", extra=["--tol", "-1"])),
    both("init-noise-negative", ConfigError,
         ("init_noise must be finite and >= 0, got -0.5",),
         lambda f: run_api("bilinear", init_noise=-0.5),
         lambda f: run_argv("bilinear", extra=["--init-noise", "-0.5"])),
    both("unknown-stop-metric", ConfigError, ("unknown stop metric 'accuracy'",
                                              "distance_to_equilibrium"),
         lambda f: run_api("bilinear", tol=0.1, stop_metric="accuracy"),
         lambda f: run_argv("bilinear", extra=["--tol", "0.1", "--stop-metric",
                                               "accuracy"])),
    both("d-steps-zero", ConfigError, ("d_steps must be an integer >= 1, got 0",),
         lambda f: run_api("bilinear", "gda:d_steps=0"),
         lambda f: run_argv("bilinear", "gda:d_steps=0")),
    spec("momentum-beta-one", ConfigError, ("beta must lie in", "got 1"), "rule",
         "momentum:beta=1"),
    spec("temperature-zero", ConfigError, ("temperature must be finite and > 0",),
         "rule", "logit_fp:temperature=0",
         cli=run_argv("matrix:name=rps", "logit_fp:temperature=0")),
    spec("sga-align-not-boolean", ConfigError, ("align must be true or false",
                                                "'maybe'"), "rule", "sga:align=maybe"),
    spec("proximal-inner-steps-fraction", ConfigError,
         ("inner_steps must be an integer >= 1, got 2.5",), "rule",
         "pp:inner_steps=2.5"),
    spec("dirac-r1-negative", ConfigError, ("r1 must be finite and >= 0, got -1",),
         "game", "dirac:r1=-1"),
    spec("dirac-start-not-a-number", ConfigError,
         ("theta0 must be a finite number, got 'left'",), "game", "dirac:theta0=left"),
    spec("dirac-start-nan", ConfigError, ("psi0 must be a finite number, got nan",),
         "game", "dirac:psi0=nan"),
    spec("quadratic-mu-negative", ConfigError, ("mu must be >= 0, got -1",), "game",
         "quadratic:mu=-1"),
    spec("bilinear-seed-negative", ConfigError,
         ("seed must be an integer >= 0, got -1",), "game", "bilinear:n=2,seed=-1"),
    spec("bilinear-scale-not-a-number", ConfigError,
         ("a must be a finite number, got 'big'",), "game", "bilinear:a=big"),
    spec("bilinear-size-zero", ConfigError, ("n and m must be >= 1",), "game",
         "bilinear:n=0"),
    both("rule-for-another-kind-of-game", ConfigError,
         ("'hedge' acts on mixed strategies", "needs a matrix game"),
         lambda f: run_api("bilinear", "hedge"),
         lambda f: run_argv("bilinear", "hedge")),
    api("start-of-the-wrong-shape", ConfigError, ("shape (1, 3)", "expected (2,)"),
        lambda f: simulate(BILINEAR, GDA, 5, z0=[1.0, 2.0, 3.0])),
    api("start-ragged", ConfigError, ("rows of different lengths",),
        lambda f: simulate(BILINEAR, GDA, 5, z0=[[1.0, 2.0], [3.0]])),
    api("start-nan", ConfigError, ("non-finite",),
        lambda f: simulate(BILINEAR, GDA, 5, z0=[np.nan, 1.0])),
    api("seeds-empty", ConfigError, ("seeds must be a non-empty list",),
        lambda f: simulate(BILINEAR, GDA, 5, seeds=[])),
    both("analyze-point-wrong-size", ConfigError, ("shape (1, 3)", "expected (2,)"),
         lambda f: analyze_api("bilinear", "gda", point=[1.0, 2.0, 3.0]),
         lambda f: ["analyze", "--game", "bilinear", "--rule", "gda", "--point",
                    "1,2,3"]),
    both("analyze-preconditioner-negative", ConfigError,
         ("preconditioner", "must be finite and > 0"),
         lambda f: analyze_api("bilinear", "adam", preconditioner=-1.0),
         lambda f: ["analyze", "--game", "bilinear", "--rule", "adam",
                    "--preconditioner", "-1"]),

    # -- best responses and fictitious play beyond matrix games -----------------
    both("fp-options-on-a-matrix-game", ConfigError,
         ("inner_steps belong to fictitious play on differentiable",
          "matrix game 'rps'"),
         lambda f: run_api("matrix:name=rps", "fp:inner_steps=5"),
         lambda f: run_argv("matrix:name=rps", "fp:inner_steps=5")),
    both("fp-unknown-weights", ConfigError,
         ("weights must be one of uniform, exponential", "'bogus'"),
         lambda f: run_api("bilinear_bounded", "fp:weights=bogus"),
         lambda f: run_argv("bilinear_bounded", "fp:weights=bogus")),
    spec("bounded-game-bound-zero", ConfigError,
         ("bound must be a finite number > 0, got 0",), "game",
         "bilinear_bounded:bound=0"),
    spec("bounded-game-start-outside", ConfigError,
         ("start (5, 1.0) lies outside [-2, 2]",), "game", "dirac_bounded:theta0=5"),
    spec("bounded-game-unknown-domain", ConfigError, ("unknown domain 'sphere'",),
         "game", "bilinear_bounded:domain=sphere"),

    # -- output folders ---------------------------------------------------------
    both("out-is-a-file", ConfigError, ("cannot create output folder", "a23.csv"),
         lambda f: ensure_writable_dir(f / "a23.csv"),
         lambda f: run_argv("bilinear", extra=["--out", str(f / "a23.csv")])),
    both("out-under-a-file", ConfigError, ("cannot create output folder",
                                           "Not a directory"),
         lambda f: ensure_writable_dir(f / "a23.csv" / "sub"),
         lambda f: run_argv("bilinear", extra=["--out", str(f / "a23.csv" / "sub")])),
    both("out-empty-name", ConfigError, ("output folder name is empty",),
         lambda f: ensure_writable_dir(""),
         lambda f: run_argv("bilinear", extra=["--out", ""])),
    both("sweep-out-under-a-file", ConfigError, ("cannot create output folder",),
         lambda f: compare_api(f, ["bilinear"], ["gda"], "a23.csv/sub"),
         lambda f: compare_argv(f, ["bilinear"], ["gda"], "a23.csv/sub")),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-inputs")
    for name, text in FILES.items():
        (folder / name).write_text(text)
    for name, data in BINARY.items():
        (folder / name).write_bytes(data)
    return folder


def test_the_suite_is_large_enough():
    # issue 9 done-when: at least 40 bad inputs across the API, the command
    # line and the file loaders
    assert len({c.id for c in CASES}) == len(CASES) >= 40
    assert sum(c.api is not None for c in CASES) >= 40
    assert sum(c.argv is not None for c in CASES) >= 40


def _api_error(case, files) -> GamesimError:
    with pytest.raises(GamesimError) as info:
        case.api(files)
    return info.value


@pytest.mark.parametrize("case", [c for c in CASES if c.api], ids=lambda c: c.id)
def test_api_raises_the_named_error(case, files):
    exc = _api_error(case, files)
    if case.error is not GamesimError:
        assert type(exc) is case.error, f"{type(exc).__name__}: {exc}"
    message = str(exc)
    for fragment in case.says:
        assert fragment in message
    assert "\n" not in message


@pytest.mark.parametrize("case", [c for c in CASES if c.argv], ids=lambda c: c.id)
def test_command_line_exits_2_with_one_line(case, files, capsys):
    code = main(case.argv(files))
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert err.startswith("gamesim: error: ") and err.endswith("\n")
    assert err.count("\n") == 1 and "Traceback" not in err
    for fragment in case.says:
        assert fragment in err
    if case.api is not None:  # the same words as the Python API
        assert err == f"gamesim: error: {_api_error(case, files)}\n"


def test_one_column_payoff_file_is_a_game_not_labels(tmp_path):
    # the other side of "csv-wrong-separator": a real one-column file with a
    # header is an m x 1 game (its cells are not taken for row labels)
    path = tmp_path / "one.csv"
    path.write_text("goal\n1\n-2\n")
    game = make_game(f"matrix:file={path}")
    np.testing.assert_array_equal(game.A, [[1.0], [-2.0]])
    assert game.column_labels == ["goal"] and game.row_labels is None


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux /proc")
def test_output_folder_that_cannot_be_created(capsys):
    # /proc accepts no new folders, even for root
    code = main(run_argv("bilinear", extra=["--out", "/proc/gamesim-out"]))
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "cannot create output folder '/proc/gamesim-out'" in err


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="root writes into read-only folders")
def test_read_only_output_folder(tmp_path, capsys):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        code = main(run_argv("bilinear", extra=["--out", str(folder)]))
        err = capsys.readouterr().err
        assert code == 2 and "is not writable" in err and err.count("\n") == 1
    finally:
        folder.chmod(0o700)


# -- known failures, routed to their owners -------------------------------------
def test_negative_seeds_are_named():
    with pytest.raises(ConfigError, match="seeds"):
        simulate(BILINEAR, GDA, 5, seeds=[-1], init_noise=0.1)


def test_game_given_as_a_string_or_object_is_handled():
    # a spec string is accepted; anything else is named
    assert simulate("bilinear", "gda:lr=0.1", 5).status[0] == "max_steps"
    with pytest.raises(GamesimError, match="game must be a Game"):
        simulate(3.0, GDA, 5)
    with pytest.raises(SpecError, match="unknown game"):
        simulate("bilinar", GDA, 5)


def test_non_numeric_lr_override_is_named():
    with pytest.raises(ConfigError, match="lr"):
        simulate(BILINEAR, GDA, 5, lr="fast")


def test_binary_experiment_file_is_named(files, capsys):
    code = main(toml_argv(files, "binary.toml"))
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "binary.toml" in err


def test_repeated_data_column_name_is_named(files):
    with pytest.raises(DataError, match="'a'"):
        make_game(f"gan:data={files / 'data_duplicate.csv'},column=a")
