"""Conformance: each test's verdict on every variant against the baseline's (vanilla).

secns must pass exactly what vanilla passes. A test whose verdict differs is
explained by a pattern in its scenario's `differences`, or it is an unexplained
difference, which fails the run. A pattern that explains nothing is reported too,
so that an explanation cannot outlive what it explained."""

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

NOT_RUN = "not run"


@dataclass(frozen=True)
class TestRow:
    scenario: str
    test: str
    verdicts: dict[str, str]  # variant -> verdict
    differs: bool
    reason: str | None  # the explanation of a difference, None if unexplained


@dataclass
class Conformance:
    baseline: str
    variants: list[str]
    rows: list[TestRow] = field(default_factory=list)
    unused: list[tuple[str, str]] = field(default_factory=list)  # (scenario, pattern)

    @property
    def unexplained(self) -> list[TestRow]:
        return [r for r in self.rows if r.differs and r.reason is None]

    @property
    def explained(self) -> list[TestRow]:
        return [r for r in self.rows if r.differs and r.reason is not None]

    def summary(self) -> str:
        same = len(self.rows) - len(self.explained) - len(self.unexplained)
        text = (
            f"{len(self.rows)} tests: {same} with the same verdict on "
            f"{', '.join(self.variants)}; {len(self.explained)} explained differences; "
            f"{len(self.unexplained)} unexplained"
        )
        if self.unused:
            text += f"; {len(self.unused)} explanations that matched no difference"
        return text


def _baseline(variants: list[str]) -> str:
    return "vanilla" if "vanilla" in variants else variants[0]


def conformance(results: list[dict[str, Any]], variants: list[str]) -> Conformance | None:
    """None when no scenario reported per-test verdicts on two or more variants."""
    by_scenario: dict[str, dict[str, dict[str, str]]] = {}
    differences: dict[str, dict[str, str]] = {}
    for rec in results:
        tests = {t: v for step in rec.get("steps", []) for t, v in step.get("tests", {}).items()}
        if not tests:
            continue
        by_scenario.setdefault(rec["scenario"], {})[rec["variant"]] = tests
        differences[rec["scenario"]] = rec.get("differences", {})
    compared = [v for v in variants if any(v in per for per in by_scenario.values())]
    if len(compared) < 2:
        return None
    out = Conformance(_baseline(compared), compared)
    for scenario, per_variant in sorted(by_scenario.items()):
        patterns = differences[scenario]
        used: set[str] = set()
        names = sorted({t for tests in per_variant.values() for t in tests})
        for test in names:
            verdicts = {v: per_variant.get(v, {}).get(test, NOT_RUN) for v in compared}
            differs = len(set(verdicts.values())) > 1
            reason = None
            if differs:
                pattern = next((p for p in patterns if fnmatchcase(test, p)), None)
                if pattern is not None:
                    used.add(pattern)
                    reason = patterns[pattern]
            out.rows.append(TestRow(scenario, test, verdicts, differs, reason))
        out.unused += [(scenario, p) for p in patterns if p not in used]
    return out
