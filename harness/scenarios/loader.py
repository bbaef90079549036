"""Load scenario files (YAML) with errors that name the file, line and field."""

import math
import re
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any

import yaml

from harness.errors import UserError
from harness.kernel.variants import VARIANTS_FILE, load_variants
from harness.scenarios.model import (
    OUTCOMES,
    OUTCOMES_WITH_EVIDENCE,
    TESTS_FORMATS,
    Evidence,
    Expect,
    Metric,
    Scenario,
    Step,
    Threat,
)

SCENARIO_SUFFIXES = (".yaml", ".yml")


class ScenarioError(UserError):
    def __init__(self, path: Path, line: int, field: str, message: str) -> None:
        super().__init__(f"{path}:{line}: {field}: {message}")
        self.path, self.line, self.field = path, line, field


def _unknown(what: str, name: str, known: Iterable[str]) -> str:
    return f"unknown {what} '{name}' (known: {', '.join(sorted(known))})"


class _Reader:
    """Typed access to a YAML node tree, raising ScenarioError with positions."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: yaml.Node, field: str, message: str) -> ScenarioError:
        return ScenarioError(self.path, node.start_mark.line + 1, field, message)

    def mapping(
        self, node: yaml.Node, field: str, allowed: Iterable[str], what: str = "field"
    ) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, field, "expected a mapping")
        allowed = set(allowed)
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key not in allowed:
                raise self.fail(
                    key_node, f"{field}.{key}" if field else key, _unknown(what, key, allowed)
                )
            if key in out:
                raise self.fail(key_node, key, "given twice")
            out[key] = value_node
        return out

    def scalar(self, node: yaml.Node, field: str, kind: Callable[[str], Any], what: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, field, f"expected {what}")
        try:
            return kind(node.value)
        except ValueError:
            raise self.fail(node, field, f"expected {what}, got {node.value!r}") from None

    def string(self, node: yaml.Node, field: str) -> str:
        return self.scalar(node, field, str, "a string")

    def name(self, node: yaml.Node, field: str, known: Collection[str], what: str) -> str:
        """A string that must be one of the known names."""
        text = self.string(node, field)
        if text not in known:
            raise self.fail(node, field, _unknown(what, text, known))
        return text

    def regex(self, node: yaml.Node, field: str) -> str:
        text = self.string(node, field)
        try:
            re.compile(text)
        except re.error as exc:
            raise self.fail(node, field, f"invalid regular expression: {exc}") from None
        return text

    def strings(
        self, node: yaml.Node, field: str, known: Collection[str] | None = None, what: str = ""
    ) -> tuple[str, ...]:
        """A list of strings; with known, a list of those names (each a `what`)."""
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, field, "expected a list of strings")
        return tuple(
            self.string(n, field) if known is None else self.name(n, field, known, what)
            for n in node.value
        )

    def require(
        self, fields: dict[str, yaml.Node], node: yaml.Node, where: str, *names: str
    ) -> None:
        for name in names:
            if name not in fields:
                raise self.fail(node, f"{where}{name}", "required field is missing")


def _positive(text: str) -> float:
    value = float(text)  # also reads "nan" and "inf"
    if not (math.isfinite(value) and value > 0):
        raise ValueError(text)
    return value


def _expect(r: _Reader, node: yaml.Node, field: str) -> Expect:
    f = r.mapping(
        node, field, ("exit", "stdout", "stdout_contains", "stdout_regex", "stderr_contains")
    )
    return Expect(
        exit=r.scalar(f["exit"], f"{field}.exit", int, "an integer") if "exit" in f else 0,
        stdout=r.string(f["stdout"], f"{field}.stdout") if "stdout" in f else None,
        stdout_contains=(
            r.string(f["stdout_contains"], f"{field}.stdout_contains")
            if "stdout_contains" in f
            else None
        ),
        stdout_regex=(
            r.regex(f["stdout_regex"], f"{field}.stdout_regex") if "stdout_regex" in f else None
        ),
        stderr_contains=(
            r.string(f["stderr_contains"], f"{field}.stderr_contains")
            if "stderr_contains" in f
            else None
        ),
    )


def _metric(r: _Reader, node: yaml.Node, field: str) -> Metric:
    f = r.mapping(node, field, ("name", "unit", "regex"))
    r.require(f, node, f"{field}.", "name", "unit", "regex")
    regex = r.regex(f["regex"], f"{field}.regex")
    if re.compile(regex).groups != 1:
        raise r.fail(f["regex"], f"{field}.regex", "needs exactly one capture group")
    return Metric(r.string(f["name"], f"{field}.name"), r.string(f["unit"], f"{field}.unit"), regex)


_ERRNO_NAME = re.compile(r"E[A-Z0-9]+")


def _evidence(r: _Reader, node: yaml.Node, field: str) -> Evidence:
    f = r.mapping(node, field, ("errno", "record"))
    if not f:
        raise r.fail(node, field, "needs 'errno', 'record' or both")
    errno = r.string(f["errno"], f"{field}.errno") if "errno" in f else None
    if errno is not None and not _ERRNO_NAME.fullmatch(errno):
        raise r.fail(
            f["errno"], f"{field}.errno", f"expected an errno name like EACCES, got {errno!r}"
        )
    return Evidence(
        errno=errno, record=r.regex(f["record"], f"{field}.record") if "record" in f else None
    )


def _threat(
    r: _Reader, node: yaml.Node, applies_to: Collection[str], known: Collection[str]
) -> Threat:
    """An outcome for every variant the scenario runs on; one it does not run on can
    only be not-applicable (what it attacks does not exist there)."""
    f = r.mapping(node, "threat", ("summary", "outcome", "limit"))
    r.require(f, node, "threat.", "summary", "outcome")
    outcome = {}
    for variant, sub in r.mapping(f["outcome"], "threat.outcome", known, "variant").items():
        field = f"threat.outcome.{variant}"
        outcome[variant] = r.name(sub, field, OUTCOMES, "outcome")
        if variant not in applies_to and outcome[variant] != "not-applicable":
            raise r.fail(sub, field, "the scenario does not run there: only not-applicable")
    missing = [v for v in applies_to if v not in outcome]
    if missing:
        raise r.fail(f["outcome"], "threat.outcome", f"no outcome for {', '.join(missing)}")
    limit = r.string(f["limit"], "threat.limit") if "limit" in f else None
    if ("limit" in outcome.values()) != (limit is not None):
        raise r.fail(
            node,
            "threat.limit",
            "states why secns cannot block it exactly when an outcome is 'limit'",
        )
    return Threat(r.string(f["summary"], "threat.summary"), outcome, limit)


def _check_evidence(r: _Reader, root: yaml.Node, threat: Threat | None, steps: list[Step]) -> None:
    """A threat blocked or detected somewhere needs a step with the evidence for it;
    a blocked one, the errno the refused call returned."""
    shown = [s.evidence for s in steps if s.evidence is not None]
    if threat is None:
        if shown:
            line = next(s.line for s in steps if s.evidence is not None)
            raise ScenarioError(
                r.path, line, "evidence", "evidence belongs to a scenario with a threat"
            )
        return
    needed = set(threat.outcome.values()) & set(OUTCOMES_WITH_EVIDENCE)
    if needed and not shown:
        raise r.fail(
            root, "threat.outcome", f"{'/'.join(sorted(needed))} needs a step with 'evidence'"
        )
    if "blocked" in needed and not any(e.errno for e in shown):
        raise r.fail(root, "threat.outcome", "blocked needs evidence with the 'errno' refused")


def _differences(r: _Reader, node: yaml.Node) -> dict[str, str]:
    """Test-name patterns mapped to why their verdicts may differ between variants."""
    if not isinstance(node, yaml.MappingNode) or not node.value:
        raise r.fail(node, "differences", "expected a mapping of test patterns to reasons")
    out = {}
    for key_node, value_node in node.value:
        pattern = r.string(key_node, "differences")
        if pattern in out:
            raise r.fail(key_node, f"differences.{pattern}", "given twice")
        reason = r.string(value_node, f"differences.{pattern}")
        if not reason.strip():
            raise r.fail(value_node, f"differences.{pattern}", "needs the reason")
        out[pattern] = reason
    return out


def _step(
    r: _Reader,
    node: yaml.Node,
    index: int,
    default_timeout: float,
    known_checks: Collection[str],
    known_variants: Collection[str],
) -> Step:
    field = f"steps[{index}]"
    f = r.mapping(
        node,
        field,
        ("run", "check", "timeout", "expect", "expect_on", "metric", "evidence", "tests"),
    )
    if ("run" in f) == ("check" in f):
        raise r.fail(node, field, "needs exactly one of 'run' or 'check'")
    check = r.name(f["check"], f"{field}.check", known_checks, "check") if "check" in f else None
    expect_on = {}
    if "expect_on" in f:
        for variant, sub in r.mapping(
            f["expect_on"], f"{field}.expect_on", known_variants, "variant"
        ).items():
            expect_on[variant] = _expect(r, sub, f"{field}.expect_on.{variant}")
    return Step(
        line=node.start_mark.line + 1,
        run=r.string(f["run"], f"{field}.run") if "run" in f else None,
        check=check,
        timeout=(
            r.scalar(f["timeout"], f"{field}.timeout", _positive, "a positive number")
            if "timeout" in f
            else default_timeout
        ),
        expect=_expect(r, f["expect"], f"{field}.expect") if "expect" in f else Expect(),
        expect_on=expect_on,
        metric=_metric(r, f["metric"], f"{field}.metric") if "metric" in f else None,
        evidence=_evidence(r, f["evidence"], f"{field}.evidence") if "evidence" in f else None,
        tests=(
            r.name(f["tests"], f"{field}.tests", TESTS_FORMATS, "format") if "tests" in f else None
        ),
    )


def load_scenario(
    path: Path, known_checks: Iterable[str], known_variants: Iterable[str]
) -> Scenario:
    """known_variants: the base variant names `variants` and `expect_on` may use."""
    try:
        root = yaml.compose(path.read_text(), Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise ScenarioError(path, line, "(syntax)", str(exc.problem)) from None
    r = _Reader(path)
    if root is None:
        raise ScenarioError(path, 1, "(file)", "empty scenario file")
    f = r.mapping(
        root,
        "",
        ("name", "description", "variants", "timeout", "tags", "threat", "steps", "differences"),
    )
    r.require(f, root, "", "name", "description", "steps")
    default_timeout = (
        r.scalar(f["timeout"], "timeout", _positive, "a positive number")
        if "timeout" in f
        else 60.0
    )
    steps_node = f["steps"]
    if not isinstance(steps_node, yaml.SequenceNode) or not steps_node.value:
        raise r.fail(steps_node, "steps", "expected a non-empty list of steps")
    checks, variants = tuple(known_checks), tuple(known_variants)
    applies = r.strings(f["variants"], "variants", variants, "variant") if "variants" in f else None
    threat = _threat(r, f["threat"], applies or variants, variants) if "threat" in f else None
    steps = [
        _step(r, n, i, default_timeout, checks, variants) for i, n in enumerate(steps_node.value)
    ]
    _check_evidence(r, root, threat, steps)
    differences = _differences(r, f["differences"]) if "differences" in f else {}
    if differences and not any(s.tests for s in steps):
        raise r.fail(f["differences"], "differences", "needs a step with 'tests' to compare")
    return Scenario(
        name=r.string(f["name"], "name"),
        description=r.string(f["description"], "description"),
        path=path,
        steps=tuple(steps),
        variants=applies,
        tags=r.strings(f["tags"], "tags") if "tags" in f else (),
        threat=threat,
        differences=differences,
    )


def discover(
    directory: Path, known_checks: Iterable[str], variants_file: Path = VARIANTS_FILE
) -> list[Scenario]:
    """Every scenario file below directory, in path order; names must be unique, and
    the variants they name must be base variants of variants_file."""
    known = tuple(known_checks)
    bases = tuple(load_variants(variants_file)[0])
    scenarios: list[Scenario] = []
    seen: dict[str, Path] = {}
    for path in sorted(p for p in directory.rglob("*") if p.suffix in SCENARIO_SUFFIXES):
        sc = load_scenario(path, known, bases)
        if sc.name in seen:
            raise ScenarioError(path, 1, "name", f"'{sc.name}' is also used by {seen[sc.name]}")
        seen[sc.name] = path
        scenarios.append(sc)
    return scenarios


def select(
    scenarios: list[Scenario], names: list[str] | None, suites: list[str] | None = None
) -> list[Scenario]:
    """Filter by scenario name or by suite (the sub-directory under scenarios/)."""
    chosen = scenarios
    if suites:
        chosen = [s for s in chosen if s.path.parent.name in suites]
        missing = set(suites) - {s.path.parent.name for s in scenarios}
        if missing:
            raise UserError(f"unknown scenario suite(s): {', '.join(sorted(missing))}")
    if names:
        by_name = {s.name: s for s in chosen}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise UserError(
                f"unknown scenario(s): {', '.join(unknown)} (known: {', '.join(sorted(by_name))})"
            )
        chosen = [by_name[n] for n in names]
    return chosen
