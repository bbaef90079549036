"""Benchmark figures: Fig. 9 (Apache), the scaling curves and Table 3 as bars.

Every point is the median of all its samples; the error bar spans the lowest and
highest per-boot median. Titles say where it ran and how many boots it rests on.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from harness.report.bench_tables import PAPER_TABLE3_IMA, point_summary
from harness.report.figures import where_ran

COLOURS = {"vanilla": "#4c72b0", "secns": "#dd8452"}


def where(manifest: dict, df: pd.DataFrame) -> str:
    """Accelerator, timing mode, boots per variant and samples per point per boot."""
    boots = df.groupby("variant")["round"].nunique()
    n = ", ".join(f"{v}: {b}" for v, b in boots.items())
    per_boot = df.groupby(["variant", "round", "series"]).size()
    low, high = int(per_boot.min()), int(per_boot.max())
    reps = str(low) if low == high else f"{low}-{high}"
    return f"{where_ran(manifest)}; boots {n}; {reps} sample(s) per point per boot"


def _errorbar(
    ax: plt.Axes, pts: pd.DataFrame, x: str, label: str, colour: str | None, ls: str = "-"
) -> None:
    pts = pts.sort_values(x)
    ax.errorbar(
        pts[x],
        pts["median"],
        yerr=[pts["median"] - pts["low"], pts["high"] - pts["median"]],
        marker="o",
        capsize=3,
        label=label,
        color=colour,
        ls=ls,
    )


def _save(fig: plt.Figure, out: Path) -> Path:
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def apache(df: pd.DataFrame, manifest: dict, out: Path) -> Path | None:
    sub = df[df["workload"] == "apache"]
    if sub.empty:
        return None
    pts = point_summary(sub, ["variant", "policy", "clients"])
    fig, ax = plt.subplots(figsize=(7, 4))
    for (variant, policy), grp in pts.groupby(["variant", "policy"]):
        style = "--" if policy == "own policy" else "-"
        _errorbar(ax, grp, "clients", f"{variant}, {policy}", COLOURS.get(variant), style)
    ax.set_xlabel("concurrent clients (ab -c)")
    ax.set_ylabel("requests per second")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    ax.set_title(f"Apache in a container (Fig. 9)\n{where(manifest, sub)}", fontsize=9)
    return _save(fig, out)


def scaling(df: pd.DataFrame, manifest: dict, out: Path) -> Path | None:
    """Slowdown against the same kernel's native mmap (no namespace), in percent:
    the curves move by a few percent, which an axis from zero would hide."""
    depth = df[df["workload"] == "depth"]
    siblings = df[df["workload"] == "siblings"]
    native = df[(df["workload"] == "table3") & (df.get("config") == "native")]
    if (depth.empty and siblings.empty) or native.empty:
        return None
    base = native.groupby("variant")["value"].median()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, sub, x, label in (
        (axes[0], depth, "depth", "nested IMA namespaces (depth)"),
        (axes[1], siblings, "siblings", "sibling IMA namespaces under the host"),
    ):
        for variant, grp in point_summary(sub, ["variant", x]).groupby("variant"):
            pct = grp.copy()
            for col in ("median", "low", "high"):
                pct[col] = 100 * (grp[col] / base[variant] - 1)
            _errorbar(ax, pct, x, str(variant), COLOURS.get(str(variant)))
        ax.axhline(0, color="grey", ls=":", label="native (no namespace)")
        ax.set_xlabel(label)
        ax.set_ylabel("mmap PROT_EXEC latency vs native (%)")
        ax.legend(fontsize=8)
    fig.suptitle(f"Cost of one mediated mmap against scale\n{where(manifest, df)}", fontsize=9)
    return _save(fig, out)


def table3(df: pd.DataFrame, manifest: dict, out: Path) -> Path | None:
    """Our mmap latency per configuration beside the paper's, each normalised to
    its own native row (absolute µs differ: TCG guest vs 2018 hardware)."""
    sub = df[df["workload"] == "table3"]
    if sub.empty:
        return None
    pts = point_summary(sub, ["variant", "config"])
    configs = list(PAPER_TABLE3_IMA)
    paper_native = PAPER_TABLE3_IMA["native"][0]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    xs = range(len(configs))
    paper = [PAPER_TABLE3_IMA[c][0] / paper_native for c in configs]
    ax.plot(xs, paper, marker="s", ls="--", color="#8c8c8c", label="paper (IMA, Linux 4.8)")
    for variant, grp in pts.groupby("variant"):
        by = grp.set_index("config").reindex(configs)
        if pd.isna(by.loc["native", "median"]):
            continue
        base = by.loc["native", "median"]
        ax.errorbar(
            xs,
            by["median"] / base,
            yerr=[(by["median"] - by["low"]) / base, (by["high"] - by["median"]) / base],
            marker="o",
            capsize=3,
            label=str(variant),
            color=COLOURS.get(str(variant)),
        )
    ax.axhline(1.0, color="black", lw=0.6)
    ax.set_xticks(list(xs), configs, fontsize=8)
    ax.set_ylabel("mmap latency / native (same kernel)")
    ax.legend(fontsize=8)
    ax.set_title(
        f"Table 3, IMA: mmap latency relative to native\n{where(manifest, sub)}", fontsize=9
    )
    return _save(fig, out)
