from pathlib import Path

import pytest

from harness.errors import InfraError, UserError
from harness.kernel.config import (
    check_merged,
    lost_options,
    parse_config_text,
    referenced_files,
    requested_options,
)


def test_parse_reads_set_and_unset_options() -> None:
    text = '# comment\nCONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C="x y"\n\n'
    assert parse_config_text(text) == {"CONFIG_A": "y", "CONFIG_B": "n", "CONFIG_C": '"x y"'}


def test_parse_rejects_garbage_with_file_and_line() -> None:
    with pytest.raises(UserError, match=r"frag.config:2: not a Kconfig assignment"):
        parse_config_text("CONFIG_A=y\nA=y\n", "frag.config")


def test_later_fragment_overrides_earlier(tmp_path: Path) -> None:
    a, b = tmp_path / "a.config", tmp_path / "b.config"
    a.write_text("CONFIG_X=y\nCONFIG_Y=y\n")
    b.write_text("CONFIG_X=n\n")
    assert requested_options([a, b]) == {"CONFIG_X": "n", "CONFIG_Y": "y"}


def test_lost_options_reports_dropped_and_changed_values() -> None:
    wanted = {"CONFIG_A": "y", "CONFIG_B": "n", "CONFIG_C": "8", "CONFIG_D": "y"}
    final = {"CONFIG_A": "y", "CONFIG_C": "64", "CONFIG_E": "y"}
    assert lost_options(wanted, final) == ["CONFIG_C=8 (got 64)", "CONFIG_D=y (got unset)"]


def test_requested_n_is_satisfied_by_not_set() -> None:
    assert lost_options({"CONFIG_B": "n"}, {"CONFIG_B": "n"}) == []


def test_check_merged_names_lost_options_and_log(tmp_path: Path) -> None:
    cfg = tmp_path / ".config"
    cfg.write_text("CONFIG_A=y\n")
    log = tmp_path / "build.log"
    with pytest.raises(InfraError, match=r"CONFIG_IMA=y \(got unset\).*build.log"):
        check_merged({"CONFIG_A": "y", "CONFIG_IMA": "y"}, cfg, log)


def test_repository_fragments_parse() -> None:
    from harness.paths import KERNEL_CONFIG_DIR

    for frag in KERNEL_CONFIG_DIR.glob("*.config"):
        parse_config_text(frag.read_text(), str(frag))


def test_referenced_files_are_string_values_naming_a_file_beside_the_fragment(
    tmp_path: Path,
) -> None:
    (tmp_path / "hashes").write_text('"bin:00"\n')
    frag = tmp_path / "f.config"
    frag.write_text(
        'CONFIG_LIST="hashes"\nCONFIG_LSM="integrity,apparmor"\n'
        'CONFIG_GONE="missing"\nCONFIG_FAR="../hashes"\nCONFIG_N=hashes\n'
    )
    assert referenced_files([frag]) == {"hashes": tmp_path / "hashes"}
