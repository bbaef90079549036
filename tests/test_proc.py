import signal
import threading
import time
from pathlib import Path

import pytest

from harness import proc
from harness.errors import InfraError


def test_run_logged_appends_command_and_output(tmp_path: Path) -> None:
    log = tmp_path / "step.log"
    proc.run_logged(["sh", "-c", "echo hello"], log, what="greet")
    text = log.read_text()
    assert "$ sh -c echo hello" in text and "hello" in text


def test_failure_names_the_log(tmp_path: Path) -> None:
    log = tmp_path / "step.log"
    with pytest.raises(InfraError, match=r"fail: exit status 3 \(log: .*step.log\)"):
        proc.run_logged(["sh", "-c", "exit 3"], log, what="fail")


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    log = tmp_path / "step.log"
    marker = tmp_path / "child-survived"
    script = f"(sleep 2; touch {marker}) & sleep 30"
    start = time.monotonic()
    with pytest.raises(InfraError, match="timed out"):
        proc.run_logged(["sh", "-c", script], log, what="slow", timeout=0.5)
    assert time.monotonic() - start < 10
    time.sleep(2.5)
    assert not marker.exists()


def test_background_is_stopped_by_pid(tmp_path: Path) -> None:
    with proc.Background(["sleep", "30"], tmp_path / "bg.log", "sleeper") as bg:
        assert bg.exit_status() is None
    assert bg.exit_status() is not None


def test_capture_raises_infra_error_with_stderr() -> None:
    with pytest.raises(InfraError, match="boom"):
        proc.capture(["sh", "-c", "echo boom >&2; exit 1"])


def test_run_logged_names_a_missing_program_and_the_log(tmp_path: Path) -> None:
    log = tmp_path / "step.log"
    with pytest.raises(InfraError, match=r"greet: cannot start no-such-tool: .*step.log"):
        proc.run_logged(["no-such-tool", "x"], log, what="greet")
    assert "cannot start" in log.read_text()


def test_background_names_a_missing_program_and_the_log(tmp_path: Path) -> None:
    bg = proc.Background(["no-such-emulator"], tmp_path / "bg.log", "qemu")
    with pytest.raises(InfraError, match=r"qemu: cannot start no-such-emulator: .*bg.log"):
        bg.start()
    assert bg.exit_status() is None


def test_background_ends_when_the_thread_that_started_it_ends(tmp_path: Path) -> None:
    # What a killed harness or distributed worker leaves: nobody to call stop().
    started: list[proc.Background] = []
    thread = threading.Thread(
        target=lambda: started.append(
            proc.Background(["sleep", "30"], tmp_path / "bg.log", "orphan").start()
        )
    )
    thread.start()
    thread.join()
    orphan = started[0]
    deadline = time.monotonic() + 5
    while orphan.exit_status() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert orphan.exit_status() == -signal.SIGKILL
