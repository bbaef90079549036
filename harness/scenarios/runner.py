"""Run a scenario's steps in a guest and judge them against their expectations."""

import errno
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.conformance.tap import parse_verdicts
from harness.guest.session import CommandResult, GuestSession
from harness.scenarios.checks import CHECKS
from harness.scenarios.model import OUTCOMES_WITH_EVIDENCE, Evidence, Expect, Metric, Scenario, Step

OUTPUT_KEPT = 2000  # characters of each stream kept in the results; longer ones go to files
# A step whose command names this variable gets it set to the run's --soak-seconds,
# and that many seconds (times SOAK_WALL_FACTOR: guest seconds under icount take
# several host seconds) more before it times out.
SOAK_VARIABLE = "SECNS_SOAK_SECONDS"
SOAK_WALL_FACTOR = 10


@dataclass
class StepResult:
    line: int
    action: str
    ok: bool
    detail: str
    exit_status: int | None = None
    seconds: float = 0.0
    stdout: str = ""
    stderr: str = ""
    evidence: dict[str, str] = field(default_factory=dict)  # errno and record found
    tests: dict[str, str] = field(default_factory=dict)  # each test's verdict, if reported


@dataclass
class ScenarioResult:
    variant: str
    scenario: str
    file: str
    status: str  # pass | fail
    seconds: float
    steps: list[StepResult] = field(default_factory=list)
    metrics: dict[str, dict[str, float | str]] = field(default_factory=dict)
    # For an attack: its summary, the outcome expected on this variant (and, for a
    # documented limit, why), and the outcomes declared for every variant.
    threat: dict[str, Any] = field(default_factory=dict)
    differences: dict[str, str] = field(default_factory=dict)  # the scenario's, as run

    def to_json(self) -> dict:
        return asdict(self)


def unmet(expect: Expect, res: CommandResult) -> list[str]:
    """The expectations a command result does not meet, as readable reasons."""
    if res.timed_out:
        return ["timed out"]
    out = res.stdout
    reasons = []
    if res.exit_status != expect.exit:
        reasons.append(f"exit status {res.exit_status}, expected {expect.exit}")
    if expect.stdout is not None and out.strip() != expect.stdout.strip():
        reasons.append(f"stdout {out.strip()[:200]!r}, expected {expect.stdout!r}")
    if expect.stdout_contains is not None and expect.stdout_contains not in out:
        reasons.append(f"stdout lacks {expect.stdout_contains!r}")
    if expect.stdout_regex is not None and not re.search(expect.stdout_regex, out, re.M):
        reasons.append(f"stdout does not match /{expect.stdout_regex}/")
    if expect.stderr_contains is not None and expect.stderr_contains not in res.stderr:
        reasons.append(f"stderr lacks {expect.stderr_contains!r}")
    return reasons


def extract_metric(metric: Metric, res: CommandResult) -> float | None:
    for text in (res.stdout, res.stderr):
        if m := re.search(metric.regex, text, re.M):
            try:
                return float(m.group(1))
            except ValueError:
                return None
    return None


def find_evidence(evidence: Evidence, res: CommandResult) -> tuple[dict[str, str], list[str]]:
    """The evidence a command's output holds, and what it lacks: the errno, by name or
    by its message (what strerror says, as tools print it), in either stream; the
    record, as the first line of stdout that matches."""
    found: dict[str, str] = {}
    missing = []
    if evidence.errno is not None:
        said = [rf"\b{evidence.errno}\b"]
        if (code := getattr(errno, evidence.errno, None)) is not None:
            said.append(re.escape(os.strerror(code)))
        if re.search("|".join(said), res.stdout + "\n" + res.stderr, re.I):
            found["errno"] = evidence.errno
        else:
            missing.append(f"no {evidence.errno} in the output")
    if evidence.record is not None:
        line = next((ln for ln in res.stdout.splitlines() if re.search(evidence.record, ln)), None)
        if line is None:
            missing.append(f"no record matching /{evidence.record}/")
        else:
            found["record"] = line.strip()
    return found, missing


def keep_whole_output(scratch: Path, line: int, res: CommandResult) -> None:
    """Write a stream the results cut short, whole, to `scratch`/line<N>.<stream>,
    so that a selftest's every verdict survives, not just its last lines."""
    for stream, text in (("stdout", res.stdout), ("stderr", res.stderr)):
        if len(text) > OUTPUT_KEPT:
            (scratch / f"line{line}.{stream}").write_text(text)


def soak_command(command: str, timeout: float, soak_seconds: float) -> tuple[str, float]:
    """The command and its timeout, for a run soaking for `soak_seconds`."""
    if SOAK_VARIABLE not in command:
        return command, timeout
    seconds = int(soak_seconds)
    return (
        f"export {SOAK_VARIABLE}={seconds}; {command}",
        timeout + seconds * SOAK_WALL_FACTOR,
    )


def _run_step(
    session: GuestSession,
    step: Step,
    variant: str,
    scratch: Path,
    metrics: dict[str, dict[str, float | str]],
    timeout_scale: float,
    wants_evidence: bool,
    soak_seconds: float,
) -> StepResult:
    if step.check is not None:
        start = time.monotonic()
        outcome = CHECKS[step.check](session, scratch)
        if outcome.ok and outcome.value is not None and step.metric is not None:
            metrics[step.metric.name] = {"value": outcome.value, "unit": step.metric.unit}
        ok, detail, found = outcome.ok, outcome.detail, {}
        if step.evidence is not None and wants_evidence and ok:
            # A check's detail is what it says it saw: its evidence is found there.
            said = CommandResult(step.check, 0, outcome.detail, "", 0.0)
            found, missing = find_evidence(step.evidence, said)
            ok, detail = not missing, "; ".join([detail, *(f"evidence: {m}" for m in missing)])
        return StepResult(
            step.line,
            f"check {step.check}",
            ok,
            detail,
            seconds=round(time.monotonic() - start, 3),
            evidence=found,
        )
    assert step.run is not None
    command, timeout = soak_command(step.run, step.timeout * timeout_scale, soak_seconds)
    res = session.run(command, timeout=timeout)
    keep_whole_output(scratch, step.line, res)
    reasons = unmet(step.expectation(variant), res)
    if step.metric is not None and not reasons:
        value = extract_metric(step.metric, res)
        if value is None:
            reasons.append(f"metric {step.metric.name}: /{step.metric.regex}/ found no number")
        else:
            metrics[step.metric.name] = {"value": value, "unit": step.metric.unit}
    found: dict[str, str] = {}
    if step.evidence is not None and wants_evidence and not reasons:
        found, missing = find_evidence(step.evidence, res)
        reasons += [f"evidence: {m}" for m in missing]
    return StepResult(
        step.line,
        step.run,
        not reasons,
        "; ".join(reasons) or "as expected",
        res.exit_status,
        round(res.seconds, 3),
        res.stdout[-OUTPUT_KEPT:],
        res.stderr[-OUTPUT_KEPT:],
        found,
        parse_verdicts(res.stdout) if step.tests == "kselftest" else {},
    )


def run_scenario(
    session: GuestSession,
    scenario: Scenario,
    variant: str,
    scratch: Path,
    timeout_scale: float = 1.0,
    soak_seconds: float = 0.0,
) -> ScenarioResult:
    """Run steps in order; the first failing step ends the scenario. Step timeouts
    are multiplied by `timeout_scale` (slow guests: debug kernels under TCG); steps
    naming SOAK_VARIABLE run for `soak_seconds` more (see `soak_command`)."""
    scratch.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    result = ScenarioResult(variant, scenario.name, str(scenario.path), "pass", 0.0)
    result.differences = dict(scenario.differences)
    wants_evidence = False
    if scenario.threat is not None:
        outcome = scenario.threat.outcome_on(variant)
        wants_evidence = outcome in OUTCOMES_WITH_EVIDENCE
        result.threat = {
            "summary": scenario.threat.summary,
            "outcome": outcome,
            "outcomes": dict(scenario.threat.outcome),
        }
        if outcome == "limit":
            result.threat["limit"] = scenario.threat.limit
    for step in scenario.steps:
        step_result = _run_step(
            session,
            step,
            variant,
            scratch,
            result.metrics,
            timeout_scale,
            wants_evidence,
            soak_seconds,
        )
        result.steps.append(step_result)
        if not step_result.ok:
            result.status = "fail"
            break
    result.seconds = round(time.monotonic() - start, 2)
    return result
