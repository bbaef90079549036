"""End to end on real kernels, a real image and real QEMU + swtpm guests."""

import hashlib
import json
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from harness.digest import file_sha256
from harness.errors import InfraError
from harness.image.build import build_image
from harness.image.preload import PRELOADED_DISK, preload_containers, preload_record
from harness.image.recipe import load_recipe
from harness.kernel.build import build_kernel, configure
from harness.kernel.config import parse_config_text
from harness.kernel.series import load_series
from harness.kernel.source import resolve_source
from harness.kernel.variants import resolve
from harness.pipeline import RunOptions, run_pipeline
from harness.report.render import render
from harness.results.rundir import RunDir
from harness.vm.machine import Guest, GuestConfig

GUEST_OPTIONS = (
    "CONFIG_IMA",
    "CONFIG_IMA_APPRAISE",
    "CONFIG_SECURITY_APPARMOR",
    "CONFIG_TCG_CRB",
    "CONFIG_TCG_VTPM_PROXY",
    "CONFIG_OVERLAY_FS",
    "CONFIG_CGROUP_BPF",
    "CONFIG_NFT_COMPAT",
    "CONFIG_VIRTIO_NET",
)


@pytest.fixture(scope="module")
def kernels(cache: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    source = resolve_source(None, cache, tmp_path_factory.mktemp("src") / "source.log")
    series = load_series()
    return {v: build_kernel(resolve(v), source, series, cache) for v in ("vanilla", "secns")}


@pytest.fixture(scope="module")
def image(cache: Path):
    return build_image(load_recipe(), cache)


def test_kernels_build_with_the_guest_options(kernels: dict, cache: Path) -> None:
    for art in kernels.values():
        assert art.bzimage.stat().st_size > 1_000_000
        config = parse_config_text(art.config.read_text())
        assert all(config.get(opt) == "y" for opt in GUEST_OPTIONS), art.variant
        assert art.source_version.startswith("6.12.")
    again = build_kernel(
        resolve("vanilla"), resolve_source(None, cache, cache / "s.log"), load_series(), cache
    )
    assert again.cached and again.key == kernels["vanilla"].key


def test_debug_modifier_config_keeps_kasan_lockdep_kmemleak(cache: Path, tmp_path: Path) -> None:
    source = resolve_source(None, cache, tmp_path / "s.log")
    config = configure(
        resolve("vanilla+debug"), source.tree, tmp_path / "build", cache, tmp_path / "config.log"
    )
    options = parse_config_text(config.read_text())
    for opt in ("CONFIG_KASAN", "CONFIG_PROVE_LOCKING", "CONFIG_DEBUG_KMEMLEAK"):
        assert options.get(opt) == "y", opt


def test_image_has_the_guest_packages(image) -> None:
    packages = {
        line.split("\t")[0] for line in (image.directory / "packages.txt").read_text().splitlines()
    }
    assert {"openssh-server", "docker.io", "lmbench", "tpm2-tools", "swtpm"} <= packages
    assert image.container_tarballs() == {
        "bench": "/var/lib/secns/containers/bench.tar",
        "web": "/var/lib/secns/containers/web.tar",
    }


def test_smoke_suite_passes_on_both_variants_and_resumes(
    kernels: dict, image, cache: Path, tmp_path: Path
) -> None:
    opts = RunOptions(
        cache=cache, results_dir=tmp_path, suites=("smoke",), accel="auto", profile=None
    )
    run, code, infra = run_pipeline(opts)
    failing = [
        (r["variant"], r["scenario"], r["steps"][-1]["detail"])
        for r in run.results()
        if r["status"] != "pass"
    ]
    assert not infra and not failing and code == 0
    manifest = run.manifest()
    assert manifest["accel"] in ("kvm", "tcg") and manifest["accel_reason"]
    assert set(manifest["kernels"]) == {"vanilla", "secns"}
    assert {r["variant"] for r in run.results()} == {"vanilla", "secns"}
    boots = run.boots()
    assert [b["status"] for b in boots] == ["up", "up"]
    assert all(0 < b["boot_seconds"] < 180 for b in boots)
    assert all((run.path / b["boot_dir"] / "console.log").stat().st_size > 0 for b in boots)
    assert manifest["image"]["preloaded"]["disk"] == PRELOADED_DISK
    metrics = {(r["variant"], m) for r in run.results() for m in r["metrics"]}
    assert ("secns", "lat_syscall_null") in metrics
    assert "lat_syscall_null" in render(run).read_text()

    _, code, infra = run_pipeline(
        RunOptions(cache=cache, results_dir=tmp_path, suites=("smoke",), resume=run.path)
    )
    assert code == 0 and not infra and len(RunDir.open(run.path).boots()) == 2


def test_secns_kernel_has_ima_namespaces_and_vanilla_does_not(kernels: dict) -> None:
    secns = parse_config_text(kernels["secns"].config.read_text())
    vanilla = parse_config_text(kernels["vanilla"].config.read_text())
    assert secns.get("CONFIG_SECURITY_NS") == "y" and secns.get("CONFIG_IMA_NS") == "y"
    assert "CONFIG_IMA_NS" not in vanilla and "CONFIG_SECURITY_NS" not in vanilla
    assert kernels["secns"].key != kernels["vanilla"].key


def test_ima_namespace_and_attack_suites(kernels: dict, image, cache: Path, tmp_path: Path) -> None:
    """Selftests, containers of the secns runtime (appraisal, docker exec, a plain
    bundle, vTPM replay, ownership and refusals), an unprivileged user's container,
    attack 1 and the policy engine on the secns kernel; on vanilla the namespace cannot
    be created at all, and the runtime refuses every container. The attack suite, in
    the same boots: each attack has the outcome it states on each variant, every
    blocked one with the errno and the namespace's record, and attestation catches
    forged evidence."""
    opts = RunOptions(cache=cache, results_dir=tmp_path, suites=("ima_ns", "attacks"), profile=None)
    run, code, infra = run_pipeline(opts)
    results = {(r["variant"], r["scenario"]): r for r in run.results()}
    failing = {k: r["steps"][-1]["detail"] for k, r in results.items() if r["status"] != "pass"}
    assert not infra and not failing and code == 0
    assert ("secns", "ima-ns-vtpm-attestation") in results
    assert ("vanilla", "ima-ns-vtpm-attestation") not in results
    assert ("vanilla", "ima-ns-container-appraisal") in results
    assert {("secns", "ima-ns-rootless"), ("vanilla", "ima-ns-rootless")} <= set(results)
    assert {("secns", "ima-ns-runtime"), ("vanilla", "ima-ns-runtime")} <= set(results)
    assert ("secns", "ima-ns-runtime-exec") in results
    mmap = results[("secns", "ima-ns-mmap-latency")]["metrics"]
    assert {"mmap_exec_native", "mmap_exec_1ns", "mmap_exec_10ns"} <= set(mmap)
    attacks = {k: r for k, r in results.items() if k[1].startswith("attack-")}
    assert len(attacks) >= 20
    for r in attacks.values():
        found = [s["evidence"] for s in r["steps"] if s.get("evidence")]
        if r["threat"]["outcome"] == "blocked":
            assert any("errno" in e for e in found) and any("record" in e for e in found), r
    assert results[("secns", "attack-unsigned-code")]["threat"]["outcome"] == "blocked"
    assert results[("vanilla", "attack-unsigned-code")]["threat"]["outcome"] == "succeeds"


def _vanilla_guest(kernels: dict, image, **settings: Any) -> GuestConfig:
    return GuestConfig(
        kernel=kernels["vanilla"].bzimage,
        disk=image.disk,
        ssh_key=image.ssh_key,
        host_pubkey=image.host_pubkey,
        **settings,
    )


def test_hung_guest_is_killed_with_its_console_log(kernels: dict, image, tmp_path: Path) -> None:
    # init=/bin/sh waits forever on a console with no input: the guest never gets to SSH.
    config = _vanilla_guest(kernels, image, boot_timeout=25, extra_append="init=/bin/sh")
    boot_dir = tmp_path / "boot"
    with (
        pytest.raises(InfraError, match=r"did not answer SSH within 25 s; killed"),
        Guest(config, boot_dir),
    ):
        pass
    assert "Linux version" in (boot_dir / "console.log").read_text(errors="replace")
    # This guest's QEMU names its boot directory (console log path) on its command line.
    left = subprocess.run(["pgrep", "-f", str(boot_dir)], capture_output=True, text=True)
    assert left.stdout.strip() == "", "a QEMU process outlived its guest"


def test_guest_session_runs_commands_and_copies_both_ways(
    kernels: dict, image, tmp_path: Path
) -> None:
    config = _vanilla_guest(kernels, image)
    with Guest(config, tmp_path / "boot") as guest:
        s = guest.session
        assert s.run(["uname", "-r"]).stdout.strip().startswith("6.12.")
        assert s.run("echo out; echo err >&2; exit 3").exit_status == 3
        slow = s.run(["sleep", "30"], timeout=2)
        assert slow.timed_out
        sent = tmp_path / "sent.bin"
        sent.write_bytes(bytes(range(256)) * 64)
        s.put(sent, "/tmp/sent.bin")
        digest = hashlib.sha256(sent.read_bytes()).hexdigest()
        assert s.run("sha256sum /tmp/sent.bin").stdout.split()[0] == digest
        s.get("/tmp/sent.bin", tmp_path / "back.bin")
        assert (tmp_path / "back.bin").read_bytes() == sent.read_bytes()


def test_preloaded_image_has_the_containers_and_a_clean_filesystem(
    kernels: dict, image, tmp_path: Path
) -> None:
    config = _vanilla_guest(kernels, image, boot_ima_policy=None)
    ready = preload_containers(image, config, tmp_path / "preload")
    assert preload_record(ready)["containers"] == sorted(image.container_tarballs())
    fsck = subprocess.run(["e2fsck", "-f", "-n", str(ready.disk)], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout
    with Guest(replace(config, disk=ready.disk), tmp_path / "boot") as guest:
        wait = guest.session.run(
            "timeout 300 sh -c 'until docker info >/dev/null 2>&1; do sleep 1; done'", timeout=320
        )
        assert wait.exit_status == 0
        names = guest.session.run(["docker", "image", "ls", "--format", "{{.Repository}}"])
        assert set(names.stdout.split()) >= {"secns/bench", "secns/web"}
    # The pristine image stays as built: scenarios that need no containers are unchanged.
    built = json.loads((image.directory / "image.json").read_text())["sha256"]
    assert file_sha256(image.disk) == built
