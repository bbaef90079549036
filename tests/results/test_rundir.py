import threading
from pathlib import Path

import pytest

from harness.errors import UserError
from harness.results import rundir
from harness.results.rundir import RunDir, UnreadableLine


def _cut_run(tmp_path: Path) -> RunDir:
    """A run whose process died while writing its second result."""
    run = RunDir.create(tmp_path, "r1")
    run.update_manifest(run_id="r1", accel="tcg")
    run.append_result({"variant": "vanilla", "scenario": "a", "status": "pass"})
    with (run.path / "results.jsonl").open("a") as f:
        f.write('{"variant": "secns", "scen')
    return run


def test_records_survive_a_cut_line_and_resume_sees_them(tmp_path: Path, capsys) -> None:
    run = _cut_run(tmp_path)
    reopened = RunDir.open(run.path)
    assert reopened.done() == {("vanilla", "a")}
    assert reopened.manifest()["accel"] == "tcg"
    assert reopened.unreadable() == [UnreadableLine(run.path / "results.jsonl", 2)]
    assert f"1 unreadable line(s) skipped: {run.path}/results.jsonl:2" in capsys.readouterr().err


def test_an_append_after_a_cut_line_starts_a_new_line_and_says_so(tmp_path: Path, capsys) -> None:
    run = _cut_run(tmp_path)
    run.append_result({"variant": "secns", "scenario": "a", "status": "fail"})
    run.append_result({"variant": "secns", "scenario": "b", "status": "pass"})
    assert run.done() == {("vanilla", "a"), ("secns", "a"), ("secns", "b")}
    assert run.unreadable() == [UnreadableLine(run.path / "results.jsonl", 2)]
    err = capsys.readouterr().err
    assert err.count("cut short") == 1  # once, when the line is ended
    assert f"{run.path}/results.jsonl:2: a record cut short by a crash" in err


def test_lines_that_hold_no_record_are_listed_in_file_order(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "r1")
    (run.path / "boots.jsonl").write_text('{"variant": "v"}\n\n[1]\n')
    (run.path / "samples.jsonl").write_bytes(b'{"value": 1}\n{"unit": "\xc2')
    assert [str(bad) for bad in run.unreadable()] == [
        f"{run.path}/boots.jsonl:3",
        f"{run.path}/samples.jsonl:2",
    ]
    assert run.boots() == [{"variant": "v"}]


def test_runs_started_in_the_same_second_get_their_own_directories(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(rundir, "new_run_id", lambda label="run": f"20250101-120000-{label}")
    runs: list[RunDir] = []
    threads = [
        threading.Thread(target=lambda: runs.append(RunDir.create_new(tmp_path / "results")))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    names = sorted(r.path.name for r in runs)
    assert names[0] == "20250101-120000-run"
    assert len(set(names)) == 8
    assert all((r.path / "logs").is_dir() for r in runs)


def test_manifest_updates_merge(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "r1")
    run.update_manifest(a=1)
    run.update_manifest(b=2)
    assert run.manifest() == {"a": 1, "b": 2}


def test_boot_dirs_are_numbered_and_never_shared(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "r1")
    first = run.new_boot_dir("vanilla")
    assert first.name == "01-vanilla" and first.is_dir()
    # A boot still running has no record yet: the next one must not reuse its number.
    assert run.new_boot_dir("secns").name == "02-secns"
    (run.path / "boots" / "03-vanilla").mkdir()  # made meanwhile by another boot
    (run.path / "boots" / "02-secns").rmdir()  # the count is now 2: 03 is taken
    assert run.new_boot_dir("vanilla").name == "04-vanilla"


def test_open_rejects_a_directory_without_manifest(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not a run directory"):
        RunDir.open(tmp_path)
