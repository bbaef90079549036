"""Host-side checks a scenario step can name with `check:`: things a shell snippet in
the guest cannot verify on its own."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from harness import evidence
from harness.attest import (
    ListFormatError,
    encode_binary_list,
    parse_binary_list,
    parse_pcrread,
    replayed_prefix,
)
from harness.guest.session import GuestSession

IMA_BINARY_LIST = "/sys/kernel/security/ima/binary_runtime_measurements"
NS_VTPM_NUM = "/root/secns/vtpm-num"
NS_LIST = "/root/secns/ns/ns-list.bin"
# Where scenarios/attacks/forged_evidence.yaml leaves, at the container's start, its
# name (container), its AK (ak.pem) and the digests it may run (reference).
ATTEST_DIR = "/root/secns/attest"
UNKNOWN_BINARY = "/ns/copied-signature"  # false: in no reference


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
    k = replayed_prefix(entries, pcr)
    if k is not None:
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


def _collect(session: GuestSession, container: str, nonce: str, local: Path) -> Path | str:
    """Evidence from the guest into `local`, or why there is none."""
    remote = f"/tmp/secns-evidence-{local.name}"
    res = session.run(f"secns-attest quote {container} {nonce} {remote}", timeout=120)
    if res.exit_status != 0:
        return f"secns-attest quote failed: {res.stderr.strip()}"
    local.mkdir(parents=True, exist_ok=True)
    for name in evidence.EVIDENCE_FILES:
        session.get(f"{remote}/{name}", local / name)
    return local


def _verdict(scratch: Path, case: str, ev: Path, ak: Path, nonce: str, ref: set[str]) -> str:
    """Verify, keep the JSON verdict, and say how it ended: 'trusted', or the first
    check that failed."""
    verdict = evidence.verify(ev, ak, nonce, ref)
    (scratch / f"verdict-{case}.json").write_text(evidence.render(verdict))
    if verdict.trusted:
        return "trusted"
    failed = next(c for c in verdict.checks if not c.ok)
    return f"{failed.name} fails ({failed.detail})"


def container_attestation(session: GuestSession, scratch: Path) -> CheckOutcome:
    """Attest a running container of the secns runtime from its vTPM, on this host:
    trusted when clean, and not trusted for each tampering a verifier must catch: a
    replayed quote (an old nonce), a quote by a key other than the one recorded at the
    container's start, a list with an entry cut out, and a binary outside the
    reference run in the container. By convention the scenario left the container's
    name, its AK and its reference in ATTEST_DIR."""
    work = scratch / "attest"
    work.mkdir(parents=True, exist_ok=True)
    for name in ("container", "ak.pem", "reference"):
        session.get(f"{ATTEST_DIR}/{name}", work / name)
    container = (work / "container").read_text().strip()
    ak, ref = work / "ak.pem", evidence.read_reference(work / "reference")
    nonce = secrets.token_hex(20)
    clean = _collect(session, container, nonce, work / "clean")
    if isinstance(clean, str):
        return CheckOutcome(False, clean)
    seen = {"clean": _verdict(work, "clean", clean, ak, nonce, ref)}
    seen["old nonce"] = _verdict(work, "old-nonce", clean, ak, secrets.token_hex(20), ref)
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    (work / "other-ak.pem").write_bytes(
        other.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    seen["another key"] = _verdict(work, "other-ak", clean, work / "other-ak.pem", nonce, ref)
    cut = work / "cut"
    cut.mkdir(exist_ok=True)
    for name in evidence.EVIDENCE_FILES:
        (cut / name).write_bytes((clean / name).read_bytes())
    entries = parse_binary_list((clean / "list.bin").read_bytes())
    (cut / "list.bin").write_bytes(encode_binary_list(entries[:1] + entries[2:]))
    seen["an entry cut out"] = _verdict(work, "cut", cut, ak, nonce, ref)
    res = session.run(f"docker exec {container} {UNKNOWN_BINARY}", timeout=60)
    if res.exit_status != 1:  # false's status: it ran
        return CheckOutcome(False, f"{UNKNOWN_BINARY} did not run: {res.stderr.strip()}")
    nonce = secrets.token_hex(20)
    later = _collect(session, container, nonce, work / "unknown")
    if isinstance(later, str):
        return CheckOutcome(False, later)
    seen["unknown binary"] = _verdict(work, "unknown", later, ak, nonce, ref)
    detail = "; ".join(f"{case}: {how}" for case, how in seen.items())
    expected = {
        "clean": "trusted",
        "old nonce": "quote fails",
        "another key": "quote fails",
        "an entry cut out": "replay fails",
        "unknown binary": "reference fails",
    }
    ok = all(seen[case].startswith(how) for case, how in expected.items())
    return CheckOutcome(ok, detail)


CheckFn = Callable[[GuestSession, Path], CheckOutcome]

CHECKS: dict[str, CheckFn] = {
    "ima_pcr10_replay": ima_pcr10_replay,
    "ima_ns_vtpm_replay": ima_ns_vtpm_replay,
    "container_attestation": container_attestation,
}
