"""A private sshd on 127.0.0.1 for loopback Dask workers, and the SSH config that
reaches it: its own host key, user key and known hosts, nothing of the system's.

    python -m tests.integration.loopback DIR   start it, print the config's path

The config names the host "127.0.0.1" (Dask binds the scheduler to the name it is
given), with the port, key and known hosts the harness, asyncssh and rsync read.
"""

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

SSHD = Path("/usr/sbin/sshd")
HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _keygen(path: Path) -> str:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "secns loopback", "-f", str(path)],
        check=True,
    )
    return path.with_suffix(".pub").read_text().strip()


@dataclass
class LoopbackSsh:
    directory: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def ssh_config(self) -> Path:
        return self.directory / "ssh_config"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start(directory: Path) -> LoopbackSsh:
    directory.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    host_key = _keygen(directory / "host_ed25519")
    (directory / "authorized_keys").write_text(_keygen(directory / "id_ed25519") + "\n")
    (directory / "known_hosts").write_text(f"[{HOST}]:{port} {host_key}\n")
    (directory / "sshd_config").write_text(
        f"Port {port}\nListenAddress {HOST}\nHostKey {directory}/host_ed25519\n"
        f"PidFile {directory}/sshd.pid\nAuthorizedKeysFile {directory}/authorized_keys\n"
        "PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
        "MaxStartups 100\nMaxSessions 100\nSubsystem sftp internal-sftp\n"
    )
    (directory / "ssh_config").write_text(
        f"Host {HOST}\n  Port {port}\n  User root\n  IdentityFile {directory}/id_ed25519\n"
        f"  IdentitiesOnly yes\n  UserKnownHostsFile {directory}/known_hosts\n"
        "  StrictHostKeyChecking yes\n  BatchMode yes\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation directory
    log = (directory / "sshd.log").open("ab")
    process = subprocess.Popen(
        [str(SSHD), "-D", "-e", "-f", str(directory / "sshd_config")], stdout=log, stderr=log
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return LoopbackSsh(directory, port, process)
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"sshd did not start: {(directory / 'sshd.log').read_text()}")


if __name__ == "__main__":
    server = start(Path(sys.argv[1]).resolve())
    print(server.ssh_config)
    server.process.wait()
