"""A guest session over SSH (fabric/paramiko) with the guest's host key pinned.

Commands given as argv lists are quoted with shlex.join; a plain string is a shell
snippet (scenario files are written that way on purpose).
"""

import base64
import logging
import shlex
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import paramiko
from fabric import Connection
from invoke.exceptions import CommandTimedOut

from harness.errors import InfraError

GUEST_USER = "root"
# What paramiko reports for a channel closed without an exit status (also a command
# killed by a signal).
NO_EXIT_STATUS = -1

# Connection attempts while the guest boots fail by design; paramiko would log each
# one with a traceback through logging's last-resort handler.
logging.getLogger("paramiko").addHandler(logging.NullHandler())


@dataclass(frozen=True)
class CommandResult:
    command: str
    exit_status: int | None  # None when the command timed out
    stdout: str
    stderr: str
    seconds: float

    @property
    def timed_out(self) -> bool:
        return self.exit_status is None


def as_shell(command: str | Sequence[str]) -> str:
    return command if isinstance(command, str) else shlex.join(command)


def load_host_key(pubkey_file: Path) -> paramiko.PKey:
    key_type, data = pubkey_file.read_text().split()[:2]
    return paramiko.PKey.from_type_string(key_type, base64.b64decode(data))


class GuestSession:
    def __init__(self, port: int, key_file: Path, host_pubkey: Path) -> None:
        self.port = port
        self.conn = Connection(
            host="127.0.0.1",
            port=port,
            user=GUEST_USER,
            connect_timeout=5,
            connect_kwargs={
                "key_filename": str(key_file),
                "look_for_keys": False,
                "allow_agent": False,
                "banner_timeout": 5,
                "auth_timeout": 5,
            },
        )
        # A fresh client: no ~/.ssh/known_hosts, only the image's own host key.
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        host_key = load_host_key(host_pubkey)
        client.get_host_keys().add(f"[127.0.0.1]:{port}", host_key.get_name(), host_key)
        self.conn.client = client

    def try_connect(self) -> bool:
        """One attempt to open the SSH connection; False while the guest is not up."""
        try:
            self.conn.open()
        except paramiko.BadHostKeyException as exc:
            raise InfraError(f"guest presented an unexpected host key: {exc}") from exc
        except (OSError, paramiko.SSHException, EOFError):
            self.conn.close()
            return False
        return True

    def run(self, command: str | Sequence[str], timeout: float = 120) -> CommandResult:
        shell = as_shell(command)
        start = time.monotonic()
        try:
            res = self.conn.run(shell, hide=True, warn=True, timeout=timeout, in_stream=False)
        except CommandTimedOut as exc:
            return CommandResult(
                shell, None, exc.result.stdout, exc.result.stderr, time.monotonic() - start
            )
        except (OSError, paramiko.SSHException, EOFError) as exc:
            raise InfraError(
                f"lost the SSH connection to the guest running {shell!r}: {exc}"
            ) from exc
        seconds = time.monotonic() - start
        # invoke only reports a timeout once its timer thread has finished closing the
        # channel; a command that returns while that thread is still running comes back
        # as "no exit status" (-1) instead. Past the timeout, that is the timeout.
        if res.exited == NO_EXIT_STATUS and seconds >= timeout:
            return CommandResult(shell, None, res.stdout, res.stderr, seconds)
        return CommandResult(shell, res.exited, res.stdout, res.stderr, seconds)

    def put(self, local: Path, remote: str) -> None:
        self.conn.put(str(local), remote)

    def get(self, remote: str, local: Path) -> None:
        local.parent.mkdir(parents=True, exist_ok=True)
        self.conn.get(remote, str(local))

    def close(self) -> None:
        self.conn.close()
