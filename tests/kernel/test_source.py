from pathlib import Path

import pytest

from harness.errors import UserError
from harness.kernel import source
from harness.kernel.source import locate_source


def test_locate_source_accepts_a_tarball_or_a_tree(tmp_path: Path) -> None:
    tarball = tmp_path / "linux.tar.xz"
    tarball.write_bytes(b"")
    (tmp_path / "linux").mkdir()
    (tmp_path / "linux" / "Makefile").write_text("")
    assert locate_source(tarball) == tarball
    assert locate_source(tmp_path / "linux") == tmp_path / "linux"


def test_locate_source_refuses_what_is_neither(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="neither a tarball nor a kernel tree"):
        locate_source(tmp_path)
    with pytest.raises(UserError, match="neither a tarball nor a kernel tree"):
        locate_source(tmp_path / "missing")


def test_locate_source_names_the_package_of_a_missing_default(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(source, "DEBIAN_TARBALL", tmp_path / "linux-source-6.12.tar.xz")
    with pytest.raises(UserError, match=r"apt-get install linux-source-6\.12"):
        locate_source(None)
