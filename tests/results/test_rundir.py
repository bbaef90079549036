from pathlib import Path

import pytest

from harness.errors import UserError
from harness.results.rundir import RunDir


def test_records_survive_a_cut_line_and_resume_sees_them(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "r1")
    run.update_manifest(run_id="r1", accel="tcg")
    run.append_result({"variant": "vanilla", "scenario": "a", "status": "pass"})
    with (run.path / "results.jsonl").open("a") as f:
        f.write('{"variant": "secns", "scen')  # the process died mid-write
    reopened = RunDir.open(run.path)
    assert reopened.done() == {("vanilla", "a")}
    assert reopened.manifest()["accel"] == "tcg"


def test_manifest_updates_merge(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "r1")
    run.update_manifest(a=1)
    run.update_manifest(b=2)
    assert run.manifest() == {"a": 1, "b": 2}


def test_boot_dirs_are_numbered(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "r1")
    assert run.boot_dir("vanilla").name == "01-vanilla"
    run.append_boot({"variant": "vanilla"})
    assert run.boot_dir("secns").name == "02-secns"


def test_open_rejects_a_directory_without_manifest(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not a run directory"):
        RunDir.open(tmp_path)
