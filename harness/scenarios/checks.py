"""Host-side checks a scenario step can name with `check:`: things a shell snippet in
the guest cannot verify on its own."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness.attest import ListFormatError, parse_binary_list, parse_pcrread, replay
from harness.guest.session import GuestSession

IMA_BINARY_LIST = "/sys/kernel/security/ima/binary_runtime_measurements"


@dataclass(frozen=True)
class CheckOutcome:
    ok: bool
    detail: str
    value: float | None = None


def ima_pcr10_replay(session: GuestSession, scratch: Path) -> CheckOutcome:
    """The host TPM's PCR 10 (sha256) equals a replay of the IMA measurement list.

    The PCR is read first and the list after it: every entry extended before the read
    is then in the list, so some prefix of the list must replay to the PCR value.
    """
    remote = "/tmp/secns-ima-list.bin"
    res = session.run(f"tpm2_pcrread sha256:10 && cat {IMA_BINARY_LIST} > {remote}", timeout=60)
    if res.exit_status != 0:
        return CheckOutcome(False, f"reading PCR 10 / the IMA list failed: {res.stderr.strip()}")
    pcr = parse_pcrread(res.stdout).get("sha256", {}).get(10)
    if pcr is None:
        return CheckOutcome(False, f"no sha256 PCR 10 in tpm2_pcrread output: {res.stdout!r}")
    local = scratch / "ima-list.bin"
    session.get(remote, local)
    try:
        entries = parse_binary_list(local.read_bytes())
    except ListFormatError as exc:
        return CheckOutcome(False, f"IMA list: {exc}")
    values = replay(entries, "sha256", 10)
    if pcr in values:
        k = values.index(pcr)
        return CheckOutcome(
            True, f"PCR 10 = replay of the first {k} of {len(entries)} entries", float(k)
        )
    return CheckOutcome(
        False, f"PCR 10 {pcr.hex()} matches no prefix of the {len(entries)}-entry list"
    )


CheckFn = Callable[[GuestSession, Path], CheckOutcome]

CHECKS: dict[str, CheckFn] = {
    "ima_pcr10_replay": ima_pcr10_replay,
}
