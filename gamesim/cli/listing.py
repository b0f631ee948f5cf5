"""``gamesim list [games|rules]``: the registered games and update rules.

With no argument both are listed, the games first (with ``--json``, one
object with the keys ``games`` and ``rules``).
"""

from __future__ import annotations

import json

from gamesim.registry import (
    accepted_params,
    game_factory,
    game_names,
    rule_class,
    rule_names,
)


def register(sub):
    p = sub.add_parser("list", help="list registered games and update rules")
    p.add_argument("what", nargs="?", choices=("games", "rules"),
                   help="list only these (default: games, then rules)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def _summary(obj) -> str:
    doc = (obj.__doc__ or "").strip()
    # the first docstring line, without reStructuredText literal markup
    return doc.splitlines()[0].replace("``", "") if doc else ""


def _rows(what: str) -> list[dict]:
    """Name, one-line summary and accepted parameters of each game or rule."""
    if what == "games":
        items = [(n, game_factory(n)) for n in game_names()]
    else:
        items = [(n, rule_class(n)) for n in rule_names()]
    return [{"name": n, "summary": _summary(f), "params": accepted_params(f)}
            for n, f in items]


def _print_rows(rows: list[dict]) -> None:
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        print(f"{r['name']:<{width}}  {r['summary']}")
        if r["params"]:
            print(f"{'':<{width}}  params: {', '.join(r['params'])}")


def run(args) -> int:
    if args.what is not None:
        rows = _rows(args.what)
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            _print_rows(rows)
        return 0

    # no argument: both lists, each under a heading (one object with --json)
    tables = {what: _rows(what) for what in ("games", "rules")}
    if args.json:
        print(json.dumps(tables, indent=2))
        return 0
    for k, (what, rows) in enumerate(tables.items()):
        print(("\n" if k else "") + f"{what}:")
        _print_rows(rows)
    return 0
