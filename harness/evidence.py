"""Verify a container's attestation evidence: a quote of its vTPM's PCR 10 over a
fresh nonce, signed by the attestation key recorded when the container started; the
replay of its measurement list to the quoted value; each entry against a reference
of allowed digests. guest/secns-attest collects the evidence."""

import json
import re
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

from harness import tools
from harness.attest import (
    ImaEntry,
    ListFormatError,
    ng_digest_and_name,
    parse_binary_list,
    parse_pcrread,
    replayed_prefix,
)
from harness.errors import UserError

EVIDENCE_FILES = ("quote.msg", "quote.sig", "quote.pcrs", "list.bin")
_NONCE = re.compile(r"(?:[0-9a-fA-F]{2}){8,32}")
_REFERENCE_LINE = re.compile(r"^(?:sha256:)?([0-9a-fA-F]{64})(?:\s+\*?(.*))?$")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Verdict:
    nonce: str
    checks: list[Check] = field(default_factory=list)
    entries: int = 0  # of the list, the ones the quote covers
    unknown: list[dict[str, str]] = field(default_factory=list)

    @property
    def trusted(self) -> bool:
        return len(self.checks) == 3 and all(c.ok for c in self.checks)

    def to_json(self) -> dict:
        return {"verdict": "trusted" if self.trusted else "untrusted", **asdict(self)}


def read_reference(path: Path) -> set[str]:
    """Allowed digests, one per line as `sha256sum` prints them ("<hex>  <path>") or
    as "sha256:<hex>"; blank lines and # comments skipped."""
    digests = set()
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = _REFERENCE_LINE.match(line)
        if m is None:
            raise UserError(f"{path}:{number}: expected a sha256 digest, got {line[:80]!r}")
        digests.add(f"sha256:{m.group(1).lower()}")
    return digests


def check_nonce(nonce: str) -> str:
    if not _NONCE.fullmatch(nonce):
        raise UserError(f"nonce {nonce!r}: expected 8 to 32 bytes in hex")
    return nonce.lower()


def checkquote_argv(evidence: Path, ak: Path, nonce: str) -> list[str]:
    return [
        "tpm2_checkquote",
        "-u", str(ak),
        "-m", str(evidence / "quote.msg"),
        "-s", str(evidence / "quote.sig"),
        "-f", str(evidence / "quote.pcrs"),
        "-g", "sha256",
        "-q", nonce,
    ]  # fmt: skip


def judge_entries(entries: list[ImaEntry], reference: set[str]) -> tuple[Check, list[dict]]:
    """Every quoted entry's digest must be allowed; a violation (a file changed while
    it was measured) never is. The boot aggregate, first, is what the vTPM started with."""
    unknown = []
    for i, e in enumerate(entries):
        if e.is_violation:
            unknown.append({"name": "(violation)", "digest": "", "why": "violation record"})
            continue
        digest, name = ng_digest_and_name(e)
        if i == 0 and name == "boot_aggregate":
            continue
        if digest not in reference:
            unknown.append({"name": name, "digest": digest, "why": "not in the reference"})
    if unknown:
        names = ", ".join(u["name"] for u in unknown[:5])
        return Check("reference", False, f"{len(unknown)} entries not allowed: {names}"), unknown
    return Check("reference", True, f"all {len(entries)} entries allowed"), []


def verify(evidence: Path, ak: Path, nonce: str, reference: set[str]) -> Verdict:
    """Quote first (a replay against an unverified PCR proves nothing), then replay,
    then the reference; the first failure ends the verification."""
    nonce = check_nonce(nonce)
    missing = [f for f in EVIDENCE_FILES if not (evidence / f).is_file()]
    if missing:
        raise UserError(f"{evidence}: no {', '.join(missing)}: not secns-attest evidence")
    tools.require("tpm2_checkquote")
    verdict = Verdict(nonce)
    done = subprocess.run(
        checkquote_argv(evidence, ak, nonce), capture_output=True, text=True, check=False
    )
    pcr = parse_pcrread(done.stdout).get("sha256", {}).get(10)
    if done.returncode != 0 or pcr is None:
        # Its first error says why; the last is always "Unable to run tpm2_checkquote".
        why = (done.stderr.strip().splitlines() or ["no PCR 10 in its output"])[0]
        verdict.checks.append(Check("quote", False, f"tpm2_checkquote: {why}"))
        return verdict
    verdict.checks.append(Check("quote", True, f"signed by {ak.name}, nonce and PCR 10 match"))
    try:
        entries = parse_binary_list((evidence / "list.bin").read_bytes())
    except ListFormatError as exc:
        verdict.checks.append(Check("replay", False, f"list.bin: {exc}"))
        return verdict
    prefix = replayed_prefix(entries, pcr)
    if prefix is None:
        verdict.checks.append(
            Check("replay", False, f"no prefix of the {len(entries)} entries replays to PCR 10")
        )
        return verdict
    verdict.entries = prefix
    verdict.checks.append(
        Check("replay", True, f"the first {verdict.entries} of {len(entries)} entries")
    )
    quoted = [e for e in entries if e.pcr == 10][: verdict.entries]
    try:
        check, verdict.unknown = judge_entries(quoted, reference)
    except ListFormatError as exc:
        check = Check("reference", False, f"list.bin: {exc}")
    verdict.checks.append(check)
    return verdict


def render(verdict: Verdict) -> str:
    return json.dumps(verdict.to_json(), indent=2)
