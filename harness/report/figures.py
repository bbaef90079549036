"""matplotlib figures for the report; each says where it ran and on how many samples."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd


def where_ran(manifest: dict) -> str:
    return f"{manifest.get('accel', '?').upper()}, timing: {manifest.get('timing', '?')}"


def boot_times(boots: pd.DataFrame, manifest: dict, out: Path) -> Path | None:
    up = boots[boots["status"] == "up"]
    if up.empty:
        return None
    fig, ax = plt.subplots(figsize=(6, 3.2))
    labels = [f"{v}\n(boot {i + 1})" for i, v in enumerate(up["variant"])]
    ax.bar(labels, up["boot_seconds"], color="#4c72b0")
    for i, v in enumerate(up["boot_seconds"]):
        ax.annotate(f"{v:.1f}", (i, v), ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, up["boot_seconds"].max() * 1.15)
    ax.set_ylabel("boot to SSH (s)")
    ax.set_title(f"Boot to SSH — {where_ran(manifest)}, n = 1 per bar", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def metrics(df: pd.DataFrame, manifest: dict, out: Path) -> Path | None:
    """One panel per metric (units differ), one bar per variant."""
    if df.empty:
        return None
    names = sorted(df["metric"].unique())
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names) + 1, 3.2), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        sub = df[df["metric"] == name]
        ax.bar(sub["variant"], sub["value"], color="#dd8452")
        for i, v in enumerate(sub["value"]):
            ax.annotate(f"{v:.3g}", (i, v), ha="center", va="bottom", fontsize=8)
        ax.set_ylim(0, sub["value"].max() * 1.15)
        ax.set_title(name, fontsize=9)
        ax.set_ylabel(sub["unit"].iloc[0])
    fig.suptitle(f"Measured values — {where_ran(manifest)}, n = 1 run per bar", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
