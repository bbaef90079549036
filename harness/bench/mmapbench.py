"""secns-mmap-bench (guest/): the mmap latency of Table 3, after LMbench's method.

LMbench's lat_mmap maps without PROT_EXEC, which IMA does not mediate; this
benchmark maps 4 KiB PROT_READ|PROT_EXEC and unmaps it, best of repetitions.
"""

from harness.bench.lmbench import NUMBER, US, Sample, one_result, result_sample

PROGRAM = "secns-mmap-bench"


def mmap_bench_argv(path: str, iterations: int) -> list[str]:
    return [PROGRAM, "-n", str(iterations), path]


def parse_mmap_bench(text: str) -> list[Sample]:
    """Its one line, 'mmap_exec_us=1.5000 reps=5 n=10'; secns-launch adds none."""
    m = one_result(
        PROGRAM,
        text,
        rf"mmap_exec_us=({NUMBER}) reps=[0-9]+ n=[0-9]+",
        "mmap_exec_us=1.5000 reps=5 n=10",
    )
    return [result_sample(PROGRAM, "mmap_exec", m[1], US, False, m[0])]
