"""Benchmark samples -> pandas tables: Table 3 beside the paper, and A/B comparisons."""

from typing import Any

import pandas as pd

from harness.bench.analysis import SeriesInfo
from harness.bench.plan import NATIVE_NS_ALIVE, NATIVE_NS_GONE
from harness.bench.stats import Comparison

# The paper's Table 3, IMA column (µs, stdev), Linux 4.8 on a 2.4 GHz Dell M620,
# and its slowdown relative to native (DESIGN §5).
PAPER_TABLE3_IMA: dict[str, tuple[float, float, float | None]] = {
    "no security": (1.08, 0.01, None),
    "native": (1.26, 0.01, None),
    "native + 1 NS": (1.26, 0.01, 0.7),
    "native + 2 NS": (1.27, 0.01, 0.8),
    "native + 5 NS": (1.27, 0.01, 2.2),
    "native + 10 NS": (1.28, 0.01, 3.5),
}
# Our rows beyond the paper's: native again while a namespace exists elsewhere
# and after the last one went.
EXTRA_TABLE3_ROWS = (NATIVE_NS_ALIVE["config"], NATIVE_NS_GONE["config"])
SAMPLE_COLUMNS = ["round", "variant", "job", "rep", "series", "metric", "value", "unit"]


def samples_frame(samples: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per sample, figure coordinates (params) as columns."""
    rows = [{**{c: s[c] for c in SAMPLE_COLUMNS}, **s["params"]} for s in samples]
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=SAMPLE_COLUMNS)
    df["workload"] = df["job"].str.split("/").str[0]
    return df


def point_summary(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per point: median of all samples, spread of the per-boot medians, counts."""
    per_boot = df.groupby([*by, "round"])["value"].median().reset_index()
    spread = per_boot.groupby(by)["value"].agg(low="min", high="max", boots="count")
    centre = df.groupby(by)["value"].agg(median="median", std="std", samples="count")
    return centre.join(spread).reset_index()


def table3(df: pd.DataFrame, variants: list[str]) -> pd.DataFrame:
    """Rows: Table 3's configurations; per variant the median µs (stdev) and the
    slowdown against that variant's native row; then the paper's numbers."""
    sub = df[df["workload"] == "table3"]
    if sub.empty:
        return pd.DataFrame()
    points = point_summary(sub, ["variant", "config"])
    rows = []
    configs = [*PAPER_TABLE3_IMA, *EXTRA_TABLE3_ROWS]
    for config in configs:
        paper = PAPER_TABLE3_IMA.get(config)
        row: dict[str, Any] = {"configuration": config}
        for v in variants:
            here = points[(points["variant"] == v) & (points["config"] == config)]
            native = points[(points["variant"] == v) & (points["config"] == "native")]
            if here.empty:
                row[f"{v} µs (stdev)"] = "—"
                row[f"{v} slowdown"] = "—"
                continue
            med, sd = here["median"].iloc[0], here["std"].iloc[0]
            row[f"{v} µs (stdev)"] = f"{med:.3f} ({0.0 if pd.isna(sd) else sd:.3f})"
            if "NS" in config and not native.empty:
                row[f"{v} slowdown"] = f"{100 * (med / native['median'].iloc[0] - 1):+.2f}%"
            else:
                row[f"{v} slowdown"] = ""
        if paper is None:
            row["paper µs (stdev)"] = row["paper slowdown"] = ""
        else:
            paper_us, paper_sd, paper_slow = paper
            row["paper µs (stdev)"] = f"{paper_us:.2f} ({paper_sd:.2f})"
            row["paper slowdown"] = f"{paper_slow}%" if paper_slow is not None else ""
        rows.append(row)
    return pd.DataFrame(rows)


def comparisons_frame(comparisons: list[Comparison], info: dict[str, SeriesInfo]) -> pd.DataFrame:
    rows = [
        {
            "series": c.metric,
            "workload": info[c.metric].workload,
            "unit": c.unit,
            "A median": c.median_a,
            "B median": c.median_b,
            "B worse by": f"{100 * c.slowdown:+.2f}%",
            "ratio B/A (95% CI)": (
                f"{c.ratio:.4f} [{c.ci_low:.4f}, {c.ci_high:.4f}]"
                if c.verdict != "inconclusive"
                else f"{c.ratio:.4f}"
            ),
            "p (Holm)": c.p_adjusted,
            "boots A/B": f"{c.n_boots_a}/{c.n_boots_b}",
            "samples A/B": f"{c.n_reps_a}/{c.n_reps_b}",
            "verdict": c.verdict,
        }
        for c in comparisons
    ]
    return pd.DataFrame(rows)
