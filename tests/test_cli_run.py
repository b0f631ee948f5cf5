"""``gamesim run`` and ``gamesim list`` as a user calls them."""

import json
import logging
import subprocess
import sys

import pytest

from gamesim.cli import main


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_extragradient_json(capsys):
    # issue 2 done-when: status and distance 0.00977339 (reference A)
    code, out, _ = run_cli(capsys, "run", "--game", "bilinear", "--rule",
                           "eg:lr=0.1", "--steps", "1000", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["status"] == "max_steps" and data["steps"] == 1000
    assert data["metrics"]["distance_to_equilibrium"] == pytest.approx(
        0.00977339, rel=1e-6)
    assert set(data["params"]) == {"generator", "discriminator"}


def test_run_gda_diverges_with_finite_output(capsys):
    code, out, err = run_cli(capsys, "run", "--game", "bilinear", "--rule",
                             "gda:lr=0.5", "--steps", "10000", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["status"] == "diverged"
    assert all(isinstance(v, float) for v in data["metrics"].values())


def test_run_per_player_rules_batch_and_out(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "run", "--game", "dirac:r1=1", "--rule",
                           "generator=gda:lr=0.05", "--rule",
                           "discriminator=momentum:lr=0.1,beta=0.3", "--steps",
                           "500", "--batch", "3", "--init-noise", "0.2", "--json",
                           "--out", str(tmp_path / "o"))
    assert code == 0
    data = json.loads(out)
    assert len(data["runs"]) == 3
    assert data["rules"]["discriminator"] == "momentum:lr=0.1,beta=0.3"
    assert len({r["params"]["generator"][0] for r in data["runs"]}) == 3
    for name in ("history.csv", "final.csv", "result.json"):
        assert (tmp_path / "o" / name).stat().st_size > 0


def test_text_output(capsys):
    code, out, _ = run_cli(capsys, "run", "--game", "dirac", "--rule", "gda:lr=0.1",
                           "--steps", "10")
    assert code == 0 and "d_fake" in out
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()}
    assert lines["status"] == ["max_steps"] and lines["steps"] == ["10"]
    # the values line up in one column
    starts = {line.index(line.split()[1]) for line in out.splitlines()}
    assert len(starts) == 1


@pytest.mark.parametrize("argv,message", [
    (["run", "--game", "bilinar", "--rule", "gda"], "unknown game 'bilinar'"),
    (["run", "--game", "bilinear", "--rule", "gdaa"], "unknown rule 'gdaa'"),
    (["run", "--game", "bilinear", "--rule", "gda:lr"], "not of the form key=value"),
    (["run", "--game", "bilinear", "--rule", "gda:lr=-0.1"], "lr must be finite"),
    (["run", "--game", "bilinear", "--rule", "gda:lr=0"], "lr must be finite"),
    (["run", "--game", "bilinear", "--rule", "gda:speed=2"],
     "unknown parameter(s) speed"),
    (["run", "--game", "bilinear:n=x", "--rule", "gda"], "game 'bilinear'"),
    (["run", "--game", "bilinear", "--rule", "gda", "--steps", "0"], "must be >= 1"),
    (["run", "--game", "bilinear", "--rule", "gda", "--steps", "-3"], "must be >= 1"),
    (["run", "--game", "bilinear", "--rule", "umpire=gda"], "unknown player 'umpire'"),
    (["run", "--game", "bilinear", "--rule", "gda:schedule=backwards"],
     "unknown schedule 'backwards'"),
    (["run", "--game", "bilinear", "--rule", "eg:schedule=alternating"],
     "joint rules"),
    (["run", "--game", ":", "--rule", "gda"], "malformed specification"),
])
def test_user_errors_exit_2_with_one_line(capsys, argv, message):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_unwritable_output_folder(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run_cli(capsys, "run", "--game", "bilinear", "--rule", "gda",
                           "--out", str(blocker / "sub"))
    assert code == 2 and "cannot create output folder" in err


def test_list(capsys):
    code, out, _ = run_cli(capsys, "list", "rules", "--json")
    names = {r["name"] for r in json.loads(out)}
    assert {"gda", "eg", "ogda", "pp", "cgd", "sga", "consensus"} <= names
    code, out, _ = run_cli(capsys, "list", "games")
    assert code == 0 and "bilinear" in out and "dirac" in out


def test_list_without_argument_lists_games_then_rules(capsys):
    code, games, _ = run_cli(capsys, "list", "games")
    _, rules, _ = run_cli(capsys, "list", "rules")
    code, out, err = run_cli(capsys, "list")
    assert code == 0 and err == ""
    assert out == "games:\n" + games + "\nrules:\n" + rules
    code, out, _ = run_cli(capsys, "list", "--json")
    _, games, _ = run_cli(capsys, "list", "games", "--json")
    _, rules, _ = run_cli(capsys, "list", "rules", "--json")
    assert code == 0
    assert json.loads(out) == {"games": json.loads(games), "rules": json.loads(rules)}


@pytest.mark.parametrize("flag, level", [("-v", "INFO"), ("-vv", "DEBUG")])
def test_verbose_shows_gamesim_logs_only(flag, level):
    # a fresh process: -v lowers the level of gamesim's loggers, while the
    # other libraries' (numba's compiler logs thousands of DEBUG lines) stay
    # at WARNING; a record from each side shows what reaches standard error
    script = (
        "import logging, sys\n"
        "from gamesim.cli import main\n"
        f"code = main([{flag!r}, 'list', 'rules'])\n"
        "for name in ('gamesim.engine', 'numba.core.byteflow', 'distributed',\n"
        "             'matplotlib'):\n"
        "    logging.getLogger(name).debug('debug from %s', name)\n"
        "    logging.getLogger(name).info('info from %s', name)\n"
        "logging.getLogger('numba').warning('warning from numba')\n"
        "sys.exit(code)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    logged = proc.stderr.splitlines()
    expected = ["INFO gamesim.engine: info from gamesim.engine",
                "WARNING numba: warning from numba"]
    if level == "DEBUG":
        expected.insert(0, "DEBUG gamesim.engine: debug from gamesim.engine")
    assert logged == expected


def test_console_script_runs():
    # the installed entry point, as a user runs it
    proc = subprocess.run([sys.executable, "-m", "gamesim", "run", "--game",
                           "bilinear", "--rule", "ogda:lr=0.1", "--steps", "1000",
                           "--json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    # reference A: ||z_1000|| for OGDA (default start) is 0.00891624
    assert json.loads(proc.stdout)["metrics"]["distance_to_equilibrium"] == \
        pytest.approx(0.00891624, rel=1e-5)


def test_z0_reproduces_fictitious_play_reference_d(capsys):
    # reference D, matching pennies: simultaneous fictitious play whose round
    # 1 is action 0 for both players gives counts [483, 517] (row) and
    # [505, 495] (column) after T = 1000 rounds; z0 is round 1, 999 steps
    # the other rounds, and the uniform average times 1000 the counts
    code, out, _ = run_cli(capsys, "run", "--game", "matrix:name=matching_pennies",
                           "--rule", "fp", "--steps", "999", "--z0", "1,0,1,0",
                           "--json")
    assert code == 0
    data = json.loads(out)
    counts = {p: [1000 * v for v in s] for p, s in data["average"].items()}
    assert counts["row"] == pytest.approx([483, 517], abs=1e-9)
    assert counts["column"] == pytest.approx([505, 495], abs=1e-9)
    # reference D: NashConv of the averages 0.044 at T = 1000
    assert data["metrics"]["nash_conv_avg"] == pytest.approx(0.044, abs=1e-9)


@pytest.mark.parametrize("z0, message", [
    ("1,0,1", "--z0 has 3 value(s) but game 'matching_pennies' has 4"),
    ("1,0,1,0,0", "--z0 has 5 value(s)"),
    ("1,x,1,0", "argument --z0: expected comma-separated numbers"),
    ("1,nan,1,0", "argument --z0: must be finite"),
])
def test_z0_of_the_wrong_length_exits_2(capsys, z0, message):
    code, out, err = run_cli(capsys, "run", "--game", "matrix:name=matching_pennies",
                             "--rule", "fp", "--steps", "5", "--z0", z0)
    assert code == 2 and out == ""
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def _gamesim(*argv):
    return subprocess.run([sys.executable, "-m", "gamesim", *argv],
                          capture_output=True, text=True, timeout=120, check=False)


def test_start_at_equilibrium_warning_reaches_stderr_without_verbose():
    # a fresh process, as a user runs it: the uniform start of rock-paper-
    # scissors is its equilibrium (reference D); no -v is needed to see it
    argv = ["run", "--game", "matrix:name=rps", "--rule", "hedge", "--steps", "5"]
    proc = _gamesim(*argv)
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("WARNING gamesim.engine.core: every run of rps starts "
                           "at an equilibrium")
    assert "--z0" in line and "--init-noise" in line
    proc = _gamesim(*argv, "--z0", "1,0,0,0,1,0")
    assert proc.returncode == 0 and proc.stderr == ""


def test_verbose_run_logs_start_and_end(capsys, caplog):
    caplog.set_level(logging.INFO, logger="gamesim")
    try:
        code, _, _ = run_cli(capsys, "-v", "run", "--game", "bilinear", "--rule",
                             "eg:lr=0.1", "--steps", "40", "--batch", "2")
    finally:
        logging.getLogger("gamesim").setLevel(logging.NOTSET)
    assert code == 0
    lines = [r.getMessage() for r in caplog.records if r.name == "gamesim.engine.core"]
    assert any(m.startswith("simulate bilinear: 2 run(s), 40 steps") for m in lines)
    assert any(m.startswith("simulate bilinear done: max_steps x2; steps 40 to 40")
               for m in lines)


def test_run_help_documents_z0(capsys):
    code, out, _ = run_cli(capsys, "run", "--help")
    assert code == 0 and "--z0 X1,X2,..." in out and "comma-separated" in out
