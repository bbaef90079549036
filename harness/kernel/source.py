"""The base kernel source: Debian's linux-source-6.12 package by default, or any
tarball or tree given by option. Tarballs are unpacked once into the cache."""

import shutil
from dataclasses import dataclass
from pathlib import Path

from harness import proc
from harness.digest import file_sha256
from harness.errors import InfraError, UserError
from harness.kernel import commands

DEBIAN_PACKAGE = "linux-source-6.12"
DEBIAN_TARBALL = Path("/usr/src/linux-source-6.12.tar.xz")
_UNPACKED_STAMP = ".secns-unpacked"


@dataclass(frozen=True)
class KernelSource:
    tree: Path
    version: str  # `make kernelversion`
    origin: str  # human-readable provenance, recorded in manifests
    digest: str | None  # content identity; None for a working tree (never cached)


def _unpack(tarball: Path, digest: str, cache: Path, log: Path) -> Path:
    dest = cache / "src" / digest[:16]
    if not (dest / _UNPACKED_STAMP).exists():
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        proc.run_logged(commands.unpack_argv(tarball, dest), log, what=f"unpack {tarball.name}")
        (dest / _UNPACKED_STAMP).write_text(str(tarball) + "\n")
    trees = [d for d in dest.iterdir() if d.is_dir() and (d / "Makefile").exists()]
    if len(trees) != 1:
        raise InfraError(f"{tarball} does not unpack to a single kernel tree", log)
    return trees[0]


def _kernelversion(tree: Path) -> str:
    return proc.capture(commands.kernelversion_argv(tree)).strip()


def _git_digest(tree: Path) -> str | None:
    """HEAD of a clean git tree, else None (local edits make the tree uncacheable)."""
    try:
        head = proc.capture(["git", "-C", str(tree), "rev-parse", "HEAD"]).strip()
        dirty = proc.capture(["git", "-C", str(tree), "status", "--porcelain"]).strip()
    except InfraError:
        return None
    return None if dirty else f"git:{head}"


def locate_source(given: Path | None) -> Path:
    """The tarball or tree the base source comes from, checked without unpacking or
    reading it: a UserError if there is none."""
    if given is None:
        if not DEBIAN_TARBALL.exists():
            raise UserError(
                f"{DEBIAN_TARBALL} is missing: apt-get install {DEBIAN_PACKAGE} "
                "(or give another source with --kernel-source)"
            )
        return DEBIAN_TARBALL
    given = given.expanduser().resolve()
    if given.is_file() or (given / "Makefile").is_file():
        return given
    raise UserError(f"--kernel-source {given}: neither a tarball nor a kernel tree")


def resolve_source(given: Path | None, cache: Path, log: Path) -> KernelSource:
    """Locate (and unpack once) the base source."""
    located = locate_source(given)
    if not located.is_file():
        return KernelSource(
            located, _kernelversion(located), f"tree {located}", _git_digest(located)
        )
    digest = file_sha256(located)
    tree = _unpack(located, digest, cache, log)
    if given is None:
        package_version = proc.capture(commands.dpkg_version_argv(DEBIAN_PACKAGE)).strip()
        origin = f"debian {DEBIAN_PACKAGE} {package_version}"
    else:
        origin = f"tarball {located.name}"
    return KernelSource(tree, _kernelversion(tree), origin, digest)
