from pathlib import Path

import pytest

from harness.errors import UserError
from harness.kernel.variants import resolve


def test_repository_variants_resolve() -> None:
    vanilla, secns = resolve("vanilla"), resolve("secns+debug")
    assert not vanilla.apply_series and secns.apply_series
    assert [f.name for f in secns.fragments][-2:] == ["secns.config", "debug.config"]


def test_unknown_variant_lists_known_ones() -> None:
    with pytest.raises(
        UserError, match=r"unknown kernel variant 'vanila' \(known: secns, vanilla\)"
    ):
        resolve("vanila")


def test_unknown_modifier() -> None:
    with pytest.raises(UserError, match="unknown variant modifier 'kasan'"):
        resolve("secns+kasan")


def test_missing_fragment_is_named(tmp_path: Path) -> None:
    (tmp_path / "variants.toml").write_text('[variant.v]\nfragments = ["gone.config"]\n')
    with pytest.raises(UserError, match=r"missing fragment gone\.config"):
        resolve("v", tmp_path / "variants.toml")


def test_append_adds_kernel_arguments_from_variant_and_modifiers(tmp_path: Path) -> None:
    (tmp_path / "a.config").write_text("CONFIG_A=y\n")
    (tmp_path / "variants.toml").write_text(
        '[variant.v]\nfragments = ["a.config"]\nappend = "quiet"\n'
        '[modifier.m]\nfragments = ["a.config"]\nappend = "pci=noacpi  x=1"\n'
        '[modifier.bad]\nfragments = ["a.config"]\nappend = 3\n'
    )
    assert resolve("v", tmp_path / "variants.toml").append == "quiet"
    assert resolve("v+m", tmp_path / "variants.toml").append == "quiet pci=noacpi x=1"
    with pytest.raises(UserError, match=r"'bad.append' must be a string"):
        resolve("v+bad", tmp_path / "variants.toml")
    assert resolve("secns").append == "" and "pci=noacpi" in resolve("secns+debug").append
