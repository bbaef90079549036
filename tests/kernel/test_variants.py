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
