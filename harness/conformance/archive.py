"""A directory of installed tests, archived for the guest: written beside its final
name and renamed, so a build that dies leaves no archive that looks complete."""

from pathlib import Path

from harness import proc


def archive_argv(directory: Path, archive: Path) -> list[str]:
    return ["tar", "-C", str(directory), "-czf", str(archive), "."]


def write_archive(directory: Path, archive: Path, log: Path, what: str) -> None:
    partial = archive.with_suffix(".partial")
    proc.run_logged(archive_argv(directory, partial), log, what=what)
    partial.rename(archive)
