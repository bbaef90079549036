from harness.conformance.tap import parse_verdicts

# Shaped like run_kselftest.sh's output on 6.12: each program's own KTAP indented
# by "# ", then the runner's verdict for the program.
RUNNER_OUTPUT = """\
TAP version 13
1..4
# timeout set to 45
# selftests: clone3: clone3
# TAP version 13
# 1..2
# ok 1 [1538] Result (0) matches expectation (0)
# ok 2 [1538] Result (-22) matches expectation (-22)
# # Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0
ok 1 selftests: clone3: clone3
# selftests: clone3: clone3_set_tid
# # Totals: pass:20 fail:1 xfail:0 xpass:0 skip:0 error:0
not ok 2 selftests: clone3: clone3_set_tid # exit=1
# selftests: pidfd: pidfd_wait
not ok 3 selftests: pidfd: pidfd_wait # TIMEOUT 45 seconds
# selftests: nsfs: owner
ok 4 selftests: nsfs: owner # SKIP
"""

HARNESS_OUTPUT = """\
TAP version 13
1..3
# Starting 3 tests from 1 test cases.
#  RUN           global.create ...
#            OK  global.create
ok 1 global.create
not ok 2 global.policy_write
ok 3 global.two_writers # SKIP needs two CPUs
# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
"""


def test_runner_verdicts_carry_the_programs_totals() -> None:
    assert parse_verdicts(RUNNER_OUTPUT) == {
        "clone3:clone3": "pass [Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0]",
        "clone3:clone3_set_tid": "fail [Totals: pass:20 fail:1 xfail:0 xpass:0 skip:0 error:0]",
        "pidfd:pidfd_wait": "timeout",
        "nsfs:owner": "skip",
    }


def test_a_program_run_directly_reports_each_test() -> None:
    assert parse_verdicts(HARNESS_OUTPUT) == {
        "global.create": "pass",
        "global.policy_write": "fail",
        "global.two_writers": "skip",
    }


def test_output_without_verdicts_reports_none() -> None:
    assert parse_verdicts("Killed\n# ok 1 nested only\n") == {}
