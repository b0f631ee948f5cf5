"""Build players' rules and the schedule from command-line style specs."""

from __future__ import annotations

from dataclasses import replace

from gamesim.engine.schedule import ENGINE_KEYS, Schedule
from gamesim.errors import SpecError
from gamesim.registry import make_rule
from gamesim.specs import Spec, parse_spec


def parse_rule_specs(game, specs) -> tuple[dict, Schedule]:
    """Turn rule specs into ``({player: rule}, schedule)``.

    Parameters
    ----------
    game : Game
        The game whose players the specs name.
    specs : str or list of str
        ``"ogda:lr=0.1"`` for both players, or ``"generator=adam:lr=0.01"``
        and ``"discriminator=gda:lr=0.1"`` for one player each. Engine keys
        ``schedule``, ``order``, ``d_steps`` set the schedule; ``lr_d`` gives
        the second player its own step size (two time-scales).

    Examples
    --------
    >>> from gamesim import make_game
    >>> rules, schedule = parse_rule_specs(make_game("bilinear"),
    ...                                    "gda:lr=0.1,schedule=alternating")
    >>> rules["generator"].lr, schedule.kind
    (0.1, 'alternating')
    """
    from gamesim.engine.players import player_index

    if isinstance(specs, str):
        specs = [specs]
    if not specs:
        raise SpecError("no update rule given (for example --rule gda:lr=0.1)")
    pair: list = [None, None]
    engine: dict = {}
    for text in specs:
        who = None
        head = text.split(":", 1)[0]
        if "=" in head:
            who, _, text = text.partition("=")
            who = player_index(game, who.strip())
        spec = parse_spec(text)
        params = dict(spec.params)
        for key in ENGINE_KEYS:
            if key in params:
                if key in engine and engine[key] != params[key]:
                    raise SpecError(f"conflicting values for {key}: "
                                    f"{engine[key]!r} and {params[key]!r}")
                engine[key] = params.pop(key)
        rule = make_rule(Spec(spec.name, params))
        targets = (0, 1) if who is None else (who,)
        for i in targets:
            if pair[i] is not None and who is None:
                raise SpecError(f"two rules given for player {game.players[i]!r}")
            pair[i] = rule
    missing = [game.players[i] for i in (0, 1) if pair[i] is None]
    if missing:
        raise SpecError(f"no update rule given for player(s) {', '.join(missing)}")
    if "lr_d" in engine:
        pair[1] = replace(pair[1], lr=engine.pop("lr_d"))
    schedule = Schedule(
        kind=engine.get("schedule", "simultaneous"),
        order=engine.get("order", "generator_first"),
        d_steps=engine.get("d_steps", 1),
    )
    return {game.players[0]: pair[0], game.players[1]: pair[1]}, schedule
