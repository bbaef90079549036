"""Pure builders of the host commands an image build runs (argv lists)."""

from pathlib import Path

from harness.image.recipe import Bootstrap

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
    argv += [f"--dpkgopt=path-exclude={p}" for p in _DPKG_EXCLUDES]
    argv += ["--dpkgopt=path-include=/usr/share/doc/*/copyright", spec.suite, str(target)]
    return argv


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
