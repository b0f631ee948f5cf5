"""Spec strings and the registry."""

import pytest

from gamesim import SpecError, make_game, make_rule
from gamesim.specs import Spec, parse_spec


def test_parse_values():
    spec = parse_spec("gda:lr=0.1,schedule=alternating,d_steps=2,align=false")
    assert spec == Spec("gda", {"lr": 0.1, "schedule": "alternating", "d_steps": 2,
                                "align": False})
    assert str(spec) == "gda:lr=0.1,schedule=alternating,d_steps=2,align=false"


def test_grid_only_when_allowed():
    assert parse_spec("gda:lr=0.1|0.5", allow_grid=True).params["lr"] == [0.1, 0.5]
    with pytest.raises(SpecError, match="grid of values"):
        parse_spec("gda:lr=0.1|0.5")


@pytest.mark.parametrize("text,message", [
    ("", "empty specification"),
    ("   ", "empty specification"),
    ("gda:", "nothing after ':'"),
    ("gda:lr", "not of the form key=value"),
    ("gda:lr=", "not of the form key=value"),
    ("gda:=1", "not of the form key=value"),
    ("gda:lr=1,lr=2", "'lr' repeated"),
    ("9gda", "bad name"),
])
def test_malformed_specs(text, message):
    with pytest.raises(SpecError) as info:
        parse_spec(text)
    assert message in str(info.value)


def test_unknown_names_suggest():
    with pytest.raises(SpecError, match="did you mean ogda"):
        make_rule("odga")
    with pytest.raises(SpecError, match="unknown game 'diracgan'"):
        make_game("diracgan")


def test_rule_spec_round_trip():
    rule = make_rule("oadam:lr=0.02,beta1=0.5")
    assert make_rule(rule.spec()) == rule
