from pathlib import Path

import pytest

from harness.conformance import ltp
from harness.errors import UserError


def _tree(path: Path) -> Path:
    (path / "runtest").mkdir(parents=True)
    (path / "runtest/ima").write_text("ima_policy ima_policy.sh\n")
    (path / "configure.ac").write_text("AC_INIT\n")
    return path


def test_a_tree_without_runtest_ima_is_a_user_error(tmp_path: Path) -> None:
    ltp.check_tree(_tree(tmp_path / "ltp"))
    with pytest.raises(UserError, match="not an LTP tree"):
        ltp.check_tree(tmp_path)


def test_the_build_installs_under_opt_ltp(tmp_path: Path) -> None:
    src, stage = tmp_path / "src", tmp_path / "stage"
    assert ltp.configure_argv(src) == [f"{src}/configure", "--prefix=/opt/ltp"]
    assert ltp.install_argv(src, "testcases/lib", stage)[-1] == f"DESTDIR={stage}"
