"""The decision rule's error rates with the default profile's design (8 boots a side),
measured by resampling the boots of the committed sample run (tests/data/sample-run,
recorded with the quick profile: 8 boots per variant, icount)."""

from harness.bench.power import error_rates
from harness.paths import REPO_ROOT
from harness.results.rundir import RunDir

SAMPLE_RUN = REPO_ROOT / "tests" / "data" / "sample-run"

# Series whose boot-to-boot spread hides a 2% change from 8 boots a side: the known
# shortfall of the quick profile (lat_unix and lat_mmap are bimodal across boots,
# ab has slow outlier boots). Fewer is better; a series new here is a lost detection.
KNOWN_WEAK = {
    "lat_mmap",
    "lat_unix",
    "lat_proc_fork",
    "lat_proc_exec",
    "lat_proc_shell",
    "lat_fs_create_1k",
    "lat_fs_create_10k",
    "lat_fs_delete_1k",
    *(
        f"ab_requests_per_s[clients={n},policy={p}]"
        for n in (1, 50, 100, 200)
        for p in ("no own policy", "own policy")
    ),
}


def test_eight_boots_detect_two_percent_and_rarely_false_alarm() -> None:
    samples = RunDir.open(SAMPLE_RUN).samples()
    rates = error_rates(samples, "secns", boots=8, draws=40, resamples=50)
    assert len(rates.detection) == 46
    assert rates.false_alarm <= 0.05
    weak = {name for name, rate in rates.detection.items() if rate < 0.8}
    assert weak <= KNOWN_WEAK
    # Table 3, depth and siblings: every mmap row is caught.
    assert all(r >= 0.95 for n, r in rates.detection.items() if n.startswith("mmap_exec"))
