import hashlib
from pathlib import Path

from harness.guest.session import CommandResult
from harness.scenarios.checks import CHECKS, CheckOutcome
from harness.scenarios.model import Evidence, Expect, Metric, Scenario, Step, Threat
from harness.scenarios.runner import (
    OUTPUT_KEPT,
    SOAK_WALL_FACTOR,
    run_scenario,
    soak_command,
    unmet,
)
from tests.test_attest import entry


class FakeSession:
    """Answers commands from a table; `get` serves files from a dict."""

    def __init__(self, answers: dict[str, CommandResult], files: dict[str, bytes] | None = None):
        self.answers, self.files, self.ran = answers, files or {}, []

    def run(self, command: str, timeout: float = 60) -> CommandResult:
        self.ran.append(command)
        return self.answers.get(command, CommandResult(command, 127, "", "not found", 0.0))

    def get(self, remote: str, local: Path) -> None:
        local.write_bytes(self.files[remote])


def ok(cmd: str, out: str = "", err: str = "", status: int | None = 0) -> CommandResult:
    return CommandResult(cmd, status, out, err, 0.01)


def test_unmet_lists_every_mismatch() -> None:
    reasons = unmet(Expect(exit=0, stdout="2", stderr_contains="x"), ok("c", "3\n", "", 1))
    assert reasons == ["exit status 1, expected 0", "stdout '3', expected '2'", "stderr lacks 'x'"]
    assert unmet(Expect(exit=0), ok("c", status=None)) == ["timed out"]
    assert unmet(Expect(stdout_regex=r"^1\d$"), ok("c", "a\n12\n")) == []


def test_a_step_without_a_stated_exit_expects_0() -> None:
    assert unmet(Expect(), ok("c", status=1)) == ["exit status 1, expected 0"]
    assert unmet(Expect(stdout="x"), ok("c", "x", status=2)) == ["exit status 2, expected 0"]


def test_first_failure_stops_the_scenario(tmp_path: Path) -> None:
    steps = (
        Step(line=3, run="a", expect=Expect(exit=0)),
        Step(line=5, run="b", expect=Expect(exit=0)),
        Step(line=7, run="c"),
    )
    sc = Scenario("s", "d", tmp_path / "s.yaml", steps)
    session = FakeSession({"a": ok("a"), "b": ok("b", status=2)})
    res = run_scenario(session, sc, "vanilla", tmp_path)
    assert res.status == "fail" and session.ran == ["a", "b"]
    assert (res.steps[-1].line, res.steps[-1].detail) == (5, "exit status 2, expected 0")


def test_metric_is_read_from_stderr(tmp_path: Path) -> None:
    step = Step(
        line=1,
        run="lat",
        expect=Expect(exit=0),
        metric=Metric("lat_syscall_null", "us", r"Simple syscall: ([0-9.]+)"),
    )
    sc = Scenario("s", "d", tmp_path / "s.yaml", (step,))
    res = run_scenario(
        FakeSession({"lat": ok("lat", err="Simple syscall: 0.5252 microseconds")}),
        sc,
        "secns",
        tmp_path,
    )
    assert res.status == "pass"
    assert res.metrics == {"lat_syscall_null": {"value": 0.5252, "unit": "us"}}


def test_missing_metric_fails_the_step(tmp_path: Path) -> None:
    step = Step(line=1, run="lat", metric=Metric("m", "us", r"took ([0-9.]+)"))
    sc = Scenario("s", "d", tmp_path / "s.yaml", (step,))
    res = run_scenario(FakeSession({"lat": ok("lat", "nothing")}), sc, "secns", tmp_path)
    assert res.status == "fail" and "found no number" in res.steps[0].detail


def _pcr_session(pcr: bytes, blob: bytes) -> FakeSession:
    from harness.scenarios.checks import IMA_BINARY_LIST

    cmd = f"tpm2_pcrread sha256:10 && cat {IMA_BINARY_LIST} > /tmp/secns-ima-list.bin"
    return FakeSession(
        {cmd: ok(cmd, f"  sha256:\n    10: 0x{pcr.hex().upper()}\n")},
        {"/tmp/secns-ima-list.bin": blob},
    )


def test_ima_replay_check_accepts_a_prefix_and_rejects_a_mismatch(tmp_path: Path) -> None:
    blob = entry(b"boot_aggregate") + entry(b"/bin/a") + entry(b"/bin/late")
    from harness.attest import parse_binary_list, replay

    after_two = replay(parse_binary_list(blob))[2]
    sc = Scenario("s", "d", tmp_path / "s.yaml", (Step(line=1, check="ima_pcr10_replay"),))
    res = run_scenario(_pcr_session(after_two, blob), sc, "vanilla", tmp_path)
    assert res.status == "pass" and "first 2 of 3" in res.steps[0].detail
    bad = run_scenario(_pcr_session(hashlib.sha256(b"x").digest(), blob), sc, "vanilla", tmp_path)
    assert bad.status == "fail" and "matches no prefix" in bad.steps[0].detail


def test_vtpm_replay_check_reads_the_namespace_list_and_its_vtpm(tmp_path: Path) -> None:
    from harness.attest import parse_binary_list, replay
    from harness.scenarios.checks import NS_LIST, NS_VTPM_NUM

    blob = entry(b"boot_aggregate") + entry(b"/ns/signed")
    pcr = replay(parse_binary_list(blob))[2]
    read = (
        f"tpm2_pcrread -T device:/dev/tpmrm1 sha256:10 && cat {NS_LIST} > /tmp/secns-ima-list.bin"
    )
    session = FakeSession(
        {
            f"cat {NS_VTPM_NUM}": ok("cat", "1\n"),
            read: ok(read, f"  sha256:\n    10: 0x{pcr.hex().upper()}\n"),
        },
        {"/tmp/secns-ima-list.bin": blob},
    )
    sc = Scenario("s", "d", tmp_path / "s.yaml", (Step(line=1, check="ima_ns_vtpm_replay"),))
    res = run_scenario(session, sc, "secns", tmp_path)
    assert res.status == "pass" and "vTPM tpm1" in res.steps[0].detail

    no_vtpm = FakeSession({f"cat {NS_VTPM_NUM}": ok("cat", "", "No such file", 1)})
    res = run_scenario(no_vtpm, sc, "secns", tmp_path)
    assert res.status == "fail" and "no vTPM number" in res.steps[0].detail


def test_timeout_scale_multiplies_step_timeouts(tmp_path: Path) -> None:
    seen: list[float] = []

    class Session(FakeSession):
        def run(self, command: str, timeout: float = 60) -> CommandResult:
            seen.append(timeout)
            return ok(command)

    sc = Scenario("s", "d", tmp_path / "s.yaml", (Step(line=1, run="true", timeout=30),))
    assert run_scenario(Session({}), sc, "secns", tmp_path, timeout_scale=10).status == "pass"
    assert seen == [300]


def test_output_the_results_cut_short_is_kept_whole_in_the_scratch_dir(tmp_path: Path) -> None:
    long_out = "ok 1 first\n" + "x" * OUTPUT_KEPT + "\nok 2 last\n"
    steps = (Step(line=4, run="long", expect=Expect(exit=0)), Step(line=6, run="short"))
    sc = Scenario("s", "d", tmp_path / "s.yaml", steps)
    session = FakeSession({"long": ok("long", long_out, "e"), "short": ok("short", "s")})
    res = run_scenario(session, sc, "secns", tmp_path / "scratch")
    assert "ok 1 first" not in res.steps[0].stdout
    assert (tmp_path / "scratch" / "line4.stdout").read_text() == long_out
    assert sorted(p.name for p in (tmp_path / "scratch").iterdir()) == ["line4.stdout"]


def _attack(tmp_path: Path, outcome_on_secns: str = "blocked") -> Scenario:
    step = Step(
        line=4,
        run="attack",
        expect=Expect(exit=0),
        evidence=Evidence(errno="EACCES", record=r"cause=missing-hash .*name=/ns/unsigned"),
    )
    threat = Threat("unsigned code", {"vanilla": "succeeds", "secns": outcome_on_secns})
    return Scenario("a", "d", tmp_path / "a.yaml", (step,), threat=threat)


def test_blocked_attack_keeps_its_evidence(tmp_path: Path) -> None:
    out = "results: unsigned=EACCES\nop=appraise_data cause=missing-hash comm=x name=/ns/unsigned\n"
    res = run_scenario(
        FakeSession({"attack": ok("attack", out)}), _attack(tmp_path), "secns", tmp_path
    )
    assert res.status == "pass" and res.threat == {
        "summary": "unsigned code",
        "outcome": "blocked",
        "outcomes": {"vanilla": "succeeds", "secns": "blocked"},
    }
    assert res.steps[0].evidence == {
        "errno": "EACCES",
        "record": "op=appraise_data cause=missing-hash comm=x name=/ns/unsigned",
    }


def test_blocked_attack_without_the_namespace_record_fails(tmp_path: Path) -> None:
    # EACCES alone could come from Docker's profile: without the record it proves nothing.
    res = run_scenario(
        FakeSession({"attack": ok("attack", "results: unsigned=EACCES\n")}),
        _attack(tmp_path),
        "secns",
        tmp_path,
    )
    assert res.status == "fail"
    assert (
        res.steps[0].detail
        == "evidence: no record matching /cause=missing-hash .*name=/ns/unsigned/"
    )


def test_evidence_is_not_asked_where_the_attack_succeeds(tmp_path: Path) -> None:
    session = FakeSession({"attack": ok("attack", "results: unsigned=0\n")})
    res = run_scenario(session, _attack(tmp_path), "vanilla+debug", tmp_path)
    assert res.status == "pass" and res.steps[0].evidence == {}
    assert res.threat["outcome"] == "succeeds"


def test_errno_evidence_is_read_by_name_or_by_its_message(tmp_path: Path) -> None:
    # ld.so and the shell print the message, not the name.
    out = "op=appraise_data cause=missing-hash comm=x name=/ns/unsigned\n"
    err = "/ns/unsigned: failed to map segment from shared object: Permission denied\n"
    session = FakeSession({"attack": ok("attack", out, err)})
    res = run_scenario(session, _attack(tmp_path), "secns", tmp_path)
    assert res.status == "pass" and res.steps[0].evidence["errno"] == "EACCES"
    session = FakeSession({"attack": ok("attack", out, "Operation not permitted\n")})
    res = run_scenario(session, _attack(tmp_path), "secns", tmp_path)
    assert res.steps[0].detail == "evidence: no EACCES in the output"


def test_a_check_step_shows_its_evidence_in_what_it_saw(tmp_path: Path, monkeypatch) -> None:
    seen = CheckOutcome(True, "clean: trusted; list without its last entry: replay fails")
    monkeypatch.setitem(CHECKS, "fake_attest", lambda session, scratch: seen)
    step = Step(line=2, check="fake_attest", evidence=Evidence(record=r"replay fails"))
    threat = Threat("forged list", {"secns": "detected", "vanilla": "not-applicable"})
    sc = Scenario("a", "d", tmp_path / "a.yaml", (step,), variants=("secns",), threat=threat)
    res = run_scenario(FakeSession({}), sc, "secns", tmp_path)
    assert res.status == "pass" and res.steps[0].evidence == {"record": seen.detail}
    seen = CheckOutcome(True, "clean: trusted")
    res = run_scenario(FakeSession({}), sc, "secns", tmp_path)
    assert res.status == "fail" and "evidence: no record matching" in res.steps[0].detail


def test_a_tests_step_records_each_verdict_even_when_it_fails(tmp_path: Path) -> None:
    out = "TAP version 13\nok 1 selftests: nsfs: owner\nnot ok 2 selftests: nsfs: pidns # exit=1\n"
    sc = Scenario(
        "k",
        "d",
        Path("k.yaml"),
        (Step(3, run="./run_kselftest.sh", tests="kselftest", expect=Expect(stdout="x")),),
        differences={"nsfs:*": "why"},
    )
    res = run_scenario(FakeSession({"./run_kselftest.sh": ok("r", out)}), sc, "secns", tmp_path)
    assert res.status == "fail"
    assert res.steps[0].tests == {"nsfs:owner": "pass", "nsfs:pidns": "fail"}
    assert res.to_json()["differences"] == {"nsfs:*": "why"}


def test_a_step_naming_the_soak_variable_runs_longer() -> None:
    command = 'secns-soak policy --seconds "${SECNS_SOAK_SECONDS:-0}"'
    assert soak_command(command, 60.0, 0.0) == (f"export SECNS_SOAK_SECONDS=0; {command}", 60.0)
    soaked, timeout = soak_command(command, 60.0, 86400.0)
    assert soaked.startswith("export SECNS_SOAK_SECONDS=86400; ")
    assert timeout == 60.0 + 86400 * SOAK_WALL_FACTOR
    assert soak_command("dmesg", 60.0, 86400.0) == ("dmesg", 60.0)
