"""The patch series in kernel/patches/: a quilt-style `series` file naming patches."""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from harness.errors import UserError
from harness.paths import PATCHES_DIR

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
