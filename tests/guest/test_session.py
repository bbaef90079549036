import subprocess
import time
from pathlib import Path

import paramiko
from invoke.runners import Result

from harness.guest.session import NO_EXIT_STATUS, GuestSession, as_shell, load_host_key


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


class _ClosedChannelRun:
    """conn.run as invoke returns it when its timer thread is still closing the channel."""

    def __init__(self, exited: int, sleep: float) -> None:
        self.exited = exited
        self.sleep = sleep

    def __call__(self, command: str, **kwargs: object) -> Result:
        time.sleep(self.sleep)
        return Result(stdout="", stderr="", command=command, exited=self.exited)


def _session(tmp_path: Path) -> GuestSession:
    key = tmp_path / "host"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    return GuestSession(2222, key, key.with_suffix(".pub"))


def test_a_channel_closed_by_the_timeout_is_a_timeout(tmp_path: Path, monkeypatch) -> None:
    session = _session(tmp_path)
    monkeypatch.setattr(session.conn, "run", _ClosedChannelRun(NO_EXIT_STATUS, 0.05))
    assert session.run(["sleep", "30"], timeout=0.01).timed_out


def test_a_signal_before_the_timeout_is_not_a_timeout(tmp_path: Path, monkeypatch) -> None:
    session = _session(tmp_path)
    monkeypatch.setattr(session.conn, "run", _ClosedChannelRun(NO_EXIT_STATUS, 0))
    res = session.run(["sleep", "30"], timeout=60)
    assert not res.timed_out
    assert res.exit_status == NO_EXIT_STATUS
