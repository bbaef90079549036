import pytest

from harness.bench.analysis import groups, paired_series, same_conditions, summarise
from harness.errors import UserError
from tests.bench.fake_samples import lmbench_run, sample


def test_groups_are_per_round_in_round_order() -> None:
    samples = [
        sample("secns", 2, 1, "j", 5.0),
        sample("secns", 1, 1, "j", 3.0),
        sample("secns", 1, 2, "j", 4.0),
        sample("vanilla", 1, 1, "j", 9.0),
    ]
    assert groups(samples, "secns", "mmap_exec") == [[3.0, 4.0], [5.0]]


def test_only_series_measured_on_both_sides_are_paired() -> None:
    samples = [*lmbench_run(0.0), sample("secns", 1, 1, "depth/32", 2.0, depth=32)]
    paired = paired_series(samples, "vanilla", samples, "secns", workload=None)
    assert sorted(paired) == ["bw_file_rd", "lat_proc_fork"]
    assert paired["bw_file_rd"].higher_is_better and paired["bw_file_rd"].unit == "MB/s"
    assert paired_series(samples, "vanilla", samples, "secns", workload="apache") == {}


def test_a_five_percent_slowdown_is_found_in_both_directions() -> None:
    samples = lmbench_run(0.05)
    s = summarise(paired_series(samples, "vanilla", samples, "secns", None), 0.01, 2000)
    assert {c.metric: c.verdict for c in s.comparisons} == {
        "bw_file_rd": "regression",
        "lat_proc_fork": "regression",
    }
    assert s.geomean is not None and s.geomean.value == pytest.approx(1.05, rel=1e-3)
    assert s.geomean.ci[0] > 1.0 and s.geomean.series == ("bw_file_rd", "lat_proc_fork")


def test_no_difference_gives_no_change() -> None:
    samples = lmbench_run(0.0)
    s = summarise(paired_series(samples, "vanilla", samples, "secns", None), 0.01, 2000)
    assert {c.verdict for c in s.comparisons} == {"no change"}
    assert s.geomean is not None and s.geomean.ci[0] <= 1.0 <= s.geomean.ci[1]


def test_runs_in_different_timing_modes_are_not_compared() -> None:
    same_conditions({"timing": "icount", "accel": "tcg"}, {"timing": "icount", "accel": "tcg"})
    with pytest.raises(UserError, match="differ in timing"):
        same_conditions(
            {"timing": "icount", "accel": "tcg"}, {"timing": "wallclock", "accel": "tcg"}
        )
