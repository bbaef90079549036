from pathlib import Path

from harness.report import tables
from harness.report.render import render
from harness.results.rundir import RunDir


def _run(tmp_path: Path) -> RunDir:
    run = RunDir.create(tmp_path, "r1")
    run.update_manifest(
        run_id="r1",
        accel="tcg",
        accel_reason="probe hung",
        timing="wallclock",
        variants=["vanilla", "secns"],
        host={"cpu": "cpu", "cores": 2, "memory_gib": 24},
        tools={"qemu": "QEMU 7.2", "swtpm": "swtpm 0.7.1"},
        kernels={
            "vanilla": {
                "source_origin": "debian",
                "source_version": "6.12",
                "cached": False,
                "build_seconds": 300,
                "bzimage_sha256": "a" * 64,
                "config_sha256": "b" * 64,
            }
        },
    )
    for variant, secs in (("vanilla", 11.0), ("secns", 12.5)):
        run.append_boot(
            {
                "variant": variant,
                "status": "up",
                "boot_seconds": secs,
                "accel": "tcg",
                "timing": "wallclock",
                "boot_dir": f"boots/{variant}",
            }
        )
        run.append_result(
            {
                "variant": variant,
                "scenario": "lmbench",
                "file": "x.yaml",
                "status": "pass",
                "seconds": 3.0,
                "steps": [],
                "metrics": {"lat_syscall_null": {"value": 0.5, "unit": "µs"}},
            }
        )
    run.append_result(
        {
            "variant": "secns",
            "scenario": "tpm",
            "file": "tpm.yaml",
            "status": "fail",
            "seconds": 1.0,
            "steps": [
                {
                    "line": 7,
                    "action": "cat x",
                    "ok": False,
                    "detail": "exit 1",
                    "stderr": "<no such file>",
                }
            ],
            "metrics": {},
        }
    )
    return run


def test_matrix_marks_missing_runs_empty(tmp_path: Path) -> None:
    run = _run(tmp_path)
    matrix = tables.scenario_matrix(run.results(), ["vanilla", "secns"])
    assert matrix.loc["tpm", "secns"] == "fail" and matrix.loc["tpm", "vanilla"] == ""


def test_report_has_tables_figures_and_where_it_ran(tmp_path: Path) -> None:
    index = render(_run(tmp_path))
    page = index.read_text()
    assert "<b>TCG</b>" in page and "wallclock" in page and "n = 1" in page
    assert 'class="fail"' in page and "tpm.yaml:7" in page
    assert "&lt;no such file&gt;" in page  # guest output is escaped
    assert "lat_syscall_null" in page
    for png in ("boot-times.png", "metrics.png"):
        assert (index.parent / png).stat().st_size > 1000
        assert f'src="{png}"' in page


def test_report_of_an_empty_run_renders(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "r0")
    run.update_manifest(run_id="r0", timing="icount", host={}, tools={})
    page = render(run).read_text()
    assert "secns run r0" in page and "Scenario outcomes" not in page and "Benchmarks" not in page


def _attack_result(variant: str, outcome: str, status: str, evidence: dict) -> dict:
    return {
        "variant": variant,
        "scenario": "attack-unsigned",
        "file": "a.yaml",
        "status": status,
        "seconds": 1.0,
        "steps": [{"line": 4, "action": "x", "ok": True, "detail": "", "evidence": evidence}],
        "metrics": {},
        "threat": {"summary": "unsigned code", "outcome": outcome},
    }


def test_attack_matrix_shows_outcomes_and_evidence(tmp_path: Path) -> None:
    run = _run(tmp_path)
    run.append_result(_attack_result("vanilla", "succeeds", "pass", {}))
    run.append_result(
        _attack_result("secns", "blocked", "pass", {"errno": "EACCES", "record": "cause=<x>"})
    )
    rows = tables.attack_rows(run.results(), ["vanilla", "secns"])
    assert [r["scenario"] for r in rows] == ["attack-unsigned"]
    assert (
        rows[0]["cells"]["secns"]["shown"] and rows[0]["cells"]["vanilla"]["outcome"] == "succeeds"
    )
    page = render(run).read_text()
    assert "Attack matrix" in page and "<code>EACCES</code>" in page and "cause=&lt;x&gt;" in page


def test_attack_matrix_marks_an_outcome_the_run_did_not_show(tmp_path: Path) -> None:
    run = _run(tmp_path)
    run.append_result(_attack_result("secns", "blocked", "fail", {}))
    rows = tables.attack_rows(run.results(), ["vanilla", "secns"])
    assert rows[0]["cells"]["vanilla"] is None and not rows[0]["cells"]["secns"]["shown"]
    assert "blocked (not shown)" in render(run).read_text()


def test_attack_matrix_marks_a_variant_not_run_as_not_applicable(tmp_path: Path) -> None:
    run = _run(tmp_path)
    result = _attack_result("secns", "detected", "pass", {"record": "replay fails"})
    result["threat"]["outcomes"] = {"secns": "detected", "vanilla": "not-applicable"}
    run.append_result(result)
    cells = tables.attack_rows(run.results(), ["vanilla", "secns"])[0]["cells"]
    assert cells["vanilla"]["outcome"] == "not-applicable" and cells["vanilla"]["shown"] is None
    assert "not-applicable (not run)" in render(run).read_text()


def _selftest_result(variant: str, verdict: str) -> dict:
    return {
        "variant": variant,
        "scenario": "kernel-selftests",
        "file": "k.yaml",
        "status": "pass",
        "seconds": 1.0,
        "steps": [
            {
                "line": 3,
                "action": "x",
                "ok": True,
                "detail": "",
                "tests": {"nsfs:owner": "pass", "tpm2:test_smoke.sh": verdict},
            }
        ],
        "metrics": {},
        "differences": {},
    }


def test_conformance_table_shows_each_verdict_and_the_unexplained(tmp_path: Path) -> None:
    run = _run(tmp_path)
    run.append_result(_selftest_result("vanilla", "pass"))
    run.append_result(_selftest_result("secns", "fail"))
    page = render(run).read_text()
    assert "Conformance: the kernel" in page
    assert "2 tests: 1 with the same verdict on vanilla, secns" in page
    assert "tpm2:test_smoke.sh" in page and '<td class="fail">unexplained</td>' in page


def test_a_distributed_run_says_where_its_boots_ran_and_what_was_lost(tmp_path: Path) -> None:
    run = _run(tmp_path)
    assert "Dask" not in render(run).read_text()
    workers = {"tcp://10.0.0.2:1": {"host": "lab1"}, "tcp://10.0.0.3:1": {"host": "lab2"}}
    run.update_manifest(
        executor={"kind": "dask-ssh", "scheduler": "tcp://10.0.0.1:8786", "workers": workers},
        lost_cells=[{"cell": "bench round 5, secns", "times": 1}],
    )
    run.append_boot(
        {
            "variant": "secns",
            "status": "complete",
            "host": "lab2",
            "worker": "tcp://10.0.0.3:1",
            "boot_dir": "boots/03-secns",
        }
    )
    page = " ".join(render(run).read_text().split())
    assert (
        "Dask cluster (dask-ssh, scheduler tcp://10.0.0.1:8786) of 2 worker(s) on lab1, lab2"
        in page
    )
    assert "1 cell(s) lost with a worker and run again: bench round 5, secns (1 time(s))" in page
    assert "tcp://10.0.0.3:1" in page  # the boot table names each boot's worker


def test_a_scenario_not_run_is_named_with_the_reason(tmp_path: Path) -> None:
    run = _run(tmp_path)
    run.update_manifest(skipped_scenarios={"ltp-ima": "needs --ltp-source TREE"})
    page = " ".join(render(run).read_text().split())
    assert "Not run</h2> <ul><li><b>ltp-ima</b>: needs --ltp-source TREE</li></ul>" in page
