"""A copy of the guest image whose Docker already holds the container images.

Importing the container tarballs takes about 130 s per boot under TCG, and every
boot starts from the pristine image. Docker's store on ext4 does not depend on the
kernel, so one boot of any kernel imports them into a copy of the image (booted
without -snapshot, powered off cleanly, checked by e2fsck) and every later boot uses
that copy; the guest scripts import only what is missing, so they work on both.
The copy lives beside the image and goes with it when the image is rebuilt.
"""

import json
import shlex
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from harness import proc
from harness.cachelock import cache_lock
from harness.errors import InfraError
from harness.image import commands
from harness.image.build import GuestImage
from harness.vm.machine import Guest, GuestConfig

PRELOADED_DISK = "rootfs-containers.img"
PRELOAD_RECORD = "containers-preloaded.json"
IMPORT_TIMEOUT = 1200.0  # seconds at timeout scale 1: dockerd start + all imports
POWER_OFF_TIMEOUT = 300.0


def import_command(tarballs: dict[str, str]) -> str:
    """Guest shell command: wait for dockerd, import each tarball as secns/NAME, sync."""
    wait = "timeout 900 sh -c 'until docker info >/dev/null 2>&1; do sleep 1; done'"
    imports = [
        shlex.join(["docker", "import", path, f"secns/{name}"])
        for name, path in sorted(tarballs.items())
    ]
    return " && ".join([wait, *imports, "sync"])


def preloaded(image: GuestImage) -> GuestImage | None:
    """The image with its preloaded disk, when that was made; else None."""
    made = image.directory / PRELOAD_RECORD, image.directory / PRELOADED_DISK
    if all(path.is_file() for path in made):
        return replace(image, disk_name=PRELOADED_DISK)
    return None


def preload_record(image: GuestImage) -> dict[str, Any]:
    return json.loads((image.directory / PRELOAD_RECORD).read_text())


def _import_into(
    disk: Path, image: GuestImage, config: GuestConfig, boot_dir: Path, timeout_scale: float
) -> None:
    log = boot_dir / "preload.log"
    proc.run_logged(commands.sparse_copy_argv(image.disk, disk), log, what="image: copy")
    writable = replace(config, disk=disk, keep_disk_writes=True)
    with Guest(writable, boot_dir) as guest:
        res = guest.session.run(
            import_command(image.container_tarballs()), timeout=IMPORT_TIMEOUT * timeout_scale
        )
        if res.exit_status != 0:
            status = "timed out" if res.timed_out else f"exit {res.exit_status}"
            raise InfraError(
                f"importing the container images in the guest failed ({status}): "
                f"{res.stderr.strip()[-300:]}",
                guest.console_log,
            )
        guest.power_off(POWER_OFF_TIMEOUT * timeout_scale)
    proc.run_logged(commands.fsck_argv(disk), log, what="image: e2fsck of the preloaded copy")


def preload_containers(
    image: GuestImage, config: GuestConfig, boot_dir: Path, timeout_scale: float = 1.0
) -> GuestImage:
    """Make (once) and return the image whose disk has the containers imported.

    `config` says how to boot (kernel, accelerator); its disk is replaced by the copy.
    """
    done = preloaded(image)
    if done is not None:
        return done
    target = image.directory / PRELOADED_DISK
    # Runs started together would boot over each other's copy; the one that waited
    # finds the copy made.
    with cache_lock(target):
        done = preloaded(image)
        if done is not None:
            return done
        return _make_preloaded(image, config, boot_dir, timeout_scale)


def _make_preloaded(
    image: GuestImage, config: GuestConfig, boot_dir: Path, timeout_scale: float
) -> GuestImage:
    target = image.directory / PRELOADED_DISK
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    boot_dir.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    try:
        _import_into(tmp, image, config, boot_dir, timeout_scale)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a 4 GiB half-made copy is of no use
        raise
    tmp.rename(target)
    record = {
        "disk": PRELOADED_DISK,
        "containers": sorted(image.container_tarballs()),
        "kernel": str(config.kernel),
        "seconds": round(time.monotonic() - start, 1),
    }
    (image.directory / PRELOAD_RECORD).write_text(json.dumps(record, indent=2) + "\n")
    return replace(image, disk_name=PRELOADED_DISK)
