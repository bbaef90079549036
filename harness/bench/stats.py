"""A/B statistics for benchmark samples: a baseline A against a candidate B.

Samples for one metric and one variant are grouped by boot, ``list[list[float]]``:
the outer list holds boots, the inner one the in-guest repetitions of that boot.
The boot is the unit of repetition (page layout, cache colouring and IRQ placement
change per boot, not per repetition): repetitions inside one boot are not
independent evidence, so the test is made on boots.

Orientation: ``ratio`` is median(B) / median(A) as measured; ``oriented_ratio`` turns
it so that > 1 always means B is worse (latency: B/A; throughput: A/B), and
``slowdown = oriented_ratio - 1``. A halved throughput and a doubled latency are
both a slowdown of +100 %: throughput and latency are judged on the same scale.

Decision rule, applied to every series of one comparison together (one family):

    test      an exact permutation test over boots: the statistic is the difference
              of the mean log boot-median, and every assignment of the boots to A and
              B is enumerated (random assignments when there are more than
              MAX_EXACT). Ties, usual under icount, are handled exactly.
    family    Holm's correction over every series compared, so that a whole A/A
              comparison flags anything with probability < alpha.
    flagged   "regression" (slowdown > 0) or "improvement" when the Holm-adjusted p
              is < alpha, the two-level bootstrap CI of the ratio excludes 1, and
              |slowdown| >= floor.
    no change when not flagged, the design could have flagged a change, and the CI
              of the oriented ratio lies inside (1/(1 + margin), 1 + margin): any
              change is smaller than the margin.
    inconclusive  anything else, with its reason: the design cannot reach
              significance (the smallest p-value its boots allow, times the family
              size, is >= alpha: more boots are needed), or the data could not
              decide (neither significant nor inside the margin).

The CI comes from a two-level bootstrap: resample boots with replacement, then
repetitions within each drawn boot.
"""

import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Groups = Sequence[Sequence[float]]
Verdict = Literal["regression", "improvement", "no change", "inconclusive"]

# Resamples are processed in chunks so memory stays bounded (~16 MB per array)
# however many boots and repetitions there are.
_CHUNK_ELEMENTS = 1 << 21

# Up to this many assignments of boots to A and B the permutation test enumerates them
# all (8 + 8 boots: 12,870); beyond it, RANDOM_PERMUTATIONS random ones.
MAX_EXACT = 50_000
RANDOM_PERMUTATIONS = 20_000


@dataclass(frozen=True)
class MetricSamples:
    unit: str
    higher_is_better: bool
    a: list[list[float]]
    b: list[list[float]]


@dataclass(frozen=True)
class Comparison:
    metric: str
    unit: str
    higher_is_better: bool
    n_boots_a: int
    n_boots_b: int
    n_reps_a: int  # total samples over all boots
    n_reps_b: int
    median_a: float  # median of all repetitions pooled, as in the bootstrap
    median_b: float
    ratio: float  # median_b / median_a
    ci_low: float  # bootstrap CI of ratio; NaN with fewer than 2 samples a side
    ci_high: float
    p: float  # permutation test over boots, two-sided; 1 when it cannot be made
    p_adjusted: float  # Holm over the family
    p_min: float  # the smallest p-value this many boots allow
    slowdown: float  # oriented_ratio - 1: positive = B worse
    verdict: Verdict
    reason: str = ""  # why a series is inconclusive

    @property
    def oriented_ratio(self) -> float:
        """The ratio turned so that > 1 always means B is worse."""
        return 1.0 / self.ratio if self.higher_is_better else self.ratio

    @property
    def oriented_ci(self) -> tuple[float, float]:
        if self.higher_is_better:
            return 1.0 / self.ci_high, 1.0 / self.ci_low
        return self.ci_low, self.ci_high


# --- basic statistics ------------------------------------------------------------------


def geometric_mean(values: Sequence[float]) -> float:
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        raise ValueError("geometric mean of no values")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError("geometric mean needs finite, positive values")
    return float(np.exp(np.mean(np.log(arr))))


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the order given."""
    p = np.asarray(pvalues, dtype=float)
    if p.size == 0:
        return []
    if not np.all((p >= 0) & (p <= 1)):  # also rejects NaN
        raise ValueError(f"p-values must lie in [0, 1], got {list(pvalues)}")
    m = p.size
    order = np.argsort(p, kind="stable")
    scaled = p[order] * (m - np.arange(m))
    # Running maximum keeps adjusted values in the same order as the raw ones.
    adjusted_sorted = np.minimum(np.maximum.accumulate(scaled), 1.0)
    adjusted = np.empty(m)
    adjusted[order] = adjusted_sorted
    return adjusted.tolist()


@functools.lru_cache(maxsize=16)
def _every_subset(n: int, n_a: int) -> np.ndarray:
    # Made once per design: `secns power` tests thousands of resampled series.
    subsets = np.array(list(itertools.combinations(range(n), n_a)), dtype=np.intp)
    subsets.flags.writeable = False
    return subsets


def _assignments(n: int, n_a: int, permutations: int, seed: int) -> np.ndarray:
    """Rows of boot indices forming side A: every subset of size n_a when there are at
    most MAX_EXACT, else `permutations` random ones (the observed one first)."""
    if math.comb(n, n_a) <= MAX_EXACT:
        return _every_subset(n, n_a)
    rng = np.random.default_rng(seed)
    drawn = rng.permuted(np.tile(np.arange(n), (permutations, 1)), axis=1)[:, :n_a]
    return np.vstack([np.arange(n_a), drawn])


def permutation_p(
    a_groups: Groups, b_groups: Groups, *, permutations: int = RANDOM_PERMUTATIONS, seed: int = 0
) -> float:
    """Two-sided p-value of a permutation test over boots.

    Each boot is summarised by the log of its median; the statistic is the difference
    of their means, B minus A. Under the null hypothesis the boots are exchangeable
    between A and B, so p is the share of assignments whose statistic is at least as
    far from 0 as the observed one (exact when enumerated, and then ties count fully).
    """
    _validate(a_groups, "A", positive=True)
    _validate(b_groups, "B", positive=True)
    logs = np.log([np.median(g) for g in (*a_groups, *b_groups)])
    n, n_a = logs.size, len(a_groups)
    n_b = n - n_a
    sides = _assignments(n, n_a, permutations, seed)
    sum_a = logs[sides].sum(axis=1)
    stats = np.abs((logs.sum() - sum_a) / n_b - sum_a / n_a)
    observed = abs(logs[n_a:].mean() - logs[:n_a].mean())
    # Sums of the same values in another order may differ in the last bits.
    return float(np.mean(stats >= observed - 1e-12 * max(1.0, observed)))


def smallest_p(n_a: int, n_b: int, permutations: int = RANDOM_PERMUTATIONS) -> float:
    """The smallest p-value `permutation_p` can return for this many boots a side:
    only the observed assignment (and, with equal sides, its mirror) is as extreme."""
    total = math.comb(n_a + n_b, n_a)
    if total > MAX_EXACT:
        return 1.0 / (permutations + 1)
    return min(1.0, (2 if n_a == n_b else 1) / total)


def boots_needed(family_size: int, alpha: float = 0.05) -> int:
    """Boots a side (as many on each) for the smallest p-value, times the family size,
    to fall below alpha: the least a design needs to be able to decide anything."""
    n = 1
    while smallest_p(n, n) * family_size >= alpha:
        n += 1
    return n


# --- hierarchical bootstrap ------------------------------------------------------------


@dataclass(frozen=True)
class _Padded:
    """Boots as rows of one array, short boots padded with NaN, for vectorised draws."""

    table: np.ndarray  # (boots, max reps)
    counts: np.ndarray  # reps per boot

    @classmethod
    def of(cls, groups: Groups) -> "_Padded":
        counts = np.array([len(g) for g in groups], dtype=np.intp)
        table = np.full((len(groups), int(counts.max())), np.nan)
        for i, g in enumerate(groups):
            table[i, : len(g)] = g
        return cls(table, counts)

    @property
    def n_boots(self) -> int:
        return len(self.counts)


def _resampled_medians(data: _Padded, boots: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Median of the pooled second-level draw for each row of drawn boot indices.

    Each drawn boot contributes as many repetitions as it has, drawn with replacement.
    """
    r, nb = boots.shape
    width = data.table.shape[1]
    ragged = not np.all(data.counts == width)
    sizes = data.counts[boots]  # (r, nb)
    # A scalar bound is several times faster to draw than a per-boot one.
    high = sizes[..., None] if ragged else width
    reps = rng.integers(0, high, size=(r, nb, width))
    # np.take on flat indices is much faster than 2-D fancy indexing.
    draws = np.take(data.table.ravel(), (boots * width)[..., None] + reps).reshape(r, nb * width)
    n: np.ndarray | int = nb * width
    if ragged:
        # Blank the slots beyond each drawn boot's size; sorting puts NaN last, so
        # the valid draws form a prefix of each row.
        valid = (np.arange(width) < sizes[..., None]).reshape(r, nb * width)
        draws[~valid] = np.nan
        n = valid.sum(axis=1)
    # Sorting rows and picking the middle is ~5x faster than np.median here.
    draws.sort(axis=1)
    rows = np.arange(r)
    return (draws[rows, (n - 1) // 2] + draws[rows, n // 2]) / 2


def _bootstrap_log_ratios(
    pairs: Sequence[tuple[_Padded, _Padded]], resamples: int, seed: int
) -> np.ndarray:
    """log(median B / median A) per resample (rows) and metric (columns).

    Metrics are resampled jointly: when every metric has the same number of boots for
    a variant, all metrics use the same drawn boots in an iteration, which keeps the
    correlation between metrics measured in the same boot (boot i is taken to be the
    same guest boot for every metric). Repetitions are drawn per metric.
    """
    rng = np.random.default_rng(seed)
    out = np.empty((resamples, len(pairs)))
    widest = max(p.table.size for pair in pairs for p in pair)
    chunk = max(1, _CHUNK_ELEMENTS // widest)
    shared = [len({pair[v].n_boots for pair in pairs}) == 1 for v in (0, 1)]
    for start in range(0, resamples, chunk):
        r = min(chunk, resamples - start)
        drawn = [
            rng.integers(0, pairs[0][v].n_boots, size=(r, pairs[0][v].n_boots))
            if shared[v]
            else None
            for v in (0, 1)
        ]
        for m, pair in enumerate(pairs):
            medians = []
            for v in (0, 1):
                boots = drawn[v]
                if boots is None:
                    boots = rng.integers(0, pair[v].n_boots, size=(r, pair[v].n_boots))
                medians.append(_resampled_medians(pair[v], boots, rng))
            out[start : start + r, m] = np.log(medians[1]) - np.log(medians[0])
    return out


def _percentile_interval(values: np.ndarray, confidence: float) -> tuple[float, float]:
    lo, hi = np.quantile(values, [(1 - confidence) / 2, (1 + confidence) / 2])
    return float(lo), float(hi)


def bootstrap_ratio_ci(
    a_groups: Groups,
    b_groups: Groups,
    *,
    confidence: float = 0.95,
    resamples: int = 10000,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile CI of median(B) / median(A) by a two-level bootstrap (boots, then reps)."""
    _check_bootstrap_args(confidence, resamples)
    _validate(a_groups, "A", positive=True)
    _validate(b_groups, "B", positive=True)
    logs = _bootstrap_log_ratios([(_Padded.of(a_groups), _Padded.of(b_groups))], resamples, seed)
    lo, hi = _percentile_interval(logs[:, 0], confidence)
    return math.exp(lo), math.exp(hi)


# --- comparison ------------------------------------------------------------------------


def compare(
    metrics: Mapping[str, MetricSamples],
    *,
    floor: float = 0.01,
    margin: float = 0.02,
    alpha: float = 0.05,
    confidence: float = 0.95,
    resamples: int = 10000,
    seed: int = 0,
) -> list[Comparison]:
    """Compare B against A for every metric, as one family; see the module docstring.

    Each metric's CI uses `seed` on its own, so it equals `bootstrap_ratio_ci` for that
    metric alone and does not depend on which other metrics are compared.
    """
    if not 0 <= floor < 1:
        raise ValueError(f"floor must lie in [0, 1), got {floor}")
    if not margin > 0:  # also NaN
        raise ValueError(f"margin must be > 0, got {margin}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    _check_bootstrap_args(confidence, resamples)
    for name, s in metrics.items():
        _validate(s.a, f"{name} (A)", positive=True)
        _validate(s.b, f"{name} (B)", positive=True)

    rows = [measure_series(name, s, confidence, resamples, seed) for name, s in metrics.items()]
    family = len(rows)
    adjusted = holm([r["p"] for r in rows])
    for row, p_adjusted in zip(rows, adjusted, strict=True):
        row["p_adjusted"] = p_adjusted
        row["verdict"], row["reason"] = judge(row, family, floor, margin, alpha)
    return [Comparison(**row) for row in rows]


def measure_series(
    name: str, s: MetricSamples, confidence: float, resamples: int, seed: int
) -> dict:
    a, b = _pool(s.a), _pool(s.b)
    median_a, median_b = float(np.median(a)), float(np.median(b))
    ratio = median_b / median_a
    ci = (math.nan, math.nan)
    if a.size >= 2 and b.size >= 2:
        ci = bootstrap_ratio_ci(s.a, s.b, confidence=confidence, resamples=resamples, seed=seed)
    return {
        "metric": name,
        "unit": s.unit,
        "higher_is_better": s.higher_is_better,
        "n_boots_a": len(s.a),
        "n_boots_b": len(s.b),
        "n_reps_a": a.size,
        "n_reps_b": b.size,
        "median_a": median_a,
        "median_b": median_b,
        "ratio": ratio,
        "ci_low": ci[0],
        "ci_high": ci[1],
        "p": permutation_p(s.a, s.b, seed=seed),
        "p_min": smallest_p(len(s.a), len(s.b)),
        "slowdown": (1 / ratio if s.higher_is_better else ratio) - 1,
    }


def judge(row: dict, family: int, floor: float, margin: float, alpha: float) -> tuple[Verdict, str]:
    low, high = row["ci_low"], row["ci_high"]
    if row["higher_is_better"]:
        low, high = 1 / high, 1 / low
    if row["p_adjusted"] < alpha and (low > 1 or high < 1) and abs(row["slowdown"]) >= floor:
        return ("regression" if row["slowdown"] > 0 else "improvement"), ""
    if row["p_min"] * family >= alpha:
        need = boots_needed(family, alpha)
        return "inconclusive", (
            f"{row['n_boots_a']}/{row['n_boots_b']} boots cannot reach p < {alpha:g} "
            f"among {family} series; {need} a side can"
        )
    if 1 / (1 + margin) < low and high < 1 + margin:
        return "no change", ""
    return "inconclusive", f"neither significant nor within ±{100 * margin:g}%"


def geomean_ratio(comparisons: Sequence[Comparison]) -> float:
    """Geometric mean of the oriented ratios: > 1 means B is worse overall."""
    if not comparisons:
        raise ValueError("geometric mean ratio of no comparisons")
    return geometric_mean([c.oriented_ratio for c in comparisons])


def geomean_ratio_ci(
    metrics: Mapping[str, MetricSamples],
    *,
    confidence: float = 0.95,
    resamples: int = 10000,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile CI of `geomean_ratio`, resampling every metric in each iteration.

    Each iteration applies the two-level bootstrap to all metrics and takes the
    geometric mean of their oriented ratios, so the interval accounts for the noise of
    every metric at once (and for their correlation through shared boots).
    """
    if not metrics:
        raise ValueError("geometric mean ratio of no metrics")
    _check_bootstrap_args(confidence, resamples)
    for name, s in metrics.items():
        _validate(s.a, f"{name} (A)", positive=True)
        _validate(s.b, f"{name} (B)", positive=True)
    pairs = [(_Padded.of(s.a), _Padded.of(s.b)) for s in metrics.values()]
    # Higher-is-better metrics enter inverted so > 1 always means B is worse.
    signs = np.array([-1.0 if s.higher_is_better else 1.0 for s in metrics.values()])
    mean_logs = (_bootstrap_log_ratios(pairs, resamples, seed) * signs).mean(axis=1)
    lo, hi = _percentile_interval(mean_logs, confidence)
    return math.exp(lo), math.exp(hi)


# --- validation ------------------------------------------------------------------------


def _pool(groups: Groups) -> np.ndarray:
    return np.concatenate([np.asarray(g, dtype=float) for g in groups])


def _validate(groups: Groups, label: str, *, positive: bool) -> None:
    if len(groups) == 0:
        raise ValueError(f"{label}: no boots")
    for i, g in enumerate(groups):
        arr = np.asarray(g, dtype=float)
        if arr.size == 0:
            raise ValueError(f"{label}: boot {i} has no samples")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{label}: boot {i} has a NaN or infinite sample")
        if positive and np.any(arr <= 0):
            raise ValueError(f"{label}: boot {i} has a sample <= 0; ratios need positive values")


def _check_bootstrap_args(confidence: float, resamples: int) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    if resamples < 1:
        raise ValueError(f"resamples must be >= 1, got {resamples}")
