"""Turn a bootstrapped directory into a guest: login key, known host key, fast boot.

Plain file operations on the rootfs directory, so they are testable on any tmpdir.
"""

import os
import shutil
from pathlib import Path

GUEST_HOSTNAME = "secns-guest"
CONTAINER_DIR = Path("var/lib/secns/containers")
# A fixed machine-id keeps systemd from running its first-boot units on every boot.
MACHINE_ID = "5ec75ec75ec75ec75ec75ec75ec75ec7"

# sshd's unit runs `sshd -t` before sshd itself; the config is fixed in the image.
SSH_UNIT_DROPIN = "[Service]\nExecStartPre=\n"

SSHD_CONFIG = """\
# secns test guest: key login for root only, with the host key the harness pins.
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
"""


# Docker's runtimes besides runc: `docker run --runtime secns` (guest/secns-runtime.c,
# copied to /usr/local/bin at each boot with the other guest tools). Published ports
# reached from the guest itself go through the kernel's NAT, not docker-proxy's copies.
DOCKER_DAEMON_JSON = """\
{
  "runtimes": {
    "secns": {"path": "/usr/local/bin/secns-runtime"}
  },
  "userland-proxy": false
}
"""


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


def install_ssh(root: Path, client_pubkey: Path, host_key: Path) -> None:
    ssh_dir = root / "root/.ssh"
    ssh_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    _write(ssh_dir / "authorized_keys", client_pubkey.read_text(), 0o600)
    etc_ssh = root / "etc/ssh"
    for old in etc_ssh.glob("ssh_host_*"):
        old.unlink()
    shutil.copyfile(host_key, etc_ssh / "ssh_host_ed25519_key")
    (etc_ssh / "ssh_host_ed25519_key").chmod(0o600)
    shutil.copyfile(host_key.with_suffix(".pub"), etc_ssh / "ssh_host_ed25519_key.pub")
    _write(etc_ssh / "sshd_config.d/secns.conf", SSHD_CONFIG)
    _write(root / "etc/systemd/system/ssh.service.d/secns.conf", SSH_UNIT_DROPIN)


def _mask(directory: Path, names: tuple[str, ...]) -> None:
    """systemd's masking: a link to /dev/null in /etc hides the packaged file."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        link = directory / name
        if link.is_symlink() or link.exists():
            link.unlink()
        os.symlink("/dev/null", link)


def install_system(
    root: Path, masked_units: tuple[str, ...], masked_generators: tuple[str, ...]
) -> None:
    _write(root / "etc/hostname", GUEST_HOSTNAME + "\n")
    _write(root / "etc/hosts", f"127.0.0.1\tlocalhost\n127.0.1.1\t{GUEST_HOSTNAME}\n")
    # The kernel mounts the root read-write (root=/dev/vda rw): no entry, no device wait.
    _write(root / "etc/fstab", "# root is mounted by the kernel; see the kernel command line\n")
    _write(root / "etc/machine-id", MACHINE_ID + "\n", 0o444)
    systemd_dir = root / "etc/systemd/system"
    _mask(systemd_dir, masked_units)
    default = systemd_dir / "default.target"
    default.unlink(missing_ok=True)
    os.symlink("/lib/systemd/system/multi-user.target", default)
    _mask(root / "etc/systemd/system-generators", masked_generators)
    _write(root / "etc/docker/daemon.json", DOCKER_DAEMON_JSON)


def install_container_tarball(root: Path, name: str, tarball: Path) -> Path:
    dest = root / CONTAINER_DIR / f"{name}.tar"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(tarball, dest)
    return Path("/") / CONTAINER_DIR / f"{name}.tar"
