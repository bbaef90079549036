import json
import os
from pathlib import Path

from harness.image import customize


def test_install_ssh_pins_one_host_key_and_authorizes_client(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "etc/ssh").mkdir(parents=True)
    (root / "etc/ssh/ssh_host_rsa_key").write_text("old")
    client = tmp_path / "id.pub"
    client.write_text("ssh-ed25519 AAAA client\n")
    host = tmp_path / "host_ed25519"
    host.write_text("PRIVATE")
    host.with_suffix(".pub").write_text("ssh-ed25519 BBBB host\n")
    customize.install_ssh(root, client, host)
    assert sorted(p.name for p in (root / "etc/ssh").glob("ssh_host_*")) == [
        "ssh_host_ed25519_key",
        "ssh_host_ed25519_key.pub",
    ]
    assert (root / "etc/ssh/ssh_host_ed25519_key").stat().st_mode & 0o777 == 0o600
    assert (root / "root/.ssh/authorized_keys").read_text() == "ssh-ed25519 AAAA client\n"
    assert "PasswordAuthentication no" in (root / "etc/ssh/sshd_config.d/secns.conf").read_text()
    dropin = root / "etc/systemd/system/ssh.service.d/secns.conf"
    assert dropin.read_text() == "[Service]\nExecStartPre=\n"


def test_install_system_masks_units_and_generators(tmp_path: Path) -> None:
    customize.install_system(tmp_path, ("apt-daily.timer",), ("systemd-fstab-generator",))
    for link in (
        tmp_path / "etc/systemd/system/apt-daily.timer",
        tmp_path / "etc/systemd/system-generators/systemd-fstab-generator",
    ):
        assert link.is_symlink() and os.readlink(link) == "/dev/null"
    assert (tmp_path / "etc/hostname").read_text().strip() == customize.GUEST_HOSTNAME
    assert len((tmp_path / "etc/machine-id").read_text().strip()) == 32
    assert os.readlink(tmp_path / "etc/systemd/system/default.target").endswith("multi-user.target")
    assert "/dev/vda" not in (tmp_path / "etc/fstab").read_text()
    daemon = json.loads((tmp_path / "etc/docker/daemon.json").read_text())
    assert daemon["runtimes"]["secns"]["path"] == "/usr/local/bin/secns-runtime"
    assert daemon["userland-proxy"] is False


def test_container_tarball_lands_under_var_lib(tmp_path: Path) -> None:
    tar = tmp_path / "bench.tar"
    tar.write_bytes(b"x")
    guest_path = customize.install_container_tarball(tmp_path / "root", "bench", tar)
    assert guest_path == Path("/var/lib/secns/containers/bench.tar")
    assert (tmp_path / "root/var/lib/secns/containers/bench.tar").read_bytes() == b"x"
