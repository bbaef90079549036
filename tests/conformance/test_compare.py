from typing import Any

from harness.conformance.compare import NOT_RUN, conformance


def _result(variant: str, tests: dict[str, str], differences: dict[str, str] | None = None):
    record: dict[str, Any] = {
        "variant": variant,
        "scenario": "kernel-selftests",
        "steps": [{"line": 3, "tests": tests}, {"line": 9}],
    }
    if differences is not None:
        record["differences"] = differences
    return record


def test_same_verdicts_conform() -> None:
    found = conformance(
        [
            _result("vanilla", {"a": "pass", "b": "fail"}),
            _result("secns", {"a": "pass", "b": "fail"}),
        ],
        ["vanilla", "secns"],
    )
    assert found is not None and found.baseline == "vanilla"
    assert not found.unexplained and not found.explained and not found.unused
    assert found.summary().startswith("2 tests: 2 with the same verdict")


def test_a_difference_is_explained_by_a_pattern_or_unexplained() -> None:
    why = {"ima_*": "the series adds them"}
    found = conformance(
        [
            _result("vanilla", {"ima_a": "skip", "pidfd": "pass"}, why),
            _result("secns", {"ima_a": "pass", "pidfd": "fail"}, why),
        ],
        ["vanilla", "secns"],
    )
    assert found is not None
    assert [(r.test, r.reason) for r in found.explained] == [("ima_a", "the series adds them")]
    assert [(r.test, r.verdicts) for r in found.unexplained] == [
        ("pidfd", {"vanilla": "pass", "secns": "fail"})
    ]


def test_a_test_one_variant_did_not_report_differs() -> None:
    found = conformance(
        [_result("vanilla", {"a": "pass", "b": "pass"}), _result("secns", {"a": "pass"})],
        ["vanilla", "secns"],
    )
    assert found is not None
    assert [r.verdicts["secns"] for r in found.unexplained] == [NOT_RUN]


def test_totals_are_part_of_the_verdict() -> None:
    found = conformance(
        [
            _result("vanilla", {"a": "pass [Totals: pass:3 skip:0]"}),
            _result("secns", {"a": "pass [Totals: pass:2 skip:1]"}),
        ],
        ["vanilla", "secns"],
    )
    assert found is not None and len(found.unexplained) == 1


def test_an_explanation_that_matches_no_difference_is_reported() -> None:
    why = {"gone*": "was needed once"}
    found = conformance(
        [_result("vanilla", {"a": "pass"}, why), _result("secns", {"a": "pass"}, why)],
        ["vanilla", "secns"],
    )
    assert found is not None and found.unused == [("kernel-selftests", "gone*")]
    assert "1 explanations that matched no difference" in found.summary()


def test_nothing_to_compare_on_one_variant() -> None:
    assert conformance([_result("secns", {"a": "pass"})], ["vanilla", "secns"]) is None
    assert conformance([{"variant": "secns", "scenario": "x", "steps": [{}]}], ["secns"]) is None
