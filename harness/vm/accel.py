"""Choose the accelerator by booting, not by looking: /dev/kvm may exist and still
be unable to run a stock kernel (a guest then hangs before printing anything).

The probe boots the kernel with KVM and no disk, and succeeds when the console shows
the kernel's banner in time. Its verdict is cached per host boot and QEMU version.
"""

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from harness import proc
from harness.errors import InfraError, UserError
from harness.vm.commands import Accel, BootSpec, qemu_argv, qemu_version_argv

KVM_DEVICE = Path("/dev/kvm")
PROBE_TIMEOUT = 20.0
BANNER = "Linux version"


@dataclass(frozen=True)
class AccelChoice:
    accel: Accel
    reason: str


def _host_boot_id() -> str:
    return Path("/proc/sys/kernel/random/boot_id").read_text().strip()


def probe_kvm(kernel: Path, work_dir: Path, timeout: float | None = None) -> tuple[bool, str]:
    timeout = PROBE_TIMEOUT if timeout is None else timeout
    work_dir.mkdir(parents=True, exist_ok=True)
    console = work_dir / "kvm-probe-console.log"
    console.unlink(missing_ok=True)
    spec = BootSpec(
        kernel=kernel,
        console_log=console,
        accel=Accel.KVM,
        append="console=ttyS0 panic=-1",
        memory_mb=256,
        cpus=1,
    )
    start = time.monotonic()
    with proc.Background(qemu_argv(spec), work_dir / "kvm-probe-qemu.log", "kvm probe") as q:
        while time.monotonic() - start < timeout:
            if console.exists() and BANNER in console.read_text(errors="replace"):
                return (
                    True,
                    f"KVM probe boot printed the kernel banner in {time.monotonic() - start:.1f} s",
                )
            if q.exit_status() is not None:
                last = q.log.read_text(errors="replace").strip().splitlines()[-1:]
                return False, (
                    f"KVM probe: QEMU exited with status {q.exit_status()}: "
                    f"{last[0][:200] if last else 'no output'} (log: {q.log})"
                )
            time.sleep(0.2)
    return False, f"KVM probe boot printed nothing within {timeout:.0f} s (KVM unusable here)"


def choose_accel(requested: str, kernel: Path, cache: Path) -> AccelChoice:
    """The probe's verdict and its logs live in the cache, beside each other."""
    if requested == Accel.TCG:
        return AccelChoice(Accel.TCG, "TCG requested")
    if requested not in ("auto", Accel.KVM):
        raise UserError(f"unknown accelerator '{requested}' (auto, kvm, tcg)")
    if not os.access(KVM_DEVICE, os.R_OK | os.W_OK):
        if requested == Accel.KVM:
            raise UserError(f"KVM requested but {KVM_DEVICE} is missing or not accessible")
        return AccelChoice(Accel.TCG, f"{KVM_DEVICE} missing or not accessible")

    qemu_version = proc.capture(qemu_version_argv()).splitlines()[0]
    verdict_file = cache / "kvm-probe.json"
    ident = {"boot_id": _host_boot_id(), "qemu": qemu_version}
    verdict = json.loads(verdict_file.read_text()) if verdict_file.exists() else {}
    if verdict.get("ident") != ident:
        ok, reason = probe_kvm(kernel, cache / "kvm-probe")
        verdict = {"ident": ident, "ok": ok, "reason": reason}
        cache.mkdir(parents=True, exist_ok=True)
        verdict_file.write_text(json.dumps(verdict, indent=2) + "\n")
    else:
        verdict["reason"] += " (cached for this host boot)"
    if verdict["ok"]:
        return AccelChoice(Accel.KVM, verdict["reason"])
    if requested == Accel.KVM:
        raise InfraError(f"KVM requested but unusable: {verdict['reason']}")
    return AccelChoice(Accel.TCG, verdict["reason"])
