from pathlib import Path

from harness.conformance import tree
from harness.conformance.suites import TREE_SUITES


def test_the_cache_key_follows_the_files_not_git(tmp_path: Path) -> None:
    (tmp_path / "runtest").mkdir()
    (tmp_path / "runtest/ima").write_text("ima_policy ima_policy.sh\n")
    before = tree.tree_digest(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git/index").write_text("changes with every git command")
    assert tree.tree_digest(tmp_path) == before
    (tmp_path / "runtest/ima").write_text("ima_policy ima_policy.sh\nima_tpm ima_tpm.sh\n")
    assert tree.tree_digest(tmp_path) != before


def test_the_cache_key_of_some_subdirectories_ignores_the_others(tmp_path: Path) -> None:
    for subdir in ("common", "tests", "parser"):
        (tmp_path / subdir).mkdir()
        (tmp_path / subdir / "file").write_text(subdir)
    before = tree.tree_digest(tmp_path, ("common", "tests"))
    (tmp_path / "parser/file").write_text("changed")
    assert tree.tree_digest(tmp_path, ("common", "tests")) == before
    (tmp_path / "tests/file").write_text("changed")
    assert tree.tree_digest(tmp_path, ("common", "tests")) != before


def test_the_copy_leaves_git_behind(tmp_path: Path) -> None:
    argv = tree.copy_argv(tmp_path / "ltp", tmp_path / "src")
    assert argv[-2:] == [f"{tmp_path}/ltp/", f"{tmp_path}/src/"]
    assert "--exclude=.git" in argv


def test_each_suite_has_its_own_option_tag_and_guest_directory() -> None:
    assert [s.option for s in TREE_SUITES] == ["--ltp-source", "--apparmor-source"]
    assert len({s.remote_dir for s in TREE_SUITES}) == len(TREE_SUITES)
    for suite in TREE_SUITES:
        assert suite.option in suite.skipped and "not packaged" in suite.skipped
