"""LMbench 3 (Debian's non-free `lmbench`) and ApacheBench: argv builders and parsers.

Pure: argv lists and parsers, nothing runs here. Parsers take the program's stdout
followed by its stderr; LMbench prints its results on stderr and ab on stdout.

The LMbench parsers are strict: every non-blank line must be a result line of that
program. LMbench reports many failures only as extra lines and still exits 0 (a
perror() before a bogus "8.39 inf", one "sh: ... not found" per iteration), so a
line that is not a result rejects the whole measurement.

Every way output can be malformed raises ParseError, naming the program and the
line, and every sample is a finite positive number.
"""

import math
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass

US = "us"
MB_PER_S = "MB/s"  # LMbench's MB is 10^6 bytes: an 8 MiB file is reported as 8.39 MB
FILES_PER_S = "files/s"
REQUESTS_PER_S = "requests/s"

# Debian's lat_proc runs this fixed path for `exec` and `shell`, not `hello` from PATH
# or the cwd. When it is missing, `exec` silently times fork + a failed execve.
HELLO = "/var/tmp/lmbench/hello"
# What LMbench's own hello (src/hello.c, not GNU hello) writes; lat_proc closes the
# child's stdout, so only a separate run shows it.
HELLO_OUTPUT = "Hello world\n"

CTX_PROCESSES = (2, 4, 8)  # lat_ctx ring sizes; 2 is the classic context-switch figure

# ASCII digits only (str patterns' \d takes any script's), no sign, no "inf"/"nan":
# those are failed measurements.
NUMBER = r"[0-9]+(?:\.[0-9]+)?"
_INT = r"(?:0|[1-9][0-9]*)"  # no leading zeros: it names a series


@dataclass(frozen=True)
class Sample:
    metric: str
    value: float
    unit: str
    higher_is_better: bool


# Not a ValueError: a generic `except ValueError` must not swallow a failed measurement.
class ParseError(Exception):
    """The output holds no valid result; the message names the program and the line."""


@dataclass(frozen=True)
class Check:
    """A command run right before a benchmark, where the benchmark runs: unless it exits
    0 printing exactly `stdout`, the benchmark would time a failure and is not run."""

    what: str
    argv: tuple[str, ...]
    stdout: str


@dataclass(frozen=True)
class Benchmark:
    name: str
    argv: tuple[str, ...]
    parse: Callable[[str], list[Sample]]
    check: Check | None = None


def result_sample(
    program: str, metric: str, value: str, unit: str, higher: bool, line: str
) -> Sample:
    """`value`, a NUMBER, as a sample. NUMBER's digits can still overflow to inf."""
    v = float(value)
    # Stats compare ratios and geometric means, where a zero would be meaningless.
    if not (math.isfinite(v) and v > 0):
        raise ParseError(f"{program}: non-positive or infinite result in {line!r}")
    return Sample(metric, v, unit, higher)


def _add(program: str, samples: list[Sample], new: Sample, line: str) -> None:
    """Appends `new`; a metric reported twice is the output of two runs run together."""
    if any(s.metric == new.metric for s in samples):
        raise ParseError(f"{program}: second {new.metric} result in {line!r}")
    samples.append(new)


def _result_lines(program: str, text: str, pattern: str, example: str) -> list[re.Match[str]]:
    """Every non-blank line matched against `pattern`; at least one line."""
    regex = re.compile(pattern, re.ASCII)
    matches = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        m = regex.fullmatch(line)
        if m is None:
            raise ParseError(f"{program}: unexpected line {line!r} (expected like {example!r})")
        matches.append(m)
    if not matches:
        raise ParseError(f"{program}: no result line (expected like {example!r})")
    return matches


def one_result(program: str, text: str, pattern: str, example: str) -> re.Match[str]:
    """The only non-blank line, matched against `pattern`."""
    matches = _result_lines(program, text, pattern, example)
    if len(matches) > 1:
        raise ParseError(f"{program}: more than one result line: {matches[1].group(0)!r}")
    return matches[0]


def _labelled(
    program: str, prefix: str, metrics: dict[str, str], example: str
) -> Callable[[str], list[Sample]]:
    """A parser for 'PREFIX LABEL: X microseconds', the label naming the metric."""
    labels = "|".join(map(re.escape, metrics))

    def parse(text: str) -> list[Sample]:
        m = one_result(program, text, rf"{prefix} ({labels}): ({NUMBER}) microseconds", example)
        return [result_sample(program, metrics[m[1]], m[2], US, False, m[0])]

    parse.__name__ = f"parse_{program}"
    return parse


# 'Simple syscall: 0.1689 microseconds' (null; read, write, stat, fstat, open/close).
parse_lat_syscall = _labelled(
    "lat_syscall",
    "Simple",
    {
        "syscall": "lat_syscall_null",
        "read": "lat_syscall_read",
        "write": "lat_syscall_write",
        "stat": "lat_syscall_stat",
        "fstat": "lat_syscall_fstat",
        "open/close": "lat_syscall_open",
    },
    "Simple syscall: 0.1689 microseconds",
)
# 'Process fork+exit: 173.9032 microseconds' (fork; fork+execve, fork+/bin/sh -c).
parse_lat_proc = _labelled(
    "lat_proc",
    "Process",
    {
        "fork+exit": "lat_proc_fork",
        "fork+execve": "lat_proc_exec",
        "fork+/bin/sh -c": "lat_proc_shell",
    },
    "Process fork+exit: 173.9032 microseconds",
)


def parse_lat_pagefault(text: str) -> list[Sample]:
    """'Pagefaults on FILE: 0.1138 microseconds', per page."""
    m = one_result(
        "lat_pagefault",
        text,
        rf"Pagefaults on .+: ({NUMBER}) microseconds",
        "Pagefaults on /scratch/file: 0.1138 microseconds",
    )
    return [result_sample("lat_pagefault", "lat_pagefault", m[1], US, False, m[0])]


def _round_trip(program: str, label: str, example: str) -> Callable[[str], list[Sample]]:
    """A parser for 'LABEL: X microseconds', one round trip."""

    def parse(text: str) -> list[Sample]:
        m = one_result(program, text, rf"{re.escape(label)}: ({NUMBER}) microseconds", example)
        return [result_sample(program, program, m[1], US, False, m[0])]

    parse.__name__ = f"parse_{program}"
    return parse


parse_lat_pipe = _round_trip("lat_pipe", "Pipe latency", "Pipe latency: 5.5653 microseconds")
parse_lat_unix = _round_trip(
    "lat_unix", "AF_UNIX sock stream latency", "AF_UNIX sock stream latency: 9.1957 microseconds"
)


def parse_lat_mmap(text: str) -> list[Sample]:
    """'8.388608 29': MB mapped, then whole µs per mmap+munmap (not the man page's %0.2f)."""
    m = one_result("lat_mmap", text, rf"{NUMBER} ({NUMBER})", "8.388608 29")
    return [result_sample("lat_mmap", "lat_mmap", m[1], US, False, m[0])]


def parse_bw_file_rd(text: str) -> list[Sample]:
    """'8.39 6596.38': MB read, then MB/s."""
    m = one_result("bw_file_rd", text, rf"{NUMBER} ({NUMBER})", "8.39 6596.38")
    return [result_sample("bw_file_rd", "bw_file_rd", m[1], MB_PER_S, True, m[0])]


def parse_lat_ctx(text: str) -> list[Sample]:
    """A blank line, '"size=0k ovr=0.62', then 'PROCS µs' per ring size: one sample each,
    named lat_ctx_s<KB>_p<PROCS>. The overhead (ovr) is already subtracted by lat_ctx."""
    matches = _result_lines(
        "lat_ctx",
        text,
        rf'"size=(?P<size>{_INT})k ovr={NUMBER}|(?P<procs>{_INT}) (?P<us>{NUMBER})',
        "2 2.25",
    )
    header, rows = matches[0], matches[1:]
    if header["size"] is None:
        raise ParseError(f"lat_ctx: first line {header[0]!r} is not '\"size=<KB>k ovr=<us>'")
    if not rows:
        raise ParseError(f"lat_ctx: no 'PROCS µs' line after {header[0]!r}")
    samples: list[Sample] = []
    for row in rows:
        if row["procs"] is None:
            raise ParseError(f"lat_ctx: second header {row[0]!r}")
        metric = f"lat_ctx_s{header['size']}_p{row['procs']}"
        new = result_sample("lat_ctx", metric, row["us"], US, False, row[0])
        _add("lat_ctx", samples, new, row[0])
    return samples


def parse_lat_fs(text: str) -> list[Sample]:
    """'0k<TAB>19<TAB>3650<TAB>238430' per file size: size, files, creates/s, deletes/s.

    Kept as LMbench's files/s (higher is better) rather than converted to µs per file."""
    samples: list[Sample] = []
    for m in _result_lines(
        "lat_fs", text, rf"({_INT})k\s+[0-9]+\s+({NUMBER})\s+({NUMBER})", "0k\t19\t3650\t238430"
    ):
        for op, value in (("create", m[2]), ("delete", m[3])):
            new = result_sample("lat_fs", f"lat_fs_{op}_{m[1]}k", value, FILES_PER_S, True, m[0])
            _add("lat_fs", samples, new, m[0])
    return samples


_AB_RPS_LABEL = "Requests per second:"
_AB_RPS = rf"{_AB_RPS_LABEL}\s+({NUMBER}) \[#/sec\] \(mean\)"
# A count, with the "(Connect: 0, Receive: 0, Length: 133, Exceptions: 0)" line after
# it, if any.
_AB_COUNT = re.compile(r"^(Failed requests|Non-2xx responses):(.*)$(?:\n\s+\(.*\))?", re.MULTILINE)


def _ab_all_succeeded(text: str) -> None:
    """ab always prints 'Failed requests:', and 'Non-2xx responses:' when some were."""
    counted = False
    for m in _AB_COUNT.finditer(text):
        # ab prints the count with %d: anything but "0" is a failure or garbled.
        if m[2].strip() != "0":
            raise ParseError(f"ab: requests failed: {' '.join(m[0].split())!r}")
        counted = counted or m[1] == "Failed requests"
    if not counted:
        raise ParseError("ab: no 'Failed requests:' line")


def parse_ab(text: str) -> list[Sample]:
    """ab's 'Requests per second:' as ab_requests_per_s.

    A run where any request failed (connect, receive, length or exception) or got a
    non-2xx status raises ParseError: failed requests are often the fast ones, so the
    rate would not compare with a clean run's. ab counts a body whose length differs
    from the first one as failed, so the page must be static."""
    rates = [line for line in text.splitlines() if line.startswith(_AB_RPS_LABEL)]
    if not rates:
        lines = text.strip().splitlines()
        last = lines[-1] if lines else ""
        raise ParseError(f"ab: no {_AB_RPS_LABEL!r} line; output ends with {last!r}")
    _ab_all_succeeded(text)
    example = f"{_AB_RPS_LABEL}    616.54 [#/sec] (mean)"
    m = one_result("ab", "\n".join(rates), _AB_RPS, example)
    return [result_sample("ab", "ab_requests_per_s", m[1], REQUESTS_PER_S, True, m[0])]


def _hello_check(bin_dir: str) -> Check:
    """Installs LMbench's hello where lat_proc looks for it and runs it from there through
    /bin/sh, as `lat_proc exec` and `shell` will; repeating it is harmless."""
    hello_dir, _ = HELLO.rsplit("/", 1)
    steps = (("mkdir", "-p", hello_dir), ("cp", f"{bin_dir}/hello", HELLO), ("exec", HELLO))
    return Check(HELLO, ("/bin/sh", "-c", " && ".join(map(shlex.join, steps))), HELLO_OUTPUT)


def lmbench_suite(
    bin_dir: str, scratch: str, repetitions: int, file_mb: int
) -> tuple[Benchmark, ...]:
    """The LMbench set, run one program at a time.

    `scratch` must hold `file`, a file of `file_mb` MiB (pagefault, mmap, file read,
    stat/open); lat_fs creates and removes its files there too. Every program gets
    `-N repetitions` and prints one result over them. No `-W`: benchmp's calibration
    rounds, whose times are dropped, already warm up, and lat_fs hung with -W 1."""
    if repetitions < 1 or file_mb < 1:
        raise ValueError(f"repetitions={repetitions} and file_mb={file_mb} must be >= 1")

    def cmd(program: str, *args: str) -> tuple[str, ...]:
        return (f"{bin_dir}/{program}", "-N", str(repetitions), *args)

    file = f"{scratch}/file"
    size = f"{file_mb}m"
    syscalls = (("null", ()), ("read", ()), ("write", ()))
    # fstat fstat()s `file`: without it lat_syscall prints "fstat: Bad file descriptor".
    syscalls += tuple((op, (file,)) for op in ("stat", "fstat", "open"))
    return (
        *(
            Benchmark(f"lat_syscall_{op}", cmd("lat_syscall", op, *args), parse_lat_syscall)
            for op, args in syscalls
        ),
        Benchmark("lat_proc_fork", cmd("lat_proc", "fork"), parse_lat_proc),
        *(
            Benchmark(f"lat_proc_{op}", cmd("lat_proc", op), parse_lat_proc, _hello_check(bin_dir))
            for op in ("exec", "shell")
        ),
        Benchmark("lat_pagefault", cmd("lat_pagefault", file), parse_lat_pagefault),
        Benchmark("lat_mmap", cmd("lat_mmap", size, file), parse_lat_mmap),
        Benchmark("lat_ctx_s0", cmd("lat_ctx", "-s", "0", *map(str, CTX_PROCESSES)), parse_lat_ctx),
        Benchmark("lat_pipe", cmd("lat_pipe"), parse_lat_pipe),
        Benchmark("lat_unix", cmd("lat_unix"), parse_lat_unix),
        # lat_fs takes its directory only as argv[1], so after -N it would silently use
        # /tmp; its tempnam() honours TMPDIR instead.
        Benchmark("lat_fs", ("env", f"TMPDIR={scratch}", *cmd("lat_fs")), parse_lat_fs),
        Benchmark("bw_file_rd", cmd("bw_file_rd", size, "io_only", file), parse_bw_file_rd),
    )


def ab_argv(url: str, concurrency: int, requests: int) -> list[str]:
    """ApacheBench without -k: every request opens and closes its own TCP connection,
    so the per-request kernel work (accept, socket setup, close) is measured as well,
    as in ab's default use."""
    if concurrency < 1 or requests < concurrency:
        # ab itself refuses with its usage text
        raise ValueError(f"need 1 <= concurrency ({concurrency}) <= requests ({requests})")
    return ["ab", "-n", str(requests), "-c", str(concurrency), url]
