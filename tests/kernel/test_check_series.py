from pathlib import Path

from harness.kernel import check_series as cs

PATCH = """From 1 Mon Sep 17 00:00:00 2001
Subject: [PATCH] demo

A message line starting with + or - is not counted:
- like this one
---
 a.c | 3 ++-

diff --git a/a.c b/a.c
--- a/a.c
+++ b/a.c
@@ -1,2 +1,3 @@
 keep
-old
+new
+more
--
2.39.5
"""


def test_diffstat_counts_diff_lines_only() -> None:
    assert cs.diffstat(PATCH) == (2, 1)


def test_checkpatch_argv_is_strict() -> None:
    argv = cs.checkpatch_argv(Path("/tree"), Path("/p/0001-x.patch"))
    assert argv[:2] == ["perl", "/tree/scripts/checkpatch.pl"]
    assert "--strict" in argv and argv[-1] == "/p/0001-x.patch"
    assert "--no-signoff" not in argv  # a patch without Signed-off-by is flagged


REPORT = """\
WARNING:LONG_LINE: line length of 101 exceeds 100 columns
#12: FILE: a.c:2:

CHECK:SPACING: spaces preferred around that '+'
#13: FILE: a.c:3:

total: 0 errors, 1 warnings, 1 checks, 3 lines checked

NOTE: For some of the reported defects, checkpatch may be able to
"""


def test_checkpatch_counts_come_from_its_total_line() -> None:
    verdict = cs.judge_checkpatch(1, REPORT, "")
    assert verdict == cs.Checkpatch({"ERROR": 0, "WARNING": 1, "CHECK": 1}, REPORT)
    clean = "total: 0 errors, 0 warnings, 0 checks, 3 lines checked\n"
    assert cs.judge_checkpatch(0, clean, "").counts == {"ERROR": 0, "WARNING": 0, "CHECK": 0}


def test_a_checkpatch_that_did_not_run_to_its_end_is_a_failure() -> None:
    missing = cs.judge_checkpatch(2, "", 'Can\'t open perl script "x": No such file\n')
    assert missing.counts == {}
    assert missing.failure == 'exit status 2: Can\'t open perl script "x": No such file'
    died = cs.judge_checkpatch(255, REPORT, "Died at checkpatch.pl line 9.\n")
    assert died.failure == "exit status 255: Died at checkpatch.pl line 9."
    cut = cs.judge_checkpatch(1, "WARNING:X: y\n", "")
    assert cut.failure == "no 'total:' line in its output: WARNING:X: y"
    assert cs.judge_checkpatch(0, "", "").failure == "no 'total:' line in its output"


def test_run_checkpatch_without_perl_is_a_failure(monkeypatch) -> None:
    def no_perl(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError(2, "No such file or directory", "perl")

    monkeypatch.setattr(cs.subprocess, "run", no_perl)
    verdict = cs.run_checkpatch(Path("/tree"), Path("/p/0001-x.patch"))
    assert verdict.failure == "cannot run checkpatch: [Errno 2] No such file or directory: 'perl'"


def test_run_checkpatch_without_the_script_is_a_failure(tmp_path: Path) -> None:
    verdict = cs.run_checkpatch(tmp_path, tmp_path / "0001-x.patch")
    assert verdict.failure.startswith("exit status 2: Can't open perl script")


def test_a_patch_is_ok_without_errors_and_with_a_build_that_did_not_fail() -> None:
    assert cs.PatchCheck("p", 1, 0, {"ERROR": 0, "WARNING": 2}).ok
    assert not cs.PatchCheck("p", 1, 0, {"ERROR": 1}).ok
    assert not cs.PatchCheck("p", 1, 0, {"ERROR": 0}, build_ok=False).ok
    assert not cs.PatchCheck("p", 1, 0, checkpatch_failure="exit status 2").ok
