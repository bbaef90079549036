"""Where things live: the checkout's data directories and the cache outside it."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
KERNEL_CONFIG_DIR = REPO_ROOT / "kernel-config"
PATCHES_DIR = REPO_ROOT / "kernel" / "patches"
IMAGES_DIR = REPO_ROOT / "images"
SCENARIOS_DIR = REPO_ROOT / "scenarios"
GUEST_TOOLS_DIR = REPO_ROOT / "guest"
RESULTS_DIR = REPO_ROOT / "results"
WORKLOADS_DIR = REPO_ROOT / "workloads"

CACHE_ENV = "SECNS_CACHE_DIR"


def cache_dir(override: Path | None = None) -> Path:
    """The cache root: --cache-dir, else $SECNS_CACHE_DIR, else $XDG_CACHE_HOME/secns."""
    if override is not None:
        return override.expanduser().resolve()
    if env := os.environ.get(CACHE_ENV):
        return Path(env).expanduser().resolve()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser().resolve() / "secns"
