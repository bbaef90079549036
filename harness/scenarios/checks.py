"""Host-side checks a scenario step can name with `check:`: things a shell snippet in
the guest cannot verify on its own."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness.attest import ListFormatError, parse_binary_list, parse_pcrread, replay
from harness.guest.session import GuestSession

IMA_BINARY_LIST = "/sys/kernel/security/ima/binary_runtime_measurements"
NS_VTPM_NUM = "/root/secns/vtpm-num"
NS_LIST = "/root/secns/ns/ns-list.bin"


@dataclass(frozen=True)
class CheckOutcome:
    ok: bool
    detail: str
    value: float | None = None


def _replay_against_pcr(
    session: GuestSession, scratch: Path, pcrread: str, list_file: str, what: str
) -> CheckOutcome:
    """PCR 10 (sha256) read by `pcrread` equals a replay of the binary list in
    `list_file`. The PCR is read first and the list after it: every entry extended
    before the read is then in the list, so some prefix of the list must replay to it.
    """
    remote = "/tmp/secns-ima-list.bin"
    res = session.run(f"{pcrread} && cat {list_file} > {remote}", timeout=60)
    if res.exit_status != 0:
        return CheckOutcome(False, f"reading PCR 10 / {what} failed: {res.stderr.strip()}")
    pcr = parse_pcrread(res.stdout).get("sha256", {}).get(10)
    if pcr is None:
        return CheckOutcome(False, f"no sha256 PCR 10 in tpm2_pcrread output: {res.stdout!r}")
    local = scratch / "ima-list.bin"
    session.get(remote, local)
    try:
        entries = parse_binary_list(local.read_bytes())
    except ListFormatError as exc:
        return CheckOutcome(False, f"{what}: {exc}")
    values = replay(entries, "sha256", 10)
    if pcr in values:
        k = values.index(pcr)
        return CheckOutcome(
            True, f"PCR 10 = replay of the first {k} of {len(entries)} entries of {what}", float(k)
        )
    return CheckOutcome(
        False, f"PCR 10 {pcr.hex()} matches no prefix of the {len(entries)}-entry {what}"
    )


def ima_pcr10_replay(session: GuestSession, scratch: Path) -> CheckOutcome:
    """The host TPM's PCR 10 (sha256) equals a replay of the host's IMA list."""
    return _replay_against_pcr(
        session, scratch, "tpm2_pcrread sha256:10", IMA_BINARY_LIST, "the host's IMA list"
    )


def ima_ns_vtpm_replay(session: GuestSession, scratch: Path) -> CheckOutcome:
    """A namespace's list replays to PCR 10 of its vTPM. By convention (see
    scenarios/ima_ns/vtpm.yaml) the vTPM's chip number is in NS_VTPM_NUM and the
    container's binary list, read by its last exec, in NS_LIST."""
    res = session.run(f"cat {NS_VTPM_NUM}", timeout=30)
    num = res.stdout.strip()
    if res.exit_status != 0 or not num.isdigit():
        return CheckOutcome(False, f"no vTPM number in {NS_VTPM_NUM}: {res.stderr.strip()}")
    return _replay_against_pcr(
        session,
        scratch,
        f"tpm2_pcrread -T device:/dev/tpmrm{num} sha256:10",
        NS_LIST,
        f"the namespace's list (vTPM tpm{num})",
    )


CheckFn = Callable[[GuestSession, Path], CheckOutcome]

CHECKS: dict[str, CheckFn] = {
    "ima_pcr10_replay": ima_pcr10_replay,
    "ima_ns_vtpm_replay": ima_ns_vtpm_replay,
}
