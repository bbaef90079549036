"""`secns compare A B`: two runs, or two git revisions of the patch series.

Runs: the samples of one variant in run A (baseline) against the same variant in
run B. Revisions: builds the secns kernel with the series as committed at each,
runs the benchmark profile on both in one run (boots interleaved), and compares.
A run directory alone: its first variant against its last (e.g. the two revisions
of an earlier `compare REV_A REV_B`, re-analysed). Every significant regression and
improvement is listed, every series that could not be decided is counted with the
reason, and the exit status gates a patch: 1 when a regression reaches the
threshold, else 5 when some series could not be decided (unless that is accepted).
"""

from dataclasses import dataclass, replace
from pathlib import Path

from harness.bench.analysis import (
    SeriesInfo,
    Summary,
    paired_series,
    same_conditions,
    series_info,
    summarise,
)
from harness.bench.stats import Comparison
from harness.errors import EXIT_CHECKS_FAILED, EXIT_OK, EXIT_UNDECIDED, UserError
from harness.pipeline import RunOptions, run_pipeline
from harness.results.rundir import RunDir
from harness.vm.commands import Timing

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

    @property
    def undecided(self) -> list[Comparison]:
        return self.summary.with_verdict("inconclusive")

    def exit_code(self, accept_undecided: bool = False) -> int:
        if self.gating:
            return EXIT_CHECKS_FAILED
        if self.undecided and not accept_undecided:
            return EXIT_UNDECIDED
        return EXIT_OK


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
    # The threshold is also the margin: "no change" means any change is below it.
    summary = summarise(
        paired_series(a, a_variant, b, b_variant, None), floor, resamples, threshold
    )
    if not summary.comparisons:
        raise UserError(f"no benchmark series measured in both {labels[0]} and {labels[1]}")
    return Outcome(*labels, summary, series_info([*a, *b]), threshold)


def _hosts(run: RunDir, variant: str) -> set[str]:
    """The hosts that booted the variant's samples (records older than the host
    field name none)."""
    host_of = {b["boot_dir"]: b.get("host") for b in run.boots()}
    hosts = {host_of.get(s["boot_dir"]) for s in run.samples() if s["variant"] == variant}
    return {h for h in hosts if h is not None}


def one_host_under_wall_clock(sides: list[tuple[RunDir, str]]) -> None:
    """Wall-clock samples measure their host as much as the kernel: samples that
    several hosts took (a distributed run, harness.distributed) are not compared.
    Under icount, guest time counts instructions, and hosts may differ."""
    if all(run.manifest().get("timing") != Timing.WALLCLOCK for run, _ in sides):
        return
    hosts = set().union(*(_hosts(run, variant) for run, variant in sides))
    if len(hosts) > 1:
        raise UserError(
            f"wall-clock samples from {len(hosts)} hosts ({', '.join(sorted(hosts))}): "
            "they measure the hosts as much as the kernels; compare runs of one host, "
            "or measure under icount"
        )


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
    one_host_under_wall_clock([(run_a, name), (run_b, name)])
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


def compare_in_run(
    run_dir: Path, floor: float, threshold: float, resamples: int = 10000
) -> Outcome:
    """The first variant of one run against its last, e.g. the two revisions of an
    earlier `compare REV_A REV_B`, or vanilla against secns."""
    run = RunDir.open(run_dir)
    variants = run.manifest().get("variants", [])
    if len(variants) < 2:
        raise UserError(f"{run_dir} ran one variant; compare needs two runs or two variants")
    samples = run.samples()
    a, b = variants[0], variants[-1]
    one_host_under_wall_clock([(run, a), (run, b)])
    return _outcome(samples, a, samples, b, (a, b), floor, threshold, resamples)


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
    one_host_under_wall_clock([(run, v) for v in variants])
    samples = run.samples()
    return run, _outcome(
        samples, variants[0], samples, variants[1], variants, floor, threshold, resamples
    )


def render_text(outcome: Outcome, accept_undecided: bool = False) -> str:
    lines = [f"baseline {outcome.baseline}  ->  candidate {outcome.candidate}"]
    s = outcome.summary
    if s.geomean is not None:
        left_out = [c.metric for c in s.comparisons if c.metric not in s.geomean.series]
        lines.append(
            f"geometric mean, candidate worse by {s.geomean.describe()}"
            + (
                f"; leaves out (fewer than 2 samples a side): {', '.join(left_out)}"
                if left_out
                else ""
            )
        )
    lines.append(s.tally())
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
    lines += [f"inconclusive, {line}" for line in s.undecided()]
    code = outcome.exit_code(accept_undecided)
    if code == EXIT_CHECKS_FAILED:
        verdict = "FAIL"
    elif outcome.undecided:
        verdict = "UNDECIDED" if code == EXIT_UNDECIDED else "ok, undecided accepted"
    else:
        verdict = "ok"
    lines.append(
        f"{verdict}: {len(outcome.gating)} regression(s) of at least "
        f"{100 * outcome.threshold:.1f}%, {len(outcome.undecided)} series undecided"
    )
    return "\n".join(lines)
