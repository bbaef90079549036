import threading
import time
from pathlib import Path

from harness.boots import Boots, parallel_boots
from harness.errors import InfraError
from harness.results.rundir import RunDir
from harness.vm.commands import Timing


def test_parallel_only_under_icount() -> None:
    assert parallel_boots(Timing.ICOUNT, cores=2) == 2
    assert parallel_boots(Timing.WALLCLOCK, cores=8) == 1


def test_run_all_collects_failures_and_goes_on(tmp_path: Path) -> None:
    done: list[str] = []

    def task(boots: Boots, name: str) -> None:
        if name == "bad":
            raise InfraError("guest lost")
        done.append(name)

    for workers in (1, 2):
        done.clear()
        failures = Boots(RunDir.create(tmp_path, f"r{workers}"), workers).run_all(
            ["a", "bad", "b"], task, str
        )
        assert [str(f) for f in failures] == ["guest lost"]
        assert sorted(done) == ["a", "b"]


def test_failures_after_an_interrupt_are_not_counted(tmp_path: Path) -> None:
    boots = Boots(RunDir.create(tmp_path, "r"))
    boots.stopping.set()

    def killed(boots: Boots, name: str) -> None:
        raise InfraError("ssh: connection lost")

    assert boots.run_all(["a"], killed, str) == []


class _BootingGuest:
    """A guest that stays in its boot until killed, as one waiting for SSH does."""

    def __init__(self, config: object, boot_dir: Path) -> None:
        self.killed = threading.Event()

    def kill(self) -> None:
        self.killed.set()

    def __enter__(self) -> "_BootingGuest":
        if not self.killed.wait(10):
            raise AssertionError("the booting guest was never killed")
        raise InfraError("guest killed while it booted")

    def __exit__(self, *exc: object) -> None:
        pass


def test_stopping_ends_a_boot_under_way(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("harness.boots.Guest", _BootingGuest)
    run = RunDir.create(tmp_path, "r")
    boots = Boots(run, 2)
    outcome: list[str] = []

    def boot() -> None:
        try:
            with boots.guest(object(), tmp_path / "b", {"variant": "secns"}):
                outcome.append("booted")
        except InfraError:
            outcome.append("ended")

    thread = threading.Thread(target=boot)
    thread.start()
    for _ in range(100):
        if boots._live:
            break
        time.sleep(0.01)
    boots._kill_all()
    thread.join(15)
    assert outcome == ["ended"]
    assert [b["status"] for b in run.boots()] == ["interrupted"]
