"""LTP's IMA tests (runtest/ima), built from the user's LTP tree (`--ltp-source`).

LTP is neither in Debian nor on PyPI, and none of it is copied into this
repository: the harness builds what runtest/ima runs from a tree the user points
it at, in a copy in the cache (the user's tree stays untouched), installs it under
/opt/ltp and archives it, cached by the tree's contents. The same archive goes to
every kernel's guest, so a difference in verdicts is the kernel's. Without a tree,
the scenarios tagged `ltp` are not run, and the run says so (harness.pipeline).
"""

import hashlib
import os
import shutil
from pathlib import Path

from harness import proc, tools
from harness.cachelock import cache_lock
from harness.conformance.archive import write_archive
from harness.errors import InfraError, UserError

TAG = "ltp"  # a scenario tagged so runs LTP: its boots get the archive and a scratch disk
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
SKIPPED = "LTP's IMA tests need --ltp-source TREE (a checkout of LTP: it is not packaged)"


def copy_argv(tree: Path, src: Path) -> list[str]:
    return ["rsync", "-a", "--delete", "--exclude=.git", f"{tree}/", f"{src}/"]


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


def tree_digest(tree: Path) -> str:
    """The tree's contents (every file but .git's), as the cache key."""
    h = hashlib.sha256()
    for path in sorted(tree.rglob("*")):
        rel = path.relative_to(tree)
        if rel.parts[0] == ".git" or not path.is_file():
            continue
        h.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


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
