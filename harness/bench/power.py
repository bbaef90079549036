"""How often the decision rule (harness.bench.stats) flags a change that is there, and
one that is not, for a design of N boots a side: estimated by resampling whole boots
of one recorded run.

A/A: both sides draw N boots, with replacement, from the same variant's boots (all
series of a drawn boot together, so their correlation is kept) and the whole family
is judged; a false alarm is a draw in which any series is flagged. Detection: in the
same draws, one series at a time has B's values made worse by `shift` (latency
multiplied, throughput divided), and is judged with the rest of the family as it is.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from harness.bench.analysis import Record, SeriesInfo, groups, series_info
from harness.bench.stats import MetricSamples, holm, judge, measure_series
from harness.errors import UserError


@dataclass(frozen=True)
class ErrorRates:
    boots: int  # a side
    draws: int
    shift: float
    false_alarm: float  # share of A/A draws that flagged any series
    detection: dict[str, float]  # series -> share of draws that flagged its shift


def recorded_boots(
    samples: Sequence[Record], variant: str, info: dict[str, SeriesInfo]
) -> dict[str, list[list[float]]]:
    """Per series, the variant's boots in round order; only series measured in every
    round, so that boot i is the same guest boot for every series."""
    per_series = {name: groups(samples, variant, name) for name in sorted(info)}
    rounds = max((len(g) for g in per_series.values()), default=0)
    return {name: g for name, g in per_series.items() if len(g) == rounds}


def _worse(values: list[float], shift: float, higher_is_better: bool) -> list[float]:
    factor = 1 / (1 + shift) if higher_is_better else 1 + shift
    return [v * factor for v in values]


def error_rates(
    samples: Sequence[Record],
    variant: str,
    boots: int,
    *,
    shift: float = 0.02,
    draws: int = 200,
    floor: float = 0.01,
    margin: float = 0.02,
    alpha: float = 0.05,
    resamples: int = 200,
    seed: int = 0,
) -> ErrorRates:
    info = series_info(s for s in samples if s["variant"] == variant)
    recorded = recorded_boots(samples, variant, info)
    rounds = len(next(iter(recorded.values()), []))
    if rounds < 2:
        raise UserError(f"variant '{variant}' has {rounds} complete boot(s); resampling needs 2")
    names = list(recorded)
    rng = np.random.default_rng(seed)
    false_alarms = 0
    detected = dict.fromkeys(names, 0)

    def judged(row: dict, p_adjusted: float) -> str:
        return judge({**row, "p_adjusted": p_adjusted}, len(names), floor, margin, alpha)[0]

    def measured(name: str, a: list[list[float]], b: list[list[float]]) -> dict:
        series = MetricSamples(info[name].unit, info[name].higher_is_better, a, b)
        return measure_series(name, series, 0.95, resamples, seed)

    for _ in range(draws):
        a_idx, b_idx = rng.integers(0, rounds, boots), rng.integers(0, rounds, boots)
        drawn = {
            name: ([boots[i] for i in a_idx], [boots[i] for i in b_idx])
            for name, boots in recorded.items()
        }
        rows = [measured(name, *drawn[name]) for name in names]
        ps = [r["p"] for r in rows]
        ps_adjusted = holm(ps)
        verdicts = [judged(r, p) for r, p in zip(rows, ps_adjusted, strict=True)]
        false_alarms += any(v in ("regression", "improvement") for v in verdicts)
        for k, name in enumerate(names):
            a, b = drawn[name]
            worse = [_worse(g, shift, info[name].higher_is_better) for g in b]
            row = measured(name, a, worse)
            p_adjusted = holm([*ps[:k], row["p"], *ps[k + 1 :]])[k]
            detected[name] += judged(row, p_adjusted) == "regression"
    return ErrorRates(
        boots,
        draws,
        shift,
        false_alarms / draws,
        {name: n / draws for name, n in detected.items()},
    )


def wilson_interval(successes: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% interval of a rate estimated from n draws (the Wilson score interval)."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def render_rates(rates: ErrorRates) -> str:
    lo, hi = wilson_interval(rates.false_alarm * rates.draws, rates.draws)
    lines = [
        f"{rates.boots} boots a side, {rates.draws} draws: false alarm (any series flagged in "
        f"an A/A compare) {100 * rates.false_alarm:.1f}% (95% CI {100 * lo:.1f}-{100 * hi:.1f}%)",
        f"detection of a {100 * rates.shift:g}% slowdown in one series:",
    ]
    for name, rate in sorted(rates.detection.items(), key=lambda kv: kv[1]):
        lo, hi = wilson_interval(rate * rates.draws, rates.draws)
        lines.append(f"  {100 * rate:5.1f}% ({100 * lo:.0f}-{100 * hi:.0f}%)  {name}")
    return "\n".join(lines)
