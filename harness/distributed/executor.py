"""DaskBoots: the run's boot cells on a Dask cluster instead of this host's cores.

The same interface as harness.boots.Boots (run_all(cells, task, name)), so the
pipeline hands its scenario and benchmark cells to either. Each cell is one Dask
task. A worker that dies while running one loses only that cell: the scheduler
runs it again on another worker (up to its allowed-failures, 3 by default) and the
harness says so and records it in the manifest. What a cell recorded is merged
into the run as soon as it arrives (harness.distributed.cell), so a run that dies
keeps every finished cell and `--resume` runs only the rest.
"""

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from distributed import Client, Future, as_completed
from distributed.scheduler import KilledWorker

from harness.boots import Boots
from harness.console import say
from harness.distributed.artifacts import Artifact, Digests, cell_files
from harness.distributed.cell import Cell, Shipment, merge, run_cell
from harness.errors import InfraError
from harness.results.rundir import RunDir

C = TypeVar("C", bound=Cell)


def _times_lost(key: str, dask_scheduler: Any = None) -> int:
    """On the scheduler: how often a worker died with the task on it (running, or
    queued there behind another cell)."""
    task = dask_scheduler.tasks.get(key)
    return int(task.suspicious) if task is not None else 0


@dataclass
class DaskBoots:
    run: RunDir
    client: Client
    # Copies the files to every worker host (harness.distributed.prepare); None when
    # the workers share the harness host's filesystem.
    ship: Callable[[dict[Path, Artifact]], None] | None
    digests: Digests = field(default_factory=Digests)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run_all(
        self, tasks: Sequence[C], task: Callable[[Boots, C], None], name: Callable[[C], str]
    ) -> list[InfraError]:
        if not tasks:
            return []
        shipments = [
            Shipment(
                {p: self.digests.artifact(p) for p in cell_files(c.config, c.tools)},
                shared_filesystem=self.ship is None,
            )
            for c in tasks
        ]
        if self.ship is not None:
            self.ship({p: a for s in shipments for p, a in s.files.items()})
        futures: dict[Future, C] = {}
        for cell, shipment in zip(tasks, shipments, strict=True):
            future = self.client.submit(
                run_cell, task, cell, shipment, cell.recorded(self.run), pure=False
            )
            futures[future] = cell
        say(f"dask: {len(futures)} cell(s) submitted to {self.client.scheduler.address}")
        failures: list[InfraError] = []
        try:
            for n, future in enumerate(as_completed(futures), 1):
                failure = self._collect(future, name(futures[future]), n, len(futures))
                if failure is not None:
                    failures.append(failure)
        except KeyboardInterrupt:
            self.client.cancel(list(futures))
            raise
        return failures

    def _collect(self, future: Future, name: str, n: int, total: int) -> InfraError | None:
        lost = self.client.run_on_scheduler(_times_lost, future.key)
        if lost:
            say(f"{name}: its worker died {lost} time(s) before it finished; run again")
            self._record_lost(name, lost)
        try:
            out = future.result()
        except KilledWorker as exc:
            return InfraError(f"{name}: every worker that ran it died ({exc})")
        failure = merge(self.run, out)
        state = "failed" if failure else "done"
        say(f"{name}: {state} on {out.worker} ({out.host}), {n}/{total}")
        return failure

    def _record_lost(self, name: str, times: int) -> None:
        with self._lock:
            lost = self.run.manifest().get("lost_cells", [])
            lost.append({"cell": name, "times": times})
            self.run.update_manifest(lost_cells=lost)
