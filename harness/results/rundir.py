"""A run directory and the records in it.

    manifest.json   where and how the run happened (updated as steps complete)
    results.jsonl   one line per (variant, scenario), appended as soon as it is known
    boots.jsonl     one line per guest boot (boot-to-SSH time, console log)
    samples.jsonl   one line per benchmark measurement (harness.bench), as it is taken
    bench-failures.jsonl  benchmark commands that failed, with their output
    logs/           build and step logs;  boots/<n>-<variant>/  console and QEMU logs

A run that dies keeps every line already appended; `run --resume DIR` skips the
(variant, scenario) pairs already recorded.
"""

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import UserError

MANIFEST = "manifest.json"
RESULTS = "results.jsonl"
BOOTS = "boots.jsonl"
SAMPLES = "samples.jsonl"
BENCH_FAILURES = "bench-failures.jsonl"


def new_run_id(label: str = "run") -> str:
    return time.strftime("%Y%m%d-%H%M%S") + f"-{label}"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    records = []
    for line in path.read_text().splitlines():
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut short by a crash; everything before it is intact
    return records


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
    def open(cls, path: Path) -> "RunDir":
        if not (path / MANIFEST).is_file():
            raise UserError(f"{path} is not a run directory (no {MANIFEST})")
        return cls(path)

    @property
    def logs(self) -> Path:
        return self.path / "logs"

    def boot_dir(self, variant: str) -> Path:
        n = len(read_jsonl(self.path / BOOTS)) + 1
        return self.path / "boots" / f"{n:02d}-{variant}"

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
        with (self.path / name).open("a") as f:
            f.write(json.dumps(record, default=str) + "\n")
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
        return read_jsonl(self.path / SAMPLES)

    def bench_failures(self) -> list[dict[str, Any]]:
        return read_jsonl(self.path / BENCH_FAILURES)

    def results(self) -> list[dict[str, Any]]:
        return read_jsonl(self.path / RESULTS)

    def boots(self) -> list[dict[str, Any]]:
        return read_jsonl(self.path / BOOTS)

    def done(self) -> set[tuple[str, str]]:
        return {(r["variant"], r["scenario"]) for r in self.results()}
