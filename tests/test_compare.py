from pathlib import Path

import pytest

from harness.cli import main
from harness.compare import compare_runs, render_text
from harness.errors import UserError
from harness.results.rundir import RunDir
from tests.bench.fake_samples import lmbench_run, sample


def _run(parent: Path, name: str, slowdown: float, timing: str = "icount") -> Path:
    run = RunDir.create(parent, name)
    run.update_manifest(run_id=name, timing=timing, accel="tcg", variants=["vanilla", "secns"])
    for s in lmbench_run(0.0):
        if s["variant"] == "vanilla":
            run.append_sample(s)
    for s in lmbench_run(slowdown):
        if s["variant"] == "secns":
            run.append_sample(s)
    return run.path


def test_a_regression_past_the_threshold_gates(tmp_path: Path) -> None:
    a, b = _run(tmp_path, "a", 0.0), _run(tmp_path, "b", 0.05)
    outcome = compare_runs(a, b, None, floor=0.01, threshold=0.02, resamples=2000)
    assert outcome.baseline == "a:secns" and len(outcome.gating) == 2
    text = render_text(outcome)
    assert "regressions: 2" in text and "FAIL: 2 regression(s) of at least 2.0%" in text
    assert compare_runs(a, b, None, 0.01, threshold=0.10, resamples=2000).gating == []


def test_an_improvement_does_not_gate(tmp_path: Path) -> None:
    a, b = _run(tmp_path, "a", 0.05), _run(tmp_path, "b", 0.0)
    outcome = compare_runs(a, b, "secns", 0.01, 0.02, resamples=2000)
    assert len(outcome.improvements) == 2 and not outcome.gating
    assert render_text(outcome).endswith("ok: 0 regression(s) of at least 2.0%")


def test_runs_with_other_timing_are_refused(tmp_path: Path) -> None:
    a, b = _run(tmp_path, "a", 0.0), _run(tmp_path, "b", 0.0, timing="wallclock")
    with pytest.raises(UserError, match="differ in timing"):
        compare_runs(a, b, None, 0.01, 0.02)


def test_cli_exit_status_follows_the_gate(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    a, b = _run(tmp_path, "a", 0.0), _run(tmp_path, "b", 0.05)
    assert main(["compare", str(a), str(b)]) == 1
    assert "FAIL" in capsys.readouterr().out
    assert main(["compare", str(a), str(a)]) == 0
    assert main(["compare", str(a), "no-such-rev-xyz"]) == 2


def test_each_workload_is_its_own_holm_family(tmp_path: Path) -> None:
    """The quick profile's 2 boots x 3 mmap samples: a 10% regression must gate even
    when 40 unchanged LMbench series are compared in the same run (one family of 42
    would need p < 0.05/42, which 6 against 6 samples cannot reach)."""
    runs = []
    for name, slowdown in (("a", 0.0), ("b", 0.10)):
        run = RunDir.create(tmp_path, name)
        run.update_manifest(run_id=name, timing="icount", accel="tcg", variants=["secns"])
        for rnd in (1, 2):
            for rep in (1, 2, 3):
                jitter = 1 + 0.001 * ((rnd * 7 + rep * 3) % 5)
                run.append_sample(
                    sample(
                        "secns",
                        rnd,
                        rep,
                        "table3/native",
                        10.6 * (1 + slowdown) * jitter,
                        config="native",
                        nested=0,
                    )
                )
                for i in range(40):
                    run.append_sample(
                        sample("secns", rnd, rep, f"lmbench/m{i}", 5.0 * jitter, metric=f"m{i}")
                    )
        runs.append(run.path)
    outcome = compare_runs(*runs, None, floor=0.01, threshold=0.02, resamples=2000)
    assert [c.metric for c in outcome.gating] == ["mmap_exec[config=native,nested=0]"]
    others = [c.verdict for c in outcome.summary.comparisons if c not in outcome.gating]
    assert len(others) == 40 and set(others) == {"no change"}
