"""argparse `type=` functions for numeric options: a value out of range is then a
one-line usage error, exit status 2, before any command starts."""

import argparse
import math
from collections.abc import Callable
from typing import TypeVar

N = TypeVar("N", int, float)


def number(kind: type[N], interval: str) -> Callable[[str], N]:
    """A parser for a finite `kind` within interval, written as in mathematics:
    "(0, 1]", "[1, inf)". float() reads "nan" and "inf", so finiteness is checked
    here, for every option."""
    low, high = (float(bound) for bound in interval[1:-1].split(","))
    what = "an integer" if kind is int else "a finite number"

    def parse(text: str) -> N:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not (
            math.isfinite(value)
            and (low < value if interval[0] == "(" else low <= value)
            and (value < high if interval[-1] == ")" else value <= high)
        ):
            raise argparse.ArgumentTypeError(f"expected {what} in {interval}, got {text!r}")
        return value

    return parse
