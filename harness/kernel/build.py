"""Build a kernel variant: (patched) source + fragments -> bzImage, cached by content.

The cache key covers everything that decides the result: base source digest, the
patch series, the normalised fragments, the toolchain and the build recipe. An
unchanged variant is never rebuilt; a changed one rebuilds incrementally in its
persistent O= directory, with ccache underneath.
"""

import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harness import proc, tools
from harness.cachelock import cache_lock
from harness.digest import file_sha256
from harness.errors import InfraError
from harness.hostinfo import toolchain_id
from harness.kernel import commands
from harness.kernel.config import check_merged, referenced_files, requested_options
from harness.kernel.series import Series, split_revision
from harness.kernel.source import KernelSource
from harness.kernel.variants import Variant

# Bump when the build procedure changes in a way that changes its output.
RECIPE_VERSION = "1"
_SERIES_STAMP = ".secns-series.json"


@dataclass(frozen=True)
class KernelArtifact:
    variant: str
    key: str
    directory: Path
    source_version: str
    source_origin: str
    cached: bool
    build_seconds: float | None

    @property
    def bzimage(self) -> Path:
        return self.directory / "bzImage"

    @property
    def config(self) -> Path:
        return self.directory / "config"

    @property
    def log(self) -> Path:
        return self.directory / "build.log"


@dataclass(frozen=True)
class BuildInputs:
    """Everything that decides a kernel build, by name."""

    parts: dict[str, str]

    @property
    def key(self) -> str:
        h = hashlib.sha256()
        for part in self.parts.values():
            h.update(part.encode() + b"\0")
        return h.hexdigest()

    def digests(self) -> dict[str, str]:
        """One digest per input: what a manifest records, so that a resumed run can
        name the inputs that changed since."""
        return {
            name: hashlib.sha256(part.encode()).hexdigest() for name, part in self.parts.items()
        }


def build_inputs(
    source: KernelSource, variant: Variant, series: Series, toolchain: str
) -> BuildInputs:
    # The strings are hashed as they always were: existing cache entries stay valid.
    return BuildInputs(
        {
            "recipe": f"recipe={RECIPE_VERSION}",
            "source": f"source={source.digest or 'tree:' + str(source.tree)}",
            "series": "series="
            + (series.digest() if variant.apply_series and series.patches else "none"),
            "toolchain": f"toolchain={toolchain}",
            "base config": f"base={commands.BASE_CONFIG_TARGET} arch={commands.ARCH}",
            # The merged request, not the files: fragments that ask for the same options
            # (e.g. an option-less secns.config) give the same kernel and share the build.
            "fragments": "\n".join(
                f"{k}={v}" for k, v in requested_options(variant.fragments).items()
            ),
            **_referenced_file_parts(variant),
        }
    )


def _referenced_file_parts(variant: Variant) -> dict[str, str]:
    # Only present when a fragment names a file, so that other keys stay as they were.
    return {
        f"file {name}": f"file {name}={file_sha256(path)}"
        for name, path in sorted(referenced_files(variant.fragments).items())
    }


def cache_key(source: KernelSource, variant: Variant, series: Series, toolchain: str) -> str:
    return build_inputs(source, variant, series, toolchain).key


@contextmanager
def locked_patched_tree(
    source: KernelSource, series: Series, cache: Path, log: Path
) -> Iterator[Path]:
    """The patched tree (see `patched_tree`), locked for the block: no other secns
    process (check-series, another run) re-makes it while the caller builds from it."""
    if not series.patches:
        yield source.tree
        return
    tree = cache / "src" / f"{(source.digest or 'tree')[:16]}-series"
    with cache_lock(tree):
        _remake_if_changed(tree, source, series, log)
        yield tree


def patched_tree(source: KernelSource, series: Series, cache: Path, log: Path) -> Path:
    """The base tree with the series applied, kept in the cache and re-made when the
    series changes; locked only while it is re-made."""
    with locked_patched_tree(source, series, cache, log) as tree:
        return tree


def _remake_if_changed(tree: Path, source: KernelSource, series: Series, log: Path) -> None:
    """A file the old or new series touches keeps its previous mtime if its content is
    what it was, and gets a fresh one otherwise: make then rebuilds exactly what
    changed, also when a patch is dropped and the original file returns."""
    stamp = tree / _SERIES_STAMP
    digest = series.digest()
    previous: dict[str, Any] = json.loads(stamp.read_text()) if stamp.exists() else {}
    if previous.get("digest") == digest:
        return
    shutil.rmtree(tree, ignore_errors=True)
    tree.parent.mkdir(parents=True, exist_ok=True)
    proc.run_logged(commands.hardlink_copy_argv(source.tree, tree), log, what="copy base tree")
    for patch in series.patches:
        proc.run_logged(commands.patch_argv(tree, patch), log, what=f"apply {patch.name}")
    now = time.time()
    before: dict[str, list] = previous.get("files", {})
    after: dict[str, list] = {}
    for rel in series.touched_files() | set(before):
        path = tree / rel
        if not path.exists():
            continue
        content = file_sha256(path)
        old = before.get(rel)
        mtime = old[1] if old and old[0] == content else now
        os.utime(path, (mtime, mtime))
        after[rel] = [content, mtime]
    stamp.write_text(json.dumps({"digest": digest, "files": after}))


def _build_env(cache: Path) -> dict[str, str]:
    return {**os.environ, "CCACHE_DIR": str(cache / "ccache"), "CCACHE_MAXSIZE": "10G"}


def configure(
    variant: Variant, tree: Path, build_dir: Path, cache: Path, log: Path, *, check: bool = True
) -> Path:
    """tinyconfig + fragments (merge_config.sh) + olddefconfig; unless `check` is off
    (a tree that does not define every option yet), fails loudly when a requested
    option did not survive. Returns the .config path."""
    env = _build_env(cache)
    label = f"kernel {variant.name}"
    build_dir.mkdir(parents=True, exist_ok=True)
    for name, path in referenced_files(variant.fragments).items():
        shutil.copyfile(path, build_dir / name)
    proc.run_logged(
        commands.make_argv(tree, build_dir, [commands.BASE_CONFIG_TARGET]),
        log,
        what=f"{label}: {commands.BASE_CONFIG_TARGET}",
        env=env,
    )
    proc.run_logged(
        commands.merge_config_argv(tree, build_dir, variant.fragments),
        log,
        what=f"{label}: merge fragments",
        env=env,
        cwd=tree,
    )
    proc.run_logged(
        commands.make_argv(tree, build_dir, ["olddefconfig"]),
        log,
        what=f"{label}: olddefconfig",
        env=env,
    )
    config = build_dir / ".config"
    if check:
        check_merged(requested_options(variant.fragments), config, log)
    return config


def make_image(
    tree: Path, build_dir: Path, cache: Path, log: Path, *, what: str, jobs: int | None = None
) -> None:
    """make bzImage in build_dir, with ccache and a progress line."""
    proc.run_logged(
        commands.make_argv(
            tree,
            build_dir,
            [commands.IMAGE_TARGET],
            jobs=jobs or (os.cpu_count() or 1) + 1,
            compiler_wrapper="ccache",
        ),
        log,
        what=what,
        env=_build_env(cache),
        progress=True,
    )


def build_kernel(
    variant: Variant, source: KernelSource, series: Series, cache: Path, *, jobs: int | None = None
) -> KernelArtifact:
    tools.require("make", "gcc", "ccache", "bc", "bison", "flex", "patch")
    toolchain = toolchain_id()
    key = cache_key(source, variant, series, toolchain)
    out = cache / "kernels" / key[:16]
    meta_file = out / "build.json"
    if source.digest and meta_file.exists() and (out / "bzImage").exists():
        meta = json.loads(meta_file.read_text())
        return KernelArtifact(
            variant.name,
            key,
            out,
            meta["source_version"],
            meta["source_origin"],
            True,
            meta["build_seconds"],
        )

    # Revisions of a variant share its build directory: rebuilds stay incremental.
    build_dir = cache / "build" / split_revision(variant.name)[0]
    build_dir.mkdir(parents=True, exist_ok=True)
    log = build_dir / "build.log"
    log.write_text(f"# {variant.name} key={key}\n")
    applied = series if variant.apply_series else Series(series.directory, ())
    with locked_patched_tree(source, applied, cache, log) as tree:
        start = time.monotonic()
        configure(variant, tree, build_dir, cache, log)
        make_image(tree, build_dir, cache, log, what=f"kernel {variant.name}: build", jobs=jobs)
        seconds = round(time.monotonic() - start, 1)
    image = build_dir / commands.IMAGE_PATH
    if not image.exists():
        raise InfraError(f"kernel {variant.name}: make succeeded but {image} is missing", log)

    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    shutil.copy2(image, tmp / "bzImage")
    shutil.copy2(build_dir / ".config", tmp / "config")
    shutil.copy2(log, tmp / "build.log")
    artifact = KernelArtifact(variant.name, key, out, source.version, source.origin, False, seconds)
    meta = {
        **asdict(artifact),
        "directory": str(out),
        "toolchain": toolchain,
        "fragments": [f.name for f in variant.fragments],
        "patches": [p.name for p in series.patches] if variant.apply_series else [],
    }
    (tmp / "build.json").write_text(json.dumps(meta, indent=2) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return artifact
