"""Preparing a worker host over SSH (fabric): its tools checked, the run's files copied.

Every host is reached as the SSH configuration says (`--ssh-config`, else
~/.ssh/config): the same file the Dask SSH deployment (asyncssh) and rsync read,
so one entry per host names its address, port, user, key and known hosts. Host
keys are checked against those known hosts; an unknown host is refused, not
trusted on first use. Files go once per host into its store (by digest), with
rsync: the disk image is sparse, and a copy must not fill in its holes.
"""

import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fabric import Config, Connection
from paramiko import RejectPolicy
from paramiko.ssh_exception import SSHException

from harness import proc, tools
from harness.console import say
from harness.distributed.artifacts import STORE, Artifact
from harness.errors import InfraError, UserError

# What a worker host runs: the guests, and rsync's receiving end.
HOST_TOOLS = ("qemu-system-x86_64", "swtpm", "rsync")


def ssh_command(ssh_config: Path | None) -> str:
    """rsync's remote shell: ssh reading the same configuration."""
    return shlex.join(["ssh", "-F", str(ssh_config)]) if ssh_config else "ssh"


def rsync_argv(local: Path, host: str, remote: Path, ssh_config: Path | None) -> list[str]:
    """Copy one file to host:remote (relative to the remote home), holes kept."""
    return [
        "rsync",
        "--sparse",
        "--mkpath",
        "--times",
        "-e",
        ssh_command(ssh_config),
        str(local),
        f"{host}:{remote}",
    ]


def missing_tools_command(names: Iterable[str]) -> str:
    script = 'for t in "$@"; do command -v "$t" >/dev/null || echo "$t"; done'
    return shlex.join(["sh", "-c", script, "-", *names])


def missing_files_command(paths: Iterable[Path]) -> str:
    script = 'for f in "$@"; do test -f "$f" || echo "$f"; done'
    return shlex.join(["sh", "-c", script, "-", *map(str, paths)])


def publish_command(partial: Path, final: Path) -> str:
    """A copy becomes visible under its final name only once complete."""
    return shlex.join(["mv", "-f", str(partial), str(final)])


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


@dataclass(frozen=True)
class Shipper:
    hosts: tuple[str, ...]  # worker hosts, each once
    ssh_config: Path | None
    log: Path

    def connect(self, host: str) -> Connection:
        config = Config(runtime_ssh_path=str(self.ssh_config)) if self.ssh_config else Config()
        conn = Connection(host, config=config)
        conn.client.set_missing_host_key_policy(RejectPolicy())
        known = conn.ssh_config.get("userknownhostsfile")
        for path in known.split() if known else []:
            conn.client.load_host_keys(str(Path(path).expanduser()))
        if not known:
            conn.client.load_system_host_keys()
        return conn

    def _run(self, conn: Connection, host: str, command: str) -> str:
        try:
            res = conn.run(command, hide=True, warn=True, in_stream=False)
        except (SSHException, OSError) as exc:
            raise UserError(
                f"worker host {host}: cannot connect over SSH ({exc}); check its entry "
                f"in {self.ssh_config or '~/.ssh/config'} and its known host key"
            ) from exc
        if res.exited != 0:
            raise InfraError(f"worker host {host}: `{command}` failed: {res.stderr.strip()}")
        return str(res.stdout)

    def check(self) -> None:
        """Every worker host has what a boot runs; UserError naming what is missing."""
        for host in self.hosts:
            with self.connect(host) as conn:
                if missing := self._run(conn, host, missing_tools_command(HOST_TOOLS)).split():
                    raise UserError(
                        f"worker host {host} lacks {', '.join(missing)}: run the harness's "
                        "./bootstrap.sh there"
                    )

    def ship(self, files: dict[Path, Artifact]) -> None:
        """Copies each file a host lacks into its store; a file is shipped once per host."""
        tools.require("rsync")
        by_place = {STORE / art.relative: path for path, art in files.items()}
        for host in self.hosts:
            with self.connect(host) as conn:
                missing = self._run(conn, host, missing_files_command(by_place)).split()
                for place in map(Path, missing):
                    local = by_place[place]
                    say(f"worker host {host}: copying {local.name} ({local.stat().st_size} B)")
                    proc.run_logged(
                        rsync_argv(local, host, _partial(place), self.ssh_config),
                        self.log,
                        what=f"copying {local.name} to {host}",
                        progress=True,
                    )
                    self._run(conn, host, publish_command(_partial(place), place))
