"""From recorded samples to A/B comparisons: per series, grouped by boot round.

A series is one metric at one point of its figure (see runner.series_name); the
samples of one round of one variant form one boot's group, even when a resumed
round took two boots to finish.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from harness.bench.stats import (
    Comparison,
    MetricSamples,
    compare,
    geomean_ratio,
    geomean_ratio_ci,
)
from harness.errors import UserError

Record = dict[str, Any]


@dataclass(frozen=True)
class SeriesInfo:
    workload: str  # first part of the job key: table3, lmbench, apache, depth, siblings
    metric: str
    unit: str
    higher_is_better: bool
    params: dict[str, Any]


def series_info(samples: Iterable[Record]) -> dict[str, SeriesInfo]:
    return {
        s["series"]: SeriesInfo(
            s["job"].split("/")[0], s["metric"], s["unit"], s["higher_is_better"], s["params"]
        )
        for s in samples
    }


def groups(samples: Iterable[Record], variant: str, series: str) -> list[list[float]]:
    by_round: dict[int, list[float]] = defaultdict(list)
    for s in samples:
        if s["variant"] == variant and s["series"] == series:
            by_round[s["round"]].append(float(s["value"]))
    return [by_round[r] for r in sorted(by_round)]


def paired_series(
    a: Sequence[Record], a_variant: str, b: Sequence[Record], b_variant: str, workload: str | None
) -> dict[str, MetricSamples]:
    """Series measured on both sides (optionally of one workload), as stats input."""
    info = series_info([*a, *b])
    out = {}
    for name in sorted(info):
        if workload is not None and info[name].workload != workload:
            continue
        ga, gb = groups(a, a_variant, name), groups(b, b_variant, name)
        if ga and gb:
            out[name] = MetricSamples(info[name].unit, info[name].higher_is_better, ga, gb)
    return out


@dataclass(frozen=True)
class Geomean:
    """Geometric mean of the oriented ratios (> 1: B worse) and its bootstrap CI."""

    value: float
    ci: tuple[float, float]
    series: tuple[str, ...]  # the series it covers

    def describe(self) -> str:
        low, high = self.ci
        return (
            f"{100 * (self.value - 1):+.2f}% (95% CI {100 * (low - 1):+.2f}% to "
            f"{100 * (high - 1):+.2f}%) over {len(self.series)} series"
        )


@dataclass(frozen=True)
class Summary:
    comparisons: list[Comparison]
    geomean: Geomean | None  # over every series with at least 2 samples a side

    def with_verdict(self, verdict: str) -> list[Comparison]:
        return [c for c in self.comparisons if c.verdict == verdict]

    def tally(self) -> str:
        n = Counter(c.verdict for c in self.comparisons)
        verdicts = ("regression", "improvement", "no change", "inconclusive")
        return f"{len(self.comparisons)} series: " + ", ".join(f"{n[v]} {v}" for v in verdicts)

    def undecided(self) -> list[str]:
        """One line per reason a series is inconclusive: the reason, how many, which."""
        by_reason: dict[str, list[str]] = defaultdict(list)
        for c in self.with_verdict("inconclusive"):
            by_reason[c.reason].append(c.metric)
        return [f"{r}: {len(m)} series ({', '.join(m)})" for r, m in sorted(by_reason.items())]


def summarise(
    metrics: dict[str, MetricSamples], floor: float, resamples: int, margin: float = 0.02
) -> Summary:
    """Every series given, judged as one family (see harness.bench.stats)."""
    comparisons = compare(metrics, floor=floor, margin=margin, resamples=resamples)
    return Summary(comparisons, geomean_of(comparisons, metrics, resamples))


def geomean_of(
    comparisons: Sequence[Comparison], metrics: dict[str, MetricSamples], resamples: int
) -> Geomean | None:
    """Over the comparisons with an interval (at least 2 samples a side); None if none."""
    covered = [c for c in comparisons if not math.isnan(c.ci_low)]
    if not covered:
        return None
    ci = geomean_ratio_ci({c.metric: metrics[c.metric] for c in covered}, resamples=resamples)
    return Geomean(geomean_ratio(covered), ci, tuple(c.metric for c in covered))


def same_conditions(manifest_a: Record, manifest_b: Record) -> None:
    """Never compare across timing modes or accelerators."""
    for key in ("timing", "accel"):
        if manifest_a.get(key) != manifest_b.get(key):
            raise UserError(
                f"the runs differ in {key} ({manifest_a.get(key)} vs {manifest_b.get(key)}); "
                "comparing them would mix measurement conditions"
            )
