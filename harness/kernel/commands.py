"""Pure builders of the host commands a kernel build runs (argv lists)."""

from collections.abc import Sequence
from pathlib import Path

ARCH = "x86_64"
BASE_CONFIG_TARGET = "tinyconfig"
IMAGE_TARGET = "bzImage"
IMAGE_PATH = Path("arch/x86/boot/bzImage")


def make_argv(
    src: Path,
    build: Path,
    targets: Sequence[str],
    *,
    jobs: int | None = None,
    compiler_wrapper: str | None = None,
) -> list[str]:
    argv = ["make", "-C", str(src), f"O={build}", f"ARCH={ARCH}"]
    if jobs is not None:
        argv.append(f"-j{jobs}")
    if compiler_wrapper:
        argv.append(f"CC={compiler_wrapper} gcc")
    return argv + list(targets)


def merge_config_argv(src: Path, build: Path, fragments: Sequence[Path]) -> list[str]:
    """merge_config.sh -m: merge only; olddefconfig is run after it by make_argv."""
    return [
        str(src / "scripts/kconfig/merge_config.sh"),
        "-m",
        "-O",
        str(build),
        str(build / ".config"),
        *map(str, fragments),
    ]


def patch_argv(tree: Path, patch: Path) -> list[str]:
    return ["patch", "-d", str(tree), "-p1", "--forward", "--batch", "-i", str(patch)]


def unpack_argv(tarball: Path, dest: Path) -> list[str]:
    return ["tar", "-xf", str(tarball), "-C", str(dest)]


def dpkg_version_argv(package: str) -> list[str]:
    return ["dpkg-query", "-W", "-f", "${Version}", package]


def kernelversion_argv(src: Path) -> list[str]:
    return ["make", "-s", "-C", str(src), "kernelversion"]


def hardlink_copy_argv(src: Path, dest: Path) -> list[str]:
    """A cheap copy of a tree; patch(1) replaces files rather than writing through links."""
    return ["cp", "-al", str(src), str(dest)]
