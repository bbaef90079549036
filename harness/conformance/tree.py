"""Test suites built from a source tree the user points the harness at.

LTP and AppArmor's regression tests are packaged neither in Debian nor on PyPI, and
none of either is copied into this repository: the harness builds them from the
user's checkout, in a copy in the cache (the checkout stays untouched), and archives
what the guest runs, cached by the tree's contents. The same archive goes to every
kernel's guest, so a difference in verdicts is the kernel's. A scenario tagged with
a suite's name runs it; without a tree those scenarios are not run, and the run says
so (harness.pipeline).
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TreeSuite:
    name: str  # the tag of the scenarios that run it, and its key in RunOptions.trees
    what: str  # "LTP's IMA tests", in messages
    tree: str  # what the option names: "an LTP checkout"
    remote_dir: str  # where the guest unpacks its archive
    check_tree: Callable[[Path], None]  # UserError unless a tree of this kind
    build: Callable[[Path, Path, Path], Path]  # (tree, cache, log) -> the archive
    scratch_mb: int = 0  # a second disk (/dev/vdb) for the boots that run it

    @property
    def option(self) -> str:
        return f"--{self.name}-source"

    @property
    def skipped(self) -> str:
        """Why its scenarios are not run in a run without its tree."""
        return f"{self.what} need {self.option} TREE ({self.tree}: it is not packaged)"


def copy_argv(tree: Path, src: Path) -> list[str]:
    return ["rsync", "-a", "--delete", "--exclude=.git", f"{tree}/", f"{src}/"]


def tree_digest(tree: Path, subdirs: tuple[str, ...] = ("",)) -> str:
    """The contents of the tree's `subdirs` (every file but .git's), as a cache key."""
    h = hashlib.sha256()
    for subdir in subdirs:
        for path in sorted((tree / subdir).rglob("*")):
            rel = path.relative_to(tree)
            if rel.parts[0] == ".git" or not path.is_file():
                continue
            h.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]
