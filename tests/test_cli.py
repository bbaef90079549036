from pathlib import Path

import pytest

from harness import cli
from harness.errors import EXIT_USER_ERROR
from harness.kernel.check_series import PatchCheck


def test_unknown_variant_is_a_one_line_user_error(capsys, tmp_path: Path) -> None:
    code = cli.main(["build-kernel", "--cache-dir", str(tmp_path), "vanila"])
    err = capsys.readouterr().err
    assert code == EXIT_USER_ERROR
    assert err.startswith("secns: error: unknown kernel variant 'vanila'")
    assert "Traceback" not in err and err.count("\n") == 1


def test_malformed_scenario_names_file_line_field(capsys, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "name: x\ndescription: d\nsteps:\n  - run: 1\n    expect: {exit: x}\n"
    )
    assert cli.main(["scenarios", "--dir", str(tmp_path)]) == EXIT_USER_ERROR
    assert f"{tmp_path}/bad.yaml:5: steps[0].expect.exit" in capsys.readouterr().err


def test_report_on_a_non_run_directory(capsys, tmp_path: Path) -> None:
    assert cli.main(["report", str(tmp_path)]) == EXIT_USER_ERROR


def test_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "--accel", "warp"])
    assert exc.value.code == EXIT_USER_ERROR


def test_run_rejects_unknown_scenario_before_building(capsys, tmp_path: Path) -> None:
    code = cli.main(
        [
            "run",
            "--scenario",
            "nope",
            "--cache-dir",
            str(tmp_path),
            "--results-dir",
            str(tmp_path / "results"),
        ]
    )
    assert code == EXIT_USER_ERROR and "unknown scenario(s): nope" in capsys.readouterr().err
    assert not (tmp_path / "results").exists()


def test_a_patch_checkpatch_did_not_check_reads_as_failed() -> None:
    ran = PatchCheck("0001-a.patch", 3, 1, {"ERROR": 0, "WARNING": 1, "CHECK": 2}, build_ok=True)
    assert cli._check_series_row(ran) == "0001-a.patch\t3\t1\t0\t1\t2\tok"
    not_run = PatchCheck("0002-b.patch", 3, 1, checkpatch_failure="exit status 2")
    assert cli._check_series_row(not_run) == "0002-b.patch\t3\t1\tcheckpatch FAILED\t-\t-\t-"
