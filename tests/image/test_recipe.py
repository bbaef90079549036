from pathlib import Path

import pytest

from harness.errors import UserError
from harness.image.recipe import load_recipe


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
    with pytest.raises(UserError, match=r"\[rootfs\]: 'packages' must be a list of strings"):
        load_recipe(f)


def test_toml_syntax_error_is_a_user_error(tmp_path: Path) -> None:
    f = tmp_path / "r.toml"
    f.write_text("[rootfs\n")
    with pytest.raises(UserError, match=r"r\.toml"):
        load_recipe(f)
