"""Kernel variants are data: kernel-config/variants.toml names each one's fragments.

A variant spec is a base variant name optionally followed by modifiers, e.g.
``secns`` or ``secns+debug``, and optionally by ``@REV``: the series as committed at
git revision REV (harness.kernel.revisions).
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pydantic.dataclasses
from pydantic import Field, StrictBool, StrictStr

from harness.errors import UserError
from harness.kernel.series import split_revision
from harness.paths import KERNEL_CONFIG_DIR
from harness.tomlmodel import TABLE, load_toml, validate

VARIANTS_FILE = KERNEL_CONFIG_DIR / "variants.toml"


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    fragments: tuple[Path, ...]
    apply_series: bool
    append: str = ""  # kernel command line arguments every boot of the variant adds


@pydantic.dataclasses.dataclass(config=TABLE)
class _Modifier:
    """A [modifier.NAME] table: fragments (file names next to the variants file) and
    kernel command line arguments that any variant can add."""

    fragments: tuple[Annotated[StrictStr, Field(min_length=1)], ...]
    description: StrictStr | None = None  # None: the name
    append: StrictStr = ""


@pydantic.dataclasses.dataclass(config=TABLE)
class _Base(_Modifier):
    """A [variant.NAME] table; patches: whether the build applies the patch series."""

    patches: StrictBool = False


@pydantic.dataclasses.dataclass(config=TABLE)
class _VariantsFile:
    """The file's two kinds of table, each checked when a spec names it."""

    variant: dict[str, dict[str, Any]] = Field(default_factory=dict)
    modifier: dict[str, dict[str, Any]] = Field(default_factory=dict)


def load_variants(path: Path = VARIANTS_FILE) -> tuple[dict[str, dict], dict[str, dict]]:
    """The [variant.NAME] and [modifier.NAME] tables, by name."""
    tables = load_toml(path, _VariantsFile)
    return tables.variant, tables.modifier


def _fragments(where: str, names: tuple[str, ...], config_dir: Path) -> tuple[Path, ...]:
    paths = tuple(config_dir / n for n in names)
    for p in paths:
        if not p.is_file():
            raise UserError(f"{where}: 'fragments' names missing fragment {p.name}")
    return paths


def resolve(spec: str, path: Path = VARIANTS_FILE) -> Variant:
    """Turn 'base[+modifier...]' into a Variant; UserError for unknown names."""
    bases, modifiers = load_variants(path)
    name, _ = split_revision(spec)
    base_name, *mod_names = name.split("+")
    if base_name not in bases:
        raise UserError(f"unknown kernel variant '{base_name}' (known: {', '.join(sorted(bases))})")
    where = f"{path} [variant.{base_name}]"
    base = validate(_Base, bases[base_name], where)
    parts: list[tuple[str, str, _Modifier]] = [(base_name, where, base)]
    for mod in mod_names:
        if mod not in modifiers:
            raise UserError(
                f"unknown variant modifier '{mod}' (known: {', '.join(sorted(modifiers))})"
            )
        where = f"{path} [modifier.{mod}]"
        parts.append((mod, where, validate(_Modifier, modifiers[mod], where)))
    return Variant(
        name=spec,
        description="; ".join(n if t.description is None else t.description for n, _, t in parts),
        fragments=tuple(f for _, w, t in parts for f in _fragments(w, t.fragments, path.parent)),
        apply_series=base.patches,
        append=" ".join(arg for _, _, t in parts for arg in t.append.split()),
    )
