import subprocess
from pathlib import Path

from harness.conformance.kselftest import TARGETS, build_kselftests
from harness.kernel.source import resolve_source


def test_the_kernels_selftests_build_from_the_base_source(cache: Path, tmp_path: Path) -> None:
    """The real build (headers, static selftests, the runner), as `secns run` makes it
    for a scenario tagged kselftest: every program of every target is in the archive."""
    log = tmp_path / "kselftests.log"
    source = resolve_source(None, cache, log)
    archive = build_kselftests(source, cache, log)
    names = subprocess.run(
        ["tar", "-tzf", str(archive)], capture_output=True, text=True, check=True
    ).stdout.split()
    listed = subprocess.run(
        ["tar", "-xzOf", str(archive), "./kselftest-list.txt"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert {entry.split(":")[0] for entry in listed} == set(TARGETS)
    assert len(listed) == 16  # clone3 4, nsfs 2, pidfd 7, tpm2 3
    for entry in listed:
        target, program = entry.split(":")
        assert f"./{target}/{program}" in names
    assert "./run_kselftest.sh" in names
