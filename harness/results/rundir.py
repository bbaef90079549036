"""A run directory and the records in it.

    manifest.json   where and how the run happened (updated as steps complete)
    results.jsonl   one line per (variant, scenario), appended as soon as it is known
    boots.jsonl     one line per guest boot (boot-to-SSH time, console log)
    samples.jsonl   one line per benchmark measurement (harness.bench), as it is taken
    bench-failures.jsonl  benchmark commands that failed, with their output
    logs/           build and step logs;  boots/<n>-<variant>/  console and QEMU logs

A run that dies keeps every line already appended; `run --resume DIR` skips the
(variant, scenario) pairs already recorded. A line the crash cut short stays in its
file, unreadable: readers skip it and can list where it is (`RunDir.unreadable`), and
the next append starts on a new line instead of gluing a record to it.
"""

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from harness.console import say
from harness.errors import UserError

MANIFEST = "manifest.json"
_APPEND_LOCK = threading.Lock()
RESULTS = "results.jsonl"
BOOTS = "boots.jsonl"
SAMPLES = "samples.jsonl"
BENCH_FAILURES = "bench-failures.jsonl"


def new_run_id(label: str = "run") -> str:
    return time.strftime("%Y%m%d-%H%M%S") + f"-{label}"


@dataclass(frozen=True)
class UnreadableLine:
    """A line of a jsonl file that holds no record, most often one a crash cut short."""

    path: Path
    line: int  # 1-based

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class JsonLines:
    records: list[dict[str, Any]]
    unreadable: list[UnreadableLine]


def read_jsonl(path: Path) -> JsonLines:
    """Every record of a jsonl file, and where the lines that hold none are."""
    if not path.exists():
        return JsonLines([], [])
    records, unreadable = [], []
    # errors="replace": a crash can cut a multi-byte character in half.
    for lineno, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = None
        if isinstance(record, dict):
            records.append(record)
        else:
            unreadable.append(UnreadableLine(path, lineno))
    return JsonLines(records, unreadable)


def _end_cut_line(f: BinaryIO, path: Path) -> None:
    """If the file ends inside a record (the last write was cut short), end that line
    so the next record starts on its own, and say so: that record is lost."""
    if f.seek(0, os.SEEK_END) == 0:
        return
    f.seek(-1, os.SEEK_END)
    if f.read(1) == b"\n":
        return
    f.seek(0)
    lineno = f.read().count(b"\n") + 1
    say(f"{path}:{lineno}: a record cut short by a crash; skipped, the next starts a new line")
    f.write(b"\n")


@dataclass(frozen=True)
class RunDir:
    path: Path

    @classmethod
    def create(cls, parent: Path, run_id: str) -> "RunDir":
        path = parent / run_id
        path.mkdir(parents=True, exist_ok=False)
        (path / "logs").mkdir()
        return cls(path)

    @classmethod
    def create_new(cls, parent: Path, label: str = "run") -> "RunDir":
        """A new run directory named by the time; runs started in the same second get
        -2, -3, ...: mkdir either makes the directory or fails, so two never share one."""
        run_id, n = new_run_id(label), 1
        while True:
            try:
                return cls.create(parent, run_id if n == 1 else f"{run_id}-{n}")
            except FileExistsError:
                n += 1

    @classmethod
    def open(cls, path: Path) -> "RunDir":
        if not (path / MANIFEST).is_file():
            raise UserError(f"{path} is not a run directory (no {MANIFEST})")
        run = cls(path)
        if bad := run.unreadable():
            say(f"{path}: {len(bad)} unreadable line(s) skipped: {', '.join(map(str, bad))}")
        return run

    @property
    def logs(self) -> Path:
        return self.path / "logs"

    def new_boot_dir(self, variant: str) -> Path:
        """A new, empty directory for one boot: boots/<n>-<variant>, n one more than the
        boots started so far (recorded or still running), made here so that boots
        running side by side never share one."""
        boots = self.path / "boots"
        boots.mkdir(exist_ok=True)
        n = len(list(boots.iterdir())) + 1
        while True:
            path = boots / f"{n:02d}-{variant}"
            try:
                path.mkdir()
                return path
            except FileExistsError:
                n += 1

    def manifest(self) -> dict[str, Any]:
        path = self.path / MANIFEST
        return json.loads(path.read_text()) if path.exists() else {}

    def update_manifest(self, **fields: Any) -> None:
        data = self.manifest()
        data.update(fields)
        tmp = self.path / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
        os.replace(tmp, self.path / MANIFEST)

    def _append(self, name: str, record: dict[str, Any]) -> None:
        path = self.path / name
        # Boots running side by side append to the same files: one record at a time,
        # or one could find another's half-written line and take it for a cut one.
        with _APPEND_LOCK, path.open("ab+") as f:
            _end_cut_line(f, path)
            f.write(json.dumps(record, default=str).encode() + b"\n")
            f.flush()
            os.fsync(f.fileno())

    def append_result(self, record: dict[str, Any]) -> None:
        self._append(RESULTS, record)

    def append_boot(self, record: dict[str, Any]) -> None:
        self._append(BOOTS, record)

    def append_sample(self, record: dict[str, Any]) -> None:
        self._append(SAMPLES, record)

    def append_bench_failure(self, record: dict[str, Any]) -> None:
        self._append(BENCH_FAILURES, record)

    def samples(self) -> list[dict[str, Any]]:
        return read_jsonl(self.path / SAMPLES).records

    def bench_failures(self) -> list[dict[str, Any]]:
        return read_jsonl(self.path / BENCH_FAILURES).records

    def results(self) -> list[dict[str, Any]]:
        return read_jsonl(self.path / RESULTS).records

    def boots(self) -> list[dict[str, Any]]:
        return read_jsonl(self.path / BOOTS).records

    def unreadable(self) -> list[UnreadableLine]:
        """Lines of the run's jsonl files that hold no record, in file and line order."""
        names = (RESULTS, BOOTS, SAMPLES, BENCH_FAILURES)
        return [bad for name in names for bad in read_jsonl(self.path / name).unreadable]

    def done(self) -> set[tuple[str, str]]:
        return {(r["variant"], r["scenario"]) for r in self.results()}
