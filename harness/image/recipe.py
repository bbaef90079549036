"""The image recipe (images/rootfs.toml) as typed, frozen data."""

import hashlib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated

import pydantic.dataclasses
from pydantic import AfterValidator, Field, StrictStr

from harness.paths import IMAGES_DIR
from harness.tomlmodel import TABLE, load_toml

RECIPE_FILE = IMAGES_DIR / "rootfs.toml"

Names = tuple[StrictStr, ...]
# mke2fs's fs-size: a count of blocks, or of K, M, G, T bytes or (s) 512-byte sectors.
Size = Annotated[StrictStr, Field(pattern=r"^[1-9][0-9]*[KkMmGgTts]?$")]


@pydantic.dataclasses.dataclass(config=TABLE)
class Bootstrap:
    """What mmdebstrap installs: the [rootfs] table, or a [container.NAME] one."""

    suite: StrictStr
    variant: StrictStr
    # An empty array, too, means main alone.
    components: Annotated[Names, AfterValidator(lambda c: c or ("main",))] = ("main",)
    packages: Names = ()
    without_depends: Names = ()


@pydantic.dataclasses.dataclass(config=TABLE)
class _Rootfs(Bootstrap):
    """The [rootfs] table: the guest's own bootstrap, its disk size, masked units and
    generators."""

    size: Size = "4G"
    masked_units: Names = ()
    masked_generators: Names = ()


@pydantic.dataclasses.dataclass(config=TABLE)
class _RecipeFile:
    rootfs: _Rootfs
    container: dict[str, Bootstrap] = Field(default_factory=dict)


@dataclass(frozen=True)
class RootfsRecipe:
    rootfs: Bootstrap
    size: str
    masked_units: tuple[str, ...]
    masked_generators: tuple[str, ...]
    containers: dict[str, Bootstrap]
    digest: str


def recipe_digest(recipe: bytes, hooks_dir: Path) -> str:
    """The recipe file and the hook scripts it runs: everything that shapes the image."""
    h = hashlib.sha256(recipe)
    for hook in sorted(hooks_dir.glob("*")) if hooks_dir.is_dir() else []:
        h.update(b"\0" + hook.name.encode() + b"\0" + hook.read_bytes())
    return h.hexdigest()


def load_recipe(path: Path = RECIPE_FILE) -> RootfsRecipe:
    raw = path.read_bytes()
    recipe = load_toml(path, _RecipeFile, raw)
    rootfs = recipe.rootfs
    return RootfsRecipe(
        rootfs=Bootstrap(**{f.name: getattr(rootfs, f.name) for f in fields(Bootstrap)}),
        size=rootfs.size,
        masked_units=rootfs.masked_units,
        masked_generators=rootfs.masked_generators,
        containers=recipe.container,
        digest=recipe_digest(raw, path.parent / "hooks"),
    )
