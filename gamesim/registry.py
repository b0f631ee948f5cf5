"""Registries of games and update rules, looked up by name from specs.

Games and rules register themselves with the :func:`register_game` and
:func:`register_rule` decorators when their modules are imported;
:func:`make_game` and :func:`make_rule` build them from spec strings.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import inspect
from typing import Any, Callable

from gamesim.errors import SpecError
from gamesim.specs import Spec, parse_spec

_GAMES: dict[str, Callable[..., Any]] = {}
_RULES: dict[str, type] = {}

# Modules whose import registers games and rules; loaded on first look-up.
_PROVIDERS = (
    "gamesim.games",
    "gamesim.rules",
)


def _load() -> None:
    for module in _PROVIDERS:
        importlib.import_module(module)


def register_game(name: str) -> Callable:
    """Register a game factory (a class or function taking keyword params)."""

    def decorate(factory):
        _GAMES[name] = factory
        return factory

    return decorate


def register_rule(name: str) -> Callable:
    """Register an update rule class (a frozen dataclass) under ``name``."""

    def decorate(cls):
        _RULES[name] = cls
        cls.name = name
        return cls

    return decorate


def game_names() -> list[str]:
    """Names of every registered game."""
    _load()
    return sorted(_GAMES)


def rule_names() -> list[str]:
    """Names of every registered update rule."""
    _load()
    return sorted(_RULES)


def game_factory(name: str) -> Callable[..., Any]:
    """The registered factory of game ``name``."""
    _load()
    return _lookup(_GAMES, name, "game")


def rule_class(name: str) -> type:
    """The registered class of update rule ``name``."""
    _load()
    return _lookup(_RULES, name, "rule")


def _lookup(table: dict, name: str, kind: str):
    if name not in table:
        close = difflib.get_close_matches(name, list(table), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise SpecError(
            f"unknown {kind} {name!r}{hint} (known: {', '.join(sorted(table))})"
        )
    return table[name]


def accepted_params(factory: Callable) -> list[str]:
    """Keyword parameters a factory or dataclass accepts."""
    if dataclasses.is_dataclass(factory):
        return [f.name for f in dataclasses.fields(factory) if f.init]
    sig = inspect.signature(factory)
    return [
        p.name
        for p in sig.parameters.values()
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name != "self"
    ]


def build(factory: Callable, params: dict[str, Any], what: str):
    """Call ``factory(**params)``, naming unknown parameters clearly."""
    known = accepted_params(factory)
    unknown = [k for k in params if k not in known]
    if unknown:
        raise SpecError(
            f"{what}: unknown parameter(s) {', '.join(unknown)} "
            f"(accepted: {', '.join(known) or 'none'})"
        )
    try:
        return factory(**params)
    except TypeError as exc:  # wrong value types reach here
        raise SpecError(f"{what}: {exc}") from None


def make_game(spec: str | Spec):
    """Build a game from a spec such as ``"bilinear:n=5,seed=0"``."""
    spec = parse_spec(spec) if isinstance(spec, str) else spec
    return build(game_factory(spec.name), dict(spec.params), f"game {spec.name!r}")


def make_rule(spec: str | Spec):
    """Build an update rule from a spec such as ``"ogda:lr=0.1"``.

    Engine-level keys (``schedule``, ``order``, ``d_steps``) are not accepted
    here: see :func:`gamesim.engine.parse_rule_spec`.
    """
    spec = parse_spec(spec) if isinstance(spec, str) else spec
    return build(rule_class(spec.name), dict(spec.params), f"rule {spec.name!r}")
