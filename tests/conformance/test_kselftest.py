from pathlib import Path

import pytest

from harness.conformance import kselftest
from harness.errors import InfraError
from harness.kernel.source import KernelSource


def test_argv_builds_out_of_tree_against_the_trees_own_headers() -> None:
    tree, build = Path("/src/linux"), Path("/c/build")
    assert kselftest.headers_argv(tree, build) == [
        "make", "-s", "-C", "/src/linux", "O=/c/build", "headers",
    ]  # fmt: skip
    argv = kselftest.install_argv(tree, build, Path("/c/install"), ("clone3", "tpm2"))
    assert argv[:4] == ["make", "-s", "-C", "/src/linux/tools/testing/selftests"]
    assert "KHDR_INCLUDES=-isystem /c/build/usr/include" in argv
    assert "TARGETS=clone3 tpm2" in argv and "LDFLAGS=-static -s" in argv
    assert argv[-2:] == ["install", "INSTALL_PATH=/c/install"]


@pytest.fixture
def fake_make(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    ran: list[list[str]] = []

    def run_logged(argv, log, *, what, **kwargs):
        ran.append(argv)
        if "install" in argv:
            install = Path(argv[-1].split("=", 1)[1])
            (install / "run_kselftest.sh").write_text("#!/bin/sh\n")
        if argv[0] == "tar":
            Path(argv[-2]).write_bytes(b"archive")

    monkeypatch.setattr(kselftest.proc, "run_logged", run_logged)
    monkeypatch.setattr(kselftest.tools, "require", lambda *names: None)
    return ran


def _source(tmp_path: Path, digest: str | None) -> KernelSource:
    return KernelSource(tmp_path / "linux", "6.12.0", "test", digest)


def test_built_once_per_source_and_targets(tmp_path: Path, fake_make: list) -> None:
    cache, log = tmp_path / "cache", tmp_path / "log"
    first = kselftest.build_kselftests(_source(tmp_path, "d1"), cache, log)
    assert first.name == kselftest.ARCHIVE and first.read_bytes() == b"archive"
    assert len(fake_make) == 3
    assert kselftest.build_kselftests(_source(tmp_path, "d1"), cache, log) == first
    assert len(fake_make) == 3
    other = kselftest.build_kselftests(_source(tmp_path, "d1"), cache, log, ("clone3",))
    assert other != first and len(fake_make) == 6
    kselftest.build_kselftests(_source(tmp_path, "d2"), cache, log)
    assert len(fake_make) == 9


def test_a_working_tree_is_rebuilt_every_time(tmp_path: Path, fake_make: list) -> None:
    for _ in range(2):
        kselftest.build_kselftests(_source(tmp_path, None), tmp_path / "cache", tmp_path / "log")
    assert len(fake_make) == 6


def test_an_install_without_the_runner_is_an_infrastructure_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kselftest.proc, "run_logged", lambda *a, **k: None)
    monkeypatch.setattr(kselftest.tools, "require", lambda *names: None)
    with pytest.raises(InfraError, match=r"no run_kselftest\.sh"):
        kselftest.build_kselftests(_source(tmp_path, "d"), tmp_path / "cache", tmp_path / "log")
    assert not list((tmp_path / "cache/kselftests").glob(f"*/{kselftest.ARCHIVE}"))
