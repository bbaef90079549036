"""Benchmark profiles (workloads/profiles.toml): how many boots, repetitions and sizes."""

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from harness.errors import UserError
from harness.paths import WORKLOADS_DIR

PROFILES_FILE = WORKLOADS_DIR / "profiles.toml"
WORKLOADS = ("table3", "lmbench", "apache", "depth", "siblings")
MAX_DEPTH = 32  # the kernel's nesting bound


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    boots: int
    repetitions: int  # of every mmap measurement (Table 3, depth, siblings)
    workloads: tuple[str, ...]
    lmbench_repetitions: int
    lmbench_n: int
    lmbench_file_mb: int
    mmap_iterations: int
    table3_nested: tuple[int, ...]
    depths: tuple[int, ...]
    siblings: tuple[int, ...]
    ab_repetitions: int
    ab_requests: int
    ab_clients: tuple[int, ...]

    def settings(self) -> dict[str, object]:
        """Everything but the name, for the run manifest."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "name"}


def _field(where: str, table: dict, key: str, kind: type) -> object:
    if key not in table:
        raise UserError(f"{where}: missing field '{key}'")
    value = table[key]
    if kind is int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise UserError(f"{where}: '{key}' must be a positive integer, not {value!r}")
        return value
    if kind is str:
        if not isinstance(value, str):
            raise UserError(f"{where}: '{key}' must be a string")
        return value
    if not isinstance(value, list) or not value:
        raise UserError(f"{where}: '{key}' must be a non-empty list")
    item = int if kind is tuple else str
    for v in value:
        if not isinstance(v, item) or (item is int and (isinstance(v, bool) or v < 1)):
            raise UserError(f"{where}: '{key}' holds {v!r}; expected positive integers")
    return tuple(value)


def parse_profile(name: str, table: dict, where: str) -> Profile:
    ints = (
        "boots",
        "repetitions",
        "lmbench_repetitions",
        "lmbench_n",
        "lmbench_file_mb",
        "mmap_iterations",
        "ab_repetitions",
    )
    lists = ("table3_nested", "depths", "siblings", "ab_clients")
    values: dict[str, object] = {k: _field(where, table, k, int) for k in ints}
    values |= {k: _field(where, table, k, tuple) for k in lists}
    values["ab_requests"] = _field(where, table, "ab_requests", int)
    values["description"] = _field(where, table, "description", str)
    workloads = _field(where, table, "workloads", list)
    unknown = sorted(set(workloads) - set(WORKLOADS))  # type: ignore[arg-type]
    if unknown:
        raise UserError(f"{where}: unknown workloads {unknown} (known: {', '.join(WORKLOADS)})")
    for key in ("table3_nested", "depths"):
        deepest = max(values[key])  # type: ignore[call-overload]
        if deepest > MAX_DEPTH:
            raise UserError(f"{where}: '{key}' goes to {deepest}, past the bound {MAX_DEPTH}")
    known = {*ints, *lists, "ab_requests", "description", "workloads"}
    for key in table:
        if key not in known:
            raise UserError(f"{where}: unknown field '{key}'")
    return Profile(name=name, workloads=workloads, **values)  # type: ignore[arg-type]


def load_profile(name: str, path: Path = PROFILES_FILE) -> Profile:
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: {exc}") from exc
    profiles = data.get("profile", {})
    if name not in profiles:
        raise UserError(f"unknown profile '{name}' (known: {', '.join(sorted(profiles))})")
    return parse_profile(name, profiles[name], f"{path} [profile.{name}]")
