"""LMbench / ab parsers on real outputs, and the argv the suite runs.

data/*.txt are real outputs of Debian bookworm's lmbench 3.0-a9+debian.1-6 and
apache2-utils 2.4.71 on an x86_64 host: stdout, then stderr, nothing added.
B=/usr/lib/lmbench/bin/x86_64-linux-gnu, F = an 8 MiB file:

  lat_syscall_<op>          $B/lat_syscall -W 1 -N 3 <op>  (stat, fstat, open: + F)
  lat_syscall_fstat_nofile  $B/lat_syscall -W 1 -N 3 fstat
  lat_syscall_usage         $B/lat_syscall
  lat_proc_<fork|exec|shell> $B/lat_proc -W 1 -N 3 <op>  (hello in /var/tmp/lmbench)
  lat_proc_shell_nohello    $B/lat_proc -N 1 shell  (no /var/tmp/lmbench/hello)
  lat_pagefault             $B/lat_pagefault -W 1 -N 3 F
  lat_pagefault_missing     $B/lat_pagefault -N 3 <missing file>
  lat_mmap                  $B/lat_mmap -W 1 -N 3 8m F
  lat_ctx_s0_p2             $B/lat_ctx -W 1 -N 3 -s 0 2
  lat_ctx_s16_p2_4_8        $B/lat_ctx -W 1 -N 3 -s 16 2 4 8
  lat_pipe, lat_unix        $B/lat_pipe -W 1 -N 3, $B/lat_unix -W 1 -N 3
  lat_fs                    env TMPDIR=<dir> ENOUGH=5000 $B/lat_fs -N 3
  lat_fs_killed             env TMPDIR=<dir> $B/lat_fs -W 1 -N 3  (hung in 1k; SIGKILL)
  bw_file_rd                $B/bw_file_rd -W 1 -N 3 8m io_only F
  bw_file_rd_missing        $B/bw_file_rd -N 3 8m io_only <missing file>  (exit 0)
  ab_ok                     ab -n 200 -c 10 http://127.0.0.1:PORT/  (python3 -m http.server)
  ab_non2xx                 ab -n 200 -c 10 http://127.0.0.1:PORT/missing  (all 404)
  ab_failed                 the same against a server varying body length, some 500s
  ab_reset                  the same against a server resetting from request 21 (exit 104)
"""

import re
from pathlib import Path

import pytest

from harness.bench.lmbench import (
    HELLO,
    Benchmark,
    ParseError,
    Sample,
    ab_argv,
    lmbench_suite,
    parse_ab,
    parse_bw_file_rd,
    parse_lat_ctx,
    parse_lat_fs,
    parse_lat_mmap,
    parse_lat_pagefault,
    parse_lat_pipe,
    parse_lat_proc,
    parse_lat_syscall,
    parse_lat_unix,
)

DATA = Path(__file__).parent / "data"

PARSERS = [
    parse_lat_syscall,
    parse_lat_proc,
    parse_lat_pagefault,
    parse_lat_mmap,
    parse_lat_ctx,
    parse_lat_pipe,
    parse_lat_unix,
    parse_lat_fs,
    parse_bw_file_rd,
    parse_ab,
]


def data(name: str) -> str:
    return (DATA / f"{name}.txt").read_text()


def us(metric: str, value: float) -> Sample:
    return Sample(metric, value, "us", higher_is_better=False)


def files_per_s(metric: str, value: float) -> Sample:
    return Sample(metric, value, "files/s", higher_is_better=True)


EXPECTED = {
    "lat_syscall_null": (parse_lat_syscall, [us("lat_syscall_null", 0.1689)]),
    "lat_syscall_read": (parse_lat_syscall, [us("lat_syscall_read", 0.3611)]),
    "lat_syscall_write": (parse_lat_syscall, [us("lat_syscall_write", 0.1781)]),
    "lat_syscall_stat": (parse_lat_syscall, [us("lat_syscall_stat", 1.1921)]),
    "lat_syscall_fstat": (parse_lat_syscall, [us("lat_syscall_fstat", 0.3303)]),
    "lat_syscall_open": (parse_lat_syscall, [us("lat_syscall_open", 1.5691)]),
    "lat_proc_fork": (parse_lat_proc, [us("lat_proc_fork", 173.9032)]),
    "lat_proc_exec": (parse_lat_proc, [us("lat_proc_exec", 566.2)]),
    "lat_proc_shell": (parse_lat_proc, [us("lat_proc_shell", 1143.2)]),
    "lat_pagefault": (parse_lat_pagefault, [us("lat_pagefault", 0.1138)]),
    "lat_mmap": (parse_lat_mmap, [us("lat_mmap", 29.0)]),
    "lat_ctx_s0_p2": (parse_lat_ctx, [us("lat_ctx_s0_p2", 2.25)]),
    "lat_ctx_s16_p2_4_8": (
        parse_lat_ctx,
        [us("lat_ctx_s16_p2", 2.35), us("lat_ctx_s16_p4", 4.24), us("lat_ctx_s16_p8", 4.45)],
    ),
    "lat_pipe": (parse_lat_pipe, [us("lat_pipe", 5.5653)]),
    "lat_unix": (parse_lat_unix, [us("lat_unix", 9.1957)]),
    "lat_fs": (
        parse_lat_fs,
        [
            files_per_s("lat_fs_create_0k", 3650.0),
            files_per_s("lat_fs_delete_0k", 238430.0),
            files_per_s("lat_fs_create_1k", 3349.0),
            files_per_s("lat_fs_delete_1k", 159986.0),
            files_per_s("lat_fs_create_4k", 1723.0),
            files_per_s("lat_fs_delete_4k", 156048.0),
            files_per_s("lat_fs_create_10k", 1869.0),
            files_per_s("lat_fs_delete_10k", 134420.0),
        ],
    ),
    "bw_file_rd": (parse_bw_file_rd, [Sample("bw_file_rd", 6596.38, "MB/s", True)]),
    "ab_ok": (parse_ab, [Sample("ab_requests_per_s", 616.54, "requests/s", True)]),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_output_parses(name: str) -> None:
    parse, expected = EXPECTED[name]
    assert parse(data(name)) == expected


FAILURES = [
    # lat_syscall fstat needs a file; it prints only perror lines and exits 0
    ("lat_syscall_fstat_nofile", parse_lat_syscall, "'fstat: Bad file descriptor'"),
    ("lat_syscall_usage", parse_lat_syscall, "'Usage: /usr/lib/lmbench"),
    ("lat_proc_shell_nohello", parse_lat_proc, "'sh: 1: /var/tmp/lmbench/hello: not found'"),
    ("lat_pagefault_missing", parse_lat_pagefault, "'x: No such file or directory'"),
    ("lat_fs_killed", parse_lat_fs, "unexpected line '1k'"),
    # perror, then a bogus "8.39 inf", exit status 0
    ("bw_file_rd_missing", parse_bw_file_rd, "'ofd = open(state->filename"),
    (
        "ab_failed",
        parse_ab,
        "'Failed requests: 133 (Connect: 0, Receive: 0, Length: 133, Exceptions: 0)'",
    ),
    ("ab_non2xx", parse_ab, "'Non-2xx responses: 200'"),
    ("ab_reset", parse_ab, "output ends with 'apr_socket_recv: Connection reset by peer (104)'"),
]


def test_every_fixture_is_used() -> None:
    failures = {name for name, _, _ in FAILURES}
    assert {p.stem for p in DATA.glob("*.txt")} == set(EXPECTED) | failures


@pytest.mark.parametrize(("name", "parse", "quoted"), FAILURES, ids=[f[0] for f in FAILURES])
def test_real_failure_is_rejected_quoting_the_line(name: str, parse, quoted: str) -> None:
    with pytest.raises(ParseError) as exc:
        parse(data(name))
    assert str(exc.value).startswith(parse.__name__.removeprefix("parse_") + ": ")
    assert quoted in str(exc.value)


def test_bw_file_rd_inf_alone_is_rejected() -> None:
    with pytest.raises(ParseError, match=re.escape("'8.39 inf'")):
        parse_bw_file_rd("8.39 inf\n")


def test_a_parse_error_is_no_value_error() -> None:
    # so that no `except ValueError` meant for something else takes it
    assert not issubclass(ParseError, ValueError)


def test_digits_overflowing_to_inf_are_rejected() -> None:
    line = f"8.39 {'9' * 400}"
    with pytest.raises(ParseError, match="non-positive or infinite") as exc:
        parse_bw_file_rd(line)
    assert line in str(exc.value)


def test_other_scripts_digits_are_rejected() -> None:
    # float() reads Arabic-Indic digits; \d in a str pattern matches them
    with pytest.raises(ParseError, match="unexpected line"):
        parse_lat_pipe("Pipe latency: \u0665.\u0665 microseconds\n")


@pytest.mark.parametrize(
    ("parse", "text", "repeated"),
    [
        (parse_lat_ctx, '"size=0k ovr=0.62\n2 2.25\n2 2.31\n', "'2 2.31'"),
        (parse_lat_fs, "0k\t19\t3650\t238430\n0k\t19\t3651\t238431\n", "'0k\\t19\\t3651"),
    ],
    ids=["lat_ctx", "lat_fs"],
)
def test_a_metric_reported_twice_is_rejected(parse, text: str, repeated: str) -> None:
    with pytest.raises(ParseError, match="second lat_") as exc:
        parse(text)
    assert repeated in str(exc.value)


def test_a_leading_zero_would_name_another_series() -> None:
    with pytest.raises(ParseError, match=re.escape("unexpected line '02 2.25'")):
        parse_lat_ctx('"size=0k ovr=0.62\n02 2.25\n')


def _ab_with(old: str, new: str) -> str:
    text = data("ab_ok")
    assert old in text
    return text.replace(old, new)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_ab_with("Failed requests:        0", "Failed requests:        0x"), "requests failed"),
        (_ab_with("Failed requests:        0", "Failed requests:        00"), "requests failed"),
        (_ab_with("Failed requests:        0\n", ""), "no 'Failed requests:' line"),
        (_ab_with("616.54 [#/sec]", "616.54 [#/min]"), "unexpected line"),
        (_ab_with("616.54", "nan"), "unexpected line 'Requests per second:    nan"),
        (data("ab_ok") * 2, "more than one result line"),
    ],
    ids=["count-garbled", "count-padded", "no-count", "rate-garbled", "rate-nan", "twice"],
)
def test_ab_output_not_exactly_as_ab_prints_it_is_rejected(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=re.escape(message)):
        parse_ab(text)


@pytest.mark.parametrize("parse", PARSERS, ids=lambda p: p.__name__)
@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "garbage\n", "Segmentation fault (core dumped)\n", data("lat_syscall_usage")],
    ids=["empty", "blank", "garbage", "segfault", "usage"],
)
def test_garbage_is_rejected(parse, text: str) -> None:
    with pytest.raises(ParseError):
        parse(text)


@pytest.mark.parametrize(
    ("parse", "other"),
    [
        (parse_lat_unix, "lat_pipe"),
        (parse_lat_pipe, "lat_unix"),
        (parse_lat_syscall, "lat_proc_fork"),
        (parse_lat_proc, "lat_syscall_null"),
        (parse_lat_ctx, "lat_mmap"),
        (parse_lat_fs, "bw_file_rd"),
        (parse_ab, "lat_pipe"),
    ],
    ids=lambda x: x if isinstance(x, str) else x.__name__,
)
def test_another_programs_output_is_rejected(parse, other: str) -> None:
    with pytest.raises(ParseError):
        parse(data(other))


def test_two_results_or_zero_are_rejected() -> None:
    with pytest.raises(ParseError, match="more than one"):
        parse_lat_pipe(data("lat_pipe") * 2)
    with pytest.raises(ParseError, match="non-positive"):
        parse_lat_syscall("Simple syscall: 0.0000 microseconds\n")


def test_lat_ctx_needs_header_then_rows() -> None:
    with pytest.raises(ParseError, match="not '\"size="):
        parse_lat_ctx("2 2.25\n")
    with pytest.raises(ParseError, match="no 'PROCS"):
        parse_lat_ctx('\n"size=0k ovr=0.62\n')
    with pytest.raises(ParseError, match="second header"):
        parse_lat_ctx('"size=0k ovr=0.62\n2 2.25\n"size=16k ovr=1.21\n2 2.35\n')


BIN = "/usr/lib/lmbench/bin/x86_64-linux-gnu"

SUITE_FIXTURE = {
    "lat_ctx_s0": "lat_ctx_s0_p2",
}


def suite() -> dict[str, Benchmark]:
    benches = lmbench_suite(BIN, "/scratch", repetitions=5, file_mb=16)
    by_name = {b.name: b for b in benches}
    assert len(by_name) == len(benches)
    return by_name


def test_suite_is_the_whole_set() -> None:
    assert list(suite()) == [
        "lat_syscall_null",
        "lat_syscall_read",
        "lat_syscall_write",
        "lat_syscall_stat",
        "lat_syscall_fstat",
        "lat_syscall_open",
        "lat_proc_fork",
        "lat_proc_exec",
        "lat_proc_shell",
        "lat_pagefault",
        "lat_mmap",
        "lat_ctx_s0",
        "lat_pipe",
        "lat_unix",
        "lat_fs",
        "bw_file_rd",
    ]


def test_suite_parsers_read_their_programs_output() -> None:
    for name, bench in suite().items():
        parse, expected = EXPECTED[SUITE_FIXTURE.get(name, name)]
        assert bench.parse is parse
        assert bench.parse(data(SUITE_FIXTURE.get(name, name))) == expected


def test_suite_argv_shapes() -> None:
    s = suite()
    n = ("-N", "5")
    assert s["lat_syscall_null"].argv == (f"{BIN}/lat_syscall", *n, "null")
    assert s["lat_syscall_write"].argv == (f"{BIN}/lat_syscall", *n, "write")
    for op in ("stat", "fstat", "open"):
        assert s[f"lat_syscall_{op}"].argv == (f"{BIN}/lat_syscall", *n, op, "/scratch/file")
    for op in ("fork", "exec", "shell"):
        assert s[f"lat_proc_{op}"].argv == (f"{BIN}/lat_proc", *n, op)
    assert s["lat_pagefault"].argv == (f"{BIN}/lat_pagefault", *n, "/scratch/file")
    assert s["lat_mmap"].argv == (f"{BIN}/lat_mmap", *n, "16m", "/scratch/file")
    assert s["lat_ctx_s0"].argv == (f"{BIN}/lat_ctx", *n, "-s", "0", "2", "4", "8")
    assert s["lat_pipe"].argv == (f"{BIN}/lat_pipe", *n)
    assert s["lat_unix"].argv == (f"{BIN}/lat_unix", *n)
    assert s["lat_fs"].argv == ("env", "TMPDIR=/scratch", f"{BIN}/lat_fs", *n)
    assert s["bw_file_rd"].argv == (f"{BIN}/bw_file_rd", *n, "16m", "io_only", "/scratch/file")


@pytest.mark.parametrize("op", ["exec", "shell"])
def test_lat_proc_exec_and_shell_first_install_and_run_hello_where_lat_proc_will(op: str) -> None:
    check = suite()[f"lat_proc_{op}"].check
    assert check is not None
    assert check.argv == (
        "/bin/sh",
        "-c",
        f"mkdir -p /var/tmp/lmbench && cp {BIN}/hello {HELLO} && exec {HELLO}",
    )
    assert (check.what, check.stdout) == (HELLO, "Hello world\n")


def test_only_lat_proc_exec_and_shell_run_hello() -> None:
    checked = {name for name, bench in suite().items() if bench.check is not None}
    assert checked == {"lat_proc_exec", "lat_proc_shell"}


def test_the_hello_check_quotes_the_bin_dir() -> None:
    bench = next(b for b in lmbench_suite("/opt/lm bench", "/s", 1, 1) if b.check is not None)
    assert bench.check is not None
    assert "cp '/opt/lm bench/hello' /var/tmp/lmbench/hello" in bench.check.argv[2]


def test_suite_rejects_nonsense_sizes() -> None:
    with pytest.raises(ValueError):
        lmbench_suite(BIN, "/scratch", repetitions=0, file_mb=8)
    with pytest.raises(ValueError):
        lmbench_suite(BIN, "/scratch", repetitions=3, file_mb=0)


def test_ab_argv() -> None:
    assert ab_argv("http://127.0.0.1/", 50, 2000) == [
        "ab",
        "-n",
        "2000",
        "-c",
        "50",
        "http://127.0.0.1/",
    ]
    with pytest.raises(ValueError):
        ab_argv("http://127.0.0.1/", 200, 100)
    with pytest.raises(ValueError):
        ab_argv("http://127.0.0.1/", 0, 100)
