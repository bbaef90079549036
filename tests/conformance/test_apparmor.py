from pathlib import Path

import pytest

from harness.conformance import apparmor
from harness.errors import InfraError, UserError


def _tree(path: Path) -> Path:
    (path / apparmor.TESTS_DIR).mkdir(parents=True)
    (path / apparmor.TESTS_DIR / "prologue.inc").write_text("# sourced by each test\n")
    (path / "common").mkdir()
    return path


def test_a_tree_without_the_regression_tests_is_a_user_error(tmp_path: Path) -> None:
    apparmor.check_tree(_tree(tmp_path / "apparmor"))
    with pytest.raises(UserError, match="not an AppArmor tree"):
        apparmor.check_tree(tmp_path)


def test_the_tests_are_built_for_the_guests_parser_and_aa_exec(tmp_path: Path) -> None:
    argv = apparmor.make_argv(tmp_path, 3)
    assert argv[:4] == ["make", "-C", str(tmp_path), "-j3"]
    assert {"USE_SYSTEM=1", "AA_EXEC=/usr/bin/aa-exec", "DIRCHECK_MESSAGE="} <= set(argv)


def test_a_host_without_libapparmor_headers_is_told_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(apparmor, "LIBAPPARMOR_HEADER", tmp_path / "missing.h")
    with pytest.raises(InfraError, match="apt-get install libapparmor-dev"):
        apparmor.build_apparmor_tests(_tree(tmp_path / "aa"), tmp_path / "cache", tmp_path / "log")
    assert not (tmp_path / "cache").exists()


def test_tests_that_do_not_build_name_the_tree_and_the_release_that_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = _tree(tmp_path / "aa")
    (tree / apparmor.TESTS_DIR / "Makefile").write_text("all:\n\tfalse\n")
    (tmp_path / "apparmor.h").write_text("")
    monkeypatch.setattr(apparmor, "LIBAPPARMOR_HEADER", tmp_path / "apparmor.h")
    with pytest.raises(UserError, match=r"--apparmor-source .*aa: .*v3\.0\.8, does"):
        apparmor.build_apparmor_tests(tree, tmp_path / "cache", tmp_path / "log")
    assert not list((tmp_path / "cache").rglob(apparmor.ARCHIVE))
