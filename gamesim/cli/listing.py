"""``gamesim list games|rules``."""

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
    p = sub.add_parser("list", help="list registered games or update rules")
    p.add_argument("what", choices=("games", "rules"))
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def _summary(obj) -> str:
    doc = (obj.__doc__ or "").strip()
    # the first docstring line, without reStructuredText literal markup
    return doc.splitlines()[0].replace("``", "") if doc else ""


def run(args) -> int:
    if args.what == "games":
        items = [(n, game_factory(n)) for n in game_names()]
    else:
        items = [(n, rule_class(n)) for n in rule_names()]
    rows = [{"name": n, "summary": _summary(f), "params": accepted_params(f)}
            for n, f in items]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        print(f"{r['name']:<{width}}  {r['summary']}")
        if r["params"]:
            print(f"{'':<{width}}  params: {', '.join(r['params'])}")
    return 0
