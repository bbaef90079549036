"""DaskBoots on a real local Dask cluster (worker processes), with cells that boot
nothing (tests.distributed.fake_cell): what the executor itself must get right."""

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from harness.distributed.executor import DaskBoots
from harness.errors import InfraError
from harness.results.rundir import RunDir
from tests.distributed.fake_cell import FakeCell, fake_boot, files


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as c,
    ):
        yield c


def test_cells_run_on_workers_and_merge_into_one_run(tmp_path: Path, client: Client) -> None:
    config, tools = files(tmp_path / "files")
    run = RunDir.create(tmp_path, "run")
    cells = [FakeCell(v, config, tools, fail=(v == "bad")) for v in ("a", "bad", "b")]
    failures = DaskBoots(run, client, ship=None).run_all(cells, fake_boot, lambda c: c.variant)
    assert len(failures) == 1 and "guest lost" in str(failures[0])
    assert isinstance(failures[0], InfraError)
    boots = run.boots()
    assert sorted(b["variant"] for b in boots) == ["a", "b", "bad"]
    assert len({b["boot_dir"] for b in boots}) == 3
    assert {b["worker"] for b in boots} <= set(client.scheduler_info()["workers"])
    for b in boots:
        assert (run.path / b["boot_dir"] / "console.log").is_file()
    assert len(run.samples()) == 6


def test_a_cell_whose_worker_dies_runs_again(tmp_path: Path, client: Client) -> None:
    config, tools = files(tmp_path / "files")
    run = RunDir.create(tmp_path, "run")
    cells = [FakeCell("slow", config, tools, seconds=8.0)]
    result: dict[str, list[InfraError]] = {}
    thread = threading.Thread(
        target=lambda: result.update(
            failures=DaskBoots(run, client, ship=None).run_all(cells, fake_boot, str)
        )
    )
    thread.start()
    deadline = time.monotonic() + 30
    busy: list[str] = []
    while not busy and time.monotonic() < deadline:
        busy = [w for w, tasks in client.processing().items() if tasks]
        time.sleep(0.2)
    assert busy, "the cell never started"
    time.sleep(1)
    pid = client.run(os.getpid, workers=busy)[busy[0]]
    os.kill(pid, signal.SIGKILL)
    thread.join(timeout=120)
    assert result["failures"] == []
    [boot] = run.boots()
    assert boot["status"] == "complete"
    assert run.manifest()["lost_cells"] == [{"cell": str(cells[0]), "times": 1}]
