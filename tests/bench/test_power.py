import numpy as np
import pytest

from harness.bench.analysis import series_info
from harness.bench.power import error_rates, recorded_boots, render_rates, wilson_interval
from harness.errors import UserError
from tests.bench.fake_samples import sample


def _recorded(boot_noise: float, boots: int = 8, series: int = 5) -> list[dict]:
    """One variant's run: `series` latency series, 3 repetitions per boot, with a
    per-boot offset of `boot_noise` (relative) and 0.1% repetition noise."""
    rng = np.random.default_rng(1)
    out = []
    for rnd in range(1, boots + 1):
        offsets = rng.normal(0, boot_noise, series)
        for rep in (1, 2, 3):
            for i in range(series):
                value = 10.0 * (1 + offsets[i]) * (1 + rng.normal(0, 0.001))
                out.append(sample("secns", rnd, rep, f"lmbench/m{i}", value, metric=f"m{i}"))
    return out


def test_quiet_boots_detect_two_percent_and_raise_no_false_alarm() -> None:
    rates = error_rates(_recorded(0.001), "secns", boots=8, draws=40)
    assert rates.false_alarm == 0.0
    assert set(rates.detection) == {f"m{i}" for i in range(5)}
    assert min(rates.detection.values()) >= 0.9


def test_noisy_boots_cannot_detect_two_percent() -> None:
    rates = error_rates(_recorded(0.05), "secns", boots=8, draws=40)
    assert max(rates.detection.values()) < 0.5


def test_too_few_boots_a_side_never_flag() -> None:
    rates = error_rates(_recorded(0.001), "secns", boots=3, draws=20)
    assert rates.false_alarm == 0.0 and set(rates.detection.values()) == {0.0}


def test_only_series_of_every_round_are_resampled() -> None:
    samples = [*_recorded(0.001, boots=3), sample("secns", 1, 1, "lmbench/late", 1.0, metric="x")]
    info = series_info(samples)
    assert sorted(recorded_boots(samples, "secns", info)) == ["m0", "m1", "m2", "m3", "m4"]
    with pytest.raises(UserError, match="resampling needs 2"):
        error_rates(_recorded(0.001, boots=1), "secns", boots=8)


def test_render_and_wilson_interval() -> None:
    lo, hi = wilson_interval(0, 40)
    assert lo == 0.0 and 0.08 < hi < 0.1
    text = render_rates(error_rates(_recorded(0.001), "secns", boots=8, draws=10))
    assert text.startswith("8 boots a side, 10 draws: false alarm (any series flagged in an A/A")
    assert "detection of a 2% slowdown in one series:" in text
