import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from harness import cli, evidence
from harness.errors import EXIT_CHECKS_FAILED, EXIT_OK, UserError
from tests.test_attest import entry, expected_pcr

NONCE = "00112233445566778899aabbccddeeff"


def _evidence(tmp_path: Path, names: list[bytes], violation: int | None = None) -> Path:
    d = tmp_path / "evidence"
    d.mkdir()
    for f in ("quote.msg", "quote.sig", "quote.pcrs"):
        (d / f).write_bytes(b"x")
    (d / "list.bin").write_bytes(b"".join(entry(n, i == violation) for i, n in enumerate(names)))
    return d


def _checkquote(monkeypatch, pcr: bytes, rc: int = 0, stderr: str = "") -> list[list[str]]:
    """tpm2_checkquote, faked: it printed PCR 10 as quoted (and verified, when rc is 0)."""
    calls: list[list[str]] = []

    def run(argv, **kwargs):
        calls.append(argv)
        out = f"pcrs:\n  sha256:\n    10: 0x{pcr.hex().upper()}\n" if rc == 0 else ""
        return subprocess.CompletedProcess(argv, rc, out, stderr)

    monkeypatch.setattr(evidence.subprocess, "run", run)
    monkeypatch.setattr(evidence.tools, "require", lambda *t: None)
    return calls


def _digest(name: bytes) -> str:
    return "sha256:" + hashlib.sha256(name).hexdigest()  # entry() digests the name


def test_clean_evidence_is_trusted(monkeypatch, tmp_path: Path) -> None:
    names = [b"boot_aggregate", b"/ns/sleep", b"/usr/bin/cat"]
    calls = _checkquote(monkeypatch, expected_pcr([(n, False) for n in names[:2]]))
    reference = {_digest(b"/ns/sleep"), _digest(b"/usr/bin/cat")}
    verdict = evidence.verify(_evidence(tmp_path, names), tmp_path / "ak.pem", NONCE, reference)
    assert verdict.trusted and verdict.entries == 2
    assert verdict.to_json()["verdict"] == "trusted"
    assert calls[0][calls[0].index("-q") + 1] == NONCE
    assert calls[0][calls[0].index("-u") + 1] == str(tmp_path / "ak.pem")


def test_a_quote_that_does_not_verify_ends_it(monkeypatch, tmp_path: Path) -> None:
    _checkquote(
        monkeypatch,
        b"",
        rc=1,
        stderr="ERROR: Error validating nonce from quote\nERROR: Unable to run\n",
    )
    verdict = evidence.verify(_evidence(tmp_path, [b"a"]), tmp_path / "ak", NONCE, set())
    assert not verdict.trusted and [c.name for c in verdict.checks] == ["quote"]
    assert verdict.checks[0].detail == "tpm2_checkquote: ERROR: Error validating nonce from quote"


def test_a_forged_list_does_not_replay(monkeypatch, tmp_path: Path) -> None:
    # The quote covers /ns/evil; the list handed over says /ns/sleep instead.
    _checkquote(monkeypatch, expected_pcr([(b"boot_aggregate", False), (b"/ns/evil", False)]))
    forged = _evidence(tmp_path, [b"boot_aggregate", b"/ns/sleep"])
    verdict = evidence.verify(forged, tmp_path / "ak", NONCE, {_digest(b"/ns/sleep")})
    assert not verdict.trusted and verdict.checks[-1].name == "replay"
    assert not verdict.checks[-1].ok


def test_unknown_digests_and_violations_are_named(monkeypatch, tmp_path: Path) -> None:
    names = [b"boot_aggregate", b"/ns/sleep", b"/ns/evil", b"/tmp/changed"]
    _checkquote(monkeypatch, expected_pcr([(n, i == 3) for i, n in enumerate(names)]))
    verdict = evidence.verify(
        _evidence(tmp_path, names, violation=3), tmp_path / "ak", NONCE, {_digest(b"/ns/sleep")}
    )
    assert not verdict.trusted and verdict.entries == 4
    assert [(u["name"], u["why"]) for u in verdict.unknown] == [
        ("/ns/evil", "not in the reference"),
        ("(violation)", "violation record"),
    ]


def test_boot_aggregate_is_allowed_only_first(monkeypatch, tmp_path: Path) -> None:
    names = [b"/ns/sleep", b"boot_aggregate"]
    _checkquote(monkeypatch, expected_pcr([(n, False) for n in names]))
    verdict = evidence.verify(
        _evidence(tmp_path, names), tmp_path / "ak", NONCE, {_digest(b"/ns/sleep")}
    )
    assert [u["name"] for u in verdict.unknown] == ["boot_aggregate"]


def test_reference_reads_sha256sum_output(tmp_path: Path) -> None:
    ref = tmp_path / "ref"
    ref.write_text(f"# allowed\n{'a' * 64}  /bin/cat\n\nsha256:{'B' * 64}\n")
    assert evidence.read_reference(ref) == {f"sha256:{'a' * 64}", f"sha256:{'b' * 64}"}
    ref.write_text(f"{'a' * 64}  /bin/cat\nmd5 1234\n")
    with pytest.raises(UserError, match=r"ref:2: expected a sha256 digest"):
        evidence.read_reference(ref)


@pytest.mark.parametrize("nonce", ["", "xyz", "0011", "00" * 33])
def test_bad_nonce_is_a_user_error(tmp_path: Path, nonce: str) -> None:
    with pytest.raises(UserError, match="nonce"):
        evidence.verify(tmp_path, tmp_path / "ak", nonce, set())


def test_a_directory_without_evidence_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not secns-attest evidence"):
        evidence.verify(tmp_path, tmp_path / "ak", NONCE, set())


def test_the_cli_prints_the_verdict_and_exits_by_it(monkeypatch, capsys, tmp_path: Path) -> None:
    names = [b"boot_aggregate", b"/ns/sleep"]
    _checkquote(monkeypatch, expected_pcr([(n, False) for n in names]))
    ak, ref = tmp_path / "ak.pem", tmp_path / "ref"
    ak.write_text("recorded")
    ref.write_text(_digest(b"/ns/sleep") + "\n")
    argv = ["attest", str(_evidence(tmp_path, names)), "--ak", str(ak), "--nonce", NONCE]
    assert cli.main([*argv, "--reference", str(ref)]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["verdict"] == "trusted"
    ref.write_text("# nothing allowed\n")
    assert cli.main([*argv, "--reference", str(ref)]) == EXIT_CHECKS_FAILED
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "untrusted" and out["unknown"][0]["name"] == "/ns/sleep"
