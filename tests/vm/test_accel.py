import json
import os
import stat
from pathlib import Path

import pytest

from harness.errors import InfraError, UserError
from harness.vm import accel
from harness.vm.commands import Accel

# A stand-in for qemu-system-x86_64: prints a version, or "boots" by writing to the
# console file named in -serial file:PATH, or hangs like the PVM host's KVM does.
FAKE_QEMU = """#!/bin/sh
[ "$1" = --version ] && { echo "QEMU emulator version 7.2.99 (fake)"; exit 0; }
for a in "$@"; do case "$a" in file:*) console="${a#file:}";; esac; done
case "$FAKE_QEMU_MODE" in
  boot) echo "Linux version 6.12.0 (fake)" > "$console"; sleep 30;;
  hang) sleep 30;;
  crash) echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69" >&2; exit 1;;
esac
"""


@pytest.fixture
def fake_qemu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    qemu = bindir / "qemu-system-x86_64"
    qemu.write_text(FAKE_QEMU)
    qemu.chmod(qemu.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}:{os.environ['PATH']}")
    kvm = tmp_path / "kvm"
    kvm.write_text("")
    monkeypatch.setattr(accel, "KVM_DEVICE", kvm)
    return tmp_path


def test_tcg_requested_skips_probe(tmp_path: Path) -> None:
    choice = accel.choose_accel("tcg", tmp_path / "bzImage", tmp_path)
    assert choice.accel is Accel.TCG


def test_no_kvm_device_falls_back_to_tcg(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(accel, "KVM_DEVICE", tmp_path / "missing")
    choice = accel.choose_accel("auto", tmp_path / "bzImage", tmp_path)
    assert choice.accel is Accel.TCG and "missing" in choice.reason
    with pytest.raises(UserError, match="KVM requested"):
        accel.choose_accel("kvm", tmp_path / "bzImage", tmp_path)


def test_probe_that_boots_chooses_kvm_and_caches(fake_qemu: Path, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_QEMU_MODE", "boot")
    choice = accel.choose_accel("auto", fake_qemu / "bzImage", fake_qemu / "c")
    assert choice.accel is Accel.KVM and "banner" in choice.reason
    verdict = json.loads((fake_qemu / "c" / "kvm-probe.json").read_text())
    assert verdict["ok"] is True
    monkeypatch.setenv("FAKE_QEMU_MODE", "hang")  # the cached verdict is used, no new probe
    again = accel.choose_accel("auto", fake_qemu / "bzImage", fake_qemu / "c")
    assert again.accel is Accel.KVM and "cached" in again.reason


def test_probe_that_hangs_falls_back_to_tcg(fake_qemu: Path, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_QEMU_MODE", "hang")
    monkeypatch.setattr(accel, "PROBE_TIMEOUT", 1.0)
    choice = accel.choose_accel("auto", fake_qemu / "bzImage", fake_qemu / "c")
    assert choice.accel is Accel.TCG and "printed nothing" in choice.reason
    with pytest.raises(InfraError, match="KVM requested but unusable"):
        accel.choose_accel("kvm", fake_qemu / "bzImage", fake_qemu / "c")


def test_probe_that_crashes_reports_qemus_last_words(fake_qemu: Path, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_QEMU_MODE", "crash")
    choice = accel.choose_accel("auto", fake_qemu / "bzImage", fake_qemu / "c")
    assert choice.accel is Accel.TCG
    assert "status 1: qemu-system-x86_64: error: failed to set MSR 0x10a" in choice.reason
