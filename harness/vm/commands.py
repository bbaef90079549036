"""Pure builders of the QEMU and swtpm command lines (argv lists)."""

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Accel(StrEnum):
    KVM = "kvm"
    TCG = "tcg"


class Timing(StrEnum):
    WALLCLOCK = "wallclock"
    ICOUNT = "icount"  # TCG only: guest time follows executed instructions


GUEST_IP = "10.0.2.15"
GATEWAY_IP = "10.0.2.2"

# Static address from the kernel (no DHCP wait); classic names so eth0 is eth0.
BASE_APPEND = (
    "console=ttyS0 root=/dev/vda rw panic=-1 net.ifnames=0 "
    f"ip={GUEST_IP}::{GATEWAY_IP}:255.255.255.0::eth0:off"
)

# Under TCG, calibrating the local APIC timer spins on emulated APIC reads for 0.2 s of
# guest time, 2.7 s of the host's; the HPET ticks instead (one vCPU needs no per-CPU
# timer; with more, the kernel broadcasts the HPET's tick).
TCG_APPEND = "noapictimer"


@dataclass(frozen=True)
class BootSpec:
    kernel: Path
    console_log: Path
    accel: Accel = Accel.TCG
    timing: Timing = Timing.WALLCLOCK
    disk: Path | None = None
    keep_disk_writes: bool = False  # write to the disk itself instead of an overlay
    scratch_disk: Path | None = None  # a second disk (/dev/vdb), for tests to format
    ssh_port: int | None = None
    tpm_socket: Path | None = None
    append: str = BASE_APPEND
    memory_mb: int = 2048
    cpus: int = 2


def qemu_argv(spec: BootSpec) -> list[str]:
    if spec.timing is Timing.ICOUNT and spec.accel is not Accel.TCG:
        raise ValueError("icount timing needs the TCG accelerator")
    # icount serialises the guest on one vCPU: deterministic, so A/B deltas are real.
    cpus = 1 if spec.timing is Timing.ICOUNT else spec.cpus
    argv = [
        "qemu-system-x86_64",
        "-nodefaults",
        "-no-user-config",
        "-display",
        "none",
        "-no-reboot",
        "-accel",
        spec.accel.value,
    ]
    if spec.accel is Accel.KVM:
        argv += ["-cpu", "host"]
    else:
        argv += ["-cpu", "max"]
    if spec.timing is Timing.ICOUNT:
        argv += ["-icount", "shift=0,sleep=off"]
    argv += [
        "-m",
        str(spec.memory_mb),
        "-smp",
        str(cpus),
        "-kernel",
        str(spec.kernel),
        "-append",
        spec.append,
        "-serial",
        f"file:{spec.console_log}",
        "-device",
        "virtio-rng-pci",
    ]
    if spec.disk is not None:
        argv += ["-drive", f"file={spec.disk},format=raw,if=virtio"]
        if not spec.keep_disk_writes:
            # -snapshot: writes go to a temporary overlay, every boot starts clean.
            argv.append("-snapshot")
    if spec.scratch_disk is not None:
        argv += ["-drive", f"file={spec.scratch_disk},format=raw,if=virtio,cache=unsafe"]
    if spec.ssh_port is not None:
        argv += [
            "-netdev",
            f"user,id=n0,hostfwd=tcp:127.0.0.1:{spec.ssh_port}-:22",
            "-device",
            "virtio-net-pci,netdev=n0",
        ]
    if spec.tpm_socket is not None:
        argv += [
            "-chardev",
            f"socket,id=chrtpm,path={spec.tpm_socket}",
            "-tpmdev",
            "emulator,id=tpm0,chardev=chrtpm",
            "-device",
            "tpm-crb,tpmdev=tpm0",
        ]
    return argv


def swtpm_argv(state_dir: Path, socket: Path, log: Path) -> list[str]:
    # startup-clear: booting with -kernel there is no firmware to send TPM2_Startup.
    return [
        "swtpm",
        "socket",
        "--tpm2",
        "--tpmstate",
        f"dir={state_dir}",
        "--ctrl",
        f"type=unixio,path={socket}",
        "--terminate",
        "--flags",
        "startup-clear",
        "--log",
        f"file={log},level=1",
    ]


def qemu_version_argv() -> list[str]:
    return ["qemu-system-x86_64", "--version"]


def swtpm_version_argv() -> list[str]:
    return ["swtpm", "--version"]
