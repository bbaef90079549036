"""AppArmor's regression tests (tests/regression/apparmor), built from the user's
AppArmor tree (`--apparmor-source`, harness.conformance.tree).

Their programs are built on the host against Debian's libapparmor (USE_SYSTEM=1)
and run in the guest with the guest's own apparmor_parser and aa-exec, Debian's
AppArmor 3.0.8: a tree of that release tests the parser it was written for.
"""

import os
import shutil
from pathlib import Path

from harness import proc, tools
from harness.cachelock import cache_lock
from harness.conformance.archive import write_archive
from harness.conformance.tree import TreeSuite, copy_argv, tree_digest
from harness.errors import InfraError, UserError

REMOTE_DIR = "/opt/apparmor-tests"
TESTS_DIR = "tests/regression/apparmor"
# What the tests' Makefile includes from outside their directory.
COPIED_DIRS = ("common", TESTS_DIR)
ARCHIVE = "apparmor-regression.tar.gz"
LIBAPPARMOR_HEADER = Path("/usr/include/sys/apparmor.h")  # libapparmor-dev


def make_argv(tests: Path, jobs: int) -> list[str]:
    """Build every test program with the system's libapparmor. AA_EXEC is where the
    guest has aa-exec; the directory-permission check is meant for the machine the
    tests run on, which is the guest, not this build host."""
    return [
        "make",
        "-C",
        str(tests),
        f"-j{jobs}",
        "USE_SYSTEM=1",
        "AA_EXEC=/usr/bin/aa-exec",
        "DIRCHECK_MESSAGE=",
    ]


def check_tree(tree: Path) -> None:
    """UserError unless `tree` looks like an AppArmor checkout with its regression
    tests."""
    if not (tree / TESTS_DIR / "prologue.inc").is_file() or not (tree / "common").is_dir():
        raise UserError(
            f"--apparmor-source {tree}: not an AppArmor tree "
            f"(no {TESTS_DIR}/prologue.inc or common/)"
        )


def build_apparmor_tests(tree: Path, cache: Path, log: Path) -> Path:
    """The regression tests' directory, built, as one archive unpacked in REMOTE_DIR."""
    tools.require("make", "gcc", "rsync", "tar")
    check_tree(tree)
    if not LIBAPPARMOR_HEADER.is_file():
        raise InfraError(
            f"building AppArmor's tests needs {LIBAPPARMOR_HEADER}: apt-get install libapparmor-dev"
        )
    out = cache / "apparmor-tests" / tree_digest(tree, COPIED_DIRS)
    archive = out / ARCHIVE
    with cache_lock(out):
        if archive.exists():
            return archive
        src = out / "src"
        for subdir in COPIED_DIRS:
            (src / subdir).mkdir(parents=True, exist_ok=True)
            proc.run_logged(
                copy_argv(tree / subdir, src / subdir), log, what=f"AppArmor: copying {subdir}"
            )
        tests = src / TESTS_DIR
        jobs = (os.cpu_count() or 1) + 1
        try:
            proc.run_logged(make_argv(tests, jobs), log, what="AppArmor: building the tests")
        except InfraError as e:
            # What is checked above is there: the tree is what did not build, most
            # often tests newer than Debian's libapparmor (a 4.x or later tree).
            raise UserError(
                f"--apparmor-source {tree}: its tests do not build against this "
                f"system's libapparmor ({e}); a tree at the guest's release, v3.0.8, does"
            ) from e
        if not (tests / "uservars.inc").is_file():
            raise InfraError(f"the AppArmor tests' build in {tests} wrote no uservars.inc", log)
        write_archive(tests, archive, log, "AppArmor: archive")
        shutil.rmtree(src, ignore_errors=True)
    return archive


SUITE = TreeSuite(
    name="apparmor",
    what="AppArmor's regression tests",
    tree="an AppArmor checkout",
    remote_dir=REMOTE_DIR,
    check_tree=check_tree,
    build=build_apparmor_tests,
)
