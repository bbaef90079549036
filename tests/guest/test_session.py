import subprocess
from pathlib import Path

import paramiko

from harness.guest.session import GuestSession, as_shell, load_host_key


def test_argv_is_quoted_for_the_remote_shell() -> None:
    assert as_shell(["echo", "a b", "$HOME"]) == "echo 'a b' '$HOME'"
    assert as_shell("echo $HOME") == "echo $HOME"


def test_session_pins_only_the_image_host_key(tmp_path: Path) -> None:
    key = tmp_path / "host"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    pinned = load_host_key(key.with_suffix(".pub"))
    assert pinned.get_name() == "ssh-ed25519"
    session = GuestSession(2222, tmp_path / "client", key.with_suffix(".pub"))
    client = session.conn.client
    assert isinstance(client._policy, paramiko.RejectPolicy)
    assert client.get_host_keys().lookup("[127.0.0.1]:2222")["ssh-ed25519"] == pinned


def test_connecting_to_a_closed_port_is_not_up(tmp_path: Path) -> None:
    key = tmp_path / "host"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    from harness.vm.machine import free_port

    session = GuestSession(free_port(), key, key.with_suffix(".pub"))
    assert session.try_connect() is False
