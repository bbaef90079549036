"""Benchmark rounds: the boot is the unit of repetition, variants interleaved.

Round r boots every variant once, in the order given (A B A B ...), so slow drift
of the host hits both alike. A (round, variant) whose boot completed is skipped
on resume; one that stopped part-way is booted again and runs only what it lacks.
Each (round, variant) is an independent boot task (harness.boots): under icount
they run side by side, one per core.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from harness.bench.plan import boot_plan
from harness.bench.profile import Profile
from harness.bench.runner import BootContext, run_boot_plan
from harness.boots import Boots
from harness.console import say
from harness.errors import InfraError
from harness.guest.tools import GuestTools, install_guest_tools
from harness.results.rundir import RunDir
from harness.vm.machine import GuestConfig


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


def run_rounds(
    boots: Boots,
    profile: Profile,
    variants: tuple[str, ...],
    guest_config: Callable[[str], GuestConfig],
    guest_tools: GuestTools,
    timeout_scale: float,
) -> list[InfraError]:
    """Returns the infrastructure failures (a boot that failed); the rest goes on."""
    run, phases = boots.run, boot_plan(profile)

    def bench_boot(task: BootTask) -> None:
        config = guest_config(task.variant)
        boot_dir, record = boots.start(task.variant, config, purpose="bench", round=task.round)
        say(f"bench round {task.round}/{profile.boots}, {task.variant}: booting")
        with boots.guest(config, boot_dir, record) as guest:
            install_guest_tools(guest.session, guest_tools)
            ctx = BootContext(
                run,
                task.round,
                task.variant,
                record["boot_dir"],
                timeout_scale,
                boots.stopping,
            )
            clean = run_boot_plan(guest.session, phases, ctx)
            record["finished"] = time.time()
            record["tpm_timeouts"] = guest.tpm_timeouts()
            run.append_boot({**record, "status": "complete" if clean else "failures"})

    return boots.run_all(
        pending(run, profile.boots, variants),
        bench_boot,
        lambda t: f"bench round {t.round}, {t.variant}",
    )
