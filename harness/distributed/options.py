"""How a run reaches its Dask cluster (harness.distributed.cluster), as the CLI
gives it: here, without Dask itself, which a local run never imports."""

import sys
from dataclasses import dataclass
from pathlib import Path

from harness.errors import UserError


@dataclass(frozen=True)
class ClusterOptions:
    ssh_hosts: tuple[str, ...] = ()  # the scheduler's host, then one per worker
    scheduler: str | None = None
    ssh_config: Path | None = None
    remote_python: str = sys.executable

    def __post_init__(self) -> None:
        if bool(self.ssh_hosts) == bool(self.scheduler):
            raise UserError("give either --dask-ssh or --dask-scheduler")
        if self.ssh_hosts and len(self.ssh_hosts) < 2:
            raise UserError(
                "--dask-ssh needs the scheduler's host and at least one worker's "
                "(name a host twice to run both there)"
            )
        if self.ssh_config is not None and not self.ssh_config.is_file():
            raise UserError(f"--ssh-config {self.ssh_config}: no such file")
