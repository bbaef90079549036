from pathlib import Path

import pytest

from harness.distributed.cluster import ClusterOptions, check_workers, harness_digest
from harness.errors import UserError


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
