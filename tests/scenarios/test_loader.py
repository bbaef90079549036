from pathlib import Path

import pytest

from harness.errors import UserError
from harness.kernel.variants import load_variants
from harness.paths import SCENARIOS_DIR
from harness.scenarios.checks import CHECKS
from harness.scenarios.loader import ScenarioError, discover, load_scenario, select
from harness.scenarios.model import Scenario

GOOD = """\
name: demo
description: a demo
variants: [secns]
timeout: 30
steps:
  - run: echo hi
    expect: {exit: 0, stdout: hi}
  - check: ima_pcr10_replay
  - run: unshare --help
    expect_on:
      vanilla: {exit: 1}
    metric: {name: m, unit: us, regex: "took ([0-9.]+)"}
"""


VARIANTS = tuple(load_variants()[0])


def _load(path: Path) -> Scenario:
    return load_scenario(path, CHECKS, VARIANTS)


def _write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_good_scenario_parses(tmp_path: Path) -> None:
    sc = _load(_write(tmp_path, GOOD))
    assert sc.name == "demo" and sc.variants == ("secns",)
    assert [s.line for s in sc.steps] == [6, 8, 9]
    assert sc.steps[0].timeout == 30 and sc.steps[0].expect.stdout == "hi"
    assert sc.steps[2].expectation("vanilla+debug").exit == 1
    assert sc.steps[2].expectation("secns").exit == 0
    assert sc.applies_to("secns+debug") and not sc.applies_to("vanilla")


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("name: x\nsteps:\n  - run: a\n", 1, "description", "required field is missing"),
        ("name: x\ndescription: d\nsteps: []\n", 3, "steps", "non-empty list"),
        ("name: x\ndescription: d\nstep:\n  - run: a\n", 3, "step", "unknown field"),
        (
            "name: x\ndescription: d\nsteps:\n  - run: a\n    expect: {exit: zero}\n",
            5,
            "steps[0].expect.exit",
            "expected an integer",
        ),
        (
            "name: x\ndescription: d\nsteps:\n  - run: a\n    check: b\n",
            4,
            "steps[0]",
            "exactly one of",
        ),
        (
            "name: x\ndescription: d\nsteps:\n  - check: nope\n",
            4,
            "steps[0].check",
            "unknown check 'nope'",
        ),
        (
            "name: x\ndescription: d\nsteps:\n  - run: a\n    timeout: -1\n",
            5,
            "steps[0].timeout",
            "positive number",
        ),
        (
            "name: x\ndescription: d\nsteps:\n  - run: a\n    expect: {stdout_regex: '('}\n",
            5,
            "steps[0].expect.stdout_regex",
            "invalid regular expression",
        ),
        (
            "name: x\ndescription: d\nsteps:\n  - run: a\n    metric: {name: m, unit: s, "
            "regex: 'x'}\n",
            5,
            "steps[0].metric.regex",
            "exactly one capture group",
        ),
        ("name: [x\n", 2, "(syntax)", ""),
        (
            "name: x\ndescription: d\nvariants: [secns, vanila]\nsteps:\n  - run: a\n",
            3,
            "variants",
            "unknown variant 'vanila' (known: secns, vanilla)",
        ),
        (
            "name: x\ndescription: d\nvariants: [secns+debug]\nsteps:\n  - run: a\n",
            3,
            "variants",
            "unknown variant 'secns+debug'",
        ),
        (
            "name: x\ndescription: d\nsteps:\n  - run: a\n    expect_on:\n"
            "      secns: {exit: 0}\n      vanila: {exit: 1}\n",
            7,
            "steps[0].expect_on.vanila",
            "unknown variant 'vanila' (known: secns, vanilla)",
        ),
        *(
            (
                f"name: x\ndescription: d\nsteps:\n  - run: a\n    timeout: {t}\n",
                5,
                "steps[0].timeout",
                "positive number",
            )
            for t in ("nan", "inf", "-inf", "1e999")
        ),
        ("name: x\ndescription: d\ntimeout: nan\nsteps:\n  - run: a\n", 3, "timeout", "positive"),
        (
            "name: x\ndescription: d\nsteps:\n  - run: a\n    tests: tap14\n",
            5,
            "steps[0].tests",
            "unknown format 'tap14' (known: kselftest)",
        ),
        (
            "name: x\ndescription: d\ndifferences:\n  a: why\nsteps:\n  - run: a\n",
            4,
            "differences",
            "needs a step with 'tests'",
        ),
        (
            "name: x\ndescription: d\ndifferences:\n  a: ''\n"
            "steps:\n  - run: a\n    tests: kselftest\n",
            4,
            "differences.a",
            "needs the reason",
        ),
        (
            "name: x\ndescription: d\ndifferences: [a]\nsteps:\n  - run: a\n    tests: kselftest\n",
            3,
            "differences",
            "expected a mapping",
        ),
    ],
)
def test_errors_name_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, message: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as err:
        _load(path)
    assert (err.value.line, err.value.field) == (line, field)
    assert str(err.value).startswith(f"{path}:{line}: {field}: ")
    assert message in str(err.value)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="empty scenario file"):
        _load(_write(tmp_path, ""))


def test_duplicate_names_are_rejected(tmp_path: Path) -> None:
    _write(tmp_path, GOOD, "a.yaml")
    _write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(ScenarioError, match="also used by"):
        discover(tmp_path, CHECKS)


def test_select_by_name_and_suite(tmp_path: Path) -> None:
    (tmp_path / "smoke").mkdir()
    _write(tmp_path / "smoke", GOOD, "a.yaml")
    found = discover(tmp_path, CHECKS)
    assert select(found, ["demo"], ["smoke"])[0].name == "demo"
    with pytest.raises(UserError, match="unknown scenario"):
        select(found, ["nope"])
    with pytest.raises(UserError, match="unknown scenario suite"):
        select(found, None, ["perf"])


def test_repository_scenarios_load() -> None:
    names = {s.name for s in discover(SCENARIOS_DIR, CHECKS)}
    assert {"tpm-visible", "ima-measures-and-replays", "docker-runs-local-image"} <= names


def test_a_step_expects_exit_0_unless_it_says_otherwise(tmp_path: Path) -> None:
    sc = _load(
        _write(
            tmp_path,
            "name: x\ndescription: d\nsteps:\n  - run: a\n  - run: b\n"
            "    expect: {stdout: hi}\n    expect_on:\n      vanilla: {stderr_contains: no}\n",
        )
    )
    assert [s.expectation(v).exit for s in sc.steps for v in ("secns", "vanilla")] == [0] * 4


def test_discover_checks_variants_against_the_variants_file(tmp_path: Path) -> None:
    _write(tmp_path, GOOD)
    variants_file = tmp_path / "variants.toml"
    variants_file.write_text("[variant.vanilla]\n[variant.other]\n")
    with pytest.raises(ScenarioError, match="unknown variant 'secns' \\(known: other, vanilla\\)"):
        discover(tmp_path, CHECKS, variants_file)


ATTACK = """\
name: attack
description: d
threat:
  summary: run unsigned code
  outcome: {vanilla: succeeds, secns: blocked}
steps:
  - run: a
    evidence: {errno: EACCES, record: "cause=missing-hash"}
"""


def test_attack_scenario_parses(tmp_path: Path) -> None:
    sc = _load(_write(tmp_path, ATTACK))
    assert sc.threat is not None and sc.threat.outcome_on("secns+debug") == "blocked"
    assert sc.steps[0].evidence is not None and sc.steps[0].evidence.errno == "EACCES"


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [
        ("secns: blocked}", "secns: stopped}", 5, "threat.outcome.secns", "unknown outcome"),
        ("vanilla: succeeds, ", "", 5, "threat.outcome", "no outcome for vanilla"),
        ("secns: blocked}", "secns: limit}", 4, "threat.limit", "exactly when"),
        ("errno: EACCES, ", "", 1, "threat.outcome", "blocked needs evidence with the 'errno'"),
        ("errno: EACCES", "errno: denied", 8, "steps[0].evidence.errno", "an errno name"),
        (
            '    evidence: {errno: EACCES, record: "cause=missing-hash"}\n',
            "",
            1,
            "threat.outcome",
            "blocked needs a step with 'evidence'",
        ),
        (
            'evidence: {errno: EACCES, record: "cause=missing-hash"}',
            "evidence: {}",
            8,
            "steps[0].evidence",
            "needs 'errno', 'record' or both",
        ),
    ],
)
def test_attack_errors_name_line_and_field(
    tmp_path: Path, old: str, new: str, line: int, field: str, message: str
) -> None:
    assert old in ATTACK
    with pytest.raises(ScenarioError) as err:
        _load(_write(tmp_path, ATTACK.replace(old, new)))
    assert (err.value.line, err.value.field) == (line, field)
    assert message in str(err.value)


def test_evidence_without_a_threat_is_refused(tmp_path: Path) -> None:
    text = "name: x\ndescription: d\nsteps:\n  - run: a\n  - run: b\n    evidence: {errno: EPERM}\n"
    with pytest.raises(ScenarioError) as err:
        _load(_write(tmp_path, text))
    assert (err.value.line, err.value.field) == (5, "evidence")


def test_a_limit_says_why(tmp_path: Path) -> None:
    text = ATTACK.replace("secns: blocked}", "secns: limit}\n  limit: scripts are read")
    sc = _load(_write(tmp_path, text))
    assert sc.threat is not None and sc.threat.limit == "scripts are read"


def test_a_variant_the_attack_does_not_run_on_is_only_not_applicable(tmp_path: Path) -> None:
    text = ATTACK.replace("description: d\n", "description: d\nvariants: [secns]\n")
    sc = _load(_write(tmp_path, text.replace("vanilla: succeeds", "vanilla: not-applicable")))
    assert sc.threat is not None and sc.threat.outcome["vanilla"] == "not-applicable"
    with pytest.raises(ScenarioError) as err:
        _load(_write(tmp_path, text))
    assert err.value.field == "threat.outcome.vanilla" and "only not-applicable" in str(err.value)


def test_every_limit_the_attacks_show_is_in_the_readme() -> None:
    readme = (SCENARIOS_DIR.parent / "README.md").read_text()
    limits = [
        s.name
        for s in discover(SCENARIOS_DIR, CHECKS)
        if s.threat is not None and "limit" in s.threat.outcome.values()
    ]
    assert limits, "no attack scenario shows a limit"
    assert [n for n in limits if f"`{n}`" not in readme] == []


def test_a_step_reporting_tests_and_their_explained_differences(tmp_path: Path) -> None:
    text = (
        "name: x\ndescription: d\ndifferences:\n  'ima_ns:*': the series adds them\n"
        "steps:\n  - run: ./run_kselftest.sh\n    tests: kselftest\n  - run: dmesg\n"
    )
    sc = _load(_write(tmp_path, text))
    assert [s.tests for s in sc.steps] == ["kselftest", None]
    assert sc.differences == {"ima_ns:*": "the series adds them"}
