"""Synthetic benchmark samples in the run directory's format, for tests."""

from typing import Any

from harness.bench.runner import series_name


def sample(
    variant: str,
    rnd: int,
    rep: int,
    job: str,
    value: float,
    metric: str = "mmap_exec",
    unit: str = "us",
    higher_is_better: bool = False,
    **params: Any,
) -> dict[str, Any]:
    return {
        "round": rnd,
        "variant": variant,
        "boot_dir": f"boots/{rnd:02d}-{variant}",
        "job": job,
        "rep": rep,
        "metric": metric,
        "series": series_name(metric, params),
        "params": params,
        "value": value,
        "unit": unit,
        "higher_is_better": higher_is_better,
        "seconds": 1.0,
    }


def lmbench_run(slowdown: float, boots: int = 5, reps: int = 4) -> list[dict[str, Any]]:
    """Two LMbench metrics; secns slower by `slowdown` (a fraction) on both. Five boots
    a side are the fewest with which a family of two series can be decided."""
    out = []
    for rnd in range(1, boots + 1):
        for rep in range(1, reps + 1):
            jitter = 1 + 0.001 * ((rnd * 7 + rep * 3) % 5)
            for variant, factor in (("vanilla", 1.0), ("secns", 1.0 + slowdown)):
                out.append(
                    sample(
                        variant,
                        rnd,
                        rep,
                        "lmbench/lat_proc_fork",
                        300 * factor * jitter,
                        metric="lat_proc_fork",
                    )
                )
                out.append(
                    sample(
                        variant,
                        rnd,
                        rep,
                        "lmbench/bw_file_rd",
                        900 / factor / jitter,
                        metric="bw_file_rd",
                        unit="MB/s",
                        higher_is_better=True,
                    )
                )
    return out
