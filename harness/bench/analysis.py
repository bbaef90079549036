"""From recorded samples to A/B comparisons: per series, grouped by boot round.

A series is one metric at one point of its figure (see runner.series_name); the
samples of one round of one variant form one boot's group, even when a resumed
round took two boots to finish.
"""

from collections import defaultdict
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
class Summary:
    comparisons: list[Comparison]
    geomean: float | None  # over the series compared, oriented so > 1 means B worse
    geomean_ci: tuple[float, float] | None


def summarise(metrics: dict[str, MetricSamples], floor: float, resamples: int) -> Summary:
    """One Holm family: the series of one table."""
    return _with_geomean(compare(metrics, floor=floor, resamples=resamples), metrics, resamples)


def summarise_workloads(
    a: Sequence[Record],
    a_variant: str,
    b: Sequence[Record],
    b_variant: str,
    floor: float,
    resamples: int,
) -> Summary:
    """Every series measured on both sides, each workload its own Holm family (as each
    table of the report is), with one geometric mean over all of them."""
    comparisons: list[Comparison] = []
    metrics: dict[str, MetricSamples] = {}
    for workload in sorted({i.workload for i in series_info([*a, *b]).values()}):
        family = paired_series(a, a_variant, b, b_variant, workload)
        if family:
            comparisons += compare(family, floor=floor, resamples=resamples)
            metrics.update(family)
    return _with_geomean(comparisons, metrics, resamples)


def _with_geomean(
    comparisons: list[Comparison], metrics: dict[str, MetricSamples], resamples: int
) -> Summary:
    usable = {c.metric: metrics[c.metric] for c in comparisons if c.verdict != "inconclusive"}
    if not usable:
        return Summary(comparisons, None, None)
    low, high = geomean_ratio_ci(usable, resamples=resamples)
    usable_comparisons = [c for c in comparisons if c.metric in usable]
    return Summary(comparisons, geomean_ratio(usable_comparisons), (low, high))


def same_conditions(manifest_a: Record, manifest_b: Record) -> None:
    """Never compare across timing modes or accelerators."""
    for key in ("timing", "accel"):
        if manifest_a.get(key) != manifest_b.get(key):
            raise UserError(
                f"the runs differ in {key} ({manifest_a.get(key)} vs {manifest_b.get(key)}); "
                "comparing them would mix measurement conditions"
            )
