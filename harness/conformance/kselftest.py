"""The kernel's own selftests for what this work touches, built once from the base
source (the tarball both variants are built from) and run unchanged on each kernel:
the same binaries, so a difference in their verdicts is the kernel's."""

import hashlib
import shutil
from pathlib import Path

from harness import proc, tools
from harness.cachelock import cache_lock
from harness.conformance.archive import write_archive
from harness.errors import InfraError
from harness.kernel.source import KernelSource

# clone3 and nsfs: namespace creation and ownership; pidfd: setns(2) by pidfd, which
# the series extends with the IMA namespace; tpm2: the TPM the host's IMA extends.
TARGETS = ("clone3", "nsfs", "pidfd", "tpm2")
ARCHIVE = "kselftest.tar.gz"
REMOTE_DIR = "/opt/kselftest"
TAG = "kselftest"  # a scenario tagged so runs them: its boots get them in REMOTE_DIR


def headers_argv(tree: Path, build: Path) -> list[str]:
    """The tree's UAPI headers, installed out of tree under build/usr/include."""
    return ["make", "-s", "-C", str(tree), f"O={build}", "headers"]


def install_argv(tree: Path, build: Path, install: Path, targets: tuple[str, ...]) -> list[str]:
    """Build the targets against build/'s headers and install them with the kselftest
    runner. Static and stripped: the guest's libraries need not match the host's."""
    return [
        "make",
        "-s",
        "-C",
        str(tree / "tools/testing/selftests"),
        f"O={build / 'selftests'}",
        f"KHDR_INCLUDES=-isystem {build / 'usr/include'}",
        f"TARGETS={' '.join(targets)}",
        "LDFLAGS=-static -s",
        "install",
        f"INSTALL_PATH={install}",
    ]


def _key(source: KernelSource, targets: tuple[str, ...]) -> str | None:
    """None for a working tree: it has no content digest, so it is rebuilt each time."""
    if source.digest is None:
        return None
    return hashlib.sha256(f"{source.digest}\0{' '.join(targets)}".encode()).hexdigest()[:16]


def build_kselftests(
    source: KernelSource, cache: Path, log: Path, targets: tuple[str, ...] = TARGETS
) -> Path:
    """The installed selftests as one archive, cached by source and targets."""
    tools.require("make", "gcc", "rsync", "tar")
    key = _key(source, targets)
    out = cache / "kselftests" / (key or "working-tree")
    archive = out / ARCHIVE
    with cache_lock(out):
        if key is not None and archive.exists():
            return archive
        shutil.rmtree(out, ignore_errors=True)
        build, install = out / "build", out / "install"
        install.mkdir(parents=True)
        proc.run_logged(headers_argv(source.tree, build), log, what="kselftest headers")
        proc.run_logged(
            install_argv(source.tree, build, install, targets), log, what="kernel selftests"
        )
        if not (install / "run_kselftest.sh").exists():
            raise InfraError(f"the kselftest install in {install} has no run_kselftest.sh", log)
        write_archive(install, archive, log, "kselftest archive")
        shutil.rmtree(build, ignore_errors=True)
    return archive
