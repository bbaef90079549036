"""A/B statistics for benchmark samples: vanilla (A, the baseline) against secns (B).

Samples for one metric and one variant are grouped by boot, ``list[list[float]]``:
the outer list holds boots, the inner one the in-guest repetitions of that boot.
The boot is the unit of repetition (page layout, cache colouring and IRQ placement
change per boot, not per repetition), so confidence intervals come from a two-level
bootstrap: resample boots with replacement, then repetitions within each drawn boot.

Orientation: ``ratio`` is median(B) / median(A) as measured. ``slowdown`` is signed
so that a positive value always means B is worse:

    lower is better  (latency):     slowdown = ratio - 1
    higher is better (throughput):  slowdown = 1 - ratio

Decision rule, applied by `compare` to every metric:

    A metric is "inconclusive" when A or B has fewer than 2 samples in total: no test
    is made, its CI and p-values are NaN and it is left out of the Holm family.

    Otherwise a change counts only when all three hold:
      1. the hierarchical-bootstrap CI of the ratio excludes 1,
      2. the Holm-adjusted Mann-Whitney p-value is < alpha, the Holm family being
         every metric tested in the same `compare` call,
      3. |slowdown| >= floor (differences below the floor are not worth acting on
         even when they are real).
    It is then a "regression" if slowdown > 0 (B worse), else an "improvement".
    Anything else is "no change".

The two tests are complementary. The bootstrap respects the boot structure but with
few boots its interval is wide; Mann-Whitney pools repetitions and so treats them as
independent, which overstates the evidence when boots differ, yet with few boots it
is the only test with any power. Requiring both keeps either one's weakness from
deciding alone. With a single boot per variant the CI reflects only within-boot noise.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.stats import mannwhitneyu

Groups = Sequence[Sequence[float]]
Verdict = Literal["regression", "improvement", "no change", "inconclusive"]

# Resamples are processed in chunks so memory stays bounded (~16 MB per array)
# however many boots and repetitions there are.
_CHUNK_ELEMENTS = 1 << 21


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
    ci_low: float  # bootstrap CI of ratio; NaN when inconclusive
    ci_high: float
    p: float  # Mann-Whitney, two-sided; NaN when inconclusive
    p_adjusted: float  # Holm over the metrics tested together; NaN when inconclusive
    slowdown: float  # positive = B worse, as a fraction of A
    verdict: Verdict

    @property
    def oriented_ratio(self) -> float:
        """The ratio turned so that > 1 always means B is worse."""
        return 1.0 / self.ratio if self.higher_is_better else self.ratio


# --- basic statistics ------------------------------------------------------------------


def geometric_mean(values: Sequence[float]) -> float:
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        raise ValueError("geometric mean of no values")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError("geometric mean needs finite, positive values")
    return float(np.exp(np.mean(np.log(arr))))


def boot_medians(groups: Groups) -> list[float]:
    _validate(groups, "samples", positive=False)
    return [float(np.median(g)) for g in groups]


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


def mann_whitney_p(a_groups: Groups, b_groups: Groups) -> float:
    """Two-sided Mann-Whitney U p-value on the repetitions pooled over boots.

    Pooling treats repetitions as independent, which they are not when boots differ;
    with a handful of boots it is still the only test with any power. The boot
    structure is respected by `bootstrap_ratio_ci` instead.
    """
    _validate(a_groups, "A", positive=False)
    _validate(b_groups, "B", positive=False)
    a, b = _pool(a_groups), _pool(b_groups)
    if np.all(a == a[0]) and np.all(b == a[0]):
        return 1.0  # all ties: scipy returns NaN (with a warning) here
    p = float(mannwhitneyu(a, b, alternative="two-sided").pvalue)
    return 1.0 if math.isnan(p) else p


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
    alpha: float = 0.05,
    confidence: float = 0.95,
    resamples: int = 10000,
    seed: int = 0,
) -> list[Comparison]:
    """Compare B against A for every metric; see the module docstring for the rule.

    Each metric's CI uses `seed` on its own, so it equals `bootstrap_ratio_ci` for that
    metric alone and does not depend on which other metrics are compared.
    """
    if floor < 0:
        raise ValueError(f"floor must be >= 0, got {floor}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    _check_bootstrap_args(confidence, resamples)
    for name, s in metrics.items():
        _validate(s.a, f"{name} (A)", positive=True)
        _validate(s.b, f"{name} (B)", positive=True)

    rows: dict[str, dict] = {}
    tested: list[str] = []
    for name, s in metrics.items():
        a, b = _pool(s.a), _pool(s.b)
        median_a, median_b = float(np.median(a)), float(np.median(b))
        ratio = median_b / median_a
        row = {
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
            "ci_low": math.nan,
            "ci_high": math.nan,
            "p": math.nan,
            "p_adjusted": math.nan,
            "slowdown": 1 - ratio if s.higher_is_better else ratio - 1,
            "verdict": "inconclusive",
        }
        if a.size >= 2 and b.size >= 2:
            row["ci_low"], row["ci_high"] = bootstrap_ratio_ci(
                s.a, s.b, confidence=confidence, resamples=resamples, seed=seed
            )
            row["p"] = mann_whitney_p(s.a, s.b)
            tested.append(name)
        rows[name] = row

    for name, adjusted in zip(tested, holm([rows[n]["p"] for n in tested]), strict=True):
        row = rows[name]
        row["p_adjusted"] = adjusted
        excludes_one = row["ci_low"] > 1 or row["ci_high"] < 1
        if excludes_one and adjusted < alpha and abs(row["slowdown"]) >= floor:
            row["verdict"] = "regression" if row["slowdown"] > 0 else "improvement"
        else:
            row["verdict"] = "no change"
    return [Comparison(**row) for row in rows.values()]


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
