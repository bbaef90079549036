"""Benchmark profiles (workloads/profiles.toml): how many boots, repetitions and sizes."""

from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import pydantic.dataclasses
from pydantic import Field, StrictInt, StrictStr

from harness.errors import UserError
from harness.paths import WORKLOADS_DIR
from harness.tomlmodel import TABLE, PositiveInt, load_toml, validate

PROFILES_FILE = WORKLOADS_DIR / "profiles.toml"
Workload = Literal["table3", "lmbench", "apache", "depth", "siblings"]
WORKLOADS: tuple[str, ...] = get_args(Workload)
MAX_DEPTH = 32  # the kernel's nesting bound

Depths = Annotated[tuple[Annotated[StrictInt, Field(gt=0, le=MAX_DEPTH)], ...], Field(min_length=1)]
Sizes = Annotated[tuple[PositiveInt, ...], Field(min_length=1)]


@pydantic.dataclasses.dataclass(config=TABLE)
class ProfileSettings:
    """A [profile.NAME] table: everything a profile says but its name."""

    description: StrictStr
    boots: PositiveInt
    repetitions: PositiveInt  # of every mmap measurement (Table 3, depth, siblings)
    workloads: Annotated[tuple[Workload, ...], Field(min_length=1)]
    lmbench_repetitions: PositiveInt
    lmbench_n: PositiveInt
    lmbench_file_mb: PositiveInt
    mmap_iterations: PositiveInt
    table3_nested: Depths
    depths: Depths
    siblings: Sizes
    ab_repetitions: PositiveInt
    ab_requests: PositiveInt
    ab_clients: Sizes

    def settings(self) -> dict[str, object]:
        """Everything but the name, for the run manifest."""
        return {f.name: getattr(self, f.name) for f in fields(ProfileSettings)}


@pydantic.dataclasses.dataclass(config=TABLE)
class Profile(ProfileSettings):
    """A profile's settings and its name, the key of its table."""

    name: StrictStr


def parse_profile(name: str, table: dict, where: str) -> Profile:
    return Profile(name=name, **validate(ProfileSettings, table, where).settings())


@pydantic.dataclasses.dataclass(config=TABLE)
class _ProfilesFile:
    """The [profile.NAME] tables, each checked when loaded."""

    profile: dict[str, dict[str, Any]] = Field(default_factory=dict)


def load_profile(name: str, path: Path = PROFILES_FILE) -> Profile:
    profiles = load_toml(path, _ProfilesFile).profile
    if name not in profiles:
        raise UserError(f"unknown profile '{name}' (known: {', '.join(sorted(profiles))})")
    return parse_profile(name, profiles[name], f"{path} [profile.{name}]")
