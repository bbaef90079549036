"""TOML input files checked against pydantic models, with errors a user can act on.

A file's tables are pydantic dataclasses with ``config=TABLE``: an unknown key is an
error and the parsed values are frozen. Field types are strict (TOML has its own
types, so "3" is no integer and true is no 1) and carry the constraints, so the
models say everything a file may hold. Whatever is wrong becomes one UserError line
naming the file, the table, the key and the problem.
"""

import functools
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import ConfigDict, Field, StrictInt, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from harness.errors import UserError

T = TypeVar("T")

TABLE = ConfigDict(extra="forbid", frozen=True)

PositiveInt = Annotated[StrictInt, Field(gt=0)]

# What a key of the wrong type should hold, in TOML's words.
_EXPECTED = {
    "int_type": "an integer",
    "string_type": "a string",
    "bool_type": "true or false",
    "tuple_type": "an array",
    "list_type": "an array",
    "dict_type": "a table",
    "dataclass_type": "a table",
    "model_type": "a table",
}
_UNKNOWN = ("extra_forbidden", "unexpected_keyword_argument")


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _problem(err: ErrorDetails) -> tuple[str, str]:
    """The table an error is in (dotted, "" for the top) and what is wrong there."""
    loc = err["loc"]
    # The key is the last name in loc, followed by array indices; the tables come before.
    at = max((i for i, part in enumerate(loc) if isinstance(part, str)), default=len(loc))
    table = ".".join(str(part) for part in loc[:at])
    key = "".join([str(part) for part in loc[at : at + 1]] + [f"[{i}]" for i in loc[at + 1 :]])
    if err["type"] == "missing":
        return table, f"missing key '{key}'"
    if err["type"] in _UNKNOWN:
        return table, f"unknown key '{key}'"
    if err["type"] in _EXPECTED:
        must = f"must be {_EXPECTED[err['type']]}"
    else:  # "Input should be greater than 0" -> "must be greater than 0"
        must = re.sub(r"^\w+ should", "must", err["msg"]).replace(" after validation", "")
    got = "" if ", not " in must else f", not {_shown(err['input'])}"
    return table, f"'{key}' {must}{got}" if key else f"{must}{got}"


def _inside(loc: tuple, outer: tuple) -> bool:
    return len(loc) > len(outer) and loc[: len(outer)] == outer


def describe(exc: ValidationError, where: str) -> str:
    """One line: where (a file, or a file and table), the table inside it, the problem.

    The first problem only, and how many more there are. An array's own error is no
    problem of its own when its items have errors (it is short of the items that failed).
    """
    every = exc.errors()
    errors = [e for e in every if not any(_inside(o["loc"], e["loc"]) for o in every)]
    table, problem = _problem(errors[0])
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}{f' [{table}]' if table else ''}: {problem}{more}"


@functools.cache
def _adapter(model: type) -> TypeAdapter:
    return TypeAdapter(model)


def validate(model: type[T], data: object, where: str) -> T:
    """data (parsed TOML) as a model; a UserError saying what is wrong and where."""
    try:
        return _adapter(model).validate_python(data)
    except ValidationError as exc:
        raise UserError(describe(exc, where)) from exc


def load_toml(path: Path, model: type[T], raw: bytes | None = None) -> T:
    """The TOML file at path (or its content raw, already read) as a model.

    UserError for a file that is not UTF-8 TOML (with the line and column), or whose
    content the model does not accept.
    """
    try:
        data: dict[str, Any] = tomllib.loads((path.read_bytes() if raw is None else raw).decode())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: {exc}") from exc
    return validate(model, data, str(path))
