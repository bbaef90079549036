"""Running host commands: argv lists only, output to a log, processes ended by PID.

Command builders elsewhere are pure functions returning argv lists; this module is
the one place that executes them.
"""

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from harness.errors import InfraError

PROGRESS_INTERVAL_TTY = 10.0
PROGRESS_INTERVAL_PIPE = 60.0


def _last_line(log: Path) -> str:
    try:
        with log.open("rb") as f:
            f.seek(max(0, log.stat().st_size - 400))
            lines = f.read().decode(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1].strip()[:90] if lines else ""


class _Progress:
    """Prints elapsed time and the log's last line while a long step runs."""

    def __init__(self, label: str, log: Path) -> None:
        self.label = label
        self.log = log
        self.start = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self.interval = PROGRESS_INTERVAL_TTY if sys.stderr.isatty() else PROGRESS_INTERVAL_PIPE

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            elapsed = int(time.monotonic() - self.start)
            print(
                f"  {self.label}: {elapsed // 60}m{elapsed % 60:02d}s  {_last_line(self.log)}",
                file=sys.stderr,
                flush=True,
            )

    def __enter__(self) -> "_Progress":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def kill_group(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """End a child started with start_new_session=True, and everything it started."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: SIGKILL when the thread that started it ends."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _start(
    argv: list[str],
    out: BinaryIO,
    log: Path,
    what: str,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    die_with_parent: bool = False,
) -> subprocess.Popen[bytes]:
    """Popen in a new session, its command line and output to out. A program that
    cannot start (missing, not executable) is an InfraError naming it, and the log
    says why."""
    out.write(f"$ {' '.join(argv)}\n".encode())
    out.flush()
    try:
        return subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            start_new_session=True,
            preexec_fn=_die_with_parent if die_with_parent else None,
        )
    except OSError as exc:
        out.write(f"cannot start: {exc}\n".encode())
        raise InfraError(f"{what}: cannot start {argv[0]}: {exc}", log) from exc


def run_logged(
    argv: Sequence[str | os.PathLike[str]],
    log: Path,
    *,
    what: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    progress: bool = False,
) -> None:
    """Run argv with its output appended to log; InfraError naming the log on failure."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = _start([str(a) for a in argv], out, log, what, cwd=cwd, env=env)
        try:
            if progress:
                with _Progress(what, log):
                    rc = proc.wait(timeout=timeout)
            else:
                rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            raise InfraError(f"{what}: timed out after {timeout:.0f} s", log) from None
        finally:
            kill_group(proc)
    if rc != 0:
        raise InfraError(f"{what}: exit status {rc}", log)


def capture(argv: Sequence[str | os.PathLike[str]], *, timeout: float = 60) -> str:
    """Run a short query command and return its stdout; InfraError if it fails."""
    try:
        done = subprocess.run(
            [str(a) for a in argv],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InfraError(f"{argv[0]}: {exc}") from exc
    if done.returncode != 0:
        raise InfraError(f"{' '.join(map(str, argv))}: {done.stderr.strip()[:300]}")
    return done.stdout


class Background:
    """A long-running child (QEMU, swtpm) in its own session, ended by its PID, or
    by the kernel when the harness dies: a guest left running by a killed harness
    (or a killed distributed worker, harness.distributed) would hold a core for
    good."""

    def __init__(self, argv: Sequence[str | os.PathLike[str]], log: Path, name: str) -> None:
        self.argv = [str(a) for a in argv]
        self.log = log
        self.name = name
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> "Background":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.proc = _start(self.argv, out, self.log, self.name, die_with_parent=True)
        return self

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def exit_status(self) -> int | None:
        return self.proc.poll() if self.proc else None

    def stop(self) -> None:
        if self.proc is not None:
            kill_group(self.proc)

    def __enter__(self) -> "Background":
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
