"""Guest tools: the static C programs in guest/ and the series' IMA namespace
selftests, built on the host and copied into every booted guest, and the kernel's
own selftests (harness.conformance.kselftest) and the suites built from a user's
tree (harness.conformance.tree) unpacked where scenarios run them."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from harness import proc, tools
from harness.conformance.kselftest import REMOTE_DIR as KSELFTEST_DIR
from harness.conformance.suites import BY_NAME as TREE_SUITES
from harness.errors import InfraError
from harness.guest.session import GuestSession
from harness.paths import GUEST_TOOLS_DIR

SELFTEST = Path("tools/testing/selftests/ima_ns/ima_ns_test.c")
REMOTE_DIR = "/usr/local/bin"


@dataclass(frozen=True)
class GuestTools:
    directory: Path
    programs: tuple[Path, ...]
    kselftests: Path | None = None  # their archive; None where no scenario needs them
    trees: tuple[tuple[str, Path], ...] = ()  # (suite name, archive) of the tree suites run


def make_argv(source: Path, out: Path) -> list[str]:
    return ["make", "-C", str(source), f"OUT={out}"]


def selftest_argv(tree: Path, out: Path) -> list[str]:
    return [
        "gcc",
        "-Wall",
        "-O2",
        "-static",
        "-I",
        str(tree / "tools/testing/selftests"),
        "-o",
        str(out / "ima_ns_test"),
        str(tree / SELFTEST),
    ]


def _inputs(source: Path, tree: Path | None) -> list[Path]:
    files = sorted(
        p for p in source.iterdir() if p.suffix in (".c", ".h", ".sh") or p.name == "Makefile"
    )
    if tree is not None and (tree / SELFTEST).exists():
        files.append(tree / SELFTEST)
    return files


def build_guest_tools(
    cache: Path, tree: Path | None, log: Path, source: Path = GUEST_TOOLS_DIR
) -> GuestTools:
    """Build into cache/guest-tools/<digest of the sources>; reused when unchanged.
    The selftests come from the patched tree `tree` when it has them."""
    tools.require("make", "gcc")
    h = hashlib.sha256()
    for f in _inputs(source, tree):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    out = cache / "guest-tools" / h.hexdigest()[:16]
    stamp = out / ".complete"
    if not stamp.exists():
        proc.run_logged(make_argv(source, out), log, what="guest tools")
        if tree is not None and (tree / SELFTEST).exists():
            proc.run_logged(selftest_argv(tree, out), log, what="IMA namespace selftests")
        stamp.touch()
    programs = tuple(sorted(p for p in out.iterdir() if p.is_file() and p.name != ".complete"))
    return GuestTools(out, programs)


def unpack_argv(archive: str, directory: str) -> list[str]:
    script = 'mkdir -p "$2" && tar -C "$2" -xzf "$1" && rm "$1"'
    return ["sh", "-c", script, "-", archive, directory]


def install_guest_tools(session: GuestSession, guest_tools: GuestTools) -> None:
    """Copy every program to /usr/local/bin in the guest, executable, and unpack the
    kernel's selftests in KSELFTEST_DIR and each tree suite's in its directory."""
    for program in guest_tools.programs:
        remote = f"{REMOTE_DIR}/{program.name}"
        session.put(program, remote)
        session.run(["chmod", "0755", remote], timeout=30)
    archives = []
    if guest_tools.kselftests is not None:
        archives.append(("the kernel selftests", guest_tools.kselftests, KSELFTEST_DIR))
    for name, archive in guest_tools.trees:
        archives.append((TREE_SUITES[name].what, archive, TREE_SUITES[name].remote_dir))
    for what, archive, directory in archives:
        remote = f"/tmp/{archive.name}"
        session.put(archive, remote)
        res = session.run(unpack_argv(remote, directory), timeout=120)
        if res.exit_status != 0:
            raise InfraError(f"unpacking {what} in the guest: {res.stderr.strip()}")
