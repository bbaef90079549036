import math

import numpy as np
import pytest

from harness.bench.stats import (
    MetricSamples,
    _Padded,
    _resampled_medians,
    boots_needed,
    bootstrap_ratio_ci,
    compare,
    geomean_ratio,
    geomean_ratio_ci,
    geometric_mean,
    holm,
    permutation_p,
    smallest_p,
)

# Fewer resamples than the default keeps the suite fast; the intervals are still stable.
N = 2000


def synthetic(base: float, seed: int, boots: int = 5, reps: int = 10) -> list[list[float]]:
    """Log-normal samples with a per-boot offset (1%) and per-repetition noise (2%)."""
    rng = np.random.default_rng(seed)
    return [
        (base * np.exp(rng.normal(0, 0.01)) * rng.lognormal(0, 0.02, reps)).tolist()
        for _ in range(boots)
    ]


def one(comparisons, name="m"):
    (c,) = [c for c in comparisons if c.metric == name]
    return c


# --- known values ----------------------------------------------------------------------


def test_geometric_mean_known_values():
    assert geometric_mean([2.0, 8.0]) == pytest.approx(4.0)
    assert geometric_mean([1.0, 10.0, 100.0]) == pytest.approx(10.0)
    assert geometric_mean([3.5]) == pytest.approx(3.5)


@pytest.mark.parametrize("values", [[], [1.0, 0.0], [1.0, -2.0], [1.0, math.nan]])
def test_geometric_mean_rejects_bad_input(values):
    with pytest.raises(ValueError):
        geometric_mean(values)


def test_holm_hand_worked():
    # Sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> raised to
    # 0.06 by the running maximum; then put back in input order.
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_holm_caps_at_one_and_handles_edge_cases():
    assert holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])
    assert holm([0.02]) == pytest.approx([0.02])
    assert holm([]) == []
    with pytest.raises(ValueError):
        holm([0.1, math.nan])
    with pytest.raises(ValueError):
        holm([1.5])


def test_permutation_p_hand_worked():
    # Boot medians 1, 2 (A) and 3, 4 (B): of the 6 ways to pick A's two boots, only
    # {1, 2} and its mirror {3, 4} are as far apart as observed.
    assert permutation_p([[1.0], [2.0]], [[3.0], [4.0]]) == pytest.approx(2 / 6)
    assert smallest_p(2, 2) == pytest.approx(2 / 6)
    assert smallest_p(3, 2) == pytest.approx(1 / 10)


def test_permutation_p_counts_ties_fully():
    # icount makes equal boots usual: all equal, every assignment is as extreme.
    assert permutation_p([[5.0, 5.0], [5.0]], [[5.0], [5.0]]) == 1.0


def test_permutation_p_separated_boots_reach_the_design_floor():
    a = [[100.0 + i] for i in range(8)]
    b = [[120.0 + i] for i in range(8)]
    assert permutation_p(a, b) == pytest.approx(smallest_p(8, 8)) == pytest.approx(2 / 12870)


def test_permutation_p_uses_boots_not_repetitions():
    # Many repetitions do not make two boots a side any more decisive.
    a = [[1.0] * 50, [1.1] * 50]
    b = [[2.0] * 50, [2.1] * 50]
    assert permutation_p(a, b) == pytest.approx(2 / 6)


def test_permutation_p_random_assignments_beyond_exact_limit():
    rng = np.random.default_rng(0)
    a = [[float(v)] for v in rng.normal(100, 1, 15)]
    b = [[float(v)] for v in rng.normal(100, 1, 15)]  # C(30, 15) > MAX_EXACT
    p = permutation_p(a, b, permutations=2000)
    assert 0.01 < p <= 1.0
    assert p == permutation_p(a, b, permutations=2000)  # seeded


def test_boots_needed_for_a_family():
    assert boots_needed(1) == 4  # 2/70 < 0.05, 2/20 is not
    assert boots_needed(46) == 7  # 46 * 2/3432 < 0.05, 46 * 2/924 is not
    assert smallest_p(7, 7) * 46 < 0.05 <= smallest_p(6, 6) * 46


# --- bootstrap -------------------------------------------------------------------------


def test_ci_covers_true_ratio_and_excludes_one():
    a, b = synthetic(100.0, seed=1), synthetic(110.0, seed=2)
    lo, hi = bootstrap_ratio_ci(a, b, resamples=N)
    assert lo < 1.10 < hi
    assert lo > 1.0


def test_ci_is_deterministic_given_seed():
    a, b = synthetic(100.0, seed=1), synthetic(103.0, seed=2)
    first = bootstrap_ratio_ci(a, b, resamples=N, seed=7)
    assert bootstrap_ratio_ci(a, b, resamples=N, seed=7) == first
    assert bootstrap_ratio_ci(a, b, resamples=N, seed=8) != first


def test_ci_constant_data_with_ragged_boots():
    # Padding of short boots must never leak into a median.
    lo, hi = bootstrap_ratio_ci([[2.0], [2.0, 2.0, 2.0]], [[3.0, 3.0], [3.0]], resamples=N)
    assert lo == pytest.approx(1.5)
    assert hi == pytest.approx(1.5)


def test_resampled_medians_ragged_matches_reference():
    # Pins the vectorised ragged path against a plain loop over the same draws.
    groups = [[1.0, 2.0, 3.0], [10.0, 20.0], [5.0, 6.0, 7.0, 8.0]]
    boots = np.random.default_rng(3).integers(0, 3, size=(200, 3))
    got = _resampled_medians(_Padded.of(groups), boots, np.random.default_rng(7))
    sizes = np.array([len(g) for g in groups])[boots]
    reps = np.random.default_rng(7).integers(0, sizes[..., None], size=(200, 3, 4))
    want = [
        np.median([groups[b][reps[i, j, k]] for j, b in enumerate(row) for k in range(sizes[i, j])])
        for i, row in enumerate(boots)
    ]
    np.testing.assert_array_equal(got, want)


# --- compare ---------------------------------------------------------------------------


def test_ten_percent_slowdown_is_a_regression():
    m = MetricSamples("us", False, synthetic(100.0, seed=1), synthetic(110.0, seed=2))
    c = one(compare({"m": m}, resamples=N))
    assert c.verdict == "regression"
    assert c.ci_low < 1.10 < c.ci_high
    assert c.slowdown == pytest.approx(c.ratio - 1)
    assert 0.05 < c.slowdown < 0.15
    assert (c.n_boots_a, c.n_boots_b, c.n_reps_a, c.n_reps_b) == (5, 5, 50, 50)
    assert c.ratio == pytest.approx(c.median_b / c.median_a)


def test_higher_is_better_flips_the_verdict():
    a, b = synthetic(100.0, seed=1), synthetic(110.0, seed=2)
    c = one(compare({"m": MetricSamples("MB/s", True, a, b)}, resamples=N))
    assert c.verdict == "improvement"
    assert c.slowdown == pytest.approx(1 / c.ratio - 1)
    assert c.slowdown < 0
    assert c.oriented_ratio == pytest.approx(1 / c.ratio)


def test_same_distribution_is_no_change():
    m = MetricSamples("us", False, synthetic(100.0, seed=1), synthetic(100.0, seed=2))
    c = one(compare({"m": m}, resamples=N))
    assert c.ci_low < 1 < c.ci_high
    assert c.verdict == "no change"


def test_identical_samples_are_no_change():
    a = synthetic(100.0, seed=1)
    c = one(compare({"m": MetricSamples("us", False, a, a)}, resamples=N))
    assert c.ratio == 1.0
    assert c.p == pytest.approx(1.0)
    assert c.verdict == "no change"


def test_floor_suppresses_tiny_significant_change():
    rng = np.random.default_rng(0)
    a = [(100.0 + rng.normal(0, 0.01, 10)).tolist() for _ in range(5)]
    b = [(100.2 + rng.normal(0, 0.01, 10)).tolist() for _ in range(5)]
    metrics = {"m": MetricSamples("us", False, a, b)}
    c = one(compare(metrics, resamples=N))
    # Real (CI excludes 1, p as small as 5 boots allow) but only 0.2%, below the
    # default 1% floor, and inside the 2% margin.
    assert c.ci_low > 1
    assert c.p_adjusted == pytest.approx(smallest_p(5, 5))
    assert c.verdict == "no change"
    assert one(compare(metrics, resamples=N, floor=0.001)).verdict == "regression"


def test_too_few_boots_are_inconclusive_by_design_and_still_in_the_family():
    metrics = {
        "lonely": MetricSamples("us", False, [[5.0]], synthetic(5.0, seed=3)),
        "m": MetricSamples("us", False, synthetic(100.0, seed=1), synthetic(110.0, seed=2)),
    }
    result = compare(metrics, resamples=N)
    lonely = one(result, "lonely")
    assert lonely.verdict == "inconclusive"
    assert lonely.reason == "1/5 boots cannot reach p < 0.05 among 2 series; 5 a side can"
    assert math.isnan(lonely.ci_low) and lonely.p_min == pytest.approx(1 / 6)
    assert lonely.n_reps_a == 1
    m = one(result, "m")
    assert m.p_adjusted == pytest.approx(2 * m.p)  # Holm over both series
    assert m.verdict == "regression"


def test_two_boots_a_side_never_say_no_change():
    # The quick profile's old design: even identical boots cannot be called "no change".
    a = [[100.0, 100.1], [100.05, 100.0]]
    c = one(compare({"m": MetricSamples("us", False, a, a)}, resamples=N))
    assert c.verdict == "inconclusive"
    assert "cannot reach p < 0.05" in c.reason


def test_a_wide_interval_is_inconclusive_not_no_change():
    rng = np.random.default_rng(4)
    a = [[float(v)] for v in rng.normal(100, 5, 6)]  # 5% boot noise hides a 2% change
    b = [[float(v)] for v in rng.normal(100, 5, 6)]
    c = one(compare({"m": MetricSamples("us", False, a, b)}, resamples=N))
    assert c.verdict == "inconclusive"
    assert c.reason == "neither significant nor within ±2%"


def test_throughput_and_latency_regressions_are_judged_alike():
    a = synthetic(100.0, seed=1)
    slower = [[2 * v for v in g] for g in a]
    halved = [[v / 2 for v in g] for g in a]
    latency = one(compare({"m": MetricSamples("us", False, a, slower)}, resamples=N))
    throughput = one(compare({"m": MetricSamples("MB/s", True, a, halved)}, resamples=N))
    assert latency.slowdown == pytest.approx(throughput.slowdown) == pytest.approx(1.0)
    # Equal up to the interpolation between order statistics of 1/x and x.
    assert latency.oriented_ci == pytest.approx(throughput.oriented_ci, rel=1e-3)
    assert latency.verdict == throughput.verdict == "regression"


def test_holm_is_applied_across_metrics():
    metrics = {
        f"m{i}": MetricSamples("us", False, synthetic(100.0, seed=i), synthetic(101.0, seed=i + 50))
        for i in range(4)
    }
    result = compare(metrics, resamples=200)
    assert [c.metric for c in result] == ["m0", "m1", "m2", "m3"]
    assert [c.p_adjusted for c in result] == pytest.approx(holm([c.p for c in result]))


def test_compare_is_deterministic_and_matches_single_ci():
    a, b = synthetic(100.0, seed=1), synthetic(104.0, seed=2)
    metrics = {"m": MetricSamples("us", False, a, b)}
    first = compare(metrics, resamples=N, seed=5)
    assert compare(metrics, resamples=N, seed=5) == first
    assert (first[0].ci_low, first[0].ci_high) == bootstrap_ratio_ci(a, b, resamples=N, seed=5)


# --- geometric mean summary ------------------------------------------------------------


def test_geomean_ratio_and_ci_orient_every_metric():
    metrics = {
        "lat": MetricSamples("us", False, synthetic(10.0, seed=1), synthetic(11.0, seed=2)),
        # Throughput 10% lower is worse, so it also pushes the summary above 1.
        "bw": MetricSamples("MB/s", True, synthetic(1000.0, seed=3), synthetic(900.0, seed=4)),
    }
    point = geomean_ratio(compare(metrics, resamples=N))
    assert point == pytest.approx(math.sqrt(1.1 / 0.9), rel=0.03)
    lo, hi = geomean_ratio_ci(metrics, resamples=N)
    assert 1 < lo < point < hi


def test_geomean_ci_of_one_metric_equals_ratio_ci():
    a, b = synthetic(100.0, seed=1), synthetic(104.0, seed=2)
    ci = geomean_ratio_ci({"m": MetricSamples("us", False, a, b)}, resamples=N, seed=3)
    assert ci == pytest.approx(bootstrap_ratio_ci(a, b, resamples=N, seed=3))


def test_geomean_ratio_of_nothing_raises():
    with pytest.raises(ValueError):
        geomean_ratio([])
    with pytest.raises(ValueError):
        geomean_ratio_ci({})


# --- validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "match"),
    [
        ([], "no boots"),
        ([[1.0], []], "boot 1 has no samples"),
        ([[1.0, math.nan]], "NaN"),
        ([[1.0, -1.0]], "<= 0"),
        ([[0.0, 1.0]], "<= 0"),
    ],
)
def test_validation_names_the_metric(a, match):
    metrics = {"lat_syscall": MetricSamples("us", False, a, [[1.0, 2.0]])}
    with pytest.raises(ValueError, match=match) as err:
        compare(metrics, resamples=10)
    assert "lat_syscall (A)" in str(err.value)
    with pytest.raises(ValueError, match="lat_syscall"):
        geomean_ratio_ci(metrics, resamples=10)


def test_bootstrap_rejects_bad_arguments():
    a = [[1.0, 2.0]]
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_ratio_ci(a, a, confidence=1.5)
    with pytest.raises(ValueError, match="resamples"):
        bootstrap_ratio_ci(a, a, resamples=0)
    with pytest.raises(ValueError, match="floor"):
        compare({"m": MetricSamples("us", False, a, a)}, floor=-0.1)
