"""Kernel variants are data: kernel-config/variants.toml names each one's fragments.

A variant spec is a base variant name optionally followed by modifiers, e.g.
``secns`` or ``secns+debug``, and optionally by ``@REV``: the series as committed at
git revision REV (harness.kernel.revisions).
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from harness.errors import UserError
from harness.kernel.series import split_revision
from harness.paths import KERNEL_CONFIG_DIR

VARIANTS_FILE = KERNEL_CONFIG_DIR / "variants.toml"


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    fragments: tuple[Path, ...]
    apply_series: bool
    append: str = ""  # kernel command line arguments every boot of the variant adds


def _fragment_paths(owner: str, names: object, config_dir: Path) -> tuple[Path, ...]:
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise UserError(f"{VARIANTS_FILE.name}: '{owner}.fragments' must be a list of file names")
    paths = tuple(config_dir / n for n in names)
    for p in paths:
        if not p.is_file():
            raise UserError(f"{VARIANTS_FILE.name}: '{owner}' names missing fragment {p.name}")
    return paths


def _append(owner: str, table: dict) -> list[str]:
    value = table.get("append", "")
    if not isinstance(value, str):
        raise UserError(f"{VARIANTS_FILE.name}: '{owner}.append' must be a string")
    return value.split()


def load_variants(path: Path = VARIANTS_FILE) -> tuple[dict[str, dict], dict[str, dict]]:
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: {exc}") from exc
    return data.get("variant", {}), data.get("modifier", {})


def resolve(spec: str, path: Path = VARIANTS_FILE) -> Variant:
    """Turn 'base[+modifier...]' into a Variant; UserError for unknown names."""
    bases, modifiers = load_variants(path)
    name, _ = split_revision(spec)
    base_name, *mod_names = name.split("+")
    if base_name not in bases:
        raise UserError(f"unknown kernel variant '{base_name}' (known: {', '.join(sorted(bases))})")
    base = bases[base_name]
    fragments = _fragment_paths(base_name, base.get("fragments"), path.parent)
    descriptions = [base.get("description", base_name)]
    append = _append(base_name, base)
    for mod in mod_names:
        if mod not in modifiers:
            raise UserError(
                f"unknown variant modifier '{mod}' (known: {', '.join(sorted(modifiers))})"
            )
        fragments += _fragment_paths(mod, modifiers[mod].get("fragments"), path.parent)
        descriptions.append(modifiers[mod].get("description", mod))
        append += _append(mod, modifiers[mod])
    return Variant(
        name=spec,
        description="; ".join(descriptions),
        fragments=fragments,
        apply_series=bool(base.get("patches", False)),
        append=" ".join(append),
    )
