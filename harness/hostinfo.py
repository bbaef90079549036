"""Facts about the host and tool versions, recorded in every run manifest."""

import os
import platform
import socket
from pathlib import Path
from typing import Any

from harness import proc
from harness.errors import HarnessError
from harness.vm.commands import qemu_version_argv, swtpm_version_argv


def _first_line(argv: list[str]) -> str:
    try:
        return proc.capture(argv).splitlines()[0].strip()
    except (HarnessError, IndexError):
        return "unavailable"


def _cpu_model() -> str:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        cpuinfo = ""
    for line in cpuinfo.splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    return round(pages * size / 2**30, 1)


def host_facts() -> dict[str, Any]:
    return {
        "hostname": socket.gethostname(),
        "kernel": platform.release(),
        "os": platform.platform(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "python": platform.python_version(),
    }


def toolchain_id() -> str:
    """The compiler, as recorded in manifests and kernel cache keys."""
    return _first_line(["gcc", "--version"])


def tool_versions() -> dict[str, str]:
    return {
        "qemu": _first_line(qemu_version_argv()),
        "swtpm": _first_line(swtpm_version_argv()).split(",")[0],
        "gcc": toolchain_id(),
    }
