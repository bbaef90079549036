"""The benchmark plan of one boot: phases of guest commands, built from a profile.

Pure: argv lists and parsers, nothing runs here (harness.bench.runner executes).
Order matters and is fixed: Table 3's "no security" row is measured before the
host's IMA policy is loaded; everything after runs under that policy, on every
variant alike.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from harness.bench.lmbench import Check, Sample, ab_argv, lmbench_suite, parse_ab
from harness.bench.mmapbench import mmap_bench_argv, parse_mmap_bench
from harness.bench.profile import Profile

GUEST_DIR = "/root/secns/bench"
HOST_POLICY = f"{GUEST_DIR}/host-tcb.policy"
CONTAINER_POLICY = f"{GUEST_DIR}/container.policy"
MMAP_FILE = f"{GUEST_DIR}/mmap.dat"
LMBENCH_BIN = "/usr/lib/lmbench/bin/x86_64-linux-gnu"
LMBENCH_SCRATCH = "/scratch"  # GUEST_DIR/scratch in the lmbench container
WEB_URL = "http://127.0.0.1:8080/"
# LMbench's timing interval (µs of guest time). Its driver measures one with `enough`
# and exports it; unset, every program calibrates itself at length (lat_fs for minutes).
LMBENCH_ENOUGH_US = 5000

Argv = tuple[str, ...]

NATIVE_NS_ALIVE = {"config": "native, 1 NS alive", "nested": 0}
NATIVE_NS_GONE = {"config": "native, NS gone", "nested": 0}


@dataclass(frozen=True)
class Job:
    key: str  # unique within a plan; with round and repetition it names a sample
    argv: Argv
    parse: Callable[[str], list[Sample]]
    params: Mapping[str, str | int] = field(default_factory=dict)  # figure coordinates
    repetitions: int = 1  # in this boot
    timeout: float = 300.0
    check: Check | None = None  # before every repetition; argv runs only if it passes


@dataclass(frozen=True)
class Phase:
    name: str
    workload: str
    setup: tuple[Argv, ...] = ()
    jobs: tuple[Job, ...] = ()
    teardown: tuple[Argv, ...] = ()
    needs_ima_ns: bool = False


def in_namespaces(nested: int, argv: list[str]) -> Argv:
    """argv run `nested` IMA namespaces deep, each holding the container policy."""
    return ("secns-launch", "-n", str(nested), "-p", CONTAINER_POLICY, "--", *argv)


def _mmap_job(key: str, profile: Profile, params: Mapping[str, str | int], nested: int) -> Job:
    argv = mmap_bench_argv(MMAP_FILE, profile.mmap_iterations)
    return Job(
        key=key,
        argv=in_namespaces(nested, argv) if nested else tuple(argv),
        parse=parse_mmap_bench,
        params=params,
        repetitions=profile.repetitions,
    )


def _table3(profile: Profile) -> list[Phase]:
    nested = [
        _mmap_job(f"table3/ns{n}", profile, {"config": f"native + {n} NS", "nested": n}, n)
        for n in profile.table3_nested
    ]
    return [
        Phase(
            "table3-no-security",
            "table3",
            jobs=(_mmap_job("table3/none", profile, {"config": "no security", "nested": 0}, 0),),
        ),
        Phase("host-policy", "table3", setup=(("secns-bench", "host-policy", HOST_POLICY),)),
        Phase(
            "table3-native",
            "table3",
            jobs=(_mmap_job("table3/native", profile, {"config": "native", "nested": 0}, 0),),
        ),
        Phase("table3-nested", "table3", jobs=tuple(nested), needs_ima_ns=True),
        # Native again, once while a namespace exists elsewhere and once after the
        # last one went: what a host task pays for namespaces it is not in. Vanilla
        # measures the same rows at the same point of the boot, without namespaces.
        Phase(
            "table3-native-ns-alive",
            "table3",
            setup=(("secns-bench", "ns-alive", CONTAINER_POLICY),),
            jobs=(_mmap_job("table3/native-ns-alive", profile, NATIVE_NS_ALIVE, 0),),
            teardown=(("secns-bench", "siblings-stop"),),
        ),
        Phase(
            "table3-native-ns-gone",
            "table3",
            setup=(("secns-bench", "ns-gone"),),
            jobs=(_mmap_job("table3/native-ns-gone", profile, NATIVE_NS_GONE, 0),),
        ),
    ]


def _in_lmbench_container(argv: Argv) -> Argv:
    return ("docker", "exec", "-e", f"ENOUGH={LMBENCH_ENOUGH_US}", "lmbench", *argv)


def _lmbench(profile: Profile) -> Phase:
    suite = lmbench_suite(LMBENCH_BIN, LMBENCH_SCRATCH, profile.lmbench_n, profile.lmbench_file_mb)
    jobs = tuple(
        Job(
            f"lmbench/{b.name}",
            _in_lmbench_container(b.argv),
            b.parse,
            repetitions=profile.lmbench_repetitions,
            timeout=600,
            # Where the benchmark runs: same container, same IMA policy.
            check=replace(b.check, argv=_in_lmbench_container(b.check.argv)) if b.check else None,
        )
        for b in suite
    )
    return Phase(
        "lmbench",
        "lmbench",
        setup=(("secns-bench", "lmbench-start", str(profile.lmbench_file_mb)),),
        jobs=jobs,
        teardown=(("secns-bench", "lmbench-stop"),),
    )


def _apache(profile: Profile, policy: str) -> Phase:
    own = policy == "own policy"
    jobs = tuple(
        Job(
            f"apache/{'own' if own else 'plain'}/c{c}",
            tuple(ab_argv(WEB_URL, c, max(profile.ab_requests, c))),
            parse_ab,
            params={"policy": policy, "clients": c},
            repetitions=profile.ab_repetitions,
            timeout=900,
        )
        for c in profile.ab_clients
    )
    start = ("secns-bench", "web-start", CONTAINER_POLICY) if own else ("secns-bench", "web-start")
    return Phase(
        f"apache-{'own-policy' if own else 'plain'}",
        "apache",
        setup=(start,),
        jobs=jobs,
        teardown=(("secns-bench", "web-stop"),),
        needs_ima_ns=own,
    )


def _depth(profile: Profile) -> Phase:
    jobs = tuple(_mmap_job(f"depth/{d}", profile, {"depth": d}, d) for d in sorted(profile.depths))
    return Phase("depth", "depth", jobs=jobs, needs_ima_ns=True)


def _siblings(profile: Profile) -> list[Phase]:
    """The measured process is the k-th of k sibling namespaces under the host."""
    phases = []
    for k in sorted(profile.siblings):
        setup: tuple[Argv, ...] = (("secns-bench", "siblings-stop"),)
        if k > 1:
            setup += (("secns-bench", "siblings", str(k - 1), CONTAINER_POLICY),)
        job = _mmap_job(f"siblings/{k}", profile, {"siblings": k}, 1)
        phases.append(
            Phase(
                f"siblings-{k}",
                "siblings",
                setup=setup,
                jobs=(job,),
                teardown=(("secns-bench", "siblings-stop"),),
                needs_ima_ns=True,
            )
        )
    return phases


def boot_plan(profile: Profile) -> list[Phase]:
    """Every phase of one benchmark boot, in order. The host policy is loaded in
    every boot, whichever workloads the profile selects."""
    # Under icount guest time counts every instruction the guest runs: measure only
    # once dockerd has started and the container images are imported.
    prepare = Phase(
        "prepare",
        "prepare",
        setup=(
            ("secns-bench", "docker-ready"),
            ("dd", "if=/dev/urandom", f"of={MMAP_FILE}", "bs=4096", "count=1", "status=none"),
        ),
    )
    phases = [prepare]
    table3 = _table3(profile)
    if "table3" in profile.workloads:
        phases += table3
    else:
        phases += [p for p in table3 if p.name == "host-policy"]
    if "lmbench" in profile.workloads:
        phases.append(_lmbench(profile))
    if "apache" in profile.workloads:
        phases += [_apache(profile, "no own policy"), _apache(profile, "own policy")]
    if "depth" in profile.workloads:
        phases.append(_depth(profile))
    if "siblings" in profile.workloads:
        phases += _siblings(profile)
    return phases
