"""Helpers shared by the subcommands."""

from __future__ import annotations

import math

import numpy as np


def _integer_at_least(low: int):
    """An argparse type: an integer >= ``low``."""

    def convert(text: str) -> int:
        import argparse

        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be >= {low}, got {value}")
        return value

    return convert


#: argparse type: an integer >= 1
positive_int = _integer_at_least(1)
#: argparse type: an integer >= 0
nonnegative_int = _integer_at_least(0)


def finite_float(text: str) -> float:
    """argparse type: a finite float."""
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
    return value


def float_list(text: str) -> list[float]:
    """argparse type: comma-separated finite floats, such as ``1,0,0.5``."""
    import argparse

    values = []
    for part in text.split(","):
        try:
            value = float(part)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated numbers, got {part.strip()!r} in "
                f"{text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be finite, got {part!r}")
        values.append(value)
    return values


def format_number(v, zero_below: float = 0.0) -> str:
    """Compact text for a metric value.

    Parameters
    ----------
    v : float
        The value.
    zero_below : float
        Values of smaller magnitude print as ``0``: rounding noise such as
        ``2.2e-16`` is not shown as a number of its own. The value itself is
        not changed; only its text.
    """
    v = float(v)
    if not np.isfinite(v):
        return str(v)
    if abs(v) < zero_below:
        return "0"
    return f"{v:.6g}"
