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

    def task(name: str) -> None:
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

    def killed(name: str) -> None:
        raise InfraError("ssh: connection lost")

    assert boots.run_all(["a"], killed, str) == []
