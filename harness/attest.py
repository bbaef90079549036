"""Verify an IMA measurement list against a TPM PCR: parse the binary list, replay it.

IMA extends every allocated PCR bank with the template hash computed in that bank's
algorithm over the entry's template data (for every template but the legacy 'ima').
A violation is recorded with a zero digest and extended as all 0xff.
"""

import hashlib
import re
import struct
from dataclasses import dataclass

SHA1_LEN = 20


@dataclass(frozen=True)
class ImaEntry:
    pcr: int
    sha1: bytes
    template: str
    data: bytes

    @property
    def is_violation(self) -> bool:
        return self.sha1 == bytes(SHA1_LEN)

    def digest(self, algo: str) -> bytes:
        """What IMA extended into the given bank for this entry."""
        size = hashlib.new(algo).digest_size
        if self.is_violation:
            return b"\xff" * size
        if algo == "sha1":
            return self.sha1
        return hashlib.new(algo, self.data).digest()


class ListFormatError(ValueError):
    pass


def parse_binary_list(blob: bytes) -> list[ImaEntry]:
    """Parse binary_runtime_measurements (little-endian, as on x86)."""
    entries, off = [], 0
    while off < len(blob):
        try:
            (pcr,) = struct.unpack_from("<I", blob, off)
            sha1 = blob[off + 4 : off + 4 + SHA1_LEN]
            off += 4 + SHA1_LEN
            (name_len,) = struct.unpack_from("<I", blob, off)
            name = blob[off + 4 : off + 4 + name_len].decode()
            off += 4 + name_len
            (data_len,) = struct.unpack_from("<I", blob, off)
            data = blob[off + 4 : off + 4 + data_len]
            off += 4 + data_len
        except (struct.error, UnicodeDecodeError) as exc:
            raise ListFormatError(f"malformed entry at byte {off}: {exc}") from exc
        if len(sha1) != SHA1_LEN or len(data) != data_len:
            raise ListFormatError(f"truncated entry ending at byte {off}")
        if name == "ima":
            raise ListFormatError("legacy 'ima' template: replay in other banks unsupported")
        entries.append(ImaEntry(pcr, sha1, name, data))
    return entries


def encode_binary_list(entries: list[ImaEntry]) -> bytes:
    """The binary list that parses back to `entries` (what a forger would hand over)."""
    return b"".join(
        struct.pack("<I", e.pcr)
        + e.sha1
        + struct.pack("<I", len(e.template.encode()))
        + e.template.encode()
        + struct.pack("<I", len(e.data))
        + e.data
        for e in entries
    )


def ng_digest_and_name(entry: ImaEntry) -> tuple[str, str]:
    """The file digest ("sha256:<hex>") and name an ima-ng entry records."""
    if entry.template != "ima-ng":
        raise ListFormatError(f"template {entry.template!r}: only ima-ng is read")
    fields, off = [], 0
    for _ in range(2):
        if off + 4 > len(entry.data):
            raise ListFormatError("truncated ima-ng template data")
        (size,) = struct.unpack_from("<I", entry.data, off)
        fields.append(entry.data[off + 4 : off + 4 + size])
        off += 4 + size
    algo, sep, digest = fields[0].partition(b":\0")
    if not sep:
        raise ListFormatError(f"ima-ng digest field without an algorithm: {fields[0]!r}")
    return f"{algo.decode()}:{digest.hex()}", fields[1].rstrip(b"\0").decode(errors="replace")


def replay(entries: list[ImaEntry], algo: str = "sha256", pcr: int = 10) -> list[bytes]:
    """PCR value after each entry for that PCR (index 0 is the reset value)."""
    value = bytes(hashlib.new(algo).digest_size)
    values = [value]
    for e in entries:
        if e.pcr == pcr:
            value = hashlib.new(algo, value + e.digest(algo)).digest()
            values.append(value)
    return values


_PCR_LINE = re.compile(r"^\s*(\d+)\s*:\s*0x([0-9A-Fa-f]+)\s*$")


def parse_pcrread(text: str) -> dict[str, dict[int, bytes]]:
    """Parse `tpm2_pcrread` output into {bank: {index: value}}."""
    banks: dict[str, dict[int, bytes]] = {}
    bank = None
    for line in text.splitlines():
        if re.match(r"^\s*(sha\d+|sm3_256)\s*:\s*$", line):
            bank = line.strip().rstrip(":").strip()
            banks[bank] = {}
        elif (m := _PCR_LINE.match(line)) and bank is not None:
            banks[bank][int(m.group(1))] = bytes.fromhex(m.group(2))
    return banks


def replayed_prefix(entries: list[ImaEntry], pcr: bytes, algo: str = "sha256") -> int | None:
    """How many of the list's PCR 10 entries replay to `pcr`, or None if no prefix
    does. The list is read after the PCR, so it may hold entries extended later."""
    values = replay(entries, algo, 10)
    return values.index(pcr) if pcr in values else None
