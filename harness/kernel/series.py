"""The patch series in kernel/patches/: a quilt-style `series` file naming patches."""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from harness.errors import UserError
from harness.paths import PATCHES_DIR, REPO_ROOT

_TARGET = re.compile(r"^\+\+\+ b/(\S+)", re.MULTILINE)


@dataclass(frozen=True)
class Series:
    directory: Path
    patches: tuple[Path, ...]

    def digest(self) -> str:
        h = hashlib.sha256()
        for p in self.patches:
            h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
        return h.hexdigest()

    def touched_files(self) -> set[str]:
        """Paths (relative to the tree) that the series modifies."""
        return {m for p in self.patches for m in _TARGET.findall(p.read_text(errors="replace"))}


def load_series(directory: Path = PATCHES_DIR) -> Series:
    """Read the series file; blank lines and '#' comments are ignored. A missing or
    empty series file is an empty series."""
    series_file = directory / "series"
    if not series_file.exists():
        return Series(directory, ())
    patches = []
    for lineno, raw in enumerate(series_file.read_text().splitlines(), 1):
        name = raw.split("#", 1)[0].strip()
        if not name:
            continue
        path = directory / name
        if not path.is_file():
            raise UserError(f"{series_file}:{lineno}: patch '{name}' does not exist")
        patches.append(path)
    return Series(directory, tuple(patches))


REVISION_MARK = "@"


def split_revision(spec: str) -> tuple[str, str | None]:
    """'secns@v2' -> ('secns', 'v2'): a variant built with the series as committed at
    git revision v2 of this repository; 'secns' -> ('secns', None)."""
    variant, mark, rev = spec.partition(REVISION_MARK)
    if mark and not rev:
        raise UserError(f"variant '{spec}': no git revision after '{REVISION_MARK}'")
    return variant, rev or None


def rev_parse_argv(repo: Path, rev: str) -> list[str]:
    return ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"]


def archive_argv(repo: Path, commit: str, out: Path) -> list[str]:
    return [
        "git",
        "-C",
        str(repo),
        "archive",
        "--format=tar",
        f"--output={out}",
        commit,
        str(PATCHES_DIR.relative_to(REPO_ROOT)),
    ]


def extract_argv(tar: Path, target: Path) -> list[str]:
    """GNU tar, not tarfile: Python 3.11.2 (Debian 12) has no extraction filter, and
    GNU tar already refuses members that would land outside target."""
    return ["tar", "-x", "--no-same-owner", "-f", str(tar), "-C", str(target)]
