from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from harness.distributed import cluster
from harness.distributed.cluster import check_workers, harness_digest
from harness.distributed.executor import DaskBoots
from harness.distributed.options import ClusterOptions
from harness.errors import InfraError, UserError
from harness.results.rundir import RunDir
from harness.vm.accel import AccelChoice
from harness.vm.commands import Accel
from tests.distributed.fake_cell import files


def test_one_way_to_the_cluster() -> None:
    with pytest.raises(UserError, match="either --dask-ssh or --dask-scheduler"):
        ClusterOptions()
    with pytest.raises(UserError, match="either"):
        ClusterOptions(("a", "b"), "tcp://x:8786")
    with pytest.raises(UserError, match="at least one worker"):
        ClusterOptions(("a",))
    with pytest.raises(UserError, match="no such file"):
        ClusterOptions(("a", "a"), ssh_config=Path("/nonexistent/ssh_config"))
    assert ClusterOptions(scheduler="tcp://x:8786").ssh_hosts == ()


def _fact(**over: object) -> dict[str, object]:
    return {"host": "lab1", "cores": 8, "harness": harness_digest(), "missing": [], **over}


def test_workers_must_run_this_harness_with_qemu_and_swtpm() -> None:
    check_workers({"tcp://w1": _fact(), "tcp://w2": _fact(host="lab2")})
    with pytest.raises(UserError, match=r"tcp://w2 \(lab2\) runs another harness"):
        check_workers({"tcp://w1": _fact(), "tcp://w2": _fact(host="lab2", harness="0" * 16)})
    with pytest.raises(UserError, match="lacks swtpm"):
        check_workers({"tcp://w1": _fact(missing=["swtpm"])})


def test_the_digest_follows_the_code(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    before = harness_digest(tmp_path)
    (tmp_path / "a.py").write_text("x = 2\n")
    assert harness_digest(tmp_path) != before


def test_a_run_on_kvm_probes_kvm_on_every_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, _ = files(tmp_path / "files")
    probed: list[Path] = []

    def fake_choose(requested: str, kernel: Path, cache: Path) -> AccelChoice:
        probed.append(kernel)
        if kernel.read_text() != "bzImage contents\n":
            raise InfraError("KVM requested but unusable: the probe printed nothing")
        return AccelChoice(Accel.KVM, "banner in 0.4 s")

    monkeypatch.setattr(cluster, "choose_accel", fake_choose)
    with (
        LocalCluster(n_workers=2, processes=False, dashboard_address=None) as local,
        Client(local) as client,
    ):
        boots = DaskBoots(RunDir.create(tmp_path, "run"), client, ship=None)
        verdicts = cluster.check_kvm(boots, config.kernel)
        assert list(verdicts.values()) == ["banner in 0.4 s"] * 2
        assert probed == [config.kernel] * 2
        config.kernel.write_text("another kernel!!\n")  # same size, still unusable
        with pytest.raises(UserError, match=r"cannot run the run's KVM guests.*--accel tcg"):
            cluster.check_kvm(DaskBoots(boots.run, client, ship=None), config.kernel)


def test_a_cluster_that_fails_to_start_is_an_infra_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(options: ClusterOptions) -> None:
        raise RuntimeError("Cluster failed to start: Permission denied for user root")

    monkeypatch.setattr(cluster, "_ssh_cluster", refused)
    monkeypatch.setattr(cluster.Shipper, "check", lambda self: None)
    run = RunDir.create(tmp_path, "run")
    with (
        pytest.raises(InfraError, match="did not come up: Cluster failed to start"),
        cluster.open_cluster(ClusterOptions(("h", "h")), run, Accel.TCG, tmp_path / "k"),
    ):
        pass
