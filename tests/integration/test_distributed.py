"""The run's boot cells on a real Dask cluster: workers started over SSH on this
machine (a private sshd, tests.integration.loopback), real guests in them."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client, SSHCluster

from harness.digest import file_sha256
from harness.distributed.artifacts import STORE, Digests
from harness.distributed.options import ClusterOptions
from harness.distributed.prepare import Shipper
from harness.errors import UserError
from harness.pipeline import RunOptions, run_pipeline
from tests.integration import loopback

pytestmark = pytest.mark.skipif(
    not loopback.SSHD.exists(), reason="needs sshd (openssh-server) for loopback workers"
)
HOSTS = (loopback.HOST,) * 3  # the scheduler, and two workers


@pytest.fixture(scope="module")
def ssh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[loopback.LoopbackSsh]:
    server = loopback.start(tmp_path_factory.mktemp("sshd"))
    yield server
    server.stop()


def test_files_go_once_to_each_host_holes_kept(tmp_path: Path, ssh: loopback.LoopbackSsh) -> None:
    sparse = tmp_path / "disk.img"
    with sparse.open("wb") as f:
        f.truncate(256 << 20)  # all hole
        f.write(os.urandom(16))  # new content: the store keeps what earlier runs copied
    art = Digests().artifact(sparse)
    shipper = Shipper((loopback.HOST,), ssh.ssh_config, tmp_path / "ship.log")
    shipper.check()
    shipper.ship({sparse: art})
    copy = Path.home() / STORE / art.relative
    assert file_sha256(copy) == art.sha256
    assert copy.stat().st_blocks * 512 < 1 << 20  # the holes stayed holes
    shipper.ship({sparse: art})
    assert (tmp_path / "ship.log").read_text().count("$ rsync") == 1


def test_an_unknown_host_key_is_refused(tmp_path: Path, ssh: loopback.LoopbackSsh) -> None:
    config = tmp_path / "ssh_config"
    config.write_text(
        ssh.ssh_config.read_text().replace(str(ssh.directory / "known_hosts"), "/dev/null")
    )
    with pytest.raises(UserError, match="cannot connect over SSH"):
        Shipper((loopback.HOST,), config, tmp_path / "ship.log").check()


def _run(cache: Path, results: Path, cluster: ClusterOptions) -> tuple:
    opts = RunOptions(
        cache=cache,
        results_dir=results,
        scenarios=("tpm-visible",),
        profile=None,
        cluster=cluster,
    )
    return run_pipeline(opts)


def _orphans() -> list[str]:
    """QEMU processes of cells: once the run is over, any left is an orphan."""
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if "qemu-system" in line and "secns-cell-" in line]


def test_cells_run_on_workers_started_over_ssh(
    cache: Path, tmp_path: Path, ssh: loopback.LoopbackSsh
) -> None:
    run, code, infra = _run(cache, tmp_path, ClusterOptions(HOSTS, ssh_config=ssh.ssh_config))
    assert code == 0 and not infra
    manifest = run.manifest()
    executor = manifest["executor"]
    assert executor["kind"] == "dask-ssh" and len(executor["workers"]) == 2
    boots = run.boots()
    assert sorted(b["variant"] for b in boots) == ["secns", "vanilla"]
    assert all(b["worker"] in executor["workers"] for b in boots)
    assert all((run.path / b["boot_dir"] / "console.log").stat().st_size > 0 for b in boots)
    assert {(r["variant"], r["status"]) for r in run.results()} == {
        ("vanilla", "pass"),
        ("secns", "pass"),
    }
    # Each worker's guest booted the store's copy of the kernel, not the cache's.
    kernels = {spec: Path(k["artifacts"]) for spec, k in manifest["kernels"].items()}
    for b in boots:
        qemu_log = (run.path / b["boot_dir"] / "qemu.log").read_text()
        assert str(Path.home() / STORE) in qemu_log and str(kernels[b["variant"]]) not in qemu_log
    assert _orphans() == []


def test_a_cell_whose_worker_is_killed_runs_again(
    cache: Path, tmp_path: Path, ssh: loopback.LoopbackSsh
) -> None:
    """A cluster already running (--dask-scheduler), one worker killed while its
    guest boots: the cell runs again on the other, the QEMU it left dies with it."""
    connect = {"config": [str(ssh.ssh_config)]}
    with (
        SSHCluster(
            list(HOSTS),
            connect_options=connect,
            worker_options={"nthreads": 1},
            scheduler_options={"port": 0, "dashboard_address": None},
            remote_python=sys.executable,
        ) as cluster,
        Client(cluster) as client,
    ):
        client.wait_for_workers(2, timeout=120)
        outcome: dict[str, tuple] = {}
        options = ClusterOptions(scheduler=cluster.scheduler_address)
        runner = threading.Thread(target=lambda: outcome.update(run=_run(cache, tmp_path, options)))
        runner.start()
        deadline, busy = time.monotonic() + 900, []
        while not busy and time.monotonic() < deadline and runner.is_alive():
            busy = [w for w, tasks in client.processing().items() if tasks]
            time.sleep(0.5)
        assert busy, "no cell started"
        time.sleep(5)  # its guest is booting
        os.kill(client.run(os.getpid, workers=busy[:1])[busy[0]], signal.SIGKILL)
        runner.join(timeout=1800)
    run, code, infra = outcome["run"]
    assert code == 0 and not infra
    assert [c["times"] for c in run.manifest()["lost_cells"]] == [1]
    assert sorted(b["variant"] for b in run.boots()) == ["secns", "vanilla"]
    assert _orphans() == []
