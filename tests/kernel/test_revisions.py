import subprocess
from pathlib import Path

import pytest

from harness.errors import UserError
from harness.kernel.revisions import series_at_revision
from harness.kernel.series import split_revision
from harness.kernel.variants import resolve


def test_split_revision() -> None:
    assert split_revision("secns") == ("secns", None)
    assert split_revision("secns+debug@v2") == ("secns+debug", "v2")
    with pytest.raises(UserError, match="no git revision"):
        split_revision("secns@")


def test_a_revision_resolves_to_its_base_variant() -> None:
    v = resolve("secns@HEAD~1")
    assert v.name == "secns@HEAD~1" and v.apply_series


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_series_is_read_as_committed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    patches = repo / "kernel" / "patches"
    patches.mkdir(parents=True)
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "t@example.org")
    _git(repo, "config", "user.name", "t")
    (patches / "0001-a.patch").write_text("--- a/x\n+++ b/x\n")
    (patches / "series").write_text("0001-a.patch\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "one")
    (patches / "0002-b.patch").write_text("--- a/y\n+++ b/y\n")
    (patches / "series").write_text("0001-a.patch\n0002-b.patch\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "two")

    old = series_at_revision("HEAD~1", tmp_path / "cache", repo)
    new = series_at_revision("HEAD", tmp_path / "cache", repo)
    assert [p.name for p in old.patches] == ["0001-a.patch"]
    assert [p.name for p in new.patches] == ["0001-a.patch", "0002-b.patch"]
    assert old.digest() != new.digest()
    with pytest.raises(UserError, match="is not a commit"):
        series_at_revision("nope", tmp_path / "cache", repo)
