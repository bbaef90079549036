import threading
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import pytest

from harness import boots
from harness.bench import rounds
from harness.bench.profile import load_profile
from harness.bench.rounds import pending, run_rounds
from harness.boots import Boots
from harness.errors import InfraError
from harness.guest.tools import GuestTools
from harness.results.rundir import RunDir
from harness.vm.commands import Accel, Timing


class _Config:
    accel, timing, extra_append = Accel.TCG, Timing.ICOUNT, ""

    def __init__(self, variant: str) -> None:
        self.variant = variant


class FakeGuest:
    """Counts how many guests are up at once; `fail` variants lose their guest."""

    lock = threading.Lock()
    up = 0
    most = 0
    started: ClassVar[list["FakeGuest"]] = []

    def __init__(self, config: _Config, boot_dir: Path) -> None:
        self.config, self.boot_dir = config, boot_dir
        self.session = config.variant
        self.boot_seconds = 1.0
        self.dead = threading.Event()

    def __enter__(self) -> "FakeGuest":
        with FakeGuest.lock:
            FakeGuest.up += 1
            FakeGuest.most = max(FakeGuest.most, FakeGuest.up)
            FakeGuest.started.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        with FakeGuest.lock:
            FakeGuest.up -= 1

    def kill(self) -> None:
        self.dead.set()

    def tpm_timeouts(self) -> int:
        return 1 if self.config.variant == "secns" else 0


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    FakeGuest.up = FakeGuest.most = 0
    FakeGuest.started = []
    behaviour = {"delay": 0.05}

    def plan(session: str, phases: object, ctx: rounds.BootContext) -> bool:
        guest = next(g for g in FakeGuest.started if g.boot_dir.name in ctx.boot_dir)
        if session == "broken":
            raise InfraError("guest lost")
        if guest.dead.wait(behaviour["delay"]):
            raise InfraError("ssh: connection lost")
        return True

    monkeypatch.setattr(boots, "Guest", FakeGuest)
    monkeypatch.setattr(rounds, "install_guest_tools", lambda session, tools: None)
    monkeypatch.setattr(rounds, "run_boot_plan", plan)
    return behaviour


def _run(tmp_path: Path, variants: tuple[str, ...], boots: int, workers: int) -> RunDir:
    run = RunDir.create(tmp_path, "r")
    run.update_manifest(run_id="r")
    profile = replace(load_profile("quick"), boots=boots)
    tools = GuestTools(tmp_path, ())
    run_rounds(Boots(run, workers), profile, variants, _Config, tools, 1.0)  # type: ignore[arg-type]
    return run


def test_pending_tasks_interleave_variants_and_skip_completed(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "r")
    run.append_boot({"purpose": "bench", "round": 1, "variant": "a", "status": "complete"})
    run.append_boot({"purpose": "bench", "round": 1, "variant": "b", "status": "failed"})
    assert pending(run, 2, ("a", "b")) == [(1, "b"), (2, "a"), (2, "b")]


def test_two_workers_boot_two_guests_at_once_each_in_its_own_directory(
    tmp_path: Path, fakes: dict[str, float]
) -> None:
    run = _run(tmp_path, ("vanilla", "secns"), boots=3, workers=2)
    boots = run.boots()
    assert FakeGuest.most == 2
    assert sorted((b["round"], b["variant"]) for b in boots) == [
        (r, v) for r in (1, 2, 3) for v in ("secns", "vanilla")
    ]
    assert {b["status"] for b in boots} == {"complete"}
    assert len({b["boot_dir"] for b in boots}) == 6
    assert {b["variant"]: b["tpm_timeouts"] for b in boots} == {"vanilla": 0, "secns": 1}


def test_one_worker_boots_one_at_a_time(tmp_path: Path, fakes: dict[str, float]) -> None:
    run = _run(tmp_path, ("vanilla", "secns"), boots=2, workers=1)
    assert FakeGuest.most == 1
    assert [(b["round"], b["variant"]) for b in run.boots()] == [
        (1, "vanilla"),
        (1, "secns"),
        (2, "vanilla"),
        (2, "secns"),
    ]


def test_a_failed_boot_is_recorded_and_the_others_go_on(
    tmp_path: Path, fakes: dict[str, float]
) -> None:
    run = _run(tmp_path, ("broken", "secns"), boots=2, workers=2)
    status = {(b["round"], b["variant"]): b["status"] for b in run.boots()}
    assert status == {
        (1, "broken"): "failed",
        (2, "broken"): "failed",
        (1, "secns"): "complete",
        (2, "secns"): "complete",
    }


def test_an_interrupt_kills_the_guests_under_way_and_records_them(
    tmp_path: Path, fakes: dict[str, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    fakes["delay"] = 30.0  # a boot that only ends when its guest is killed

    def interrupted(futures: object) -> object:
        while len(FakeGuest.started) < 2:
            threading.Event().wait(0.01)
        raise KeyboardInterrupt
        yield

    monkeypatch.setattr(boots, "as_completed", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, ("vanilla", "secns"), boots=3, workers=2)
    run = RunDir.open(tmp_path / "r")
    assert all(g.dead.is_set() for g in FakeGuest.started)
    assert [b["status"] for b in run.boots()] == ["interrupted", "interrupted"]
