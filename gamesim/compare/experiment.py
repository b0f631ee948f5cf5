"""Experiments: the games, rule grids, seeds and settings of a comparison.

An :class:`Experiment` is what the user asks for, grids included. It expands
into *configurations* (:class:`Config`: one game and one concrete set of
rule specs) and then into *tasks* (:class:`Task`: a configuration and the
seeds that travel together as one batch through the engine).

Rule entries
------------
Each entry of ``rules`` is one of

* a spec string for both players, with grids written ``a|b|c``:
  ``"gda:lr=0.01|0.1|0.5,schedule=simultaneous|alternating"``;
* per-player specs, as a list ``["generator=adam:lr=0.01",
  "discriminator=gda:lr=0.1|0.5"]`` or one string joined by ``;``;
* a table (TOML) ``{name = "gda", lr = [0.01, 0.1]}`` whose list values
  are grids, or ``{generator = "adam:lr=0.01", discriminator = "gda"}``.

Engine keys (``schedule``, ``order``, ``d_steps``, ``lr_d``) may appear in a
rule spec and be gridded like any hyperparameter. Game specs may carry grids
too (``dirac:r1=0|0.3|1``).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Mapping, Sequence

from gamesim.errors import ConfigError, GamesimError, SpecError
from gamesim.specs import Spec, parse_spec

#: keys an experiment TOML file may hold
TOML_KEYS = (
    "games", "game", "rules", "rule", "seeds", "steps", "tol", "stop_metric",
    "record_every", "init_noise", "average", "seeds_per_task", "executor",
    "workers", "out",
)

AVERAGE_CHOICES = ("auto", None, "uniform", "ema")


def stable_hash(obj: Any, length: int = 16) -> str:
    """Hex digest of an object's canonical JSON (stable across runs)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


# -- specs and grids ----------------------------------------------------------

def _split_player(text: str) -> tuple[str | None, str]:
    """Split ``"generator=adam:lr=0.1"`` into ``("generator", "adam:lr=0.1")``."""
    head = text.split(":", 1)[0]
    if "=" in head:
        who, _, rest = text.partition("=")
        return who.strip(), rest.strip()
    return None, text.strip()


def _check_grid(text: str, key: str, values: list) -> None:
    if any(v == "" for v in values):
        raise SpecError(
            f"bad grid in {text!r}: {key} has an empty value "
            "(write values as a|b|c with nothing empty)"
        )
    seen = []
    for v in values:
        if v in seen:
            raise SpecError(f"bad grid in {text!r}: {key} repeats the value {v!r}")
        seen.append(v)


def _grid_axes(parts: Sequence[str]):
    """Parse spec parts, returning them and their grid axes."""
    parsed = []
    axes = []
    for i, text in enumerate(parts):
        who, body = _split_player(text)
        spec = parse_spec(body, allow_grid=True)
        for key, value in spec.params.items():
            if isinstance(value, list):
                _check_grid(text, key, value)
                axes.append((i, key, value))
        parsed.append((who, spec))
    return parsed, axes


def expand_specs(parts: Sequence[str]) -> list[tuple[str, ...]]:
    """Expand the grids of a list of spec parts into concrete part lists.

    Examples
    --------
    >>> expand_specs(["gda:lr=0.1|0.5,schedule=simultaneous|alternating"])[:2]
    [('gda:lr=0.1,schedule=simultaneous',), ('gda:lr=0.1,schedule=alternating',)]
    """
    parsed, axes = _grid_axes(parts)
    out = []
    for combo in itertools.product(*[values for _, _, values in axes]):
        chosen = {(i, key): v for (i, key, _), v in zip(axes, combo)}
        concrete = []
        for i, (who, spec) in enumerate(parsed):
            params = {k: chosen.get((i, k), v) for k, v in spec.params.items()}
            text = str(Spec(spec.name, params))
            concrete.append(text if who is None else f"{who}={text}")
        out.append(tuple(concrete))
    return out


def _canonical(parts: Sequence[str]) -> list:
    """Order-free form of concrete spec parts, for hashing."""
    out = []
    for text in parts:
        who, body = _split_player(text)
        spec = parse_spec(body)
        out.append([who.lower() if who else "", spec.name,
                    sorted((k, v) for k, v in spec.params.items())])
    return sorted(out, key=lambda item: json.dumps(item, default=str))


def _entry_parts(entry, what: str) -> tuple[str, ...]:
    """Normalise one rule or game entry (string, list or table) to parts."""
    if isinstance(entry, str):
        parts = [p.strip() for p in entry.split(";") if p.strip()]
        if not parts:
            raise SpecError(f"empty {what} specification")
        return tuple(parts)
    if isinstance(entry, Mapping):
        if "name" in entry:
            params = {k: v for k, v in entry.items() if k != "name"}
            for key, value in params.items():
                if isinstance(value, (list, tuple)) and not value:
                    raise SpecError(f"{what} table {dict(entry)!r}: {key} is an empty "
                                    "list")
            return (str(Spec(str(entry["name"]), params)),)
        parts = []
        for who, spec in entry.items():
            if not isinstance(spec, str):
                raise SpecError(
                    f"{what} table {dict(entry)!r}: expected name = ... or "
                    "player = \"SPEC\" entries"
                )
            parts.append(f"{who}={spec}")
        if not parts:
            raise SpecError(f"empty {what} table")
        return tuple(parts)
    if isinstance(entry, (list, tuple)) and entry and all(
            isinstance(p, str) for p in entry):
        return tuple(p.strip() for p in entry)
    raise SpecError(
        f"a {what} must be a spec string, a list of per-player specs or a "
        f"table, got {entry!r}"
    )


# -- configurations and tasks -------------------------------------------------

@dataclass(frozen=True)
class Config:
    """One configuration: a game spec and concrete rule specs (no grids).

    Attributes
    ----------
    game : str
        Game spec, e.g. ``"dirac:r1=0.3"``.
    rules : tuple of str
        Rule spec parts as :func:`gamesim.engine.parse_rule_specs` takes
        them: one spec for both players or ``PLAYER=SPEC`` parts.
    """

    game: str
    rules: tuple[str, ...]

    @property
    def rule_spec(self) -> str:
        """The rule specs as one string (parts joined by ``;``)."""
        return ";".join(self.rules)

    @property
    def id(self) -> str:
        """Stable 12-character identifier of the configuration."""
        return stable_hash({"game": _canonical([self.game]),
                            "rules": _canonical(self.rules)}, 12)

    def label(self) -> str:
        """Short text naming the configuration in messages."""
        return f"{self.game} / {self.rule_spec}"


@dataclass(frozen=True)
class Settings:
    """Engine settings shared by every task of an experiment."""

    steps: int
    tol: float | None
    stop_metric: str | None
    record_every: int
    init_noise: float
    average: str | None


@dataclass(frozen=True)
class Task:
    """A unit of work: one configuration and the seeds run as one batch."""

    config: Config
    seeds: tuple[int, ...]
    settings: Settings

    @property
    def key(self) -> str:
        """Stable 16-character key; names the task's files in the output folder."""
        return stable_hash({
            "game": _canonical([self.config.game]),
            "rules": _canonical(self.config.rules),
            "seeds": list(self.seeds),
            "settings": asdict(self.settings),
        })

    @property
    def runs(self) -> int:
        """Number of runs (seeds) in the batch."""
        return len(self.seeds)


# -- the experiment -----------------------------------------------------------

@dataclass(frozen=True)
class Experiment:
    """Everything a comparison runs, before grids are expanded.

    Parameters
    ----------
    games : tuple of str
        Game specs (grids allowed).
    rules : tuple
        Rule entries (see the module docstring).
    seeds : tuple of int
        Seeds of the runs of every configuration.
    steps : int
        Maximum steps per run.
    tol : float, optional
        Stop a run when its stop metric reaches ``tol`` (``converged``).
    stop_metric : str, optional
        Metric compared with ``tol`` and used to rank step sizes (default:
        the engine's choice per game, e.g. ``distance_to_equilibrium``).
    record_every : int, optional
        Steps between recorded history rows (default ``steps // 100``).
    init_noise : float
        Standard deviation of the Gaussian perturbation of each run's
        initial point, drawn from its seed. On deterministic games (bilinear,
        Dirac-GAN) the seeds only differ through it.
    average : {"auto", None, "uniform", "ema"}
        Averaged iterate, as in :func:`gamesim.engine.simulate`.
    seeds_per_task : int, optional
        Split each configuration's seeds into batches of this size (default:
        all seeds of a configuration in one batch).
    executor : str
        ``"auto"``, ``"local"``, ``"processes"`` or ``"dask://HOST:PORT"``.
    workers : int, optional
        Worker processes for ``"processes"`` (default: all cores).
    out : str, optional
        Output folder (``None``: keep results in memory only).
    """

    games: tuple = ()
    rules: tuple = ()
    seeds: tuple[int, ...] = tuple(range(10))
    steps: int = 1000
    tol: float | None = None
    stop_metric: str | None = None
    record_every: int | None = None
    init_noise: float = 0.0
    average: str | None = "auto"
    seeds_per_task: int | None = None
    executor: str = "auto"
    workers: int | None = None
    out: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "games", _as_entries(self.games, "game"))
        object.__setattr__(self, "rules", _as_entries(self.rules, "rule"))
        object.__setattr__(self, "seeds", _as_seeds(self.seeds))
        _check_int("steps", self.steps)
        if self.record_every is not None:
            _check_int("record_every", self.record_every)
        if self.seeds_per_task is not None:
            _check_int("seeds_per_task", self.seeds_per_task)
        if self.workers is not None:
            _check_int("workers", self.workers)
        if self.tol is not None:
            _check_number("tol", self.tol, low=0.0)
        _check_number("init_noise", self.init_noise, low=0.0)
        if self.average not in AVERAGE_CHOICES:
            raise ConfigError(f"average must be one of auto, none, uniform, ema; got "
                              f"{self.average!r}")
        if self.stop_metric is not None and not isinstance(self.stop_metric, str):
            raise ConfigError(f"stop_metric must be a metric name, got "
                              f"{self.stop_metric!r}")
        if not isinstance(self.executor, str):
            raise ConfigError(f"executor must be a string, got {self.executor!r}")
        if self.out is not None and not isinstance(self.out, (str, os.PathLike)):
            raise ConfigError(f"out must be a folder path, got {self.out!r}")
        if self.out is not None:
            object.__setattr__(self, "out", os.fspath(self.out))

    # -- expansion ---------------------------------------------------------
    def settings(self) -> Settings:
        """The engine settings, with defaults resolved."""
        record_every = self.record_every or max(1, self.steps // 100)
        return Settings(
            steps=int(self.steps),
            tol=None if self.tol is None else float(self.tol),
            stop_metric=self.stop_metric,
            record_every=int(record_every),
            init_noise=float(self.init_noise),
            average=self.average,
        )

    def configs(self) -> list[Config]:
        """Every configuration: games x expanded rule grids, in order.

        Raises
        ------
        SpecError
            For a malformed spec or grid, or a configuration listed twice.
        """
        if not self.games:
            raise ConfigError("no game given (for example --game bilinear)")
        if not self.rules:
            raise ConfigError("no update rule given (for example --rules gda:lr=0.1)")
        games = [g[0] for entry in self.games for g in expand_specs(entry)]
        rule_sets = [r for entry in self.rules for r in expand_specs(entry)]
        out: list[Config] = []
        seen: dict[str, Config] = {}
        for game in games:
            for rules in rule_sets:
                config = Config(game, rules)
                if config.id in seen:
                    raise SpecError(
                        f"configuration listed twice: {config.label()} "
                        f"(also {seen[config.id].label()})"
                    )
                seen[config.id] = config
                out.append(config)
        return out

    def tasks(self) -> list[Task]:
        """The tasks: each configuration with its seeds as one batch (or chunks)."""
        settings = self.settings()
        size = self.seeds_per_task or len(self.seeds)
        chunks = [self.seeds[i:i + size] for i in range(0, len(self.seeds), size)]
        return [Task(config, chunk, settings)
                for config in self.configs() for chunk in chunks]

    # -- conversions -------------------------------------------------------
    def replace(self, **changes) -> "Experiment":
        """A copy with some fields changed (``None`` values are ignored)."""
        current = {f.name: getattr(self, f.name) for f in fields(self)}
        current.update({k: v for k, v in changes.items() if v is not None})
        return Experiment(**current)

    def to_dict(self) -> dict:
        """A JSON-ready description (what ``experiment.json`` records)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["games"] = [list(g) if len(g) > 1 else g[0] for g in self.games]
        out["rules"] = [list(r) if len(r) > 1 else r[0] for r in self.rules]
        out["seeds"] = list(self.seeds)
        return out

    @classmethod
    def from_dict(cls, data: Mapping, *, source: str = "experiment") -> "Experiment":
        """Build an experiment from a mapping with the TOML keys."""
        unknown = [k for k in data if k not in TOML_KEYS]
        if unknown:
            raise ConfigError(
                f"{source}: unknown key(s) {', '.join(sorted(unknown))} "
                f"(known: {', '.join(TOML_KEYS)})"
            )
        values = dict(data)
        for single, plural in (("game", "games"), ("rule", "rules")):
            if single in values:
                if plural in values:
                    raise ConfigError(f"{source}: give {plural!r} or {single!r}, "
                                      "not both")
                values[plural] = values.pop(single)
        if values.get("average") in ("none", "None"):
            values["average"] = None
        try:
            return cls(**values)
        except GamesimError as exc:
            raise type(exc)(f"{source}: {exc}") from None

    @classmethod
    def from_toml(cls, path: str | os.PathLike) -> "Experiment":
        """Read an experiment file (see :mod:`gamesim.compare` for the schema)."""
        path = Path(path)
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except FileNotFoundError:
            raise ConfigError(f"experiment file {str(path)!r} not found") from None
        except OSError as exc:
            raise ConfigError(f"cannot read experiment file {str(path)!r}: "
                              f"{exc.strerror or exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"experiment file {str(path)!r} is not valid TOML: "
                              f"{exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"experiment file {str(path)!r} is not valid TOML: "
                              "it is not UTF-8 text") from None
        return cls.from_dict(data, source=str(path))



def _as_entries(value, what: str) -> tuple:
    if isinstance(value, (str, Mapping)):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"{what}s must be a list of specs, got {value!r}")
    entries = tuple(_entry_parts(v, what) for v in value)
    if what == "game":
        for parts in entries:
            if len(parts) != 1 or _split_player(parts[0])[0] is not None:
                raise SpecError(f"bad game spec {';'.join(parts)!r}: a game is one "
                                "NAME:key=value,... spec")
    return entries


def _as_seeds(value) -> tuple[int, ...]:
    if isinstance(value, bool):
        raise ConfigError(f"seeds must be a count or a list of integers, got {value!r}")
    if isinstance(value, int):
        if value < 1:
            raise ConfigError(f"seeds must be >= 1, got {value}")
        return tuple(range(value))
    try:
        seeds = tuple(value)
    except TypeError:
        raise ConfigError(f"seeds must be a count or a list of integers, "
                          f"got {value!r}") from None
    if not seeds:
        raise ConfigError("seeds: the list of seeds is empty")
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, int) or s < 0:
            raise ConfigError(f"seeds must be integers >= 0, got {s!r}")
    if len(set(seeds)) != len(seeds):
        raise ConfigError(f"seeds repeat a value: {list(seeds)}")
    return tuple(int(s) for s in seeds)


def _check_int(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{name} must be an integer >= 1, got {value!r}")


def _check_number(name: str, value, low: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value) or value < low:
        raise ConfigError(f"{name} must be a finite number >= {low:g}, got {value!r}")

