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
    with pytest.raises(
        UserError, match=r"variants\.toml \[modifier\.bad\]: 'append' must be a string, not 3"
    ):
        resolve("v+bad", tmp_path / "variants.toml")
    assert resolve("secns").append == "" and "pci=noacpi" in resolve("secns+debug").append


A = '[variant.v]\nfragments = ["a.config"]\n'


@pytest.mark.parametrize(
    ("text", "spec", "message"),
    [
        (A + "patch = true\n", "v", r"\[variant\.v\]: unknown key 'patch'"),
        (
            A + "[modifier.m]\nfragments = []\npatches = true\n",
            "v+m",
            r"\[modifier\.m\]: unknown key",
        ),
        (A + "[variants.w]\n", "v", r"variants\.toml: unknown key 'variants'$"),
        (
            A + 'patches = "yes"\n',
            "v",
            r"\[variant\.v\]: 'patches' must be true or false, not 'yes'",
        ),
        (A + "patches = 1\n", "v", r"\[variant\.v\]: 'patches' must be true or false, not 1"),
        (A + "description = 3\n", "v", r"\[variant\.v\]: 'description' must be a string, not 3"),
        ("variant.w = 3\n", "w", r"\[variant\]: 'w' must be a table, not 3"),
        ('[variant.v]\nfragments = "a.config"\n', "v", r"'fragments' must be an array, not 'a\.c"),
        ('[variant.v]\ndescription = "d"\n', "v", r"\[variant\.v\]: missing key 'fragments'"),
        ("[variant.v]\nfragments = []\n[modifier.m]\n", "v+m", r"\[modifier\.m\]: missing key"),
        (
            '[variant.v]\nfragments = ["a.config", ""]\n',
            "v",
            r"\[variant\.v\]: 'fragments\[1\]' must have at least 1 character, not ''",
        ),
    ],
)
def test_bad_variants_name_file_table_and_key(
    tmp_path: Path, text: str, spec: str, message: str
) -> None:
    (tmp_path / "a.config").write_text("CONFIG_A=y\n")
    path = tmp_path / "variants.toml"
    path.write_text(text)
    with pytest.raises(UserError, match=message) as err:
        resolve(spec, path)
    assert str(err.value).startswith(f"{path}")


def test_variant_defaults(tmp_path: Path) -> None:
    (tmp_path / "a.config").write_text("CONFIG_A=y\n")
    path = tmp_path / "variants.toml"
    path.write_text(A + '[modifier.m]\nfragments = []\nappend = "x=1"\ndescription = ""\n')
    v = resolve("v+m", path)
    assert (v.description, v.apply_series, v.append) == ("v; ", False, "x=1")
    assert v.fragments == (tmp_path / "a.config",)


def test_a_broken_table_no_spec_names_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "a.config").write_text("CONFIG_A=y\n")
    path = tmp_path / "variants.toml"
    path.write_text(A + "[modifier.m]\nbogus = 1\n")
    assert resolve("v", path).fragments == (tmp_path / "a.config",)
