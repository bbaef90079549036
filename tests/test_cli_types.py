import argparse
import math

import pytest

from harness.cli_types import number


@pytest.mark.parametrize(
    ("kind", "interval", "text", "value"),
    [
        (int, "[1, inf)", "1", 1),
        (int, "[1, inf)", "64", 64),
        (float, "(0, inf)", "0.5", 0.5),
        (float, "[0, 1)", "0", 0.0),
        (float, "(0, 1]", "1", 1.0),
        (float, "(0, 1]", "1e-3", 0.001),
    ],
)
def test_accepts_values_inside_the_interval(
    kind: type, interval: str, text: str, value: float
) -> None:
    parsed = number(kind, interval)(text)
    assert parsed == value and type(parsed) is kind


@pytest.mark.parametrize(
    ("kind", "interval", "text"),
    [
        (int, "[1, inf)", "0"),
        (int, "[1, inf)", "-2"),
        (int, "[1, inf)", "2.5"),
        (int, "[1, inf)", "many"),
        (float, "(0, inf)", "0"),
        (float, "(0, inf)", "-1"),
        (float, "[0, 1)", "1"),
        (float, "[0, 1)", "-0.1"),
        (float, "(0, 1]", "0"),
        (float, "(0, 1]", "1.01"),
    ],
)
def test_rejects_values_outside_the_interval(kind: type, interval: str, text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=f"in .*, got '{text}'"):
        number(kind, interval)(text)


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999"])
@pytest.mark.parametrize("interval", ["(0, inf)", "[0, 1)", "(0, 1]"])
def test_nan_and_inf_are_never_accepted(interval: str, text: str) -> None:
    assert not math.isfinite(float(text))
    with pytest.raises(argparse.ArgumentTypeError, match="finite number"):
        number(float, interval)(text)
