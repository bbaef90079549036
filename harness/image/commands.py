"""Pure builders of the host commands an image build runs (argv lists)."""

from pathlib import Path

from harness.image.recipe import Bootstrap
from harness.paths import IMAGES_DIR

WITHOUT_DEPENDS_HOOK = IMAGES_DIR / "hooks" / "install-without-depends"
WITHOUT_DEPENDS_ENV = "SECNS_WITHOUT_DEPENDS"

# Documentation and translations are dead weight in a test guest and its containers.
_DPKG_EXCLUDES = (
    "/usr/share/man/*",
    "/usr/share/doc/*",
    "/usr/share/locale/*",
    "/usr/share/info/*",
)


def mmdebstrap_argv(spec: Bootstrap, target: Path) -> list[str]:
    """Bootstrap into target: a directory, or a tarball when target ends in .tar."""
    argv = [
        "mmdebstrap",
        f"--variant={spec.variant}",
        f"--components={','.join(spec.components)}",
        "--mode=root",
    ]
    if spec.packages:
        argv.append(f"--include={','.join(spec.packages)}")
    if spec.without_depends:
        # The hook reads the package names from WITHOUT_DEPENDS_ENV (mmdebstrap_env).
        argv.append(f"--customize-hook={WITHOUT_DEPENDS_HOOK}")
    argv += [f"--dpkgopt=path-exclude={p}" for p in _DPKG_EXCLUDES]
    argv += ["--dpkgopt=path-include=/usr/share/doc/*/copyright", spec.suite, str(target)]
    return argv


def mmdebstrap_env(spec: Bootstrap) -> dict[str, str]:
    """Environment additions the bootstrap of spec needs."""
    return {WITHOUT_DEPENDS_ENV: " ".join(spec.without_depends)} if spec.without_depends else {}


def mke2fs_argv(source_dir: Path, image: Path, size: str) -> list[str]:
    return [
        "mke2fs",
        "-q",
        "-F",
        "-t",
        "ext4",
        "-L",
        "secns-root",
        "-d",
        str(source_dir),
        str(image),
        size,
    ]


def ssh_keygen_argv(key: Path, comment: str) -> list[str]:
    return ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(key)]


def package_list_argv(root: Path) -> list[str]:
    return ["dpkg-query", f"--admindir={root}/var/lib/dpkg", "-W", "-f", "${Package}\t${Version}\n"]


def sparse_copy_argv(source: Path, target: Path) -> list[str]:
    return ["cp", "--sparse=always", str(source), str(target)]


def fsck_argv(image: Path) -> list[str]:
    """Check an ext4 image read-only (forced); exit 0 only when it is clean."""
    return ["e2fsck", "-f", "-n", str(image)]
