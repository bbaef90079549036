from pathlib import Path

import pytest

from harness.cli import main
from harness.compare import compare_in_run, compare_runs, render_text
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
    assert render_text(outcome).endswith("ok: 0 regression(s) of at least 2.0%, 0 series undecided")


def test_runs_with_other_timing_are_refused(tmp_path: Path) -> None:
    a, b = _run(tmp_path, "a", 0.0), _run(tmp_path, "b", 0.0, timing="wallclock")
    with pytest.raises(UserError, match="differ in timing"):
        compare_runs(a, b, None, 0.01, 0.02)


def _boot_on(run_dir: Path, host: str, variant: str) -> None:
    run = RunDir(run_dir)
    for rnd in range(1, 6):
        run.append_boot({"boot_dir": f"boots/{rnd:02d}-{variant}", "host": host})


def test_wall_clock_samples_of_two_hosts_are_refused(tmp_path: Path) -> None:
    a = _run(tmp_path, "a", 0.0, timing="wallclock")
    b = _run(tmp_path, "b", 0.0, timing="wallclock")
    _boot_on(a, "lab1", "secns")
    _boot_on(b, "lab1", "secns")
    assert not compare_runs(a, b, None, 0.01, 0.02, resamples=500).gating
    _boot_on(b, "lab2", "vanilla")  # not compared here: secns is
    assert not compare_runs(a, b, None, 0.01, 0.02, resamples=500).gating
    with pytest.raises(UserError, match=r"wall-clock samples from 2 hosts \(lab1, lab2\)"):
        compare_in_run(b, 0.01, 0.02)
    _boot_on(b, "lab2", "secns")
    with pytest.raises(UserError, match="from 2 hosts"):
        compare_runs(a, b, None, 0.01, 0.02)


def test_icount_samples_of_two_hosts_compare(tmp_path: Path) -> None:
    a, b = _run(tmp_path, "a", 0.0), _run(tmp_path, "b", 0.0)
    _boot_on(a, "lab1", "secns")
    _boot_on(b, "lab2", "secns")
    assert not compare_runs(a, b, None, 0.01, 0.02, resamples=500).gating


def test_cli_exit_status_follows_the_gate(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    a, b = _run(tmp_path, "a", 0.0), _run(tmp_path, "b", 0.05)
    assert main(["compare", str(a), str(b)]) == 1
    assert "FAIL" in capsys.readouterr().out
    assert main(["compare", str(a), str(a)]) == 0
    assert main(["compare", str(a), "no-such-rev-xyz"]) == 2


def _mmap_among_unchanged(parent: Path, boots: int) -> list[Path]:
    """A 10% Table 3 regression among 40 unchanged LMbench series."""
    runs = []
    for name, slowdown in (("a", 0.0), ("b", 0.10)):
        run = RunDir.create(parent, name)
        run.update_manifest(run_id=name, timing="icount", accel="tcg", variants=["secns"])
        for rnd in range(1, boots + 1):
            for rep in (1, 2, 3):
                jitter = 1 + 0.001 * ((rnd * 7 + rep * 3) % 5)
                value = 10.6 * (1 + slowdown) * jitter
                run.append_sample(
                    sample("secns", rnd, rep, "table3/native", value, config="native", nested=0)
                )
                for i in range(40):
                    run.append_sample(
                        sample("secns", rnd, rep, f"lmbench/m{i}", 5.0 * jitter, metric=f"m{i}")
                    )
        runs.append(run.path)
    return runs


def test_one_family_for_the_whole_compare_with_enough_boots(tmp_path: Path) -> None:
    """41 series judged together (an A/A compare flags anything < 5% of the time):
    7 boots a side reach p < 0.05/41, and the regression gates."""
    outcome = compare_runs(*_mmap_among_unchanged(tmp_path, 7), None, 0.01, 0.02, 2000)
    assert [c.metric for c in outcome.gating] == ["mmap_exec[config=native,nested=0]"]
    others = [c.verdict for c in outcome.summary.comparisons if c not in outcome.gating]
    assert len(others) == 40 and set(others) == {"no change"}
    assert outcome.exit_code() == 1


def test_a_design_that_cannot_decide_is_undecided_not_ok(tmp_path: Path) -> None:
    """The old quick profile's 2 boots a side cannot decide anything: exit 5, unless
    accepted; never "no change"."""
    outcome = compare_runs(*_mmap_among_unchanged(tmp_path, 2), None, 0.01, 0.02, 2000)
    assert outcome.gating == [] and len(outcome.undecided) == 41
    assert outcome.exit_code() == 5 and outcome.exit_code(accept_undecided=True) == 0
    text = render_text(outcome)
    assert "41 series: 0 regression, 0 improvement, 0 no change, 41 inconclusive" in text
    assert "2/2 boots cannot reach p < 0.05 among 41 series; 7 a side can: 41 series" in text
    assert text.endswith("UNDECIDED: 0 regression(s) of at least 2.0%, 41 series undecided")


def test_cli_undecided_exits_5_unless_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    a, b = _mmap_among_unchanged(tmp_path, 2)
    assert main(["compare", str(a), str(b)]) == 5
    assert "UNDECIDED" in capsys.readouterr().out
    assert main(["compare", str(a), str(b), "--accept-undecided"]) == 0
    assert "ok, undecided accepted" in capsys.readouterr().out


def test_one_run_is_its_first_variant_against_its_last(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """How a `compare REV_A REV_B` run is re-analysed from its directory."""
    run = RunDir.create(tmp_path, "revs")
    variants = ["secns@HEAD~1", "secns@HEAD"]
    run.update_manifest(run_id="revs", timing="icount", accel="tcg", variants=variants)
    for s in lmbench_run(0.05):
        run.append_sample({**s, "variant": variants[s["variant"] == "secns"]})
    assert main(["compare", str(run.path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("baseline secns@HEAD~1  ->  candidate secns@HEAD")
    assert "regressions: 2" in out
    one_variant = _run(tmp_path, "single", 0.0)
    RunDir.open(one_variant).update_manifest(variants=["secns"])
    assert main(["compare", str(one_variant)]) == 2
    assert main(["compare", "no-such-dir"]) == 2


def test_cli_power_prints_the_rates_of_a_recorded_run(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    run = _run(tmp_path, "a", 0.0)
    assert main(["power", str(run), "--boots", "5", "--draws", "5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("5 boots a side, 5 draws: false alarm")
    with pytest.raises(SystemExit, match="2"):
        main(["power", str(run), "--boots", "1"])
