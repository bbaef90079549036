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
from typing import Any

from harness.bench.plan import Phase, boot_plan
from harness.bench.profile import Profile
from harness.bench.runner import BootContext, run_boot_plan
from harness.boots import BootExecutor, Boots
from harness.console import say
from harness.errors import InfraError
from harness.guest.tools import GuestTools, install_guest_tools
from harness.results.rundir import RunDir
from harness.vm.machine import GuestConfig


@dataclass(frozen=True)
class BenchCell:
    """One (round, variant) boot and all it needs, to run here or on a Dask worker."""

    round: int
    variant: str
    rounds: int  # of the profile, for progress messages
    phases: tuple[Phase, ...]
    config: GuestConfig
    tools: GuestTools
    timeout_scale: float

    @property
    def name(self) -> str:
        return f"bench round {self.round}, {self.variant}"

    def recorded(self, run: RunDir) -> list[dict[str, Any]]:
        """What a resumed run measured of this boot already: the plan skips it."""
        mine = (self.round, self.variant)
        return [s for s in run.samples() if (s["round"], s["variant"]) == mine]


def completed(run: RunDir) -> set[tuple[int, str]]:
    return {
        (b["round"], b["variant"])
        for b in run.boots()
        if b.get("purpose") == "bench" and b["status"] == "complete"
    }


def pending(run: RunDir, boots: int, variants: tuple[str, ...]) -> list[tuple[int, str]]:
    """The (round, variant) boots a run still lacks, rounds in order, variants
    interleaved."""
    done = completed(run)
    return [(rnd, v) for rnd in range(1, boots + 1) for v in variants if (rnd, v) not in done]


def bench_boot(boots: Boots, cell: BenchCell) -> None:
    """Boots the cell's guest and runs the profile's plan in it, into boots.run."""
    run, config = boots.run, cell.config
    boot_dir, record = boots.start(cell.variant, config, purpose="bench", round=cell.round)
    say(f"bench round {cell.round}/{cell.rounds}, {cell.variant}: booting")
    with boots.guest(config, boot_dir, record) as guest:
        install_guest_tools(guest.session, cell.tools)
        ctx = BootContext(
            run, cell.round, cell.variant, record["boot_dir"], cell.timeout_scale, boots.stopping
        )
        clean = run_boot_plan(guest.session, cell.phases, ctx)
        record["finished"] = time.time()
        record["tpm_timeouts"] = guest.tpm_timeouts()
        run.append_boot({**record, "status": "complete" if clean else "failures"})


def run_rounds(
    boots: BootExecutor,
    profile: Profile,
    variants: tuple[str, ...],
    guest_config: Callable[[str], GuestConfig],
    guest_tools: GuestTools,
    timeout_scale: float,
) -> list[InfraError]:
    """Returns the infrastructure failures (a boot that failed); the rest goes on."""
    phases = tuple(boot_plan(profile))
    cells = [
        BenchCell(rnd, v, profile.boots, phases, guest_config(v), guest_tools, timeout_scale)
        for rnd, v in pending(boots.run, profile.boots, variants)
    ]
    return boots.run_all(cells, bench_boot, lambda c: c.name)
