"""secns-mmap-bench (guest/): the mmap latency of Table 3, after LMbench's method.

LMbench's lat_mmap maps without PROT_EXEC, which IMA does not mediate; this
benchmark maps 4 KiB PROT_READ|PROT_EXEC and unmaps it, best of repetitions.
"""

import re

from harness.bench.lmbench import ParseError, Sample

_RESULT = re.compile(r"^mmap_exec_us=([0-9.]+) reps=\d+ n=\d+$", re.MULTILINE)


def mmap_bench_argv(path: str, iterations: int) -> list[str]:
    return ["secns-mmap-bench", "-n", str(iterations), path]


def parse_mmap_bench(text: str) -> list[Sample]:
    m = _RESULT.search(text)
    if m is None:
        raise ParseError(f"secns-mmap-bench: no 'mmap_exec_us=' line in {text.strip()[:200]!r}")
    return [Sample("mmap_exec", float(m.group(1)), "us", higher_is_better=False)]
