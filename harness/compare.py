"""`secns compare A B`: two runs, or two git revisions of the patch series.

Runs: the samples of one variant in run A (baseline) against the same variant in
run B. Revisions: builds the secns kernel with the series as committed at each,
runs the benchmark profile on both in one run (boots interleaved), and compares.
Either way every significant regression and improvement is listed, and the exit
status is non-zero when a regression reaches the threshold, so it can gate a patch.
"""

from dataclasses import dataclass, replace
from pathlib import Path

from harness.bench.analysis import (
    SeriesInfo,
    Summary,
    same_conditions,
    series_info,
    summarise_workloads,
)
from harness.bench.stats import Comparison
from harness.errors import UserError
from harness.pipeline import RunOptions, run_pipeline
from harness.results.rundir import RunDir

PATCHED = "secns"


@dataclass(frozen=True)
class Outcome:
    baseline: str  # "run-dir:variant" or "variant@rev"
    candidate: str
    summary: Summary
    info: dict[str, SeriesInfo]
    threshold: float

    @property
    def regressions(self) -> list[Comparison]:
        return [c for c in self.summary.comparisons if c.verdict == "regression"]

    @property
    def improvements(self) -> list[Comparison]:
        return [c for c in self.summary.comparisons if c.verdict == "improvement"]

    @property
    def gating(self) -> list[Comparison]:
        """Regressions at or past the threshold: these fail the comparison."""
        return [c for c in self.regressions if c.slowdown >= self.threshold]


def _outcome(
    a: list[dict],
    a_variant: str,
    b: list[dict],
    b_variant: str,
    labels: tuple[str, str],
    floor: float,
    threshold: float,
    resamples: int,
) -> Outcome:
    summary = summarise_workloads(a, a_variant, b, b_variant, floor, resamples)
    if not summary.comparisons:
        raise UserError(f"no benchmark series measured in both {labels[0]} and {labels[1]}")
    return Outcome(*labels, summary, series_info([*a, *b]), threshold)


def compare_runs(
    dir_a: Path,
    dir_b: Path,
    variant: str | None,
    floor: float,
    threshold: float,
    resamples: int = 10000,
) -> Outcome:
    run_a, run_b = RunDir.open(dir_a), RunDir.open(dir_b)
    same_conditions(run_a.manifest(), run_b.manifest())
    name = variant or run_a.manifest().get("variants", [PATCHED])[-1]
    return _outcome(
        run_a.samples(),
        name,
        run_b.samples(),
        name,
        (f"{dir_a.name}:{name}", f"{dir_b.name}:{name}"),
        floor,
        threshold,
        resamples,
    )


def compare_revisions(
    rev_a: str,
    rev_b: str,
    opts: RunOptions,
    floor: float,
    threshold: float,
    resamples: int = 10000,
) -> tuple[RunDir, Outcome]:
    variants = (f"{PATCHED}@{rev_a}", f"{PATCHED}@{rev_b}")
    if variants[0] == variants[1]:
        raise UserError("compare needs two different revisions")
    run, _, infra = run_pipeline(replace(opts, variants=variants, run_scenarios=False))
    if infra:
        raise infra[0]
    samples = run.samples()
    return run, _outcome(
        samples, variants[0], samples, variants[1], variants, floor, threshold, resamples
    )


def render_text(outcome: Outcome) -> str:
    lines = [f"baseline {outcome.baseline}  ->  candidate {outcome.candidate}"]
    s = outcome.summary
    if s.geomean is not None and s.geomean_ci is not None:
        low, high = s.geomean_ci
        lines.append(
            f"geometric mean over {len(s.comparisons)} series: candidate worse by "
            f"{100 * (s.geomean - 1):+.2f}% (95% CI {100 * (low - 1):+.2f}% to "
            f"{100 * (high - 1):+.2f}%)"
        )
    for title, items in (
        ("regressions", outcome.regressions),
        ("improvements", outcome.improvements),
    ):
        lines.append(f"{title}: {len(items)}")
        for c in items:
            lines.append(
                f"  {c.metric}: {c.median_a:.4g} -> {c.median_b:.4g} {c.unit} "
                f"({100 * c.slowdown:+.2f}% worse; ratio CI [{c.ci_low:.4f}, {c.ci_high:.4f}], "
                f"p(Holm) {c.p_adjusted:.3g})"
            )
    inconclusive = [c.metric for c in s.comparisons if c.verdict == "inconclusive"]
    if inconclusive:
        lines.append(f"inconclusive (fewer than 2 samples a side): {', '.join(inconclusive)}")
    verdict = "FAIL" if outcome.gating else "ok"
    lines.append(
        f"{verdict}: {len(outcome.gating)} regression(s) of at least {100 * outcome.threshold:.1f}%"
    )
    return "\n".join(lines)
