"""One guest boot: swtpm + QEMU started, SSH awaited, both ended by PID on exit.

Whatever happens (success, failure, timeout, Ctrl-C) the context manager stops QEMU
and swtpm and leaves the console log in the boot directory.
"""

import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from harness import proc, tools
from harness.errors import InfraError
from harness.guest.session import GuestSession
from harness.vm.commands import (
    BASE_APPEND,
    TCG_APPEND,
    Accel,
    BootSpec,
    Timing,
    qemu_argv,
    swtpm_argv,
)

PORT_RETRIES = 3


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_file(path: Path, timeout: float, owner: proc.Background) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if owner.exit_status() is not None or time.monotonic() > deadline:
            raise InfraError(f"{owner.name} did not create {path.name}", owner.log)
        time.sleep(0.05)


@dataclass
class GuestConfig:
    kernel: Path
    disk: Path
    ssh_key: Path
    host_pubkey: Path
    accel: Accel = Accel.TCG
    timing: Timing = Timing.WALLCLOCK
    boot_timeout: float = 180.0
    extra_append: str = ""
    # The IMA policy the kernel loads at boot; None boots without one (benchmark
    # boots measure "no security" first, then load the policy through securityfs).
    boot_ima_policy: str | None = "tcb"
    # Only for preparing an image (harness.image.preload): the boot changes the disk.
    keep_disk_writes: bool = False
    # A second, empty disk of this size (/dev/vdb) for tests that format a device of
    # their own (LTP's); 0: none. Sparse, in the boot directory while the guest runs.
    scratch_disk_mb: int = 0


def boot_append(cfg: GuestConfig) -> str:
    policy = f"ima_policy={cfg.boot_ima_policy}" if cfg.boot_ima_policy else ""
    tcg = TCG_APPEND if cfg.accel is Accel.TCG else ""
    return " ".join(a for a in (BASE_APPEND, tcg, policy, cfg.extra_append) if a)


@dataclass
class Guest:
    """Context manager; `session` and `boot_seconds` are set once SSH answers."""

    config: GuestConfig
    boot_dir: Path
    session: GuestSession = field(init=False)
    boot_seconds: float = field(init=False)
    _procs: list[proc.Background] = field(default_factory=list, init=False)
    _tpm_dir: Path | None = field(default=None, init=False)
    _qemu: proc.Background | None = field(default=None, init=False)
    _killed: threading.Event = field(default_factory=threading.Event, init=False)

    @property
    def console_log(self) -> Path:
        return self.boot_dir / "console.log"

    def __enter__(self) -> "Guest":
        tools.require("qemu-system-x86_64", "swtpm")
        self.boot_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._start()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop()

    def _start_tpm(self) -> Path:
        # A short private path: unix socket paths are limited to 108 bytes.
        self._tpm_dir = Path(tempfile.mkdtemp(prefix="secns-tpm-"))
        sock = self._tpm_dir / "ctrl.sock"
        swtpm = proc.Background(
            swtpm_argv(self._tpm_dir, sock, self.boot_dir / "swtpm.log"),
            self.boot_dir / "swtpm.out",
            "swtpm",
        ).start()
        self._procs.append(swtpm)
        _wait_for_file(sock, 10, swtpm)
        return sock

    def _scratch_disk(self) -> Path | None:
        if not self.config.scratch_disk_mb:
            return None
        path = self.boot_dir / "scratch.img"
        with path.open("wb") as f:
            f.truncate(self.config.scratch_disk_mb << 20)
        return path

    def _start(self) -> None:
        cfg = self.config
        for attempt in range(PORT_RETRIES):
            tpm_socket = self._start_tpm()
            port = free_port()
            spec = BootSpec(
                kernel=cfg.kernel,
                console_log=self.console_log,
                accel=cfg.accel,
                timing=cfg.timing,
                disk=cfg.disk,
                keep_disk_writes=cfg.keep_disk_writes,
                scratch_disk=self._scratch_disk(),
                ssh_port=port,
                tpm_socket=tpm_socket,
                append=boot_append(cfg),
            )
            start = time.monotonic()
            qemu = proc.Background(qemu_argv(spec), self.boot_dir / "qemu.log", "qemu").start()
            self._procs.append(qemu)
            self._qemu = qemu
            time.sleep(0.5)
            lost_port = qemu.exit_status() is not None and "hostfwd" in _read(qemu.log)
            if lost_port and attempt + 1 < PORT_RETRIES:
                self._stop()
                continue
            self.session = GuestSession(port, cfg.ssh_key, cfg.host_pubkey)
            self._await_ssh(qemu, start)
            return

    def _await_ssh(self, qemu: proc.Background, start: float) -> None:
        deadline = start + self.config.boot_timeout
        while True:
            if self._killed.is_set():
                raise InfraError("guest killed while it booted", self.console_log)
            if qemu.exit_status() is not None:
                raise InfraError(
                    f"guest exited (status {qemu.exit_status()}) before SSH came up; "
                    f"qemu log {qemu.log}",
                    self.console_log,
                )
            if self.session.try_connect():
                self.boot_seconds = round(time.monotonic() - start, 2)
                return
            if time.monotonic() > deadline:
                raise InfraError(
                    f"guest did not answer SSH within {self.config.boot_timeout:.0f} s; killed",
                    self.console_log,
                )
            time.sleep(0.2)  # a refused attempt costs a few ms: poll often

    def power_off(self, timeout: float) -> None:
        """Shut the guest down cleanly and wait for QEMU to exit; InfraError on timeout."""
        self.session.run("sync; systemctl --no-block poweroff", timeout=30)
        self.session.close()
        qemu = self._qemu
        assert qemu is not None, "power_off() needs a started guest"
        deadline = time.monotonic() + timeout
        while qemu.exit_status() is None:
            if time.monotonic() > deadline:
                raise InfraError(
                    f"guest did not power off within {timeout:.0f} s; killed", self.console_log
                )
            time.sleep(0.5)

    def tpm_timeouts(self) -> int:
        """TPM commands the guest gave up on, by its console log. Under icount with
        sleep=off the guest's wait for the TPM takes no guest time, so a host too busy to
        let swtpm answer at once makes the guest time out: IMA's PCR 10 then misses
        extends and no longer replays its list."""
        return _read(self.console_log).count("tpm tpm0: Operation Timed out")

    def kill(self) -> None:
        """End QEMU from another thread: the thread using the guest then fails its next
        command (or its wait for SSH, also when QEMU has not started yet) and cleans
        up the rest as it leaves the context."""
        self._killed.set()
        if self._qemu is not None:
            self._qemu.stop()

    def _stop(self) -> None:
        if hasattr(self, "session"):
            self.session.close()
        for p in reversed(self._procs):
            p.stop()
        (self.boot_dir / "scratch.img").unlink(missing_ok=True)  # what tests wrote there
        self._procs.clear()
        if self._tpm_dir is not None:
            shutil.rmtree(self._tpm_dir, ignore_errors=True)
            self._tpm_dir = None


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""
