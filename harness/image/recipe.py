"""The image recipe (images/rootfs.toml) as typed, frozen data."""

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from harness.errors import UserError
from harness.paths import IMAGES_DIR

RECIPE_FILE = IMAGES_DIR / "rootfs.toml"


@dataclass(frozen=True)
class Bootstrap:
    suite: str
    variant: str
    components: tuple[str, ...]
    packages: tuple[str, ...]
    without_depends: tuple[str, ...] = ()


@dataclass(frozen=True)
class RootfsRecipe:
    rootfs: Bootstrap
    size: str
    masked_units: tuple[str, ...]
    containers: dict[str, Bootstrap]
    digest: str


def _strings(table: dict, key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UserError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _bootstrap(table: dict, where: str) -> Bootstrap:
    for key in ("suite", "variant"):
        if not isinstance(table.get(key), str):
            raise UserError(f"{where}: '{key}' must be a string")
    return Bootstrap(
        suite=table["suite"],
        variant=table["variant"],
        components=_strings(table, "components", where) or ("main",),
        packages=_strings(table, "packages", where),
        without_depends=_strings(table, "without_depends", where),
    )


def recipe_digest(recipe: bytes, hooks_dir: Path) -> str:
    """The recipe file and the hook scripts it runs: everything that shapes the image."""
    h = hashlib.sha256(recipe)
    for hook in sorted(hooks_dir.glob("*")) if hooks_dir.is_dir() else []:
        h.update(b"\0" + hook.name.encode() + b"\0" + hook.read_bytes())
    return h.hexdigest()


def load_recipe(path: Path = RECIPE_FILE) -> RootfsRecipe:
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode())
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: {exc}") from exc
    if not isinstance(data.get("rootfs"), dict):
        raise UserError(f"{path}: missing [rootfs] table")
    rootfs = data["rootfs"]
    size = rootfs.get("size", "4G")
    if not isinstance(size, str):
        raise UserError(f"{path} [rootfs]: 'size' must be a string such as \"4G\"")
    containers = {
        name: _bootstrap(table, f"{path} [container.{name}]")
        for name, table in data.get("container", {}).items()
    }
    return RootfsRecipe(
        rootfs=_bootstrap(rootfs, f"{path} [rootfs]"),
        size=size,
        masked_units=_strings(rootfs, "masked_units", f"{path} [rootfs]"),
        containers=containers,
        digest=recipe_digest(raw, path.parent / "hooks"),
    )
