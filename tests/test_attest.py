import hashlib
import struct

import pytest

from harness.attest import (
    ListFormatError,
    encode_binary_list,
    ng_digest_and_name,
    parse_binary_list,
    parse_pcrread,
    replay,
)


def entry(name: bytes, violation: bool = False, pcr: int = 10) -> bytes:
    """An ima-ng entry as binary_runtime_measurements encodes it."""
    digest = b"sha256:\0" + hashlib.sha256(name).digest()
    fields = struct.pack("<I", len(digest)) + digest
    fields += struct.pack("<I", len(name) + 1) + name + b"\0"
    sha1 = bytes(20) if violation else hashlib.sha1(fields).digest()
    return (
        struct.pack("<I", pcr)
        + sha1
        + struct.pack("<I", 6)
        + b"ima-ng"
        + struct.pack("<I", len(fields))
        + fields
    )


def expected_pcr(blobs: list[tuple[bytes, bool]]) -> bytes:
    pcr = bytes(32)
    for name, violation in blobs:
        e = parse_binary_list(entry(name, violation))[0]
        ext = b"\xff" * 32 if violation else hashlib.sha256(e.data).digest()
        pcr = hashlib.sha256(pcr + ext).digest()
    return pcr


def test_replay_matches_independent_computation() -> None:
    items = [(b"boot_aggregate", False), (b"/usr/bin/x", False), (b"/tmp/v", True)]
    blob = b"".join(entry(n, v) for n, v in items)
    entries = parse_binary_list(blob)
    assert [e.template for e in entries] == ["ima-ng"] * 3
    assert entries[2].is_violation
    values = replay(entries)
    assert len(values) == 4 and values[-1] == expected_pcr(items)


def test_replay_ignores_other_pcrs() -> None:
    entries = parse_binary_list(entry(b"a") + entry(b"b", pcr=11))
    assert len(replay(entries, pcr=10)) == 2


def test_sha1_bank_uses_the_listed_digest() -> None:
    e = parse_binary_list(entry(b"a"))[0]
    assert replay([e], "sha1")[-1] == hashlib.sha1(bytes(20) + e.sha1).digest()


def test_truncated_list_is_rejected() -> None:
    with pytest.raises(ListFormatError):
        parse_binary_list(entry(b"a")[:-3])


def test_parse_pcrread() -> None:
    out = "  sha1:\n  sha256:\n    10: 0x" + "AB" * 32 + "\n"
    assert parse_pcrread(out) == {"sha1": {}, "sha256": {10: bytes([0xAB]) * 32}}


def test_encoding_a_list_gives_back_its_bytes() -> None:
    blob = entry(b"/a") + entry(b"/b", violation=True)
    assert encode_binary_list(parse_binary_list(blob)) == blob


def test_ng_digest_and_name() -> None:
    (e,) = parse_binary_list(entry(b"/usr/bin/cat"))
    digest, name = ng_digest_and_name(e)
    assert (digest, name) == (
        "sha256:" + hashlib.sha256(b"/usr/bin/cat").hexdigest(),
        "/usr/bin/cat",
    )
