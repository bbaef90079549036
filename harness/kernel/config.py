"""Kconfig fragments and .config files: parsing, and the check that a merge kept
every option a fragment asked for."""

import re
from collections.abc import Iterable
from pathlib import Path

from harness.errors import InfraError, UserError

_SET = re.compile(r"^(CONFIG_[A-Za-z0-9_]+)=(.*)$")
_UNSET = re.compile(r"^# (CONFIG_[A-Za-z0-9_]+) is not set$")


def parse_config_text(text: str, source: str = "<config>") -> dict[str, str]:
    """Map CONFIG_X to its value ('n' for '# CONFIG_X is not set'), in file order."""
    options: dict[str, str] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if m := _SET.match(line):
            options[m.group(1)] = m.group(2)
        elif m := _UNSET.match(line):
            options[m.group(1)] = "n"
        elif line and not line.startswith("#"):
            raise UserError(f"{source}:{lineno}: not a Kconfig assignment: {raw!r}")
    return options


def requested_options(fragments: Iterable[Path]) -> dict[str, str]:
    """What the fragments ask for; a later fragment overrides an earlier one."""
    wanted: dict[str, str] = {}
    for frag in fragments:
        wanted.update(parse_config_text(frag.read_text(), str(frag)))
    return wanted


def referenced_files(fragments: Iterable[Path]) -> dict[str, Path]:
    """Files the fragments name as string option values (a blacklist hash list, say),
    found beside the fragment that names them: the build needs them in its output
    directory, where Kbuild looks for a relative name."""
    files: dict[str, Path] = {}
    for frag in fragments:
        for value in parse_config_text(frag.read_text(), str(frag)).values():
            name = value[1:-1] if len(value) > 1 and value[0] == value[-1] == '"' else ""
            if name and "/" not in name and (frag.parent / name).is_file():
                files[name] = frag.parent / name
    return files


def lost_options(wanted: dict[str, str], final: dict[str, str]) -> list[str]:
    """Options whose requested value is not the final one, as 'CONFIG_X=want (got Y)'."""
    lost = []
    for key, want in wanted.items():
        got = final.get(key, "n")
        if got != want:
            shown = "unset" if key not in final else got
            lost.append(f"{key}={want} (got {shown})")
    return lost


def check_merged(wanted: dict[str, str], config_file: Path, log: Path) -> None:
    lost = lost_options(wanted, parse_config_text(config_file.read_text(), str(config_file)))
    if lost:
        raise InfraError(
            f"{len(lost)} requested kernel option(s) did not survive the merge "
            f"(missing dependency or unknown symbol): {', '.join(lost)}",
            log,
        )
