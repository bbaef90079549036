from dataclasses import replace

from harness.bench.plan import (
    CONTAINER_POLICY,
    HOST_POLICY,
    LMBENCH_ENOUGH_US,
    NATIVE_NS_ALIVE,
    NATIVE_NS_GONE,
    boot_plan,
)
from harness.bench.profile import load_profile


def test_no_security_is_measured_before_the_host_policy_is_loaded() -> None:
    names = [p.name for p in boot_plan(load_profile("quick"))]
    assert names.index("table3-no-security") < names.index("host-policy")
    assert names.index("host-policy") < names.index("table3-native") < names.index("lmbench")


def test_host_policy_is_loaded_whatever_the_workloads() -> None:
    profile = replace(load_profile("quick"), workloads=("apache",))
    phases = boot_plan(profile)
    assert [p.name for p in phases] == [
        "prepare",
        "host-policy",
        "apache-plain",
        "apache-own-policy",
    ]
    assert phases[1].setup == (("secns-bench", "host-policy", HOST_POLICY),)


def test_job_keys_are_unique_and_commands_are_argv_lists() -> None:
    jobs = [j for p in boot_plan(load_profile("paper")) for j in p.jobs]
    assert len({j.key for j in jobs}) == len(jobs)
    assert all(isinstance(a, str) for j in jobs for a in j.argv)


def test_nested_jobs_run_in_namespaces_holding_the_container_policy() -> None:
    profile = load_profile("quick")
    phases = {p.name: p for p in boot_plan(profile)}
    ns10 = next(j for j in phases["table3-nested"].jobs if j.key == "table3/ns10")
    assert ns10.argv[:6] == ("secns-launch", "-n", "10", "-p", CONTAINER_POLICY, "--")
    assert ns10.params == {"config": "native + 10 NS", "nested": 10}
    assert phases["table3-nested"].needs_ima_ns and not phases["table3-native"].needs_ima_ns
    depth = phases["depth"]
    assert [j.params["depth"] for j in depth.jobs] == sorted(profile.depths)


def test_native_is_measured_again_beside_a_namespace_and_after_the_last_went() -> None:
    phases = boot_plan(load_profile("quick"))
    names = [p.name for p in phases]
    order = ["table3-nested", "table3-native-ns-alive", "table3-native-ns-gone"]
    assert [names.index(n) for n in order] == sorted(names.index(n) for n in order)
    by_name = {p.name: p for p in phases}
    alive, gone = by_name["table3-native-ns-alive"], by_name["table3-native-ns-gone"]
    # Vanilla measures both rows too: they compare with its native.
    assert not alive.needs_ima_ns and not gone.needs_ima_ns
    assert alive.setup == (("secns-bench", "ns-alive", CONTAINER_POLICY),)
    assert alive.teardown == (("secns-bench", "siblings-stop"),)
    assert gone.setup == (("secns-bench", "ns-gone"),)
    assert alive.jobs[0].params == NATIVE_NS_ALIVE and gone.jobs[0].params == NATIVE_NS_GONE
    assert alive.jobs[0].argv[0] == "secns-mmap-bench"  # a host task, in no namespace


def test_siblings_phases_start_k_minus_one_siblings() -> None:
    profile = replace(load_profile("quick"), siblings=(1, 100))
    phases = {p.name: p for p in boot_plan(profile)}
    assert phases["siblings-1"].setup == (("secns-bench", "siblings-stop"),)
    assert phases["siblings-100"].setup[-1] == (
        "secns-bench",
        "siblings",
        "99",
        CONTAINER_POLICY,
    )
    assert phases["siblings-100"].jobs[0].params == {"siblings": 100}


def test_apache_has_a_plain_and_an_own_policy_phase_per_client_count() -> None:
    profile = load_profile("quick")
    phases = {p.name: p for p in boot_plan(profile)}
    plain, own = phases["apache-plain"], phases["apache-own-policy"]
    assert [j.params["clients"] for j in plain.jobs] == list(profile.ab_clients)
    assert own.needs_ima_ns and not plain.needs_ima_ns
    assert own.setup == (("secns-bench", "web-start", CONTAINER_POLICY),)
    assert all(j.argv[0] == "ab" for j in plain.jobs)


def test_lat_proc_checks_run_in_the_container_the_benchmark_runs_in() -> None:
    lmbench = {p.name: p for p in boot_plan(load_profile("quick"))}["lmbench"]
    checked = [j for j in lmbench.jobs if j.check is not None]
    assert [j.key for j in checked] == ["lmbench/lat_proc_exec", "lmbench/lat_proc_shell"]
    for job in checked:
        assert job.check is not None
        prefix = ("docker", "exec", "-e", f"ENOUGH={LMBENCH_ENOUGH_US}", "lmbench")
        assert job.argv[:5] == job.check.argv[:5] == prefix
        assert job.check.argv[5:7] == ("/bin/sh", "-c")
