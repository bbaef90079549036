"""The benchmark part of a run's report: comparisons, Table 3, Fig. 9, scaling."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from harness.bench.analysis import (
    Geomean,
    Summary,
    geomean_of,
    paired_series,
    series_info,
    summarise,
)
from harness.bench.runner import series_name
from harness.report import bench_figures
from harness.report.bench_tables import comparisons_frame, point_summary, samples_frame, table3

FLOOR = 0.01  # a change smaller than 1 % is not reported as one (DESIGN §6 targets)
RESAMPLES = 10000


@dataclass
class BenchSection:
    baseline: str
    candidate: str
    summary: Summary | None = None  # every series of both variants, one family
    lmbench: Geomean | None = None
    tables: dict[str, str] = field(default_factory=dict)  # name -> html
    figures: list[str] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    boots: int = 0

    @property
    def lmbench_geomean(self) -> str:
        return "not measured" if self.lmbench is None else self.lmbench.describe()


def own_policy_as_plain(samples: list[dict[str, Any]], candidate: str) -> list[dict[str, Any]]:
    """The candidate's own-policy Apache samples, named as the plain series they are
    compared with (the baseline cannot have an own policy)."""
    out = []
    for s in samples:
        if s["variant"] == candidate and s["params"].get("policy") == "own policy":
            params = {**s["params"], "policy": "no own policy"}
            out.append(
                {
                    **s,
                    "variant": f"{candidate} (own policy)",
                    "series": series_name(s["metric"], params),
                }
            )
    return out


def _html(df: pd.DataFrame) -> str:
    return df.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep="—", classes="data")


def build(
    samples: list[dict[str, Any]],
    failures: list[dict[str, Any]],
    manifest: dict,
    out_dir: Path,
    variants: list[str],
) -> BenchSection | None:
    if not samples:
        return None
    baseline, candidate = variants[0], variants[-1]
    section = BenchSection(baseline, candidate, failures=failures)
    df = samples_frame(samples)
    section.boots = int(df.groupby("variant")["round"].nunique().max())
    info = series_info(samples)
    metrics = paired_series(samples, baseline, samples, candidate, None)
    if metrics:
        # One family for the whole comparison, as in `compare`; a table per workload.
        section.summary = summarise(metrics, FLOOR, RESAMPLES)
        for workload in ("lmbench", "apache", "table3"):
            rows = [c for c in section.summary.comparisons if info[c.metric].workload == workload]
            if rows:
                section.tables[workload] = _html(comparisons_frame(rows, info))
        lmbench = [c for c in section.summary.comparisons if info[c.metric].workload == "lmbench"]
        section.lmbench = geomean_of(lmbench, metrics, RESAMPLES)
    for workload, x in (("depth", "depth"), ("siblings", "siblings")):
        sub = df[df["workload"] == workload]
        if not sub.empty:
            section.tables[workload] = _html(point_summary(sub, ["variant", x]))
    own = own_policy_as_plain(samples, candidate)
    metrics = paired_series(samples, baseline, own, f"{candidate} (own policy)", "apache")
    if metrics:
        summary = summarise(metrics, FLOOR, RESAMPLES)
        section.tables["apache_own"] = _html(comparisons_frame(summary.comparisons, info))
    t3 = table3(df, variants)
    if not t3.empty:
        section.tables["table3_paper"] = _html(t3)
    for fig in (
        bench_figures.table3(df, manifest, out_dir / "table3.png"),
        bench_figures.apache(df, manifest, out_dir / "apache.png"),
        bench_figures.scaling(df, manifest, out_dir / "scaling.png"),
    ):
        if fig is not None:
            section.figures.append(fig.name)
    return section
