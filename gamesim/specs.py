"""Parse specification strings such as ``ogda:lr=0.1,schedule=alternating``.

A spec is a registered name followed by optional ``key=value`` parameters::

    bilinear
    bilinear:n=5,seed=0
    dirac:loss=standard,r1=0.3
    gda:lr=0.1|0.5          # '|' separates the values of a grid

Values are converted to ``bool`` (``true``/``false``), ``int``, ``float`` or
left as strings, in that order of preference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gamesim.errors import SpecError

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Spec:
    """A parsed specification: a name and its parameters."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        if not self.params:
            return self.name
        body = ",".join(f"{k}={format_value(v)}" for k, v in self.params.items())
        return f"{self.name}:{body}"


def format_value(value: Any) -> str:
    """Format a parameter value the way :func:`parse_spec` reads it back."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "|".join(format_value(v) for v in value)
    return str(value)


def parse_value(text: str) -> Any:
    """Convert one parameter value from text.

    Examples
    --------
    >>> parse_value("0.1"), parse_value("5"), parse_value("true")
    (0.1, 5, True)
    """
    low = text.strip().lower()
    if low in ("true", "yes"):
        return True
    if low in ("false", "no"):
        return False
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text.strip()


def parse_spec(text: str, *, allow_grid: bool = False) -> Spec:
    """Parse ``name:key=value,key=value`` into a :class:`Spec`.

    Parameters
    ----------
    text : str
        The specification.
    allow_grid : bool
        Whether values may be lists written ``a|b|c`` (used by sweeps).

    Raises
    ------
    SpecError
        If the text is empty, the name is not a valid identifier, a parameter
        lacks ``=`` or a key is repeated.
    """
    if not isinstance(text, str) or not text.strip():
        raise SpecError("empty specification: expected NAME or NAME:key=value,...")
    name, _, rest = text.strip().partition(":")
    name = name.strip()
    if not _NAME.match(name):
        raise SpecError(f"malformed specification {text!r}: bad name {name!r}")
    params: dict[str, Any] = {}
    if rest.strip():
        for item in rest.split(","):
            key, eq, value = item.partition("=")
            key = key.strip()
            if not eq or not _KEY.match(key) or not value.strip():
                raise SpecError(
                    f"malformed specification {text!r}: parameter {item.strip()!r} "
                    "is not of the form key=value"
                )
            if key in params:
                raise SpecError(f"malformed specification {text!r}: {key!r} repeated")
            if "|" in value:
                if not allow_grid:
                    raise SpecError(
                        f"specification {text!r}: a grid of values ({key}={value}) "
                        "is only allowed in sweeps (gamesim compare)"
                    )
                params[key] = [parse_value(v) for v in value.split("|")]
            else:
                params[key] = parse_value(value)
    elif ":" in text:
        raise SpecError(f"malformed specification {text!r}: nothing after ':'")
    return Spec(name, params)
