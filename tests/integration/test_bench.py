"""The benchmark profile end to end: real kernels, guests, containers, LMbench, Apache."""

from dataclasses import replace
from pathlib import Path

from harness.bench.profile import load_profile
from harness.pipeline import RunOptions, run_pipeline
from harness.report.render import render
from harness.results.rundir import RunDir

NAMESPACE_WORKLOADS = {"depth", "siblings"}


def test_quick_profile_measures_every_workload_and_renders(cache: Path, tmp_path: Path) -> None:
    # One round (vanilla, then secns) of the quick profile: the default run has two,
    # which would take CI's cold budget past its limit.
    profile = replace(load_profile("quick"), boots=1)
    opts = RunOptions(cache=cache, results_dir=tmp_path, run_scenarios=False, profile=profile)
    run, code, infra = run_pipeline(opts)
    failures = [(f["variant"], f["what"], f["error"]) for f in run.bench_failures()]
    assert not infra and not failures and code == 0
    samples = run.samples()
    workloads = {(s["variant"], s["job"].split("/")[0]) for s in samples}
    assert {("vanilla", w) for w in ("table3", "lmbench", "apache")} <= workloads
    assert {("secns", w) for w in profile.workloads} <= workloads
    assert not {("vanilla", w) for w in NAMESPACE_WORKLOADS} & workloads
    rounds = {(s["variant"], s["round"]) for s in samples}
    assert rounds == {(v, r) for v in ("vanilla", "secns") for r in range(1, profile.boots + 1)}
    boots = [b for b in run.boots() if b.get("purpose") == "bench"]
    assert [b["variant"] for b in boots] == ["vanilla", "secns"] * profile.boots  # interleaved
    assert {b["timing"] for b in boots} == {run.manifest()["timing"]}
    series = {s["series"] for s in samples if s["variant"] == "secns"}
    assert "mmap_exec[depth=32]" in series and "mmap_exec[siblings=100]" in series
    page = render(run).read_text()
    for text in ("Table 3", "Geometric mean", "apache.png", "scaling.png", "table3.png"):
        assert text in page

    # Resuming a finished run boots nothing and measures nothing new.
    _, code, infra = run_pipeline(replace(opts, resume=run.path))
    assert code == 0 and not infra
    assert len(RunDir.open(run.path).samples()) == len(samples)
    assert len(RunDir.open(run.path).boots()) == len(run.boots())
