from pathlib import Path
from typing import Annotated

import pytest
from pydantic import Field, StrictStr
from pydantic.dataclasses import dataclass

from harness.errors import UserError
from harness.tomlmodel import TABLE, PositiveInt, load_toml, validate


@dataclass(config=TABLE)
class Item:
    sizes: Annotated[tuple[PositiveInt, ...], Field(min_length=1)]
    label: StrictStr = ""


@dataclass(config=TABLE)
class File:
    item: dict[str, Item] = Field(default_factory=dict)


def _load(tmp_path: Path, text: str) -> File:
    path = tmp_path / "f.toml"
    path.write_text(text)
    return load_toml(path, File)


def test_a_good_file_loads_as_frozen_models(tmp_path: Path) -> None:
    f = _load(tmp_path, "[item.a]\nsizes = [1, 2]\n")
    assert f.item["a"] == Item(sizes=(1, 2))
    with pytest.raises(AttributeError):
        f.item["a"].label = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[item.a]\nsizes = [1, 0]\n",
            r"f\.toml \[item\.a\]: 'sizes\[1\]' must be greater than 0, not 0$",
        ),
        (
            '[item.a]\nsizes = [1, "2"]\n',
            r"f\.toml \[item\.a\]: 'sizes\[1\]' must be an integer, not '2'$",
        ),
        (
            "[item.a]\nsizes = [1.5]\n",
            r"f\.toml \[item\.a\]: 'sizes\[0\]' must be an integer, not 1\.5$",
        ),
        ("[item.a]\nsizes = [inf]\n", r"'sizes\[0\]' must be an integer, not inf$"),
        ("[item.a]\nsizes = []\n", r"\[item\.a\]: 'sizes' must have at least 1 item, not 0$"),
        ("[item.a]\nsizes = [1]\nlabel = false\n", r"'label' must be a string, not False$"),
        ("[item.a]\nsizes = [1]\nsize = 1\n", r"f\.toml \[item\.a\]: unknown key 'size'$"),
        ("[item.a]\nlabel = 'x'\n", r"f\.toml \[item\.a\]: missing key 'sizes'$"),
        ("item = 1\n", r"f\.toml: 'item' must be a table, not 1$"),
        ("[items.a]\n", r"f\.toml: unknown key 'items'$"),
        ("[item.a]\n[item.b]\n", r"f\.toml \[item\.a\]: missing key 'sizes' \(and 1 more\)$"),
    ],
)
def test_one_line_names_file_table_and_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UserError, match=message) as err:
        _load(tmp_path, text)
    assert "\n" not in str(err.value)


def test_long_values_are_shortened(tmp_path: Path) -> None:
    with pytest.raises(UserError) as err:
        _load(tmp_path, f'[item.a]\nsizes = ["{"x" * 200}"]\n')
    assert str(err.value).endswith("...") and len(str(err.value)) < 200


def test_toml_syntax_errors_name_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"f\.toml: .*\(at line 2, column \d+\)"):
        _load(tmp_path, "[item.a]\nsizes = [1,,]\n")


def test_a_file_that_is_not_utf8_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    path.write_bytes(b'[item.a]\nlabel = "\xff"\n')
    with pytest.raises(UserError, match=r"f\.toml: 'utf-8' codec can't decode"):
        load_toml(path, File)


def test_given_content_is_parsed_instead_of_the_file(tmp_path: Path) -> None:
    f = load_toml(tmp_path / "absent.toml", File, b"[item.a]\nsizes = [3]\n")
    assert f.item["a"].sizes == (3,)


def test_validate_names_where_it_was_told() -> None:
    with pytest.raises(UserError, match=r"^the manifest: 'sizes' must be an array, not 3$"):
        validate(Item, {"sizes": 3}, "the manifest")
    with pytest.raises(UserError, match=r"^the manifest: must be a table, not 3$"):
        validate(Item, 3, "the manifest")
