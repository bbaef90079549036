"""Run a boot's benchmark plan in a guest and record every measurement at once.

Each sample is appended to the run directory as soon as it is parsed, so a run that
dies keeps it; a resumed run skips the (round, variant, job, repetition) it has.
A failing command, a job whose check fails and output that does not parse are
recorded with the output and the plan goes on; a lost guest (InfraError) ends the boot.
"""

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.bench.lmbench import Check, ParseError
from harness.bench.plan import GUEST_DIR, Job, Phase
from harness.console import say
from harness.guest.session import CommandResult, GuestSession
from harness.paths import WORKLOADS_DIR
from harness.results.rundir import RunDir

POLICIES_DIR = WORKLOADS_DIR / "policies"
SETUP_TIMEOUT = 900.0
OUTPUT_TAIL = 2000


def series_name(metric: str, params: dict[str, str | int]) -> str:
    """One comparable quantity: the metric at one point of its figure."""
    if not params:
        return metric
    return metric + "[" + ",".join(f"{k}={v}" for k, v in sorted(params.items())) + "]"


@dataclass(frozen=True)
class BootContext:
    run: RunDir
    round: int
    variant: str
    boot_dir: str  # relative to the run directory
    timeout_scale: float = 1.0
    # Set when the run is interrupted and its guests killed: what fails then is not
    # the benchmark's failure, and the boot is recorded as interrupted instead.
    stopping: threading.Event = field(default_factory=threading.Event)


def _failure(ctx: BootContext, what: str, res: CommandResult | None, error: str) -> None:
    if ctx.stopping.is_set():
        return
    ctx.run.append_bench_failure(
        {
            "round": ctx.round,
            "variant": ctx.variant,
            "boot_dir": ctx.boot_dir,
            "what": what,
            "command": res.command if res else "",
            "exit": res.exit_status if res else None,
            "error": error,
            "stdout": res.stdout[-OUTPUT_TAIL:] if res else "",
            "stderr": res.stderr[-OUTPUT_TAIL:] if res else "",
        }
    )
    say(f"    {ctx.variant} round {ctx.round}: {what} FAILED: {error}")


def _command_error(res: CommandResult) -> str | None:
    if res.timed_out:
        return f"timed out after {res.seconds:.0f} s"
    if res.exit_status != 0:
        return f"exit status {res.exit_status}"
    return None


def _run_commands(
    session: GuestSession, ctx: BootContext, what: str, commands: Sequence[Sequence[str]]
) -> bool:
    for argv in commands:
        res = session.run(list(argv), timeout=SETUP_TIMEOUT * ctx.timeout_scale)
        error = _command_error(res)
        if error:
            _failure(ctx, what, res, error)
            return False
    return True


def _check_passes(
    session: GuestSession, ctx: BootContext, check: Check, timeout: float, what: str
) -> bool:
    res = session.run(list(check.argv), timeout=timeout * ctx.timeout_scale)
    error = _command_error(res)
    if error is None and res.stdout != check.stdout:
        error = f"printed {res.stdout[:200]!r}, expected {check.stdout!r}"
    if error is not None:
        _failure(ctx, what, res, f"{check.what} failed ({error}); not timed")
    return error is None


def _measure(session: GuestSession, ctx: BootContext, job: Job, rep: int) -> int:
    what = f"{job.key} (repetition {rep})"
    if job.check and not _check_passes(session, ctx, job.check, job.timeout, what):
        return 0
    res = session.run(list(job.argv), timeout=job.timeout * ctx.timeout_scale)
    error = _command_error(res)
    if error is None:
        try:
            samples = job.parse(res.stdout + res.stderr)
        except ParseError as exc:
            error = str(exc)
    if error is not None:
        _failure(ctx, what, res, error)
        return 0
    params = dict(job.params)
    for s in samples:
        ctx.run.append_sample(
            {
                "round": ctx.round,
                "variant": ctx.variant,
                "boot_dir": ctx.boot_dir,
                "job": job.key,
                "rep": rep,
                "metric": s.metric,
                "series": series_name(s.metric, params),
                "params": params,
                "value": s.value,
                "unit": s.unit,
                "higher_is_better": s.higher_is_better,
                "seconds": round(res.seconds, 3),
            }
        )
    return len(samples)


def install_workload_files(session: GuestSession, policies: Path = POLICIES_DIR) -> None:
    session.run(["mkdir", "-p", GUEST_DIR], timeout=30)
    for policy in sorted(policies.glob("*.policy")):
        session.put(policy, f"{GUEST_DIR}/{policy.name}")


def has_ima_namespaces(session: GuestSession) -> bool:
    return session.run(["secns-bench", "has-ima-ns"], timeout=60).exit_status == 0


def _failures(ctx: BootContext) -> int:
    return sum(
        1
        for f in ctx.run.bench_failures()
        if f["round"] == ctx.round and f["variant"] == ctx.variant
    )


def run_boot_plan(session: GuestSession, phases: Sequence[Phase], ctx: BootContext) -> bool:
    """Run what this (round, variant) still lacks; True when nothing failed."""
    done = {
        (s["job"], s["rep"])
        for s in ctx.run.samples()
        if s["round"] == ctx.round and s["variant"] == ctx.variant
    }
    failures_before = _failures(ctx)
    install_workload_files(session)
    ima_ns = has_ima_namespaces(session)
    for phase in phases:
        if phase.needs_ima_ns and not ima_ns:
            continue  # e.g. vanilla: the kernel has no IMA namespaces to measure
        # Repetition-major: a phase's jobs alternate, so drift spreads over all of them.
        pending = [
            (rep, job)
            for rep in range(1, max((j.repetitions for j in phase.jobs), default=0) + 1)
            for job in phase.jobs
            if rep <= job.repetitions and (job.key, rep) not in done
        ]
        if phase.jobs and not pending:
            continue
        start = time.monotonic()
        if not _run_commands(session, ctx, f"{phase.name} set-up", phase.setup):
            if not phase.jobs:
                break  # a set-up phase (the host policy) conditions all that follows
            _run_commands(session, ctx, f"{phase.name} teardown", phase.teardown)
            continue
        taken = sum(_measure(session, ctx, job, rep) for rep, job in pending)
        _run_commands(session, ctx, f"{phase.name} teardown", phase.teardown)
        if phase.jobs:
            say(
                f"    {ctx.variant} round {ctx.round}: {phase.name}: {taken} samples "
                f"in {time.monotonic() - start:.0f} s"
            )
    return _failures(ctx) == failures_before
