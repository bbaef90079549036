"""Benchmark rounds: the boot is the unit of repetition, variants interleaved.

Round r boots every variant once, in the order given (A B A B ...), so slow drift
of the host hits both alike. A (round, variant) whose boot completed is skipped
on resume; one that stopped part-way is booted again and runs only what it lacks.
"""

import time
from collections.abc import Callable

from harness.bench.plan import boot_plan
from harness.bench.profile import Profile
from harness.bench.runner import BootContext, run_boot_plan
from harness.console import say
from harness.errors import InfraError
from harness.guest.tools import GuestTools, install_guest_tools
from harness.results.rundir import RunDir
from harness.vm.machine import Guest, GuestConfig


def completed(run: RunDir) -> set[tuple[int, str]]:
    return {
        (b["round"], b["variant"])
        for b in run.boots()
        if b.get("purpose") == "bench" and b["status"] == "complete"
    }


def run_rounds(
    run: RunDir,
    profile: Profile,
    variants: tuple[str, ...],
    guest_config: Callable[[str], GuestConfig],
    guest_tools: GuestTools,
    timeout_scale: float,
) -> list[InfraError]:
    """Returns the infrastructure failures (a boot that failed); the rest goes on."""
    phases = boot_plan(profile)
    failures: list[InfraError] = []
    done = completed(run)
    for rnd in range(1, profile.boots + 1):
        for variant in variants:
            if (rnd, variant) in done:
                continue
            config = guest_config(variant)
            boot_dir = run.boot_dir(variant)
            record = {
                "variant": variant,
                "purpose": "bench",
                "round": rnd,
                "boot_dir": str(boot_dir.relative_to(run.path)),
                "accel": config.accel.value,
                "timing": config.timing.value,
                "append": config.extra_append,
                "started": time.time(),
            }
            say(f"bench round {rnd}/{profile.boots}, {variant}: booting")
            try:
                with Guest(config, boot_dir) as guest:
                    record["boot_seconds"] = guest.boot_seconds
                    install_guest_tools(guest.session, guest_tools)
                    ctx = BootContext(run, rnd, variant, record["boot_dir"], timeout_scale)
                    clean = run_boot_plan(guest.session, phases, ctx)
                    record["finished"] = time.time()
                    run.append_boot({**record, "status": "complete" if clean else "failures"})
            except InfraError as exc:
                run.append_boot({**record, "status": "failed", "error": str(exc)})
                say(f"bench round {rnd}, {variant}: {exc}")
                failures.append(exc)
            except KeyboardInterrupt:
                run.append_boot({**record, "status": "interrupted"})
                raise
    return failures
