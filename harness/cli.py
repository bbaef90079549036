"""Command line: `secns run` is the main job; the other commands are its steps."""

import argparse
import os
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from harness import pipeline
from harness.cli_types import number
from harness.conformance.suites import TREE_SUITES
from harness.distributed.options import ClusterOptions
from harness.errors import (
    EXIT_CHECKS_FAILED,
    EXIT_INFRA_ERROR,
    EXIT_INTERNAL_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    HarnessError,
    UserError,
)
from harness.kernel.check_series import PatchCheck, check_series
from harness.paths import RESULTS_DIR, SCENARIOS_DIR, cache_dir
from harness.vm.commands import Timing


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="cache root (default: $SECNS_CACHE_DIR or $XDG_CACHE_HOME/secns)",
    )


def _kernel_opts(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--kernel-source",
        type=Path,
        default=None,
        help="base kernel tarball or tree (default: Debian's linux-source-6.12)",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=number(int, "[1, inf)"),
        default=None,
        help="make -j (default: cores + 1)",
    )


def _boot_opts(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--accel",
        choices=["auto", "kvm", "tcg"],
        default="auto",
        help="auto probes KVM with a boot and falls back to TCG",
    )
    p.add_argument(
        "--timing",
        choices=["auto", *(t.value for t in Timing)],
        default="auto",
        help="icount: deterministic instruction-driven guest time (TCG); "
        "auto (default): icount under TCG, wall clock under KVM",
    )
    p.add_argument(
        "--boot-timeout",
        type=number(float, "(0, inf)"),
        default=180.0,
        help="seconds until a guest without SSH is killed",
    )
    p.add_argument(
        "--timeout-scale",
        type=number(float, "(0, inf)"),
        default=1.0,
        help="multiply every scenario step's timeout (e.g. 10 for +debug kernels on TCG)",
    )
    p.add_argument(
        "--boots-at-once",
        type=number(int, "[1, 64]"),
        default=None,
        help="benchmark boots run side by side under icount (default: one per core; "
        "always one under wall clock)",
    )
    dask = p.add_mutually_exclusive_group()
    dask.add_argument(
        "--dask-ssh",
        metavar="HOST,HOST,...",
        type=lambda text: tuple(h for h in text.split(",") if h),
        default=(),
        help="boot on a Dask cluster started over SSH: the scheduler on the first host, "
        "a worker on each other (repeat a host for more); hosts as the SSH config names them",
    )
    dask.add_argument(
        "--dask-scheduler",
        metavar="ADDRESS",
        default=None,
        help="boot on a running Dask cluster (e.g. dask-jobqueue's); its workers must "
        "share the cache directory",
    )
    p.add_argument(
        "--ssh-config",
        type=Path,
        default=None,
        help="the OpenSSH config that reaches the --dask-ssh hosts (default: ~/.ssh/config)",
    )
    p.add_argument(
        "--dask-python",
        default=sys.executable,
        help="the Python on the --dask-ssh hosts, with this harness installed "
        "(default: this one, %(default)s)",
    )


def _cluster(args: argparse.Namespace) -> ClusterOptions | None:
    if not args.dask_ssh and not args.dask_scheduler:
        return None
    return ClusterOptions(
        args.dask_ssh,
        args.dask_scheduler,
        args.ssh_config.resolve() if args.ssh_config else None,
        args.dask_python,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="secns", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="build, boot, run scenarios and write the report")
    _common(run), _kernel_opts(run), _boot_opts(run)
    run.add_argument(
        "--variant",
        action="append",
        dest="variants",
        help="kernel variant, repeatable (default: vanilla and secns)",
    )
    run.add_argument(
        "--soak-seconds",
        type=number(float, "[0, inf)"),
        default=0.0,
        help="run the soak suite's fuzzer for at least this many guest seconds "
        "(86400: a day; under icount a guest second takes several host seconds)",
    )
    for suite in TREE_SUITES:
        run.add_argument(
            suite.option,
            type=Path,
            default=None,
            help=f"{suite.tree}: {suite.what} run on every kernel in the conformance "
            "suite (without one they are skipped, and the run says so)",
        )
    run.add_argument(
        "--scenario",
        action="append",
        dest="scenarios",
        default=[],
        help="run only this scenario, repeatable",
    )
    run.add_argument(
        "--suite",
        action="append",
        dest="suites",
        default=[],
        help="run only this suite (sub-directory of scenarios/), repeatable",
    )
    run.add_argument(
        "--profile",
        default=pipeline.DEFAULT_PROFILE,
        help="benchmark profile from workloads/profiles.toml (quick, paper), "
        "or 'none' to run only the scenarios (default: %(default)s)",
    )
    run.add_argument("--no-scenarios", action="store_true", help="run only the benchmark profile")
    run.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    run.add_argument(
        "--resume",
        type=Path,
        default=None,
        metavar="RUN_DIR",
        help="continue a run that stopped, skipping what it recorded",
    )

    bk = sub.add_parser("build-kernel", help="build kernel variants (cached)")
    _common(bk), _kernel_opts(bk)
    bk.add_argument("variants", nargs="+", help="e.g. vanilla secns secns+debug")

    bi = sub.add_parser("build-image", help="build the guest image (cached)")
    _common(bi)

    rep = sub.add_parser("report", help="render a run directory as HTML")
    rep.add_argument("run_dir", type=Path)
    rep.add_argument(
        "--screenshot",
        action="store_true",
        help="also save report/screenshot.png from headless Chromium",
    )

    cs = sub.add_parser(
        "check-series",
        help="per patch: checkpatch --strict, then build the tree up to it (incremental)",
    )
    _common(cs)
    _kernel_opts(cs)
    cs.add_argument("--variant", default="secns", help="config to build with (default: secns)")
    cs.add_argument("--no-build", action="store_true", help="checkpatch only")

    cmp = sub.add_parser(
        "compare",
        help="compare two runs, two variants of one run, or two git revisions of the series; "
        "exit 1 on a regression, 5 when some series cannot be decided",
    )
    _common(cmp), _kernel_opts(cmp), _boot_opts(cmp)
    cmp.add_argument("a", help="baseline: a run directory, or a git revision of the series")
    cmp.add_argument(
        "b",
        nargs="?",
        default=None,
        help="candidate: a run directory, or a git revision of the series; without it, "
        "the run directory A's first variant against its last",
    )
    cmp.add_argument(
        "--variant", default=None, help="variant compared between two runs (default: the last)"
    )
    cmp.add_argument(
        "--profile",
        default=pipeline.DEFAULT_PROFILE,
        help="benchmark profile when revisions are compared (default: %(default)s)",
    )
    cmp.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    cmp.add_argument(
        "--floor",
        type=number(float, "[0, 1)"),
        default=0.01,
        help="smallest change reported (default: 0.01)",
    )
    cmp.add_argument(
        "--threshold",
        type=number(float, "(0, 1]"),
        default=0.02,
        help="a regression this large (fraction) fails the comparison, and a series is "
        "'no change' only when its interval lies within it (default: 0.02)",
    )
    cmp.add_argument(
        "--accept-undecided",
        action="store_true",
        help="exit 0, not 5, when nothing regressed but some series could not be decided",
    )

    pw = sub.add_parser(
        "power",
        help="error rates of the decision rule for N boots a side, resampled from a run",
    )
    pw.add_argument("run_dir", type=Path)
    pw.add_argument("--variant", default=None, help="variant resampled (default: the last)")
    pw.add_argument(
        "--boots", type=number(int, "[2, 1000]"), default=8, help="boots a side (default: 8)"
    )
    pw.add_argument(
        "--shift",
        type=number(float, "(0, 1)"),
        default=0.02,
        help="slowdown to detect, a fraction (default: 0.02)",
    )
    pw.add_argument(
        "--draws", type=number(int, "[1, 100000]"), default=200, help="resamples (default: 200)"
    )

    sc = sub.add_parser("scenarios", help="list and validate the scenario files")
    sc.add_argument("--dir", type=Path, default=SCENARIOS_DIR)

    at = sub.add_parser(
        "attest",
        help="verify a container's attestation evidence (JSON verdict; exit 0 trusted, 1 not)",
        description="Verify the evidence `secns-attest quote CONTAINER NONCE DIR` collected "
        "in the guest: the quote against the attestation key recorded when the container "
        "started and the nonce you gave, the measurement list's replay to the quoted PCR "
        "10, and every quoted entry against the reference digests.",
    )
    at.add_argument("evidence", type=Path, help="directory of quote.msg/.sig/.pcrs, list.bin")
    at.add_argument("--ak", type=Path, required=True, help="the AK's public PEM, recorded at start")
    at.add_argument("--nonce", required=True, help="the nonce the quote was asked with (hex)")
    at.add_argument(
        "--reference", type=Path, required=True, help="allowed digests (sha256sum output)"
    )
    return parser


def _cmd_run(args: argparse.Namespace) -> int:
    opts = pipeline.RunOptions(
        cache=cache_dir(args.cache_dir),
        results_dir=args.results_dir.resolve(),
        variants=tuple(args.variants or pipeline.DEFAULT_VARIANTS),
        scenarios=tuple(args.scenarios),
        suites=tuple(args.suites),
        accel=args.accel,
        timing=None if args.timing == "auto" else Timing(args.timing),
        profile=None if args.profile == "none" else args.profile,
        run_scenarios=not args.no_scenarios,
        kernel_source=args.kernel_source,
        jobs=args.jobs,
        boot_timeout=args.boot_timeout,
        timeout_scale=args.timeout_scale,
        resume=args.resume,
        boots_at_once=args.boots_at_once,
        soak_seconds=args.soak_seconds,
        cluster=_cluster(args),
        trees={
            suite.name: tree.resolve()
            for suite in TREE_SUITES
            if (tree := getattr(args, f"{suite.name}_source")) is not None
        },
    )
    run, code, infra = pipeline.run_pipeline(opts)
    from harness.report.render import render

    print(render(run))
    if infra:
        raise infra[0]
    return code


def _cmd_compare(args: argparse.Namespace) -> int:
    from harness.compare import compare_in_run, compare_revisions, compare_runs, render_text
    from harness.report.render import render

    a = Path(args.a)
    if args.b is None:
        if not a.is_dir():
            raise UserError(f"{a} is not a run directory; give two runs or two revisions")
        outcome = compare_in_run(a, args.floor, args.threshold)
    elif a.is_dir() and Path(args.b).is_dir():
        outcome = compare_runs(a, Path(args.b), args.variant, args.floor, args.threshold)
    elif a.is_dir() or Path(args.b).is_dir():
        raise UserError("compare two run directories, or two git revisions, not one of each")
    else:
        opts = pipeline.RunOptions(
            cache=cache_dir(args.cache_dir),
            results_dir=args.results_dir.resolve(),
            accel=args.accel,
            timing=None if args.timing == "auto" else Timing(args.timing),
            profile=args.profile,
            kernel_source=args.kernel_source,
            jobs=args.jobs,
            boot_timeout=args.boot_timeout,
            timeout_scale=args.timeout_scale,
            boots_at_once=args.boots_at_once,
            cluster=_cluster(args),
        )
        run, outcome = compare_revisions(args.a, args.b, opts, args.floor, args.threshold)
        print(f"report: {render(run)}")
        print(f"re-analyse with: secns compare {run.path}")
    print(render_text(outcome, args.accept_undecided))
    return outcome.exit_code(args.accept_undecided)


def _cmd_power(args: argparse.Namespace) -> int:
    from harness.bench.power import error_rates, render_rates
    from harness.results.rundir import RunDir

    run = RunDir.open(args.run_dir)
    variant = args.variant or run.manifest().get("variants", ["secns"])[-1]
    rates = error_rates(run.samples(), variant, args.boots, shift=args.shift, draws=args.draws)
    print(render_rates(rates))
    return EXIT_OK


def _cmd_build_kernel(args: argparse.Namespace) -> int:
    from harness.kernel.build import build_kernel
    from harness.kernel.series import load_series
    from harness.kernel.source import resolve_source
    from harness.kernel.variants import resolve

    cache = cache_dir(args.cache_dir)
    variants = [resolve(v) for v in args.variants]
    source = resolve_source(args.kernel_source, cache, cache / "source.log")
    series = load_series()
    for v in variants:
        art = build_kernel(v, source, series, cache, jobs=args.jobs)
        print(f"{v.name}\t{art.bzimage}\t{'cached' if art.cached else f'{art.build_seconds} s'}")
    return EXIT_OK


def _check_series_row(c: PatchCheck) -> str:
    built = "-" if c.build_ok is None else ("ok" if c.build_ok else "FAILED")
    if c.build_seconds is not None:
        built += f" ({c.build_seconds:.0f} s)"
    v = c.checkpatch
    # A checkpatch that did not run has no counts: the row must not read as clean.
    verdicts = (
        "checkpatch FAILED\t-\t-"
        if c.checkpatch_failure
        else f"{v['ERROR']}\t{v['WARNING']}\t{v['CHECK']}"
    )
    return f"{c.patch}\t{c.added}\t{c.removed}\t{verdicts}\t{built}"


def _cmd_check_series(args: argparse.Namespace) -> int:
    from harness.kernel.series import load_series
    from harness.kernel.source import resolve_source
    from harness.kernel.variants import resolve

    cache = cache_dir(args.cache_dir)
    source = resolve_source(args.kernel_source, cache, cache / "source.log")
    checks = check_series(
        resolve(args.variant),
        source,
        load_series(),
        cache,
        cache / "check-series",
        build=not args.no_build,
        jobs=args.jobs,
    )
    print("patch\t+lines\t-lines\terrors\twarnings\tchecks\tbuild")
    for c in checks:
        print(_check_series_row(c))
    for c in checks:
        if c.checkpatch_failure:
            print(f"\n== {c.patch}\ncheckpatch did not run: {c.checkpatch_failure}")
        elif c.checkpatch_report and (c.checkpatch["WARNING"] or c.checkpatch["CHECK"]):
            print(f"\n== {c.patch}\n{c.checkpatch_report.strip()}")
    return EXIT_OK if all(c.ok for c in checks) else EXIT_CHECKS_FAILED


def _cmd_build_image(args: argparse.Namespace) -> int:
    from harness.image.build import build_image
    from harness.image.recipe import load_recipe

    image = build_image(load_recipe(), cache_dir(args.cache_dir))
    print(image.disk)
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from harness.report.render import render
    from harness.results.rundir import RunDir

    page = render(RunDir.open(args.run_dir))
    print(page)
    if args.screenshot:
        from harness.report.screenshot import take_screenshot

        print(take_screenshot(page))
    return EXIT_OK


def _cmd_scenarios(args: argparse.Namespace) -> int:
    from harness.scenarios.checks import CHECKS
    from harness.scenarios.loader import discover

    for sc in discover(args.dir, CHECKS):
        where = ",".join(sc.variants) if sc.variants else "all variants"
        line = f"{sc.name}\t{sc.path.parent.name}\t{len(sc.steps)} steps\t{where}"
        if sc.threat is not None:
            line += "\t" + " ".join(f"{v}={o}" for v, o in sc.threat.outcome.items())
        print(line)
    return EXIT_OK


def _cmd_attest(args: argparse.Namespace) -> int:
    from harness import evidence

    for path in (args.ak, args.reference):
        if not path.is_file():
            raise UserError(f"{path}: no such file")
    verdict = evidence.verify(
        args.evidence, args.ak, args.nonce, evidence.read_reference(args.reference)
    )
    print(evidence.render(verdict))
    return EXIT_OK if verdict.trusted else EXIT_CHECKS_FAILED


COMMANDS = {
    "run": _cmd_run,
    "build-kernel": _cmd_build_kernel,
    "build-image": _cmd_build_image,
    "report": _cmd_report,
    "scenarios": _cmd_scenarios,
    "check-series": _cmd_check_series,
    "compare": _cmd_compare,
    "power": _cmd_power,
    "attest": _cmd_attest,
}


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds the context managers that own QEMU and swtpm


def _write_crash_log(text: str, cache_override: Path | None) -> Path:
    """Keep a traceback where it outlives the terminal: the cache's crash/ directory,
    or a temporary file when the cache cannot be written (read-only, full)."""
    name = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    try:
        path = cache_dir(cache_override) / "crash" / f"{name}.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path
    except OSError:
        fd, tmp = tempfile.mkstemp(prefix=f"secns-crash-{name}-", suffix=".log")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return Path(tmp)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return COMMANDS[args.command](args)
    except HarnessError as exc:
        print(f"secns: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("secns: interrupted; guests stopped, results so far kept", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:
        # The host failed under a command (disk full, permissions): not a bug.
        print(f"secns: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_INFRA_ERROR
    except Exception as exc:
        log = _write_crash_log(traceback.format_exc(), getattr(args, "cache_dir", None))
        print(
            f"secns: internal error: {type(exc).__name__}: {_one_line(exc)} (traceback: {log})",
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
