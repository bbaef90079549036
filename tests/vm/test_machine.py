from pathlib import Path

from harness.vm.machine import Guest


def test_tpm_timeouts_are_counted_from_the_console_log(tmp_path: Path) -> None:
    guest = Guest(None, tmp_path)  # type: ignore[arg-type]  # the log is all it reads
    assert guest.tpm_timeouts() == 0  # no console log yet
    guest.console_log.write_text(
        "[   48.216817] tpm tpm0: Operation Timed out\n"
        "[   48.216824] ima: Error Communicating to TPM chip, result: -62\n"
        "[  135.940822] tpm tpm0: Operation Timed out\n"
    )
    assert guest.tpm_timeouts() == 2
