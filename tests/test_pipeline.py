"""run_pipeline with fakes for everything that builds or boots."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from harness import hostinfo, pipeline
from harness.errors import UserError
from harness.guest.tools import GuestTools
from harness.kernel import build
from harness.kernel.build import BuildInputs, KernelArtifact
from harness.kernel.series import Series, load_series
from harness.kernel.source import KernelSource
from harness.kernel.variants import Variant
from harness.pipeline import RunOptions, run_pipeline
from harness.results.rundir import RunDir
from harness.scenarios.model import Scenario
from harness.vm.commands import Timing
from harness.vm.machine import GuestConfig


class Stop(Exception):
    """Ends a faked run once its kernels are recorded."""


def _opts(tmp_path: Path, **changes: object) -> RunOptions:
    tree = tmp_path / "linux"
    tree.mkdir(exist_ok=True)
    (tree / "Makefile").write_text("")
    opts = RunOptions(
        cache=tmp_path / "cache",
        results_dir=tmp_path / "results",
        profile=None,
        run_scenarios=False,
        kernel_source=tree,
    )
    return replace(opts, **changes)


def _broken_series(tmp_path: Path) -> Series:
    (tmp_path / "patches").mkdir()
    (tmp_path / "patches" / "series").write_text("0001-gone.patch\n")
    return load_series(tmp_path / "patches")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"variants": ("vanilla", "nope")}, "unknown kernel variant 'nope'"),
        ({"run_scenarios": True, "scenarios": ("no-such",)}, "unknown scenario"),
        ({"profile": "no-such"}, "unknown profile 'no-such'"),
        ({"kernel_source": Path("/nonexistent/linux")}, "neither a tarball nor a kernel tree"),
        ({}, "patch '0001-gone.patch' does not exist"),
        ({"timing": Timing.WALLCLOCK, "boots_at_once": 2}, "side by side only under icount"),
    ],
)
def test_a_user_error_leaves_no_run_directory(
    tmp_path: Path, monkeypatch, changes: dict, message: str
) -> None:
    if not changes:
        monkeypatch.setattr(pipeline, "load_series", lambda: _broken_series(tmp_path))
    with pytest.raises(UserError, match=message):
        run_pipeline(_opts(tmp_path, **changes))
    assert not (tmp_path / "results").exists()


@pytest.fixture
def fake_kernels(tmp_path: Path, monkeypatch) -> dict[str, Series]:
    """Builds nothing; the returned map is the series each variant is given."""
    source = KernelSource(tmp_path / "linux", "6.12", "test", "0" * 64)
    (tmp_path / "patches").mkdir()
    given = {"vanilla": Series(tmp_path / "patches", ()), "secns": Series(tmp_path / "patches", ())}
    monkeypatch.setattr(pipeline, "resolve_source", lambda given, cache, log: source)
    monkeypatch.setattr(pipeline, "series_for", lambda spec, cache: given[spec])
    monkeypatch.setattr(hostinfo, "toolchain_id", lambda: "gcc 12")
    monkeypatch.setattr(hostinfo, "host_facts", lambda: {})
    monkeypatch.setattr(hostinfo, "tool_versions", lambda: {})

    def build_kernel(
        variant: Variant, source: KernelSource, series: Series, cache: Path, *, jobs: int | None
    ) -> KernelArtifact:
        out = cache / "kernels" / variant.name
        cached = out.exists()
        out.mkdir(parents=True, exist_ok=True)
        for name in ("bzImage", "config", "build.log"):
            (out / name).write_text(name)
        key = build.cache_key(source, variant, series, "gcc 12")
        return KernelArtifact(variant.name, key, out, "6.12", "test", cached, None if cached else 9)

    def stop(*args: object, **kwargs: object) -> None:
        raise Stop

    monkeypatch.setattr(pipeline, "build_kernel", build_kernel)
    monkeypatch.setattr(pipeline, "prepare_guest_tools", stop)
    return given


def _first_run(tmp_path: Path) -> RunDir:
    with pytest.raises(Stop):
        run_pipeline(_opts(tmp_path))
    (path,) = (tmp_path / "results").iterdir()
    return RunDir(path)


def test_resume_keeps_the_kernels_it_recorded(tmp_path: Path, fake_kernels) -> None:
    run = _first_run(tmp_path)
    kernels = run.manifest()["kernels"]
    assert set(kernels) == {"vanilla", "secns"}
    assert kernels["secns"]["inputs"]["series"] != kernels["secns"]["inputs"]["source"]
    with pytest.raises(Stop):
        run_pipeline(_opts(tmp_path, resume=run.path))
    assert run.manifest()["kernels"] == kernels  # not overwritten by the cached rebuild


def test_resume_refuses_when_the_series_changed(tmp_path: Path, fake_kernels) -> None:
    run = _first_run(tmp_path)
    manifest = run.manifest()
    patch = tmp_path / "patches" / "0001-new.patch"
    patch.write_text("+++ b/x\n")
    fake_kernels["secns"] = Series(patch.parent, (patch,))
    with pytest.raises(UserError) as refused:
        run_pipeline(_opts(tmp_path, resume=run.path))
    message = str(refused.value)
    assert "(secns: series)" in message
    assert "start a new run" in message
    assert "\n" not in message
    assert json.loads((run.path / "manifest.json").read_text()) == manifest


def test_changed_source_and_fragments_are_named(tmp_path: Path) -> None:
    before = BuildInputs({"source": "source=a", "series": "series=none", "fragments": "A=y"})
    now = BuildInputs({"source": "source=b", "series": "series=none", "fragments": "A=n"})
    run = RunDir.create(tmp_path, "r1")
    run.update_manifest(
        kernels={
            "vanilla": {"key": before.key, "inputs": before.digests()},
            "secns": {"key": before.key},  # recorded before the inputs were
        }
    )
    pipeline.refuse_changed_kernels(run, {"vanilla": before, "secns": before})
    with pytest.raises(UserError, match=r"\(vanilla: source, fragments; secns: build inputs\)"):
        pipeline.refuse_changed_kernels(run, {"vanilla": now, "secns": now})


def _tests_result(variant: str, verdict: str, differences: dict[str, str]) -> dict:
    return {
        "variant": variant,
        "scenario": "kernel-selftests",
        "status": "pass",
        "steps": [{"line": 3, "tests": {"pidfd:pidfd_test": verdict}}],
        "differences": differences,
    }


def test_an_unexplained_or_stale_difference_fails_conformance(tmp_path: Path) -> None:
    cases = [("pass", {}, True), ("fail", {}, False), ("fail", {"pidfd:*": "why"}, True)]
    cases.append(("pass", {"pidfd:*": "why"}, False))  # explains nothing any more
    for i, (secns_verdict, why, conformant) in enumerate(cases):
        run = RunDir.create(tmp_path, f"r{i}")
        run.append_result(_tests_result("vanilla", "pass", why))
        run.append_result(_tests_result("secns", secns_verdict, why))
        assert pipeline.check_conformance(run, ["vanilla", "secns"]) is conformant


@pytest.mark.parametrize(
    ("scenarios", "wanted"), [(("tpm-visible",), False), (("kernel-selftests",), True)]
)
def test_only_a_scenario_tagged_kselftest_gets_the_kernels_selftests(
    tmp_path: Path, fake_kernels, monkeypatch: pytest.MonkeyPatch, scenarios, wanted: bool
) -> None:
    asked: list[object] = []

    def prepare(*args: object) -> None:
        asked.append("kselftest" in args[-1])  # type: ignore[operator]
        raise Stop

    monkeypatch.setattr(pipeline, "prepare_guest_tools", prepare)
    with pytest.raises(Stop):
        run_pipeline(_opts(tmp_path, run_scenarios=True, scenarios=scenarios))
    assert asked == [wanted]


def test_a_resumed_run_boots_only_the_variants_with_scenarios_left(tmp_path: Path) -> None:
    run = RunDir.create(tmp_path, "run")
    first, second = (Scenario(n, "d", tmp_path / f"{n}.yaml", ()) for n in ("first", "second"))
    only_secns = replace(second, variants=("secns",))
    run.append_result({"variant": "vanilla", "scenario": "first"})
    run.append_result({"variant": "secns", "scenario": "first"})
    opts = RunOptions(cache=tmp_path, results_dir=tmp_path, variants=("vanilla", "secns"))

    def cell(variant: str, pending: tuple[Scenario, ...]) -> pipeline.ScenarioCell:
        config = GuestConfig(*(tmp_path / n for n in ("k", "d", "key", "pub")))
        return pipeline.ScenarioCell(variant, config, pending, GuestTools(tmp_path, ()), 1.0, 0.0)

    cells = pipeline.scenario_cells(run, [first, only_secns], opts, cell)
    assert [(c.variant, [s.name for s in c.scenarios]) for c in cells] == [("secns", ["second"])]


def test_tree_scenarios_without_a_tree_are_skipped_with_the_reason(tmp_path: Path) -> None:
    inputs = pipeline.check_inputs(_opts(tmp_path, run_scenarios=True, suites=("conformance",)))
    names = [s.name for s in inputs.scenarios]
    assert "ltp-ima" not in names and "apparmor-regression" not in names
    assert "--ltp-source" in inputs.skipped["ltp-ima"]
    assert "--apparmor-source" in inputs.skipped["apparmor-regression"]
    with pytest.raises(UserError, match="ltp-ima: LTP's IMA tests need --ltp-source"):
        pipeline.check_inputs(_opts(tmp_path, run_scenarios=True, scenarios=("ltp-ima",)))


def test_a_given_tree_runs_its_scenarios_and_the_others_stay_skipped(tmp_path: Path) -> None:
    tree = tmp_path / "apparmor"
    (tree / "tests/regression/apparmor").mkdir(parents=True)
    (tree / "tests/regression/apparmor/prologue.inc").write_text("")
    (tree / "common").mkdir()
    inputs = pipeline.check_inputs(
        _opts(tmp_path, run_scenarios=True, suites=("conformance",), trees={"apparmor": tree})
    )
    assert "apparmor-regression" in [s.name for s in inputs.scenarios]
    assert list(inputs.skipped) == ["ltp-ima"]
    with pytest.raises(UserError, match="not an AppArmor tree"):
        pipeline.check_inputs(_opts(tmp_path, trees={"apparmor": tmp_path}))
