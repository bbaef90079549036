"""The Dask cluster a run hands its boot cells to.

Two ways in:
- `--dask-ssh HOST,HOST,...`: Dask's own SSH deployment starts a scheduler on the
  first host and a worker on each of the others (a host named twice gets two),
  with the Python given (by default this one: the same checkout and venv path on
  every host). The harness checks each worker host and copies the run's files to
  it over SSH (harness.distributed.prepare).
- `--dask-scheduler ADDRESS`: a cluster that is already running (e.g. dask-jobqueue
  on Slurm, README); its workers must share the cache directory with this host.

Either way every worker must run this very harness (same code digest), and take
one cell at a time: a cell is a guest that wants a core of its own.
"""

import hashlib
import os
import shutil
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from distributed import Client, SSHCluster

from harness.console import say
from harness.distributed.cell import Shipment, locate
from harness.distributed.executor import DaskBoots
from harness.distributed.options import ClusterOptions
from harness.distributed.prepare import Shipper
from harness.errors import HarnessError, InfraError, UserError
from harness.paths import cache_dir
from harness.results.rundir import RunDir
from harness.vm.accel import choose_accel
from harness.vm.commands import Accel

WORKER_TIMEOUT = 120.0  # seconds for the workers to join the scheduler
HARNESS_DIR = Path(__file__).resolve().parent.parent


def harness_digest(root: Path = HARNESS_DIR) -> str:
    """The harness's code, as a digest: a worker must run the same."""
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def worker_facts() -> dict[str, Any]:
    """On each worker: what the harness host checks before sending it a cell."""
    missing = [t for t in ("qemu-system-x86_64", "swtpm") if shutil.which(t) is None]
    return {
        "host": socket.gethostname(),
        "cores": os.cpu_count(),
        "harness": harness_digest(),
        "missing": missing,
    }


def check_workers(facts: dict[str, dict[str, Any]]) -> None:
    ours = harness_digest()
    for worker, fact in facts.items():
        if fact["harness"] != ours:
            raise UserError(
                f"worker {worker} ({fact['host']}) runs another harness (code "
                f"{fact['harness']}, here {ours}): check out the same revision there"
            )
        if fact["missing"]:
            raise UserError(f"worker {worker} ({fact['host']}) lacks {', '.join(fact['missing'])}")


def probe_kvm(kernel: Path, shipment: Shipment) -> str:
    """On a worker: the KVM probe boot (harness.vm.accel) of its copy of the kernel,
    its verdict cached in the worker host's cache; raises where KVM is unusable."""
    return choose_accel(Accel.KVM, locate(shipment)[kernel], cache_dir()).reason


def check_kvm(boots: DaskBoots, kernel: Path) -> dict[str, str]:
    """Every worker can run the run's KVM guests, or UserError naming the first that
    cannot: one run never mixes accelerators."""
    files = {kernel: boots.digests.artifact(kernel)}
    if boots.ship is not None:
        boots.ship(files)
    try:
        return boots.client.run(probe_kvm, kernel, Shipment(files, boots.ship is None))
    except HarnessError as exc:
        raise UserError(
            f"a worker cannot run the run's KVM guests ({exc}): run with --accel tcg, "
            "or leave that host out"
        ) from exc


def _ssh_cluster(options: ClusterOptions) -> SSHCluster:
    connect = {"config": [str(options.ssh_config)]} if options.ssh_config else {}
    return SSHCluster(
        list(options.ssh_hosts),
        connect_options=connect,
        worker_options={"nthreads": 1},
        scheduler_options={"port": 0, "dashboard_address": None},
        remote_python=options.remote_python,
    )


@contextmanager
def open_cluster(
    options: ClusterOptions, run: RunDir, accel: Accel, kernel: Path
) -> Iterator[DaskBoots]:
    """DaskBoots on the cluster, its workers checked (with a KVM probe boot of
    `kernel` on each when the run uses KVM) and recorded in the manifest; the
    cluster the harness started is stopped on exit."""
    with ExitStack() as stack:
        shipper = None
        try:
            if options.scheduler:
                say(f"dask: connecting to {options.scheduler}")
                client = stack.enter_context(Client(options.scheduler, timeout=WORKER_TIMEOUT))
                wanted = 1
            else:
                worker_hosts = tuple(dict.fromkeys(options.ssh_hosts[1:]))
                shipper = Shipper(worker_hosts, options.ssh_config, run.logs / "dask-ship.log")
                shipper.check()
                say(
                    f"dask: starting a scheduler on {options.ssh_hosts[0]} and "
                    f"{len(options.ssh_hosts) - 1} worker(s) over SSH"
                )
                cluster = stack.enter_context(_ssh_cluster(options))
                client = stack.enter_context(Client(cluster))
                wanted = len(options.ssh_hosts) - 1
            client.wait_for_workers(wanted, timeout=WORKER_TIMEOUT)
        except (OSError, TimeoutError, RuntimeError) as exc:
            # RuntimeError: SSHCluster's "Cluster failed to start: Permission denied ..."
            raise InfraError(f"dask: the cluster did not come up: {exc}") from exc
        facts = client.run(worker_facts)
        check_workers(facts)
        boots = DaskBoots(run, client, shipper.ship if shipper else None)
        if accel is Accel.KVM:
            for worker, reason in check_kvm(boots, kernel).items():
                facts[worker]["kvm"] = reason
        run.update_manifest(
            executor={
                "kind": "dask-scheduler" if options.scheduler else "dask-ssh",
                "scheduler": client.scheduler.address,
                "workers": facts,
            }
        )
        hosts = sorted({fact["host"] for fact in facts.values()})
        say(f"dask: {len(facts)} worker(s) on {', '.join(hosts)}")
        yield boots
