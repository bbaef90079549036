from pathlib import Path

import pytest

from harness.errors import UserError
from harness.kernel.series import load_series

PATCH = """From 1 Mon Sep 17 00:00:00 2001
Subject: [PATCH] x

---
diff --git a/security/a.c b/security/a.c
--- a/security/a.c
+++ b/security/a.c
@@ -1 +1 @@
-x
+y
"""


def test_missing_series_file_is_an_empty_series(tmp_path: Path) -> None:
    assert load_series(tmp_path).patches == ()


def test_series_skips_comments_and_blank_lines(tmp_path: Path) -> None:
    (tmp_path / "0001-a.patch").write_text(PATCH)
    (tmp_path / "series").write_text("# the series\n\n0001-a.patch  # first\n")
    series = load_series(tmp_path)
    assert [p.name for p in series.patches] == ["0001-a.patch"]
    assert series.touched_files() == {"security/a.c"}


def test_series_naming_a_missing_patch_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "series").write_text("0001-a.patch\n0002-gone.patch\n")
    (tmp_path / "0001-a.patch").write_text(PATCH)
    with pytest.raises(UserError, match=r"series:2: patch '0002-gone.patch' does not exist"):
        load_series(tmp_path)


def test_digest_changes_with_patch_content(tmp_path: Path) -> None:
    (tmp_path / "0001-a.patch").write_text(PATCH)
    (tmp_path / "series").write_text("0001-a.patch\n")
    before = load_series(tmp_path).digest()
    (tmp_path / "0001-a.patch").write_text(PATCH.replace("+y", "+z"))
    assert load_series(tmp_path).digest() != before


def test_repository_series_loads() -> None:
    load_series()
