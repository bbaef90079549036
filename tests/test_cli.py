import argparse
import errno
import os
import tempfile
from pathlib import Path

import pytest

from harness import cli
from harness.errors import (
    EXIT_INFRA_ERROR,
    EXIT_INTERNAL_ERROR,
    EXIT_INTERRUPTED,
    EXIT_USER_ERROR,
)
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


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["build-kernel", "secns"], "-j=0"),
        (["build-kernel", "secns"], "--jobs=1.5"),
        (["run"], "--boot-timeout=nan"),
        (["run"], "--boot-timeout=0"),
        (["run"], "--timeout-scale=inf"),
        (["run"], "--timeout-scale=-1"),
        (["run"], "--soak-seconds=-1"),
        (["run"], "--soak-seconds=inf"),
        (["compare", "a", "b"], "--floor=1"),
        (["compare", "a", "b"], "--floor=nan"),
        (["compare", "a", "b"], "--threshold=0"),
        (["compare", "a", "b"], "--threshold=-inf"),
    ],
)
def test_numeric_options_are_checked_by_the_parser(capsys, args: list[str], option: str) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.build_parser().parse_args([*args, option])
    assert exc.value.code == EXIT_USER_ERROR
    value = option.split("=", 1)[1]
    assert f", got '{value}'" in capsys.readouterr().err


def test_numeric_options_parse_their_values() -> None:
    args = cli.build_parser().parse_args(
        ["compare", "a", "b", "-j", "3", "--boot-timeout", "60", "--floor", "0", "--threshold", "1"]
    )
    assert (args.jobs, args.boot_timeout, args.floor, args.threshold) == (3, 60.0, 0.0, 1.0)
    assert cli.build_parser().parse_args(["run", "--soak-seconds", "86400"]).soak_seconds == 86400
    assert cli.build_parser().parse_args(["run"]).soak_seconds == 0


def _command_raising(
    monkeypatch: pytest.MonkeyPatch, exc: BaseException, command: str = "build-image"
) -> None:
    def fail(args: argparse.Namespace) -> int:
        raise exc

    monkeypatch.setitem(cli.COMMANDS, command, fail)


def test_a_bug_is_one_line_and_a_traceback_in_the_cache(
    capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _command_raising(monkeypatch, ValueError("no such\nkey"))
    assert cli.main(["build-image", "--cache-dir", str(tmp_path)]) == EXIT_INTERNAL_ERROR
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("secns: internal error: ValueError: no such key (traceback: ")
    log = Path(err.rstrip().removesuffix(")").rsplit("(traceback: ", 1)[1])
    assert log.parent == tmp_path / "crash" and f"-{os.getpid()}" in log.name
    assert "Traceback" in log.read_text() and "ValueError" in log.read_text()


def test_a_bug_with_an_unwritable_cache_leaves_its_traceback_in_a_temporary_file(
    capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    (tmp_path / "cache").write_text("a file where the cache directory should be")
    _command_raising(monkeypatch, ValueError("bad"), "scenarios")
    monkeypatch.setenv("SECNS_CACHE_DIR", str(tmp_path / "cache"))
    assert cli.main(["scenarios"]) == EXIT_INTERNAL_ERROR
    logs = list((tmp_path / "tmp").iterdir())
    assert len(logs) == 1 and "ValueError: bad" in logs[0].read_text()
    assert f"(traceback: {logs[0]})" in capsys.readouterr().err


def test_an_os_error_is_an_infrastructure_error_naming_the_file(
    capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    _command_raising(monkeypatch, OSError(errno.ENOSPC, "No space left on device", "/c/x.img"))
    assert cli.main(["build-image"]) == EXIT_INFRA_ERROR
    err = capsys.readouterr().err
    assert err == "secns: error: [Errno 28] No space left on device: '/c/x.img'\n"


def test_an_interrupt_exits_130(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    _command_raising(monkeypatch, KeyboardInterrupt())
    assert cli.main(["build-image"]) == EXIT_INTERRUPTED == 130
    assert "interrupted" in capsys.readouterr().err


def test_a_patch_checkpatch_did_not_check_reads_as_failed() -> None:
    ran = PatchCheck("0001-a.patch", 3, 1, {"ERROR": 0, "WARNING": 1, "CHECK": 2}, build_ok=True)
    assert cli._check_series_row(ran) == "0001-a.patch\t3\t1\t0\t1\t2\tok"
    not_run = PatchCheck("0002-b.patch", 3, 1, checkpatch_failure="exit status 2")
    assert cli._check_series_row(not_run) == "0002-b.patch\t3\t1\tcheckpatch FAILED\t-\t-\t-"


def test_attest_without_its_files_is_a_user_error(capsys, tmp_path: Path) -> None:
    argv = ["attest", str(tmp_path), "--ak", str(tmp_path / "ak.pem"), "--nonce", "00" * 8]
    assert cli.main([*argv, "--reference", str(tmp_path / "ref")]) == EXIT_USER_ERROR
    assert "ak.pem: no such file" in capsys.readouterr().err
