from pathlib import Path

import pytest

from harness.bench.lmbench import Check
from harness.bench.mmapbench import parse_mmap_bench
from harness.bench.plan import Job, Phase
from harness.bench.runner import BootContext, run_boot_plan, series_name
from harness.guest.session import CommandResult
from harness.results.rundir import RunDir


class FakeGuest:
    """Answers argv commands from a table (joined with spaces); records what ran."""

    def __init__(self, answers: dict[str, tuple[int | None, str]]) -> None:
        self.answers, self.ran, self.put_files = answers, [], []

    def run(self, command: list[str], timeout: float = 60) -> CommandResult:
        text = " ".join(command)
        self.ran.append(text)
        status, out = self.answers.get(text, (0, ""))
        return CommandResult(text, status, out, "", 0.5)

    def put(self, local: Path, remote: str) -> None:
        self.put_files.append(remote)


def _job(key: str, **params: int) -> Job:
    return Job(key, ("bench", key), parse_mmap_bench, params=params, repetitions=2)


PHASES = [
    Phase("policy", "table3", setup=(("load",),)),
    Phase("plain", "table3", jobs=(_job("a"), _job("b", depth=2)), teardown=(("stop",),)),
    Phase("ns", "depth", jobs=(_job("c"),), needs_ima_ns=True),
]
RESULT = "mmap_exec_us=1.5000 reps=5 n=10\n"


def _ctx(tmp_path: Path) -> BootContext:
    run = RunDir.open(tmp_path / "r") if (tmp_path / "r").exists() else RunDir.create(tmp_path, "r")
    run.update_manifest(run_id="r")
    return BootContext(run, round=1, variant="secns", boot_dir="boots/01")


def test_every_repetition_is_recorded_with_its_coordinates(tmp_path: Path) -> None:
    guest = FakeGuest({"bench a": (0, RESULT), "bench b": (0, RESULT), "bench c": (0, RESULT)})
    ctx = _ctx(tmp_path)
    assert run_boot_plan(guest, PHASES, ctx)
    samples = ctx.run.samples()
    assert [(s["job"], s["rep"]) for s in samples] == [
        ("a", 1),
        ("b", 1),
        ("a", 2),
        ("b", 2),
        ("c", 1),
        ("c", 2),
    ]
    assert samples[1]["series"] == "mmap_exec[depth=2]" and samples[1]["value"] == 1.5
    assert guest.ran[:3] == ["mkdir -p /root/secns/bench", "secns-bench has-ima-ns", "load"]
    assert "stop" in guest.ran and any(f.endswith(".policy") for f in guest.put_files)


def test_namespace_phases_are_skipped_where_the_kernel_has_none(tmp_path: Path) -> None:
    guest = FakeGuest(
        {"secns-bench has-ima-ns": (126, ""), "bench a": (0, RESULT), "bench b": (0, RESULT)}
    )
    ctx = _ctx(tmp_path)
    assert run_boot_plan(guest, PHASES, ctx)
    assert "bench c" not in guest.ran


def test_a_failing_job_is_recorded_and_the_plan_goes_on(tmp_path: Path) -> None:
    guest = FakeGuest({"bench a": (0, "garbage"), "bench b": (None, ""), "bench c": (0, RESULT)})
    ctx = _ctx(tmp_path)
    assert not run_boot_plan(guest, PHASES, ctx)
    failures = ctx.run.bench_failures()
    assert [f["what"] for f in failures][:2] == ["a (repetition 1)", "b (repetition 1)"]
    assert failures[0]["error"].startswith("secns-mmap-bench: unexpected line 'garbage'")
    assert failures[1]["error"].startswith("timed out")
    assert {s["job"] for s in ctx.run.samples()} == {"c"}


def test_commands_cut_off_by_an_interrupt_are_not_benchmark_failures(tmp_path: Path) -> None:
    guest = FakeGuest({"bench a": (None, ""), "bench b": (None, ""), "bench c": (None, "")})
    ctx = _ctx(tmp_path)
    ctx.stopping.set()  # the run was interrupted: its guests were killed under the commands
    run_boot_plan(guest, PHASES, ctx)
    assert ctx.run.bench_failures() == []


def test_a_failing_setup_phase_stops_the_boot(tmp_path: Path) -> None:
    guest = FakeGuest({"load": (1, "")})
    assert not run_boot_plan(guest, PHASES, _ctx(tmp_path))
    assert not any(r.startswith("bench") for r in guest.ran)


def test_resume_runs_only_missing_repetitions(tmp_path: Path) -> None:
    answers = {"bench a": (0, RESULT), "bench b": (0, "x"), "bench c": (0, RESULT)}
    first = FakeGuest(answers)
    run_boot_plan(first, PHASES, _ctx(tmp_path))
    second = FakeGuest({**answers, "bench b": (0, RESULT)})
    assert run_boot_plan(second, PHASES, _ctx(tmp_path))
    assert [r for r in second.ran if r.startswith("bench")] == ["bench b", "bench b"]
    assert "load" in second.ran  # set-up phases run in every boot


@pytest.mark.parametrize(
    "out", ["mmap_exec_us=nan reps=5 n=10\n", "mmap_exec_us=-1.5 reps=5 n=10\n", RESULT * 2]
)
def test_malformed_output_is_recorded_as_a_failure(tmp_path: Path, out: str) -> None:
    guest = FakeGuest({"bench a": (0, out)})
    ctx = _ctx(tmp_path)
    assert not run_boot_plan(guest, [Phase("p", "table3", jobs=(_job("a"),))], ctx)
    assert ctx.run.samples() == []
    errors = [f["error"] for f in ctx.run.bench_failures()]
    assert len(errors) == 2 and all(e.startswith("secns-mmap-bench: ") for e in errors)


HELLO_CHECK = Check("/hello", ("run-hello",), "Hello world\n")


def _checked_plan() -> list[Phase]:
    job = Job("exec", ("bench", "exec"), parse_mmap_bench, repetitions=2, check=HELLO_CHECK)
    return [Phase("p", "lmbench", jobs=(job,))]


def test_a_passing_check_runs_right_before_every_repetition(tmp_path: Path) -> None:
    guest = FakeGuest({"run-hello": (0, "Hello world\n"), "bench exec": (0, RESULT)})
    ctx = _ctx(tmp_path)
    assert run_boot_plan(guest, _checked_plan(), ctx)
    assert guest.ran[-4:] == ["run-hello", "bench exec"] * 2
    assert len(ctx.run.samples()) == 2


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ((127, ""), "/hello failed (exit status 127); not timed"),
        ((None, ""), "/hello failed (timed out after 0 s); not timed"),
        ((0, "Hello, world!\n"), "/hello failed (printed 'Hello, world!\\n', expected"),
        ((0, ""), "/hello failed (printed '', expected 'Hello world\\n'); not timed"),
    ],
    ids=["exit", "timeout", "wrong-output", "no-output"],
)
def test_a_failing_check_is_recorded_and_its_job_is_not_timed(
    tmp_path: Path, answer: tuple[int | None, str], error: str
) -> None:
    guest = FakeGuest({"run-hello": answer, "bench exec": (0, RESULT)})
    ctx = _ctx(tmp_path)
    assert not run_boot_plan(guest, _checked_plan(), ctx)
    assert "bench exec" not in guest.ran
    assert ctx.run.samples() == []
    failures = ctx.run.bench_failures()
    assert [(f["what"], f["command"]) for f in failures] == [
        ("exec (repetition 1)", "run-hello"),
        ("exec (repetition 2)", "run-hello"),
    ]
    assert failures[0]["error"].startswith(error)


def test_series_name_is_stable() -> None:
    assert series_name("m", {}) == "m"
    assert series_name("m", {"b": 1, "a": "x y"}) == "m[a=x y,b=1]"
