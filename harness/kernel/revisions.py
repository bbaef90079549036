"""The patch series as committed at a git revision of this repository, so two
revisions of the series can be built and compared side by side (`secns compare`)."""

from pathlib import Path

from harness import proc
from harness.errors import InfraError, UserError
from harness.kernel.series import (
    Series,
    archive_argv,
    extract_argv,
    load_series,
    rev_parse_argv,
    split_revision,
)
from harness.paths import PATCHES_DIR, REPO_ROOT


def series_at_revision(rev: str, cache: Path, repo: Path = REPO_ROOT) -> Series:
    """Extracted once into cache/series/<commit>/ and reused."""
    try:
        commit = proc.capture(rev_parse_argv(repo, rev)).strip()
    except InfraError:
        raise UserError(f"'{rev}' is not a commit of {repo}") from None
    target = cache / "series" / commit[:16]
    stamp = target / ".complete"
    if not stamp.exists():
        target.mkdir(parents=True, exist_ok=True)
        tar = target / "patches.tar"
        proc.run_logged(
            archive_argv(repo, commit, tar), target / "git.log", what=f"series at {rev}"
        )
        proc.run_logged(extract_argv(tar, target), target / "git.log", what=f"series at {rev}")
        stamp.touch()
    return load_series(target / PATCHES_DIR.relative_to(REPO_ROOT))


def series_for(spec: str, cache: Path) -> Series:
    """The series a variant spec builds with: the working tree's, or a revision's."""
    _, rev = split_revision(spec)
    return series_at_revision(rev, cache) if rev else load_series()
