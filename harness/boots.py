"""Guest boots as independent tasks, for scenarios and benchmarks alike.

Each task boots its own guest, records the boot in boots.jsonl and runs its steps.
Under icount, guest time follows executed instructions, not the host's load, so
tasks may run side by side, one per core, without changing a figure; under
wall-clock timing they run one at a time. An interrupt ends every guest under way
and records its boot as interrupted.
"""

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from harness.console import say
from harness.errors import InfraError
from harness.results.rundir import RunDir
from harness.vm.commands import Timing
from harness.vm.machine import Guest, GuestConfig

T = TypeVar("T")


class BootExecutor(Protocol):
    """Where boot tasks run: Boots (this host) or DaskBoots (harness.distributed).
    A task is task(boots, cell): it boots, records into boots.run, and may raise
    InfraError; the executor goes on with the other cells."""

    @property
    def run(self) -> RunDir: ...

    def run_all(
        self, tasks: Sequence[T], task: Callable[["Boots", T], None], name: Callable[[T], str]
    ) -> list[InfraError]: ...


def parallel_boots(timing: Timing, cores: int | None = None) -> int:
    """One boot per core under icount; one at a time when wall-clock time is measured."""
    return max(1, cores or os.cpu_count() or 1) if timing is Timing.ICOUNT else 1


@dataclass
class Boots:
    """Runs boot tasks on this host, `workers` at a time, into `run`.
    harness.distributed.executor.DaskBoots runs the same tasks on a Dask cluster."""

    run: RunDir
    workers: int = 1
    # Who runs the boots: "local", or the Dask worker's address; with the host's
    # name, in every boot record (wall-clock samples of two hosts do not compare).
    worker: str = "local"
    # Set once the run is interrupted: what fails after it is not the task's failure.
    stopping: threading.Event = field(default_factory=threading.Event)
    _live: dict[Path, Guest] = field(default_factory=dict)  # boot directory -> guest
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, variant: str, config: GuestConfig, **fields: Any) -> tuple[Path, dict]:
        """A new boot directory and the boot's record, to be completed by the task."""
        boot_dir = self.run.new_boot_dir(variant)
        record = {
            "variant": variant,
            **fields,
            "boot_dir": str(boot_dir.relative_to(self.run.path)),
            "host": socket.gethostname(),
            "worker": self.worker,
            "accel": config.accel.value,
            "timing": config.timing.value,
            "append": config.extra_append,
            "started": time.time(),
        }
        return boot_dir, record

    @contextmanager
    def guest(self, config: GuestConfig, boot_dir: Path, record: dict) -> Iterator[Guest]:
        """The booted guest; a boot that fails or is interrupted is recorded as such."""
        guest = Guest(config, boot_dir)
        # Known before it boots, so that stopping the run also ends a boot under way.
        with self._lock:
            self._live[boot_dir] = guest
        if self.stopping.is_set():
            guest.kill()
        try:
            with guest:
                record["boot_seconds"] = guest.boot_seconds
                yield guest
                if timeouts := guest.tpm_timeouts():
                    say(f"{boot_dir.name}: the guest timed out on {timeouts} TPM command(s)")
        except InfraError as exc:
            status = "interrupted" if self.stopping.is_set() else "failed"
            self.run.append_boot({**record, "status": status, "error": str(exc)})
            raise
        except KeyboardInterrupt:
            self.run.append_boot({**record, "status": "interrupted"})
            raise
        finally:
            with self._lock:
                self._live.pop(boot_dir, None)

    def run_all(
        self,
        tasks: Sequence[T],
        task: Callable[["Boots", T], None],
        name: Callable[[T], str],
    ) -> list[InfraError]:
        """Runs task(self, item) for every item, `workers` at a time; returns the
        infrastructure failures (a boot that failed), while the other tasks go on."""

        def one(item: T) -> InfraError | None:
            try:
                task(self, item)
                return None
            except InfraError as exc:
                if self.stopping.is_set():
                    return None
                say(f"{name(item)}: {exc}")
                return exc

        if self.workers == 1:
            return [exc for item in tasks if (exc := one(item)) is not None]
        failures: list[InfraError] = []
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="boot") as pool:
            futures = [pool.submit(one, item) for item in tasks]
            try:
                for future in as_completed(futures):
                    if (exc := future.result()) is not None:
                        failures.append(exc)
            except KeyboardInterrupt:
                for future in futures:
                    future.cancel()
                self._kill_all()  # the tasks under way end with their guests
                raise
        return failures

    def _kill_all(self) -> None:
        self.stopping.set()
        with self._lock:
            guests = list(self._live.values())
        for guest in guests:
            guest.kill()
