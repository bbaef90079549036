import io
import tarfile
from dataclasses import replace
from pathlib import Path

import pytest

from harness.distributed.artifacts import Digests, cell_files
from harness.distributed.cell import Shipment, merge, run_cell
from harness.errors import InfraError
from harness.results.rundir import RunDir
from tests.distributed.fake_cell import FakeCell, fake_boot, files


def _shipment(cell: FakeCell) -> Shipment:
    digests = Digests()
    return Shipment(
        {p: digests.artifact(p) for p in cell_files(cell.config, cell.tools)},
        shared_filesystem=True,
    )


def test_merged_cell_reads_as_a_local_boot(tmp_path: Path) -> None:
    config, tools = files(tmp_path / "files")
    run = RunDir.create(tmp_path, "run")
    run.new_boot_dir("vanilla")  # a boot the run had already: the cell's comes next
    cell = FakeCell("secns", config, tools)
    out = run_cell(fake_boot, cell, _shipment(cell), [])
    assert merge(run, out) is None
    [boot] = run.boots()
    assert boot["boot_dir"] == "boots/02-secns" and boot["status"] == "complete"
    assert boot["worker"] == "local" and boot["host"]
    assert [s["boot_dir"] for s in run.samples()] == ["boots/02-secns"] * 2
    assert (run.path / "boots/02-secns/console.log").read_text() == "bzImage contents\n"


def test_a_resumed_cell_measures_and_returns_only_what_is_missing(tmp_path: Path) -> None:
    config, tools = files(tmp_path / "files")
    run = RunDir.create(tmp_path, "run")
    run.append_sample({"variant": "secns", "rep": 1, "boot_dir": "boots/01-secns"})
    cell = FakeCell("secns", config, tools)
    out = run_cell(fake_boot, cell, _shipment(cell), cell.recorded(run))
    merge(run, out)
    assert sorted(s["rep"] for s in run.samples()) == [1, 2]


def test_a_failed_cell_keeps_its_records_and_names_the_merged_log(tmp_path: Path) -> None:
    config, tools = files(tmp_path / "files")
    run = RunDir.create(tmp_path, "run")
    cell = FakeCell("secns", config, tools, fail=True)
    out = run_cell(fake_boot, cell, _shipment(cell), [])
    failure = merge(run, out)
    assert failure is not None
    assert f"{run.path}/boots/01-secns/console.log" in str(failure)
    assert "on local" in str(failure)
    assert [b["status"] for b in run.boots()] == ["failed"]
    assert (run.path / "boots/01-secns/console.log").exists()


def test_an_archive_reaching_outside_the_boot_directories_is_refused(tmp_path: Path) -> None:
    config, tools = files(tmp_path / "files")
    run = RunDir.create(tmp_path, "run")
    cell = FakeCell("secns", config, tools)
    out = run_cell(fake_boot, cell, _shipment(cell), [])
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        tar.add(config.kernel, arcname="boots/../../escaped")
    with pytest.raises(InfraError, match="not a boot directory's file"):
        merge(run, replace(out, boot_dirs=archive.getvalue()))
    assert not (tmp_path / "escaped").exists()
