"""LTP's IMA tests (runtest/ima), built from the user's LTP tree (`--ltp-source`,
harness.conformance.tree): what runtest/ima runs, installed under /opt/ltp."""

import os
import shutil
from pathlib import Path

from harness import proc, tools
from harness.cachelock import cache_lock
from harness.conformance.archive import write_archive
from harness.conformance.tree import TreeSuite, copy_argv, tree_digest
from harness.errors import InfraError, UserError

REMOTE_DIR = "/opt/ltp"
RUNTEST = "runtest/ima"
ARCHIVE = "ltp-ima.tar.gz"
# What runtest/ima runs: LTP's library, the shell test library and its helpers, and
# the IMA tests (their C helpers and data files with them).
BUILD_DIRS = ("lib", "testcases/lib", "testcases/kernel/security/integrity/ima")
INSTALL_DIRS = BUILD_DIRS[1:]
# LTP_DEV in the guest: LTP formats it for the tests that want a fresh filesystem (the
# guest kernel has no loop device for tst_device to set one up).
SCRATCH_MB = 512


def autotools_argv(src: Path) -> list[str]:
    return ["make", "-C", str(src), "autotools"]


def configure_argv(src: Path) -> list[str]:
    return [str(src / "configure"), f"--prefix={REMOTE_DIR}"]


def make_argv(src: Path, subdir: str, jobs: int, *target: str) -> list[str]:
    return ["make", "-C", str(src / subdir), f"-j{jobs}", *target]


def install_argv(src: Path, subdir: str, stage: Path) -> list[str]:
    return ["make", "-C", str(src / subdir), "install", f"DESTDIR={stage}"]


def check_tree(tree: Path) -> None:
    """UserError unless `tree` looks like an LTP checkout with runtest/ima."""
    if not (tree / RUNTEST).is_file() or not (tree / "configure.ac").is_file():
        raise UserError(f"--ltp-source {tree}: not an LTP tree (no {RUNTEST} or configure.ac)")


def build_ltp(tree: Path, cache: Path, log: Path) -> Path:
    """runtest/ima and what it runs, installed under REMOTE_DIR, as one archive."""
    tools.require("make", "gcc", "rsync", "tar", "autoconf", "automake")
    check_tree(tree)
    out = cache / "ltp" / tree_digest(tree)
    archive = out / ARCHIVE
    with cache_lock(out):
        if archive.exists():
            return archive
        src, stage = out / "src", out / "stage"
        shutil.rmtree(stage, ignore_errors=True)
        src.mkdir(parents=True, exist_ok=True)
        jobs = (os.cpu_count() or 1) + 1
        proc.run_logged(copy_argv(tree, src), log, what="LTP: copying the tree")
        proc.run_logged(autotools_argv(src), log, what="LTP: autotools")
        proc.run_logged(configure_argv(src), log, what="LTP: configure", cwd=src)
        for subdir in BUILD_DIRS:
            proc.run_logged(make_argv(src, subdir, jobs), log, what=f"LTP: {subdir}")
        for subdir in INSTALL_DIRS:
            proc.run_logged(install_argv(src, subdir, stage), log, what=f"LTP: install {subdir}")
        installed = stage / REMOTE_DIR.lstrip("/")
        (installed / "runtest").mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / RUNTEST, installed / RUNTEST)
        if not (installed / "testcases/bin/tst_test.sh").is_file():
            raise InfraError(f"the LTP install in {installed} has no tst_test.sh", log)
        write_archive(installed, archive, log, "LTP: archive")
        shutil.rmtree(stage, ignore_errors=True)
    return archive


SUITE = TreeSuite(
    name="ltp",
    what="LTP's IMA tests",
    tree="an LTP checkout",
    remote_dir=REMOTE_DIR,
    check_tree=check_tree,
    build=build_ltp,
    scratch_mb=SCRATCH_MB,
)
