"""The files a boot cell needs (kernel, disk image, SSH keys, guest tools), by content.

Built once on the harness host, they are copied to each worker host into a store
named by their digest (harness.distributed.prepare), and a cell's paths are
rewritten on the worker to the store's copies. A cluster whose workers share the
harness host's filesystem uses the paths as they are.
"""

import os
from dataclasses import dataclass, replace
from pathlib import Path

from harness.digest import file_sha256
from harness.errors import InfraError
from harness.guest.tools import GuestTools
from harness.vm.machine import GuestConfig

# On each worker host, relative to the home directory of the user the workers run as.
STORE = Path(".cache/secns/worker-artifacts")


@dataclass(frozen=True)
class Artifact:
    sha256: str
    name: str
    size: int

    @property
    def relative(self) -> Path:
        """Its place in a store: a directory per digest keeps the file's own name."""
        return Path(self.sha256[:32]) / self.name


def cell_files(config: GuestConfig, tools: GuestTools) -> list[Path]:
    """Every host file a boot reads, in a stable order."""
    files = [config.kernel, config.disk, config.ssh_key, config.host_pubkey, *tools.programs]
    files += [tools.kselftests] if tools.kselftests is not None else []
    return files + [archive for _, archive in tools.trees]


class Digests:
    """sha256 of each file, computed once per (path, size, mtime): the disk image is
    gigabytes, and every cell names it."""

    def __init__(self) -> None:
        self._known: dict[tuple[Path, int, int], str] = {}

    def artifact(self, path: Path) -> Artifact:
        st = path.stat()
        key = (path, st.st_size, st.st_mtime_ns)
        if key not in self._known:
            self._known[key] = file_sha256(path)
        return Artifact(self._known[key], path.name, st.st_size)


def relocate(
    config: GuestConfig, tools: GuestTools, where: dict[Path, Path]
) -> tuple[GuestConfig, GuestTools]:
    """The cell's config and tools with every file replaced by where[file]."""
    moved_config = replace(
        config,
        kernel=where[config.kernel],
        disk=where[config.disk],
        ssh_key=where[config.ssh_key],
        host_pubkey=where[config.host_pubkey],
    )
    programs = tuple(where[p] for p in tools.programs)
    moved_tools = replace(
        tools,
        directory=programs[0].parent if programs else tools.directory,
        programs=programs,
        kselftests=where[tools.kselftests] if tools.kselftests is not None else None,
        trees=tuple((name, where[archive]) for name, archive in tools.trees),
    )
    return moved_config, moved_tools


def in_store(files: dict[Path, Artifact], store: Path) -> dict[Path, Path]:
    """Where each file is on this worker host; InfraError for one that was never
    copied here (a worker the harness did not prepare)."""
    where = {}
    for path, art in files.items():
        copy = store / art.relative
        if not copy.is_file():
            raise InfraError(
                f"{os.uname().nodename}: {art.name} (sha256 {art.sha256[:16]}) is not in "
                f"{store}: this worker's host was not prepared for the run"
            )
        where[path] = copy
    return where


def shared(files: dict[Path, Artifact]) -> dict[Path, Path]:
    """The harness host's own paths, for workers on a filesystem shared with it;
    InfraError where a file is missing or differs in size."""
    for path, art in files.items():
        if not path.is_file() or path.stat().st_size != art.size:
            raise InfraError(
                f"{os.uname().nodename}: {path} is missing or differs from the harness "
                "host's: a cluster given by its scheduler's address must share the cache "
                "directory with the harness host"
            )
    return {path: path for path in files}
