from pathlib import Path

import pytest

from harness.distributed.artifacts import Digests, cell_files, in_store, relocate, shared
from harness.errors import InfraError
from tests.distributed.fake_cell import files


def test_every_file_a_boot_reads_is_shipped_by_content(tmp_path: Path) -> None:
    config, tools = files(tmp_path)
    digests = Digests()
    arts = {p: digests.artifact(p) for p in cell_files(config, tools)}
    assert set(arts) == {
        config.kernel,
        config.disk,
        config.ssh_key,
        config.host_pubkey,
        *tools.programs,
    }
    art = arts[config.kernel]
    assert art.relative == Path(art.sha256[:32]) / "bzImage"
    assert len({a.sha256 for a in arts.values()}) == len(arts)


def test_a_changed_file_gets_a_new_digest(tmp_path: Path) -> None:
    config, _ = files(tmp_path)
    digests = Digests()
    before = digests.artifact(config.kernel)
    config.kernel.write_text("another kernel, longer\n")
    assert digests.artifact(config.kernel).sha256 != before.sha256


def test_relocated_cell_reads_only_the_store(tmp_path: Path) -> None:
    config, tools = files(tmp_path / "host")
    digests = Digests()
    arts = {p: digests.artifact(p) for p in cell_files(config, tools)}
    store = tmp_path / "store"
    for art in arts.values():
        (store / art.relative).parent.mkdir(parents=True, exist_ok=True)
        (store / art.relative).write_text("copy")
    moved_config, moved_tools = relocate(config, tools, in_store(arts, store))
    for path in cell_files(moved_config, moved_tools):
        assert path.is_relative_to(store)
    assert moved_config.accel is config.accel and moved_config.timing is config.timing


def test_a_worker_host_that_was_not_prepared_is_an_infra_error(tmp_path: Path) -> None:
    config, tools = files(tmp_path / "host")
    arts = {p: Digests().artifact(p) for p in cell_files(config, tools)}
    with pytest.raises(InfraError, match=r"bzImage .* not in .*not prepared"):
        in_store(arts, tmp_path / "empty-store")


def test_a_shared_filesystem_must_hold_the_same_files(tmp_path: Path) -> None:
    config, tools = files(tmp_path)
    arts = {p: Digests().artifact(p) for p in cell_files(config, tools)}
    assert shared(arts) == {p: p for p in arts}
    config.disk.write_text("truncated")
    with pytest.raises(InfraError, match=r"disk\.img is missing or differs"):
        shared(arts)
