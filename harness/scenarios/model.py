"""Typed, frozen scenario data."""

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Expect:
    exit: int = 0  # a step states any other status it expects
    stdout: str | None = None  # exact, surrounding whitespace stripped
    stdout_contains: str | None = None
    stdout_regex: str | None = None
    stderr_contains: str | None = None


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    regex: str  # one group, searched in stdout then stderr


@dataclass(frozen=True)
class Evidence:
    """What shows that secns, not Docker's seccomp or profile, stopped or saw an attack."""

    errno: str | None = None  # the error name the refused call printed, e.g. EACCES
    record: str | None = None  # regex: the namespace's audit or measurement record


# What an attack does on a variant. blocked: refused, with evidence; detected: allowed,
# but recorded where a verifier sees it; succeeds: nothing stops or records it;
# not-applicable: what it attacks does not exist there; limit: a documented limit.
OUTCOMES = ("blocked", "detected", "succeeds", "not-applicable", "limit")
OUTCOMES_WITH_EVIDENCE = ("blocked", "detected")

# What a step's stdout can report per-test verdicts in (harness.conformance.tap).
TESTS_FORMATS = ("kselftest",)


@dataclass(frozen=True)
class Threat:
    summary: str
    outcome: dict[str, str]  # base variant -> one of OUTCOMES
    limit: str | None = None  # why secns cannot block it, where an outcome is a limit

    def outcome_on(self, variant: str) -> str:
        return self.outcome[variant.split("+")[0]]


@dataclass(frozen=True)
class Step:
    line: int
    run: str | None = None  # shell snippet run in the guest
    check: str | None = None  # name of a host-side check (harness.scenarios.checks)
    timeout: float = 60.0
    expect: Expect = field(default_factory=Expect)
    expect_on: dict[str, Expect] = field(default_factory=dict)  # per base variant
    metric: Metric | None = None
    evidence: Evidence | None = None  # looked for where the threat's outcome needs it
    tests: str | None = None  # the format (TESTS_FORMATS) stdout reports each test's verdict in

    def expectation(self, variant: str) -> Expect:
        return self.expect_on.get(variant.split("+")[0], self.expect)


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    path: Path
    steps: tuple[Step, ...]
    variants: tuple[str, ...] | None = None  # None: every variant
    tags: tuple[str, ...] = ()
    threat: Threat | None = None  # an attack scenario: what it tries, what should happen
    # Tests (fnmatch patterns) whose verdicts may differ between the variants, and why.
    differences: dict[str, str] = field(default_factory=dict)

    def applies_to(self, variant: str) -> bool:
        return self.variants is None or variant.split("+")[0] in self.variants
