"""Benchmark rounds: the boot is the unit of repetition, variants interleaved.

Round r boots every variant once, in the order given (A B A B ...), so slow drift
of the host hits both alike. A (round, variant) whose boot completed is skipped
on resume; one that stopped part-way is booted again and runs only what it lacks.

Each (round, variant) is a `BootTask`, independent of every other: boot, install the
guest tools, run the plan, record. Under icount, guest time follows executed
instructions, not the host's load, so tasks may run side by side, one per core,
without changing a figure; under wall-clock timing they run one at a time. Any
`concurrent.futures` executor can run them.
"""

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from harness.bench.plan import Phase, boot_plan
from harness.bench.profile import Profile
from harness.bench.runner import BootContext, run_boot_plan
from harness.console import say
from harness.errors import InfraError
from harness.guest.tools import GuestTools, install_guest_tools
from harness.results.rundir import RunDir
from harness.vm.commands import Timing
from harness.vm.machine import Guest, GuestConfig


@dataclass(frozen=True)
class BootTask:
    round: int
    variant: str


def completed(run: RunDir) -> set[tuple[int, str]]:
    return {
        (b["round"], b["variant"])
        for b in run.boots()
        if b.get("purpose") == "bench" and b["status"] == "complete"
    }


def pending(run: RunDir, boots: int, variants: tuple[str, ...]) -> list[BootTask]:
    """The tasks a run still lacks, rounds in order, variants interleaved."""
    done = completed(run)
    return [
        BootTask(rnd, v) for rnd in range(1, boots + 1) for v in variants if (rnd, v) not in done
    ]


def parallel_boots(timing: Timing, cores: int | None = None) -> int:
    """One boot per core under icount; one at a time when wall-clock time is measured."""
    return max(1, cores or os.cpu_count() or 1) if timing is Timing.ICOUNT else 1


@dataclass
class _Rounds:
    run: RunDir
    total: int
    phases: list[Phase]
    guest_config: Callable[[str], GuestConfig]
    guest_tools: GuestTools
    timeout_scale: float
    stopping: threading.Event
    live: dict[Path, Guest]  # boot directory -> guest under way
    lock: threading.Lock

    def boot(self, task: BootTask) -> InfraError | None:
        config = self.guest_config(task.variant)
        with self.lock:  # two boots must not be given the same directory
            boot_dir = self.run.new_boot_dir(task.variant)
        record = {
            "variant": task.variant,
            "purpose": "bench",
            "round": task.round,
            "boot_dir": str(boot_dir.relative_to(self.run.path)),
            "accel": config.accel.value,
            "timing": config.timing.value,
            "append": config.extra_append,
            "started": time.time(),
        }
        where = f"bench round {task.round}/{self.total}, {task.variant}"
        say(f"{where}: booting")
        try:
            with Guest(config, boot_dir) as guest:
                with self.lock:
                    self.live[boot_dir] = guest
                record["boot_seconds"] = guest.boot_seconds
                install_guest_tools(guest.session, self.guest_tools)
                ctx = BootContext(
                    self.run,
                    task.round,
                    task.variant,
                    record["boot_dir"],
                    self.timeout_scale,
                    self.stopping,
                )
                clean = run_boot_plan(guest.session, self.phases, ctx)
                record["finished"] = time.time()
                self.run.append_boot({**record, "status": "complete" if clean else "failures"})
                return None
        except InfraError as exc:
            if self.stopping.is_set():  # the guest was killed because the run was interrupted
                self.run.append_boot({**record, "status": "interrupted"})
                return None
            self.run.append_boot({**record, "status": "failed", "error": str(exc)})
            say(f"{where}: {exc}")
            return exc
        except KeyboardInterrupt:
            self.run.append_boot({**record, "status": "interrupted"})
            raise
        finally:
            with self.lock:
                self.live.pop(boot_dir, None)

    def stop_all(self) -> None:
        self.stopping.set()
        with self.lock:
            guests = list(self.live.values())
        for guest in guests:
            guest.kill()


def run_rounds(
    run: RunDir,
    profile: Profile,
    variants: tuple[str, ...],
    guest_config: Callable[[str], GuestConfig],
    guest_tools: GuestTools,
    timeout_scale: float,
    workers: int = 1,
) -> list[InfraError]:
    """Returns the infrastructure failures (a boot that failed); the rest goes on.
    With workers > 1, that many boots run at once (see `parallel_boots`)."""
    rounds = _Rounds(
        run,
        profile.boots,
        boot_plan(profile),
        guest_config,
        guest_tools,
        timeout_scale,
        threading.Event(),
        {},
        threading.Lock(),
    )
    tasks = pending(run, profile.boots, variants)
    if workers == 1:
        return [exc for task in tasks if (exc := rounds.boot(task)) is not None]
    failures: list[InfraError] = []
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="boot") as pool:
        futures = [pool.submit(rounds.boot, task) for task in tasks]
        try:
            for future in as_completed(futures):
                if (exc := future.result()) is not None:
                    failures.append(exc)
        except KeyboardInterrupt:
            for future in futures:
                future.cancel()
            rounds.stop_all()  # the boots under way end with their guests, recorded
            raise
    return failures
