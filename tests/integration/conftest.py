"""Integration tests build real kernels and images and boot real QEMU guests.

They run where the machine can: root (mmdebstrap --mode=root), the host tools, and
the base kernel source. Anything missing skips them with the reason.
"""

import os
import shutil
from pathlib import Path

import pytest

from harness.kernel.source import DEBIAN_TARBALL
from harness.paths import cache_dir

NEEDED_TOOLS = ("make", "gcc", "ccache", "mmdebstrap", "mke2fs", "qemu-system-x86_64", "swtpm")


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "needs root to build the guest image (mmdebstrap --mode=root)"
    missing = [t for t in NEEDED_TOOLS if shutil.which(t) is None]
    if missing:
        return f"missing host tools: {', '.join(missing)} (run ./bootstrap.sh as root)"
    if not DEBIAN_TARBALL.exists():
        return f"{DEBIAN_TARBALL} missing (apt-get install linux-source-6.12)"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = _why_not()
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def cache() -> Path:
    """The real cache (as the main job uses it), so a warm machine stays warm."""
    return cache_dir()
