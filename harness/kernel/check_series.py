"""Check the patch series as a maintainer would: every prefix of it applies to the
base, each patch passes scripts/checkpatch.pl --strict, and the tree builds after
each patch (incrementally, in the variant's build directory)."""

import re
import subprocess
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from harness.errors import InfraError
from harness.kernel.build import configure, locked_patched_tree, make_image, patched_tree
from harness.kernel.series import Series
from harness.kernel.source import KernelSource
from harness.kernel.variants import Variant

# checkpatch's last line when it ran to its end (with --strict, which adds checks).
_TOTAL = re.compile(r"^total: (\d+) errors, (\d+) warnings, (\d+) checks, \d+ lines checked$", re.M)
CHECKPATCH_FOUND_PROBLEMS = 1  # checkpatch's exit status when it reports anything


@dataclass(frozen=True)
class PatchCheck:
    patch: str
    added: int
    removed: int
    checkpatch: dict[str, int] = field(default_factory=dict)
    checkpatch_report: str = ""
    checkpatch_failure: str = ""  # why checkpatch did not run to its end; "" if it did
    build_ok: bool | None = None  # None: not built
    build_seconds: float | None = None
    build_log: str = ""

    @property
    def ok(self) -> bool:
        return (
            not self.checkpatch_failure
            and not self.checkpatch.get("ERROR")
            and self.build_ok is not False
        )


def diffstat(patch_text: str) -> tuple[int, int]:
    """Lines added and removed by a patch: its diff only, not the message or the
    format-patch signature."""
    added = removed = 0
    body = patch_text[patch_text.find("\ndiff --git ") :]
    for line in body.splitlines():
        if line in ("-- ", "--"):
            break
        if line.startswith(("+++ ", "--- ")):
            continue
        added += line.startswith("+")
        removed += line.startswith("-")
    return added, removed


def checkpatch_argv(tree: Path, patch: Path) -> list[str]:
    return [
        "perl",
        str(tree / "scripts" / "checkpatch.pl"),
        "--strict",
        "--no-tree",
        "--show-types",
        str(patch),
    ]


@dataclass(frozen=True)
class Checkpatch:
    counts: dict[str, int]  # ERROR, WARNING, CHECK; empty when it did not run
    report: str
    failure: str = ""


def judge_checkpatch(returncode: int, stdout: str, stderr: str) -> Checkpatch:
    """checkpatch's verdict from its own total line. Without that line, or with an
    exit status other than clean or "found problems" (perl or the script missing, a
    die), it did not check the patch, which must not pass as a clean patch."""
    total = _TOTAL.search(stdout)
    exited_normally = returncode in (0, CHECKPATCH_FOUND_PROBLEMS)
    if exited_normally and total:
        errors, warnings, checks = map(int, total.groups())
        return Checkpatch({"ERROR": errors, "WARNING": warnings, "CHECK": checks}, stdout)
    why = "no 'total:' line in its output" if exited_normally else f"exit status {returncode}"
    said = (stderr.strip() or stdout.strip()).splitlines()
    return Checkpatch({}, stdout, f"{why}: {said[-1][:200]}" if said else why)


def run_checkpatch(tree: Path, patch: Path) -> Checkpatch:
    # From inside the kernel tree: run from another git checkout, checkpatch takes
    # the patch file for a tracked file of that repository and checks it as such.
    try:
        done = subprocess.run(
            checkpatch_argv(tree, patch), capture_output=True, text=True, check=False, cwd=tree
        )
    except OSError as exc:
        return Checkpatch({}, "", f"cannot run checkpatch: {exc}")
    return judge_checkpatch(done.returncode, done.stdout, done.stderr)


def check_series(
    variant: Variant,
    source: KernelSource,
    series: Series,
    cache: Path,
    log_dir: Path,
    *,
    build: bool = True,
    jobs: int | None = None,
) -> list[PatchCheck]:
    # The variant's own build directory: each prefix rebuilds only what it changes,
    # and the last one leaves the directory where a build of the variant expects it.
    build_dir = cache / "build" / variant.name
    log_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for k, patch in enumerate(series.patches, 1):
        prefix = Series(series.directory, series.patches[:k])
        log = log_dir / f"{patch.stem}.log"  # patch names carry their position
        log.write_text(f"# {patch.name}\n")
        # Locked while checked and built: a run must not re-make the tree meanwhile.
        with locked_patched_tree(source, prefix, cache, log) as tree:
            verdict = run_checkpatch(tree, patch)
            added, removed = diffstat(patch.read_text())
            outcome = PatchCheck(
                patch.name, added, removed, verdict.counts, verdict.report, verdict.failure
            )
            if build:
                start = time.monotonic()
                try:
                    # Options a later patch defines cannot survive yet: no survival check.
                    configure(variant, tree, build_dir, cache, log, check=False)
                    make_image(
                        tree, build_dir, cache, log, what=f"build after {patch.name}", jobs=jobs
                    )
                    ok = True
                except InfraError:
                    ok = False
                outcome = replace(
                    outcome,
                    build_ok=ok,
                    build_seconds=round(time.monotonic() - start, 1),
                    build_log=str(log),
                )
        results.append(outcome)
    # Leave the shared patched tree at the whole series, as the variant builds expect it.
    patched_tree(source, series, cache, log_dir / "restore.log")
    return results
