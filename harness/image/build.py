"""Build the guest image: mmdebstrap rootfs + container tarballs -> ext4 raw image.

Cached by a hash of the recipe file and this module's RECIPE_VERSION; the image
directory also holds the SSH client key and the host public key to pin.
"""

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from harness import proc, tools
from harness.digest import file_sha256
from harness.errors import UserError
from harness.image import commands, customize
from harness.image.recipe import Bootstrap, RootfsRecipe

RECIPE_VERSION = "5"


@dataclass(frozen=True)
class GuestImage:
    directory: Path
    key: str
    cached: bool
    build_seconds: float | None
    disk_name: str = "rootfs.img"  # harness.image.preload swaps in its copy

    @property
    def disk(self) -> Path:
        return self.directory / self.disk_name

    @property
    def ssh_key(self) -> Path:
        return self.directory / "id_ed25519"

    @property
    def host_pubkey(self) -> Path:
        return self.directory / "host_ed25519.pub"

    @property
    def log(self) -> Path:
        return self.directory / "build.log"

    def container_tarballs(self) -> dict[str, str]:
        return json.loads((self.directory / "image.json").read_text())["containers"]


def image_key(recipe: RootfsRecipe) -> str:
    return hashlib.sha256(f"{RECIPE_VERSION}\0{recipe.digest}".encode()).hexdigest()


def _bootstrap(spec: Bootstrap, target: Path, log: Path, what: str) -> None:
    env = {**os.environ, **commands.mmdebstrap_env(spec)}
    proc.run_logged(commands.mmdebstrap_argv(spec, target), log, what=what, env=env, progress=True)


def build_image(recipe: RootfsRecipe, cache: Path) -> GuestImage:
    key = image_key(recipe)
    out = cache / "images" / key[:16]
    if (out / "image.json").exists() and (out / "rootfs.img").exists():
        meta = json.loads((out / "image.json").read_text())
        return GuestImage(out, key, True, meta["build_seconds"])
    if os.geteuid() != 0:
        raise UserError(
            "building the guest image needs root (mmdebstrap --mode=root); "
            "run as root, or point --cache-dir at a cache that has the image"
        )
    tools.require("mmdebstrap", "mke2fs", "ssh-keygen", "dpkg-query")

    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    log = tmp / "build.log"
    start = time.monotonic()
    root = tmp / "rootfs"
    _bootstrap(recipe.rootfs, root, log, "image: mmdebstrap rootfs")
    containers = {}
    for name, spec in recipe.containers.items():
        tarball = tmp / f"{name}.tar"
        _bootstrap(spec, tarball, log, f"image: container {name}")
        containers[name] = str(customize.install_container_tarball(root, name, tarball))

    client_key, host_key = tmp / "id_ed25519", tmp / "host_ed25519"
    proc.run_logged(commands.ssh_keygen_argv(client_key, "secns-harness"), log, what="ssh key")
    proc.run_logged(commands.ssh_keygen_argv(host_key, "secns-guest"), log, what="host key")
    customize.install_ssh(root, client_key.with_suffix(".pub"), host_key)
    customize.install_system(root, recipe.masked_units, recipe.masked_generators)
    (tmp / "packages.txt").write_text(proc.capture(commands.package_list_argv(root)))
    proc.run_logged(
        commands.mke2fs_argv(root, tmp / "rootfs.img", recipe.size), log, what="image: mke2fs"
    )
    shutil.rmtree(root)
    host_key.unlink()  # the private host key lives only inside the image

    seconds = round(time.monotonic() - start, 1)
    meta = {
        "key": key,
        "recipe_digest": recipe.digest,
        "build_seconds": seconds,
        "sha256": file_sha256(tmp / "rootfs.img"),
        "suite": recipe.rootfs.suite,
        "containers": containers,
    }
    (tmp / "image.json").write_text(json.dumps(meta, indent=2) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return GuestImage(out, key, False, seconds)
