from pathlib import Path

import pytest

from harness.errors import InfraError
from harness.guest import tools
from harness.guest.session import CommandResult


def test_make_and_selftest_argv() -> None:
    assert tools.make_argv(Path("/src/guest"), Path("/c/out")) == [
        "make",
        "-C",
        "/src/guest",
        "OUT=/c/out",
    ]
    argv = tools.selftest_argv(Path("/tree"), Path("/c/out"))
    assert argv[0] == "gcc" and "-static" in argv
    assert argv[-1] == "/tree/tools/testing/selftests/ima_ns/ima_ns_test.c"
    assert argv[argv.index("-o") + 1] == "/c/out/ima_ns_test"


@pytest.fixture
def fake_make(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    ran: list[list[str]] = []

    def run_logged(argv, log, *, what, **kwargs):
        ran.append([str(a) for a in argv])
        out = Path(argv[-1].split("=", 1)[1]) if argv[0] == "make" else Path(argv[-2]).parent
        out.mkdir(parents=True, exist_ok=True)
        name = "secns-launch" if argv[0] == "make" else "ima_ns_test"
        (out / name).write_text("binary")

    monkeypatch.setattr(tools.proc, "run_logged", run_logged)
    monkeypatch.setattr(tools.tools, "require", lambda *names: None)
    return ran


def test_build_is_cached_by_source_digest(tmp_path: Path, fake_make: list[list[str]]) -> None:
    source = tmp_path / "guest"
    source.mkdir()
    (source / "Makefile").write_text("all:\n")
    (source / "a.c").write_text("int main(void) { return 0; }\n")
    tree = tmp_path / "tree"
    (tree / tools.SELFTEST).parent.mkdir(parents=True)
    (tree / tools.SELFTEST).write_text("/* test */\n")

    first = tools.build_guest_tools(tmp_path / "cache", tree, tmp_path / "log", source)
    assert [p.name for p in first.programs] == ["ima_ns_test", "secns-launch"]
    assert len(fake_make) == 2
    again = tools.build_guest_tools(tmp_path / "cache", tree, tmp_path / "log", source)
    assert again.directory == first.directory and len(fake_make) == 2

    (source / "a.c").write_text("int main(void) { return 1; }\n")
    changed = tools.build_guest_tools(tmp_path / "cache", tree, tmp_path / "log", source)
    assert changed.directory != first.directory and len(fake_make) == 4

    (source / "a.h").write_text("#define A 1\n")
    with_header = tools.build_guest_tools(tmp_path / "cache", tree, tmp_path / "log", source)
    assert with_header.directory != changed.directory and len(fake_make) == 6

    without_series = tools.build_guest_tools(tmp_path / "cache", None, tmp_path / "log", source)
    assert [p.name for p in without_series.programs] == ["secns-launch"]


class Session:
    def __init__(self, status: int = 0) -> None:
        self.put_calls: list[tuple[str, str]] = []
        self.commands: list[list[str]] = []
        self.status = status

    def put(self, local: Path, remote: str) -> None:
        self.put_calls.append((local.name, remote))

    def run(self, command: list[str], timeout: float = 60) -> CommandResult:
        self.commands.append(command)
        return CommandResult(" ".join(command), self.status, "", "tar: bad archive", 0.0)


def test_install_copies_each_program_executable(tmp_path: Path) -> None:
    session = Session()
    built = tools.GuestTools(tmp_path, (tmp_path / "secns-launch", tmp_path / "ima_ns_test"))
    tools.install_guest_tools(session, built)  # type: ignore[arg-type]
    assert session.put_calls == [
        ("secns-launch", "/usr/local/bin/secns-launch"),
        ("ima_ns_test", "/usr/local/bin/ima_ns_test"),
    ]
    assert session.commands[0] == ["chmod", "0755", "/usr/local/bin/secns-launch"]


def test_install_unpacks_the_kernel_selftests(tmp_path: Path) -> None:
    session = Session()
    built = tools.GuestTools(tmp_path, (), tmp_path / "kselftest.tar.gz")
    tools.install_guest_tools(session, built)  # type: ignore[arg-type]
    assert session.put_calls == [("kselftest.tar.gz", "/tmp/kselftest.tar.gz")]
    assert session.commands[-1][-2:] == ["/tmp/kselftest.tar.gz", "/opt/kselftest"]

    failing = Session(status=2)
    with pytest.raises(InfraError, match="tar: bad archive"):
        tools.install_guest_tools(failing, built)  # type: ignore[arg-type]


def test_install_unpacks_each_tree_suite_in_its_directory(tmp_path: Path) -> None:
    session = Session()
    built = tools.GuestTools(
        tmp_path,
        (),
        trees=(("ltp", tmp_path / "ltp-ima.tar.gz"), ("apparmor", tmp_path / "aa.tar.gz")),
    )
    tools.install_guest_tools(session, built)  # type: ignore[arg-type]
    assert [c[-2:] for c in session.commands] == [
        ["/tmp/ltp-ima.tar.gz", "/opt/ltp"],
        ["/tmp/aa.tar.gz", "/opt/apparmor-tests"],
    ]
