import json
import shlex
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import pytest

from harness.errors import InfraError
from harness.guest.session import CommandResult
from harness.image import preload
from harness.image.build import GuestImage
from harness.vm.machine import GuestConfig

TARBALLS = {"web": "/var/lib/secns/containers/web.tar", "bench": "/var/lib/secns/containers/b.tar"}


def _image(tmp_path: Path) -> GuestImage:
    (tmp_path / "rootfs.img").write_bytes(b"disk")
    (tmp_path / "image.json").write_text(json.dumps({"containers": TARBALLS}))
    return GuestImage(tmp_path, "k" * 64, True, 1.0)


def _config(tmp_path: Path) -> GuestConfig:
    return GuestConfig(
        kernel=Path("/k/bzImage"),
        disk=tmp_path / "rootfs.img",
        ssh_key=tmp_path / "id",
        host_pubkey=tmp_path / "host.pub",
    )


@dataclass
class FakeSession:
    exit_status: int | None
    commands: list[str] = field(default_factory=list)

    def run(self, command: str, timeout: float = 120) -> CommandResult:
        self.commands.append(command)
        return CommandResult(command, self.exit_status, "", "no space left", 1.0)


class FakeGuest:
    """Stands in for harness.vm.machine.Guest; records how the image was booted."""

    instances: ClassVar[list["FakeGuest"]] = []
    exit_status: ClassVar[int | None] = 0

    def __init__(self, config: GuestConfig, boot_dir: Path) -> None:
        self.config = config
        self.console_log = boot_dir / "console.log"
        self.session = FakeSession(FakeGuest.exit_status)
        self.powered_off = False
        FakeGuest.instances.append(self)

    def __enter__(self) -> "FakeGuest":
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def power_off(self, timeout: float) -> None:
        # The guest's writes land in the disk it booted.
        self.config.disk.write_bytes(b"disk with containers")
        self.powered_off = True


@pytest.fixture
def fake_boot(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    FakeGuest.instances = []
    FakeGuest.exit_status = 0
    monkeypatch.setattr(preload, "Guest", FakeGuest)
    host_commands: list[list[str]] = []

    def run_logged(argv: list[str], log: Path, **kw: object) -> None:
        host_commands.append([str(a) for a in argv])
        if argv[0] == "cp":
            Path(argv[-1]).write_bytes(Path(argv[-2]).read_bytes())

    monkeypatch.setattr(preload.proc, "run_logged", run_logged)
    return host_commands


def test_import_command_waits_for_dockerd_imports_each_image_and_syncs() -> None:
    cmd = preload.import_command(TARBALLS)
    parts = cmd.split(" && ")
    assert parts[0].startswith("timeout 900 sh -c") and "docker info" in parts[0]
    assert [shlex.split(p) for p in parts[1:3]] == [
        ["docker", "import", TARBALLS["bench"], "secns/bench"],
        ["docker", "import", TARBALLS["web"], "secns/web"],
    ]
    assert parts[-1] == "sync"


def test_preload_boots_a_writable_copy_and_records_it(
    tmp_path: Path, fake_boot: list[list[str]]
) -> None:
    image = _image(tmp_path)
    ready = preload.preload_containers(image, _config(tmp_path), tmp_path / "boot")

    assert ready.disk == tmp_path / preload.PRELOADED_DISK
    assert ready.disk.read_bytes() == b"disk with containers"
    assert image.disk.read_bytes() == b"disk"  # the pristine image is untouched
    (guest,) = FakeGuest.instances
    assert guest.config.keep_disk_writes and guest.config.disk.name.endswith(".tmp")
    assert guest.powered_off
    assert guest.session.commands == [preload.import_command(TARBALLS)]
    assert [c[0] for c in fake_boot] == ["cp", "e2fsck"]
    record = preload.preload_record(ready)
    assert record["containers"] == ["bench", "web"] and record["kernel"] == "/k/bzImage"
    assert preload.preloaded(image) == ready


def test_preload_is_done_once_per_image(tmp_path: Path, fake_boot: list[list[str]]) -> None:
    image = _image(tmp_path)
    preload.preload_containers(image, _config(tmp_path), tmp_path / "boot")
    again = preload.preload_containers(image, _config(tmp_path), tmp_path / "boot2")
    assert len(FakeGuest.instances) == 1
    assert again.disk_name == preload.PRELOADED_DISK


def test_failed_import_raises_and_leaves_no_preloaded_image(
    tmp_path: Path, fake_boot: list[list[str]]
) -> None:
    FakeGuest.exit_status = 1
    image = _image(tmp_path)
    with pytest.raises(InfraError, match=r"exit 1.*no space left"):
        preload.preload_containers(image, _config(tmp_path), tmp_path / "boot")
    assert preload.preloaded(image) is None
    assert not (tmp_path / preload.PRELOADED_DISK).exists()
    assert not (tmp_path / f"{preload.PRELOADED_DISK}.tmp").exists()
    assert not FakeGuest.instances[0].powered_off


def test_a_concurrent_preload_waits_and_reuses_the_copy(
    tmp_path: Path, fake_boot: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs starting together: the second must not boot over the first's copy."""
    image = _image(tmp_path)
    first_booted, release_first = threading.Event(), threading.Event()
    enter = FakeGuest.__enter__

    def slow_enter(guest: FakeGuest) -> FakeGuest:
        first_booted.set()
        release_first.wait(5)
        return enter(guest)

    monkeypatch.setattr(FakeGuest, "__enter__", slow_enter)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(preload.preload_containers, image, _config(tmp_path), tmp_path / "a")
        assert first_booted.wait(5)
        second = pool.submit(preload.preload_containers, image, _config(tmp_path), tmp_path / "b")
        time.sleep(0.2)
        assert not second.done() and len(FakeGuest.instances) == 1
        release_first.set()
        assert second.result(5) == first.result(5)
    assert len(FakeGuest.instances) == 1
