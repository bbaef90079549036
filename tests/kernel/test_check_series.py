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


def test_count_verdicts() -> None:
    report = "ERROR:FOO: x\nWARNING:BAR: y\nCHECK:BAZ: z\nCHECK:QUX: w\ntotal: 1 errors\n"
    assert cs.count_verdicts(report) == {"ERROR": 1, "WARNING": 1, "CHECK": 2}


def test_a_patch_is_ok_without_errors_and_with_a_build_that_did_not_fail() -> None:
    assert cs.PatchCheck("p", 1, 0, {"ERROR": 0, "WARNING": 2}).ok
    assert not cs.PatchCheck("p", 1, 0, {"ERROR": 1}).ok
    assert not cs.PatchCheck("p", 1, 0, {"ERROR": 0}, build_ok=False).ok
