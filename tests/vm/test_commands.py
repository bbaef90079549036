from pathlib import Path

import pytest

from harness.vm.commands import Accel, BootSpec, Timing, qemu_argv, swtpm_argv


def _spec(**kw) -> BootSpec:
    return BootSpec(kernel=Path("/k/bzImage"), console_log=Path("/r/console.log"), **kw)


def _value(argv: list[str], flag: str) -> list[str]:
    return [argv[i + 1] for i, a in enumerate(argv) if a == flag]


def test_full_guest_has_snapshot_disk_tpm_and_loopback_ssh() -> None:
    argv = qemu_argv(_spec(disk=Path("/i.img"), ssh_port=2222, tpm_socket=Path("/t/s")))
    assert argv[0] == "qemu-system-x86_64" and "-snapshot" in argv
    assert "file=/i.img,format=raw,if=virtio" in _value(argv, "-drive")
    assert "user,id=n0,hostfwd=tcp:127.0.0.1:2222-:22" in _value(argv, "-netdev")
    assert "tpm-crb,tpmdev=tpm0" in _value(argv, "-device")
    assert _value(argv, "-serial") == ["file:/r/console.log"]
    assert _value(argv, "-accel") == ["tcg"]


def test_icount_is_deterministic_single_cpu() -> None:
    argv = qemu_argv(_spec(timing=Timing.ICOUNT, cpus=2))
    assert _value(argv, "-icount") == ["shift=0,sleep=off"]
    assert _value(argv, "-smp") == ["1"]


def test_icount_refuses_kvm() -> None:
    with pytest.raises(ValueError, match="icount"):
        qemu_argv(_spec(accel=Accel.KVM, timing=Timing.ICOUNT))


def test_kvm_uses_host_cpu() -> None:
    argv = qemu_argv(_spec(accel=Accel.KVM))
    assert _value(argv, "-accel") == ["kvm"] and _value(argv, "-cpu") == ["host"]


def test_probe_boot_has_no_disk_network_or_tpm() -> None:
    argv = qemu_argv(_spec())
    assert "-drive" not in argv and "-netdev" not in argv and "-tpmdev" not in argv


def test_swtpm_argv_terminates_with_qemu_and_starts_itself() -> None:
    argv = swtpm_argv(Path("/t"), Path("/t/ctrl.sock"), Path("/r/swtpm.log"))
    assert argv[:3] == ["swtpm", "socket", "--tpm2"]
    assert "--terminate" in argv
    assert _value(argv, "--flags") == ["startup-clear"]
    assert _value(argv, "--ctrl") == ["type=unixio,path=/t/ctrl.sock"]


def test_disk_writes_are_kept_only_when_asked() -> None:
    argv = qemu_argv(_spec(disk=Path("/i.img"), keep_disk_writes=True))
    assert "file=/i.img,format=raw,if=virtio" in _value(argv, "-drive")
    assert "-snapshot" not in argv
