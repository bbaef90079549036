"""The main job: build each kernel variant and the image, boot, run scenarios, report.

Every step writes into the run directory as soon as it has something, so a run that
dies keeps what it measured and `--resume` carries on where it stopped.
"""

import json
import shutil
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from harness import __version__, hostinfo
from harness.bench.profile import Profile, load_profile, parse_profile
from harness.bench.rounds import completed, run_rounds
from harness.boots import BootExecutor, Boots, parallel_boots
from harness.conformance.compare import conformance
from harness.conformance.kselftest import TAG as KSELFTEST_TAG
from harness.conformance.kselftest import TARGETS as KSELFTEST_TARGETS
from harness.conformance.kselftest import build_kselftests
from harness.conformance.suites import TREE_SUITES
from harness.console import say
from harness.digest import file_sha256
from harness.distributed.options import ClusterOptions
from harness.errors import EXIT_CHECKS_FAILED, EXIT_OK, InfraError, UserError
from harness.guest.tools import GuestTools, build_guest_tools, install_guest_tools
from harness.image.build import GuestImage, build_image
from harness.image.preload import preload_containers, preload_record, preloaded
from harness.image.recipe import RootfsRecipe, load_recipe
from harness.kernel.build import (
    BuildInputs,
    KernelArtifact,
    build_inputs,
    build_kernel,
    locked_patched_tree,
)
from harness.kernel.revisions import series_for
from harness.kernel.series import Series, load_series
from harness.kernel.source import KernelSource, locate_source, resolve_source
from harness.kernel.variants import Variant, resolve
from harness.paths import SCENARIOS_DIR
from harness.results.rundir import MANIFEST, RunDir
from harness.scenarios.checks import CHECKS
from harness.scenarios.loader import discover, select
from harness.scenarios.model import Scenario
from harness.scenarios.runner import run_scenario
from harness.vm.accel import AccelChoice, choose_accel
from harness.vm.commands import Accel, Timing
from harness.vm.machine import GuestConfig

DEFAULT_VARIANTS = ("vanilla", "secns")
DEFAULT_PROFILE = "quick"


@dataclass(frozen=True)
class RunOptions:
    cache: Path
    results_dir: Path
    variants: tuple[str, ...] = DEFAULT_VARIANTS
    scenarios: tuple[str, ...] = ()
    suites: tuple[str, ...] = ()
    accel: str = "auto"
    timing: Timing | None = None  # None: icount on TCG, wall clock on KVM
    # Benchmark profile: a name in workloads/profiles.toml, a Profile, or None (none).
    profile: str | Profile | None = DEFAULT_PROFILE
    run_scenarios: bool = True
    kernel_source: Path | None = None
    jobs: int | None = None
    boot_timeout: float = 180.0
    timeout_scale: float = 1.0
    resume: Path | None = None
    scenarios_dir: Path = SCENARIOS_DIR
    boots_at_once: int | None = None  # benchmark boots side by side; None: one per core
    soak_seconds: float = 0.0  # guest seconds the soak's fuzzer runs for at least
    cluster: ClusterOptions | None = None  # boots on a Dask cluster; None: on this host
    # Suite name -> the user's tree it is built from (harness.conformance.tree).
    trees: dict[str, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class Inputs:
    """What the user asked for, checked before a run directory exists."""

    scenarios: list[Scenario]
    profile: Profile | None
    series: Series  # the working tree's: the guest tools' selftests come from it
    variants: dict[str, Variant]  # by spec, as are:
    variant_series: dict[str, Series]  # what each variant builds with
    recipe: RootfsRecipe
    skipped: dict[str, str]  # scenario -> why it is not run


def check_inputs(opts: RunOptions) -> Inputs:
    """Every user input, checked (UserError) before a run directory exists, so that a
    mistake leaves no empty run behind."""
    scenarios = (
        select(
            discover(opts.scenarios_dir, CHECKS),
            list(opts.scenarios) or None,
            list(opts.suites) or None,
        )
        if opts.run_scenarios
        else []
    )
    skipped: dict[str, str] = {}
    for suite in TREE_SUITES:
        if suite.name in opts.trees:
            suite.check_tree(opts.trees[suite.name])
        elif needs := [s.name for s in scenarios if suite.name in s.tags]:
            if named := set(needs) & set(opts.scenarios):
                raise UserError(f"scenario {', '.join(sorted(named))}: {suite.skipped}")
            skipped |= dict.fromkeys(needs, suite.skipped)
    scenarios = [s for s in scenarios if s.name not in skipped]
    locate_source(opts.kernel_source)
    if (opts.boots_at_once or 1) > 1 and opts.timing is Timing.WALLCLOCK:
        raise UserError("boots run side by side only under icount timing, not wall clock")
    return Inputs(
        scenarios,
        load_profile(opts.profile) if isinstance(opts.profile, str) else opts.profile,
        load_series(),
        {spec: resolve(spec) for spec in opts.variants},
        {spec: series_for(spec, opts.cache) for spec in opts.variants},
        load_recipe(),
        skipped,
    )


def start_run(opts: RunOptions, inputs: Inputs) -> RunDir:
    run = RunDir.create_new(opts.results_dir)
    profile = inputs.profile
    run.update_manifest(
        run_id=run.path.name,
        created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        harness_version=__version__,
        host=hostinfo.host_facts(),
        tools=hostinfo.tool_versions(),
        variants=list(opts.variants),
        scenarios=[s.name for s in inputs.scenarios],
        profile={"name": profile.name, **profile.settings()} if profile else None,
        timeout_scale=opts.timeout_scale,
        soak_seconds=opts.soak_seconds,
        trees={name: str(tree) for name, tree in opts.trees.items()},
        skipped_scenarios=inputs.skipped,
    )
    return run


def kernel_inputs(source: KernelSource, inputs: Inputs) -> dict[str, BuildInputs]:
    toolchain = hostinfo.toolchain_id()
    return {
        spec: build_inputs(source, variant, inputs.variant_series[spec], toolchain)
        for spec, variant in inputs.variants.items()
    }


def _changed_inputs(record: dict, now: BuildInputs) -> list[str]:
    if record.get("key") == now.key:
        return []
    before = record.get("inputs")
    if before is None:  # recorded before the inputs were: the key alone tells
        return ["build inputs"]
    return [name for name, digest in now.digests().items() if before.get(name) != digest]


def refuse_changed_kernels(run: RunDir, planned: dict[str, BuildInputs]) -> None:
    """A resumed run goes on with the kernels it recorded: one run never mixes two."""
    recorded = run.manifest().get("kernels", {})
    changes = [
        f"{spec}: {', '.join(changed)}"
        for spec, now in planned.items()
        if spec in recorded and (changed := _changed_inputs(recorded[spec], now))
    ]
    if changes:
        raise UserError(
            f"cannot resume {run.path}: its kernel inputs changed since it was recorded "
            f"({'; '.join(changes)}); start a new run (without --resume)"
        )


def record_kernel(
    run: RunDir, spec: str, art: KernelArtifact, planned: BuildInputs, series: Series | None
) -> None:
    """Into the manifest, unless the run (resumed) already holds this kernel's entry.
    `series` is None for a variant built without it."""
    kernels = run.manifest().get("kernels", {})
    if spec in kernels:
        return
    shutil.copy2(art.log, run.logs / f"kernel-{spec}.log")
    kernels[spec] = {
        "key": art.key,
        "inputs": planned.digests(),
        "bzimage_sha256": file_sha256(art.bzimage),
        "config_sha256": file_sha256(art.config),
        "source_version": art.source_version,
        "source_origin": art.source_origin,
        "build_seconds": art.build_seconds,
        "cached": art.cached,
        "artifacts": str(art.directory),
        # Which series: variants named by a git revision are told apart here.
        "series_sha256": series.digest() if series else None,
        "patches": len(series.patches) if series else 0,
    }
    run.update_manifest(kernels=kernels)


def build_kernels(
    opts: RunOptions, run: RunDir, source: KernelSource, inputs: Inputs
) -> dict[str, KernelArtifact]:
    planned = kernel_inputs(source, inputs)
    refuse_changed_kernels(run, planned)
    say(
        f"base source: {source.origin}, Linux {source.version}; "
        f"series: {len(inputs.series.patches)} patch(es)"
    )
    artifacts = {}
    for spec, variant in inputs.variants.items():
        say(f"kernel {spec}: building (cached builds are reused)")
        series = inputs.variant_series[spec]
        art = build_kernel(variant, source, series, opts.cache, jobs=opts.jobs)
        state = "cached" if art.cached else f"built in {art.build_seconds:.0f} s"
        say(f"kernel {spec}: {state}, {art.directory}")
        artifacts[spec] = art
        record_kernel(run, spec, art, planned[spec], series if variant.apply_series else None)
    return artifacts


def prepare_guest_tools(
    opts: RunOptions, run: RunDir, source: KernelSource, series: Series, tags: set[str]
) -> GuestTools:
    """The guest programs, with the selftests of the series when it has patches, and
    the kernel's own selftests and the tree suites when a scenario to run (its `tags`)
    needs them."""
    log = run.logs / "guest-tools.log"
    with locked_patched_tree(source, series, opts.cache, log) as tree:
        built = build_guest_tools(opts.cache, tree if series.patches else None, log)
    say(f"guest tools: {', '.join(p.name for p in built.programs)}")
    if KSELFTEST_TAG in tags:
        say("kernel selftests: building (cached builds are reused)")
        archive = build_kselftests(source, opts.cache, log)
        say(f"kernel selftests: {', '.join(KSELFTEST_TARGETS)} in {archive}")
        built = replace(built, kselftests=archive)
    for suite in TREE_SUITES:
        if suite.name in tags and suite.name in opts.trees:
            tree = opts.trees[suite.name]
            say(f"{suite.what}: building from {tree} (cached builds are reused)")
            archive = suite.build(tree, opts.cache, log)
            built = replace(built, trees=(*built.trees, (suite.name, archive)))
    return built


def prepare_image(opts: RunOptions, run: RunDir, recipe: RootfsRecipe) -> GuestImage:
    say("guest image: building (a cached image is reused)")
    image = build_image(recipe, opts.cache)
    meta = json.loads((image.directory / "image.json").read_text())
    shutil.copy2(image.log, run.logs / "image.log")
    say(f"guest image: {'cached' if image.cached else f'built in {image.build_seconds:.0f} s'}")
    run.update_manifest(
        image={
            "key": image.key,
            "directory": str(image.directory),
            "build_seconds": image.build_seconds,
            "cached": image.cached,
            "sha256": meta["sha256"],
            "suite": meta["suite"],
        }
    )
    return image


def preload_image(
    image: GuestImage, config: GuestConfig, opts: RunOptions, run: RunDir
) -> GuestImage:
    """The image with the container images already imported into its Docker."""
    image_record = run.manifest().get("image", {})
    ready = preloaded(image)
    if ready is None:
        say("guest image: importing the container images into a copy (once per image)")
        boot_dir = run.path / "boots" / "00-preload-containers"
        try:
            ready = preload_containers(image, config, boot_dir, opts.timeout_scale)
        except InfraError as exc:
            # Not fatal: every boot then imports what it needs, only slower.
            say(f"guest image: preloading failed, boots import the containers: {exc}")
            run.update_manifest(image={**image_record, "preloaded": {"error": str(exc)}})
            return image
        say(f"guest image: containers imported in {preload_record(ready)['seconds']:.0f} s")
    run.update_manifest(image={**image_record, "preloaded": preload_record(ready)})
    return ready


def guest_config(
    kernel: KernelArtifact,
    image: GuestImage,
    opts: RunOptions,
    accel: Accel,
    timing: Timing,
    variant: str,
    boot_ima_policy: str | None = "tcb",
) -> GuestConfig:
    return GuestConfig(
        kernel=kernel.bzimage,
        disk=image.disk,
        ssh_key=image.ssh_key,
        host_pubkey=image.host_pubkey,
        accel=accel,
        timing=timing,
        boot_timeout=opts.boot_timeout,
        extra_append=resolve(variant).append,
        boot_ima_policy=boot_ima_policy,
    )


@dataclass(frozen=True)
class ScenarioCell:
    """One variant's scenario boot and all it needs, to run here or on a Dask worker."""

    variant: str
    config: GuestConfig
    scenarios: tuple[Scenario, ...]  # those the run still lacks, in order
    tools: GuestTools
    timeout_scale: float
    soak_seconds: float

    @property
    def name(self) -> str:
        return f"{self.variant} scenarios"

    def recorded(self, run: RunDir) -> list[dict[str, Any]]:
        return []  # a resumed run's cell holds only the scenarios it lacks


def scenario_cells(
    run: RunDir,
    scenarios: list[Scenario],
    opts: RunOptions,
    cell: Callable[[str, tuple[Scenario, ...]], ScenarioCell],
) -> list[ScenarioCell]:
    """A cell per variant with scenarios left to run: cell(variant, pending) makes
    it with those the run has not recorded yet."""
    done, cells = run.done(), []
    for variant in opts.variants:
        pending = tuple(
            s for s in scenarios if s.applies_to(variant) and (variant, s.name) not in done
        )
        if pending:
            one = cell(variant, pending)
            tags = {tag for s in pending for tag in s.tags}
            scratch_mb = max((t.scratch_mb for t in TREE_SUITES if t.name in tags), default=0)
            if scratch_mb:
                one = replace(one, config=replace(one.config, scratch_disk_mb=scratch_mb))
            cells.append(one)
        elif scenarios:
            say(f"{variant}: nothing left to run")
    return cells


def scenario_boot(boots: Boots, cell: ScenarioCell) -> None:
    run, config, variant = boots.run, cell.config, cell.variant
    boot_dir, record = boots.start(variant, config)
    say(f"{variant}: booting ({config.accel.value}, {config.timing.value})")
    with boots.guest(config, boot_dir, record) as guest:
        run.append_boot({**record, "status": "up"})
        say(f"{variant}: SSH up after {guest.boot_seconds:.1f} s")
        install_guest_tools(guest.session, cell.tools)
        for sc in cell.scenarios:
            res = run_scenario(
                guest.session,
                sc,
                variant,
                boot_dir / "scratch" / sc.name,
                cell.timeout_scale,
                cell.soak_seconds,
            )
            run.append_result(res.to_json())
            failed = [s for s in res.steps if not s.ok]
            detail = f" (line {failed[0].line}: {failed[0].detail})" if failed else ""
            say(f"  {variant} {sc.name}: {res.status}{detail}")


def check_conformance(run: RunDir, variants: list[str]) -> bool:
    """Whether every variant passes what the baseline passes, or differs only where
    a scenario explains why (harness.conformance.compare)."""
    found = conformance(run.results(), variants)
    if found is None:
        return True
    say(f"conformance: {found.summary()}")
    for row in found.unexplained:
        verdicts = ", ".join(f"{v} {verdict}" for v, verdict in row.verdicts.items())
        say(f"  unexplained: {row.scenario} {row.test}: {verdicts}")
    return not found.unexplained and not found.unused


def recorded_profile(manifest: dict) -> Profile | None:
    """The profile a run was started with, as recorded (the file may have changed)."""
    settings = dict(manifest.get("profile") or {})
    if not settings:
        return None
    name = settings.pop("name")
    return parse_profile(name, settings, f"{MANIFEST} of the resumed run")


def resolve_timing(requested: Timing | None, accel: Accel) -> Timing:
    """Default: icount under TCG (deterministic on a noisy host), wall clock under KVM."""
    if requested is not None:
        return requested
    return Timing.ICOUNT if accel is Accel.TCG else Timing.WALLCLOCK


def run_pipeline(opts: RunOptions) -> tuple[RunDir, int, list[InfraError]]:
    """Returns the run directory, the exit code for the checks, and infra failures."""
    recorded: dict = {}
    resumed: RunDir | None = None
    if opts.resume is not None:
        # A resumed run keeps its own variants, scenarios, profile, timing mode,
        # accelerator and kernels: one run never mixes measurement conditions.
        resumed = RunDir.open(opts.resume)
        recorded = resumed.manifest()
        opts = replace(
            opts,
            variants=tuple(recorded["variants"]),
            scenarios=tuple(recorded["scenarios"]),
            run_scenarios=bool(recorded["scenarios"]),
            suites=(),
            timing=Timing(recorded["timing"]) if recorded.get("timing") else opts.timing,
            timeout_scale=recorded.get("timeout_scale", 1.0),
            soak_seconds=recorded.get("soak_seconds", 0.0),
            trees={name: Path(tree) for name, tree in recorded.get("trees", {}).items()},
            profile=recorded_profile(recorded),
        )
        say(f"resuming {resumed.path}")
    inputs = check_inputs(opts)
    run = resumed or start_run(opts, inputs)
    say(f"run directory: {run.path}")
    started = time.monotonic()
    source = resolve_source(opts.kernel_source, opts.cache, run.logs / "source.log")
    kernels = build_kernels(opts, run, source, inputs)
    guest_tools = prepare_guest_tools(
        opts,
        run,
        source,
        inputs.series,
        {tag for s in inputs.scenarios for tag in s.tags},
    )
    image = prepare_image(opts, run, inputs.recipe)
    if "accel" in recorded:
        choice = AccelChoice(Accel(recorded["accel"]), recorded["accel_reason"])
    elif opts.timing is Timing.ICOUNT:
        choice = AccelChoice(Accel.TCG, "icount timing runs on TCG")
    else:
        probe_kernel = next(iter(kernels.values())).bzimage
        choice = choose_accel(opts.accel, probe_kernel, opts.cache)
    timing = resolve_timing(opts.timing, choice.accel)
    run.update_manifest(accel=choice.accel.value, accel_reason=choice.reason, timing=timing.value)
    say(f"accelerator: {choice.accel.value} ({choice.reason}); timing: {timing.value}")
    first = opts.variants[0]
    image = preload_image(
        image,
        guest_config(kernels[first], image, opts, choice.accel, timing, first, None),
        opts,
        run,
    )

    def config(variant: str, boot_ima_policy: str | None = "tcb") -> GuestConfig:
        return guest_config(
            kernels[variant], image, opts, choice.accel, timing, variant, boot_ima_policy
        )

    def scenario_cell(variant: str, pending: tuple[Scenario, ...]) -> ScenarioCell:
        return ScenarioCell(
            variant, config(variant), pending, guest_tools, opts.timeout_scale, opts.soak_seconds
        )

    with ExitStack() as stack:
        cluster = None
        if opts.cluster:
            # Dask takes a fifth of a second to import: only a distributed run pays it.
            from harness.distributed.cluster import open_cluster

            first = kernels[opts.variants[0]].bzimage
            cluster = stack.enter_context(open_cluster(opts.cluster, run, choice.accel, first))

        def boots(workers: int) -> BootExecutor:
            return cluster if cluster is not None else Boots(run, workers)

        # Scenario boots one at a time here: they check PCR 10 against the IMA list, and
        # a guest beside another on a busy host can time out on its TPM
        # (Guest.tpm_timeouts). A cluster runs one cell per worker.
        failures = boots(1).run_all(
            scenario_cells(run, inputs.scenarios, opts, scenario_cell),
            scenario_boot,
            lambda c: c.name,
        )
        profile = inputs.profile
        if profile is not None:
            # Side by side under icount; under wall clock (chosen with KVM) another boot's
            # load would be measured too.
            workers = (
                (opts.boots_at_once or parallel_boots(timing)) if timing is Timing.ICOUNT else 1
            )
            if cluster is None:
                say(f"benchmark boots side by side: {workers}")
            failures += run_rounds(
                boots(workers),
                profile,
                opts.variants,
                lambda variant: config(variant, boot_ima_policy=None),
                replace(guest_tools, kselftests=None, trees=()),
                opts.timeout_scale,
            )
    failed_scenarios = [r for r in run.results() if r["status"] != "pass"]
    conformant = check_conformance(run, list(opts.variants))
    done = completed(run)
    incomplete_rounds = [
        (rnd, v)
        for rnd in range(1, (profile.boots if profile else 0) + 1)
        for v in opts.variants
        if (rnd, v) not in done
    ]
    durations = run.manifest().get("durations", [])
    durations.append({"seconds": round(time.monotonic() - started, 1), "resumed": bool(recorded)})
    run.update_manifest(finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"), durations=durations)
    failed = failed_scenarios or incomplete_rounds or not conformant
    return run, (EXIT_CHECKS_FAILED if failed else EXIT_OK), failures
