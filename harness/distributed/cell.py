"""One boot cell on a Dask worker, and its output merged into the run on the harness host.

On the worker the cell runs exactly as it would locally (the same task function:
harness.bench.rounds.bench_boot, harness.pipeline.scenario_boot), into a run
directory of its own in a temporary directory, with its files taken from the
worker host's store. What it recorded comes back whole: the new lines of each
jsonl file and the boot directories (console log, QEMU log, scratch files). The
harness host gives each boot directory the next free number of its run and
rewrites the records that name it, so the merged run reads as a local one.
"""

import io
import shutil
import socket
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

from harness.boots import Boots
from harness.distributed.artifacts import STORE, Artifact, in_store, relocate, shared
from harness.errors import InfraError
from harness.guest.tools import GuestTools
from harness.results.rundir import BENCH_FAILURES, BOOTS, RESULTS, SAMPLES, RunDir
from harness.vm.machine import GuestConfig


class Cell(Protocol):
    @property
    def config(self) -> GuestConfig: ...

    @property
    def tools(self) -> GuestTools: ...

    def recorded(self, run: RunDir) -> list[dict[str, Any]]:
        """The samples `run` holds for this cell already (a resumed run's)."""
        ...


C = TypeVar("C", bound=Cell)

# The run's files a cell appends to, in the order they are merged.
RECORD_FILES = (BOOTS, RESULTS, SAMPLES, BENCH_FAILURES)


@dataclass(frozen=True)
class Shipment:
    """How a worker finds a cell's files: in its host's store, or at the same paths
    on a filesystem it shares with the harness host."""

    files: dict[Path, Artifact]
    shared_filesystem: bool = False


@dataclass(frozen=True)
class CellOutput:
    records: dict[str, list[dict[str, Any]]]  # per run file, the lines the cell added
    boot_dirs: bytes  # tar.gz of the cell's boots/ directory
    run_path: str  # the worker's run directory, as error messages name it
    error: str | None  # the cell's InfraError, if it failed
    worker: str
    host: str


def locate(shipment: Shipment) -> dict[Path, Path]:
    """On a worker: where each of the harness host's files is on this host."""
    files = shipment.files
    return shared(files) if shipment.shared_filesystem else in_store(files, Path.home() / STORE)


def _worker_address() -> str:
    from distributed import get_worker

    try:
        return str(get_worker().address)
    except ValueError:  # not in a Dask worker: a direct call
        return "local"


def run_cell(
    task: Callable[[Boots, C], None],
    cell: C,
    shipment: Shipment,
    seed_samples: list[dict[str, Any]],
) -> CellOutput:
    """On the worker: task(boots, cell) with the cell's files relocated. The samples
    a resumed run already holds for the cell are seeded, so that the task measures
    only what is missing, and are not returned again."""
    config, tools = relocate(cell.config, cell.tools, locate(shipment))
    cell = replace(cell, config=config, tools=tools)  # type: ignore[type-var]
    with tempfile.TemporaryDirectory(prefix="secns-cell-") as tmp:
        run = RunDir.create(Path(tmp), "cell")
        for sample in seed_samples:
            run.append_sample(sample)
        error = None
        try:
            task(Boots(run, worker=_worker_address()), cell)
        except InfraError as exc:
            error = str(exc)
        records = {
            BOOTS: run.boots(),
            RESULTS: run.results(),
            SAMPLES: run.samples()[len(seed_samples) :],
            BENCH_FAILURES: run.bench_failures(),
        }
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w:gz") as tar:
            if (run.path / "boots").is_dir():
                tar.add(run.path / "boots", arcname="boots")
        return CellOutput(
            records,
            archive.getvalue(),
            str(run.path),
            error,
            _worker_address(),
            socket.gethostname(),
        )


def _boot_files(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """The archive's members, each a file or directory under boots/ (Python 3.11.2
    has no extraction filter: a worker is trusted with the run, not with the host)."""
    members = tar.getmembers()
    for m in members:
        parts = Path(m.name).parts
        if not (m.isfile() or m.isdir()) or parts[:1] != ("boots",) or ".." in parts:
            raise InfraError(f"a cell's archive holds {m.name!r}, not a boot directory's file")
    return members


def merge(run: RunDir, out: CellOutput) -> InfraError | None:
    """Into the run on the harness host: the cell's boot directories, renumbered,
    and its records, naming them. Returns the cell's failure, if any."""
    renamed: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="secns-merge-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(out.boot_dirs), mode="r:gz") as tar:
            tar.extractall(tmp, members=_boot_files(tar))
        unpacked = Path(tmp) / "boots"
        for old in sorted(unpacked.iterdir()) if unpacked.is_dir() else []:
            variant = old.name.split("-", 1)[1]
            new = run.new_boot_dir(variant)
            for item in old.iterdir():
                shutil.move(item, new / item.name)
            renamed[f"boots/{old.name}"] = str(new.relative_to(run.path))
    appenders = {
        BOOTS: run.append_boot,
        RESULTS: run.append_result,
        SAMPLES: run.append_sample,
        BENCH_FAILURES: run.append_bench_failure,
    }
    for name in RECORD_FILES:
        for record in out.records.get(name, []):
            if record.get("boot_dir") in renamed:
                record = {**record, "boot_dir": renamed[record["boot_dir"]]}
            appenders[name](record)
    if out.error is None:
        return None
    message = out.error
    for old, new in renamed.items():
        message = message.replace(f"{out.run_path}/{old}", str(run.path / new))
    return InfraError(f"on {out.worker} ({out.host}): {message}")
