from pathlib import Path

from harness.vm.commands import TCG_APPEND, Accel
from harness.vm.machine import Guest, GuestConfig, boot_append


def test_tpm_timeouts_are_counted_from_the_console_log(tmp_path: Path) -> None:
    guest = Guest(None, tmp_path)  # type: ignore[arg-type]  # the log is all it reads
    assert guest.tpm_timeouts() == 0  # no console log yet
    guest.console_log.write_text(
        "[   48.216817] tpm tpm0: Operation Timed out\n"
        "[   48.216824] ima: Error Communicating to TPM chip, result: -62\n"
        "[  135.940822] tpm tpm0: Operation Timed out\n"
    )
    assert guest.tpm_timeouts() == 2


def _config(accel: Accel, policy: str | None) -> GuestConfig:
    return GuestConfig(
        kernel=Path("k"),
        disk=Path("d"),
        ssh_key=Path("id"),
        host_pubkey=Path("host.pub"),
        accel=accel,
        boot_ima_policy=policy,
        extra_append="x=1",
    )


def test_tcg_boots_skip_the_apic_timer_calibration() -> None:
    tcg = boot_append(_config(Accel.TCG, "tcb")).split()
    assert tcg[-3:] == [TCG_APPEND, "ima_policy=tcb", "x=1"]
    kvm = boot_append(_config(Accel.KVM, None)).split()
    assert TCG_APPEND not in kvm and "ima_policy=tcb" not in kvm and kvm[-1] == "x=1"
