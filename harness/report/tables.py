"""Run records -> pandas tables. Later records for the same (variant, scenario) win,
so a resumed run shows its latest outcome."""

from typing import Any

import pandas as pd


def results_frame(results: list[dict[str, Any]]) -> pd.DataFrame:
    rows = [
        {
            "variant": r["variant"],
            "scenario": r["scenario"],
            "status": r["status"],
            "seconds": r["seconds"],
            "file": r["file"],
        }
        for r in results
    ]
    df = pd.DataFrame(rows, columns=["variant", "scenario", "status", "seconds", "file"])
    return df.drop_duplicates(["variant", "scenario"], keep="last")


def scenario_matrix(results: list[dict[str, Any]], variants: list[str]) -> pd.DataFrame:
    """Scenario x variant -> pass / fail ('' where it does not apply or did not run)."""
    df = results_frame(results)
    if df.empty:
        return pd.DataFrame(columns=variants)
    matrix = df.pivot(index="scenario", columns="variant", values="status")
    return matrix.reindex(columns=variants).fillna("")


def attack_rows(results: list[dict[str, Any]], variants: list[str]) -> list[dict[str, Any]]:
    """One row per attack scenario: per variant the outcome it is expected to have,
    whether the run showed it (the scenario passed; None: not run, not applicable
    there) and the evidence it found."""
    latest = {(r["variant"], r["scenario"]): r for r in results if r.get("threat")}
    rows: dict[str, dict[str, Any]] = {}
    declared: dict[str, dict[str, str]] = {}  # scenario -> base variant -> outcome
    for (variant, scenario), r in sorted(latest.items(), key=lambda kv: kv[0][1]):
        row = rows.setdefault(
            scenario, {"scenario": scenario, "summary": r["threat"]["summary"], "cells": {}}
        )
        declared[scenario] = r["threat"].get("outcomes", {})
        row["cells"][variant] = {
            "outcome": r["threat"]["outcome"],
            "shown": r["status"] == "pass",
            "limit": r["threat"].get("limit", ""),
            "evidence": [s["evidence"] for s in r["steps"] if s.get("evidence")],
        }
    for scenario, row in rows.items():
        for v in variants:
            if (
                v not in row["cells"]
                and declared[scenario].get(v.split("+")[0]) == "not-applicable"
            ):
                # Not run there: nothing it attacks exists on that variant.
                row["cells"][v] = {
                    "outcome": "not-applicable",
                    "shown": None,
                    "limit": "",
                    "evidence": [],
                }
        row["cells"] = {v: row["cells"].get(v) for v in variants}
    return list(rows.values())


def metrics_frame(results: list[dict[str, Any]]) -> pd.DataFrame:
    rows = [
        {
            "variant": r["variant"],
            "scenario": r["scenario"],
            "metric": name,
            "value": m["value"],
            "unit": m["unit"],
        }
        for r in results
        for name, m in r.get("metrics", {}).items()
    ]
    df = pd.DataFrame(rows, columns=["variant", "scenario", "metric", "value", "unit"])
    return df.drop_duplicates(["variant", "metric"], keep="last")


def metrics_table(results: list[dict[str, Any]], variants: list[str]) -> pd.DataFrame:
    df = metrics_frame(results)
    if df.empty:
        return pd.DataFrame(columns=["unit", *variants])
    table = df.pivot(index="metric", columns="variant", values="value").reindex(columns=variants)
    table.insert(0, "unit", df.groupby("metric")["unit"].first())
    table.columns.name = None
    return table.reset_index()


def boots_frame(boots: list[dict[str, Any]]) -> pd.DataFrame:
    cols = ["variant", "status", "boot_seconds", "accel", "timing", "host", "worker", "boot_dir"]
    return pd.DataFrame([{c: b.get(c) for c in cols} for b in boots], columns=cols)


def failures(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each failing scenario with its first failing step."""
    out = []
    for r in results:
        if r["status"] == "pass":
            continue
        bad = next((s for s in r["steps"] if not s["ok"]), None)
        out.append(
            {
                "variant": r["variant"],
                "scenario": r["scenario"],
                "file": r["file"],
                "line": bad["line"] if bad else None,
                "action": bad["action"] if bad else "",
                "detail": bad["detail"] if bad else "",
                "stderr": bad["stderr"] if bad else "",
            }
        )
    return out
