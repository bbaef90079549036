from pathlib import Path

import pytest

from harness.errors import UserError
from harness.image.recipe import Bootstrap, load_recipe


def test_repository_recipe_loads_with_container_images() -> None:
    recipe = load_recipe()
    assert recipe.rootfs.suite == "bookworm"
    assert "non-free" in recipe.rootfs.components
    for needed in ("openssh-server", "docker.io", "lmbench", "tpm2-tools", "swtpm"):
        assert needed in recipe.rootfs.packages
    assert "lmbench" in recipe.containers["bench"].without_depends


MINIMAL = '[rootfs]\nsuite = "bookworm"\nvariant = "minbase"\n'


def _recipe_file(tmp_path: Path, extra: str = "") -> Path:
    f = tmp_path / "r.toml"
    f.write_text(MINIMAL + extra)
    return f


def test_digest_follows_file_content(tmp_path: Path) -> None:
    f = _recipe_file(tmp_path)
    d1 = load_recipe(f).digest
    _recipe_file(tmp_path, 'packages = ["less"]\n')
    assert load_recipe(f).digest != d1


def test_digest_follows_the_hook_scripts(tmp_path: Path) -> None:
    f = _recipe_file(tmp_path)
    (tmp_path / "hooks").mkdir()
    hook = tmp_path / "hooks" / "install-without-depends"
    hook.write_text("#!/bin/sh\n")
    d1 = load_recipe(f).digest
    hook.write_text("#!/bin/sh\nset -eu\n")
    assert load_recipe(f).digest != d1


def test_bad_types_are_user_errors(tmp_path: Path) -> None:
    f = _recipe_file(tmp_path, 'packages = "less"\n')
    with pytest.raises(
        UserError, match=r"r\.toml \[rootfs\]: 'packages' must be an array, not 'less'"
    ):
        load_recipe(f)


def test_toml_syntax_error_is_a_user_error(tmp_path: Path) -> None:
    f = tmp_path / "r.toml"
    f.write_text("[rootfs\n")
    with pytest.raises(UserError, match=r"r\.toml"):
        load_recipe(f)


WEB = '[container.web]\nsuite = "bookworm"\nvariant = "minbase"\n'


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('packges = ["less"]\n', r"\[rootfs\]: unknown key 'packges'"),
        (WEB + "without_depend = []\n", r"\[container\.web\]: unknown key 'without_depend'"),
        (WEB + "[containers.x]\n", r"r\.toml: unknown key 'containers'$"),
        (WEB + 'size = "4G"\n', r"\[container\.web\]: unknown key 'size'"),
        ("size = 4\n", r"\[rootfs\]: 'size' must be a string, not 4"),
        ('packages = ["less", 3]\n', r"\[rootfs\]: 'packages\[1\]' must be a string, not 3"),
        ("[container.x]\nsuite = 12\n", r"\[container\.x\]: 'suite' must be a string, not 12"),
        ('[container]\nweb = "x"\n', r"\[container\]: 'web' must be a table, not 'x'"),
        ('[container.web]\nsuite = "bookworm"\n', r"\[container\.web\]: missing key 'variant'"),
        ('size = "0G"\n', r"\[rootfs\]: 'size' must match pattern .*, not '0G'"),
        ('size = "-4G"\n', r"\[rootfs\]: 'size' must match pattern .*, not '-4G'"),
        ('size = "4 GB"\n', r"\[rootfs\]: 'size' must match pattern .*, not '4 GB'"),
    ],
)
def test_bad_recipes_name_file_table_and_key(tmp_path: Path, extra: str, message: str) -> None:
    f = _recipe_file(tmp_path, extra)
    with pytest.raises(UserError, match=message) as err:
        load_recipe(f)
    assert str(err.value).startswith(str(f))


def test_a_recipe_without_rootfs_is_named(tmp_path: Path) -> None:
    f = tmp_path / "r.toml"
    f.write_text(WEB)
    with pytest.raises(UserError, match=r"r\.toml: missing key 'rootfs'$"):
        load_recipe(f)


def test_recipe_defaults(tmp_path: Path) -> None:
    recipe = load_recipe(_recipe_file(tmp_path, "components = []\n" + WEB))
    assert (recipe.size, recipe.masked_units, recipe.rootfs.packages) == ("4G", (), ())
    assert recipe.masked_generators == ()
    assert recipe.rootfs.components == ("main",) == recipe.containers["web"].components
    assert type(recipe.rootfs) is Bootstrap  # not the [rootfs] table with size and units
