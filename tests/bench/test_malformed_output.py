"""Every parser on truncated and garbled variants of its real output.

Whatever the damage, a parser returns finite positive samples or raises ParseError
naming its program; any other exception would end a benchmark run.
"""

import math
import random
import re
from collections.abc import Callable, Iterator

import pytest

from harness.bench.lmbench import ParseError, Sample
from harness.bench.mmapbench import parse_mmap_bench
from harness.bench.plan import boot_plan
from harness.bench.profile import load_profile
from tests.bench.test_lmbench import EXPECTED, data

Parser = Callable[[str], list[Sample]]

# name -> (parser, its program as error messages name it, known-good output)
GOOD: dict[str, tuple[Parser, str, str]] = {
    name: (parse, parse.__name__.removeprefix("parse_"), data(name))
    for name, (parse, _) in EXPECTED.items()
}
GOOD["secns-mmap-bench"] = (
    parse_mmap_bench,
    "secns-mmap-bench",
    "mmap_exec_us=1.5000 reps=5 n=10\n",
)

NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
BAD_NUMBERS = [
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e999",
    "-1",
    "-0.5",
    "0",
    "0.0",
    "9" * 400,  # all digits, still inf as a float
    "1" * 5000,  # past int()'s 4300 digits
    "\ufffd",  # what a non-UTF-8 byte decodes to
    "\u0661\u0662",  # Arabic-Indic digits, which float() reads
    "0x10",
    "1_000",
    "1.",
    ".5",
    "1..2",
    "+1",
]
# What damage inserts: number syntax, separators, control and replacement characters.
DAMAGE = '0123456789.-+eEnaifk:=" \t\n\r\x00\x0b\u00a0\u2028\ufffd\u0665'


def rejected_or_valid(parse: Parser, program: str, text: str) -> str | None:
    """The ParseError's message, or None when `text` gave valid samples."""
    try:
        samples = parse(text)
    except ParseError as exc:
        assert str(exc).startswith(f"{program}: "), str(exc)
        return str(exc)
    assert samples, f"{text!r} gave no sample and no ParseError"
    for s in samples:
        assert type(s.value) is float and math.isfinite(s.value) and s.value > 0, (s, text)
    return None


def truncated(text: str) -> Iterator[str]:
    """Cut at every character: output that stopped early or lost its start."""
    for i in range(len(text)):
        yield text[:i]
        yield text[i + 1 :]


def line_damaged(text: str) -> Iterator[str]:
    lines = text.splitlines(keepends=True)
    for i in range(len(lines)):
        yield "".join(lines[:i] + lines[i + 1 :])
        yield "".join(lines[: i + 1] + lines[i:])


def garbled(text: str, seed: str, count: int = 300) -> Iterator[str]:
    """`count` variants with one to three characters inserted, replaced or deleted."""
    rng = random.Random(seed)
    for _ in range(count):
        chars = list(text)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(chars) + 1)
            edit = rng.choice(("insert", "replace", "delete"))
            if edit == "insert" or at == len(chars):
                chars.insert(at, rng.choice(DAMAGE))
            elif edit == "replace":
                chars[at] = rng.choice(DAMAGE)
            else:
                del chars[at]
        yield "".join(chars)


def bytes_flipped(text: str, seed: str, count: int = 100) -> Iterator[str]:
    """Bytes corrupted on the way, decoded as the guest session does ("replace")."""
    rng = random.Random(seed)
    raw = text.encode()
    for _ in range(count):
        damaged = bytearray(raw)
        damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        yield damaged.decode(errors="replace")


@pytest.mark.parametrize("name", sorted(GOOD))
def test_truncated_output(name: str) -> None:
    parse, program, text = GOOD[name]
    for variant in [*truncated(text), *line_damaged(text)]:
        rejected_or_valid(parse, program, variant)


@pytest.mark.parametrize("name", sorted(GOOD))
def test_garbled_output(name: str) -> None:
    parse, program, text = GOOD[name]
    for variant in [*garbled(text, name), *bytes_flipped(text, name)]:
        rejected_or_valid(parse, program, variant)


@pytest.mark.parametrize("name", sorted(GOOD))
def test_every_number_replaced_by_garbage(name: str) -> None:
    parse, program, text = GOOD[name]
    for m in NUMBER.finditer(text):
        for bad in BAD_NUMBERS:
            error = rejected_or_valid(parse, program, text[: m.start()] + bad + text[m.end() :])
            # The message shows the offending line, so the bad value in it.
            assert error is None or bad in error, (bad, error)


@pytest.mark.parametrize(
    "bad", ["nan", "inf", "1e999", "-1", "0", "9" * 400], ids=lambda b: b if len(b) < 9 else "9s"
)
@pytest.mark.parametrize("name", sorted(GOOD))
def test_a_result_value_that_is_not_a_finite_positive_number_is_rejected(
    name: str, bad: str
) -> None:
    parse, program, text = GOOD[name]
    values = {s.value for s in parse(text)}
    results = [m for m in NUMBER.finditer(text) if float(m[0]) in values]
    assert len(results) >= len(values)
    for m in results:
        with pytest.raises(ParseError, match=f"^{re.escape(program)}: "):
            parse(text[: m.start()] + bad + text[m.end() :])


def test_every_parser_the_plan_runs_is_exercised_here() -> None:
    planned = {j.parse for p in boot_plan(load_profile("paper")) for j in p.jobs}
    assert planned <= {parse for parse, _, _ in GOOD.values()}
