import fcntl
import os
import threading
from pathlib import Path

from harness import cachelock
from harness.kernel import build
from harness.kernel.series import Series
from harness.kernel.source import KernelSource
from harness.kernel.variants import Variant


def _variant(tmp: Path, text: str, series: bool = False) -> Variant:
    frag = tmp / "f.config"
    frag.write_text(text)
    return Variant("v", "", (frag,), series)


def _source(digest: str = "abc") -> KernelSource:
    return KernelSource(Path("/src"), "6.12.117", "test", digest)


def test_cache_key_ignores_fragment_comments(tmp_path: Path) -> None:
    empty = Series(tmp_path, ())
    a = build.cache_key(_source(), _variant(tmp_path, "CONFIG_A=y\n"), empty, "gcc 12")
    b = build.cache_key(_source(), _variant(tmp_path, "# c\nCONFIG_A=y\n"), empty, "gcc 12")
    assert a == b


def test_fragments_asking_the_same_share_a_key(tmp_path: Path) -> None:
    empty = Series(tmp_path, ())
    one = tmp_path / "one.config"
    one.write_text("CONFIG_A=y\nCONFIG_B=y\n")
    (tmp_path / "a").mkdir()
    split_a, split_b = tmp_path / "a" / "x.config", tmp_path / "a" / "y.config"
    split_a.write_text("CONFIG_A=y\n")
    split_b.write_text("# nothing but a comment\nCONFIG_B=y\n")
    key = build.cache_key(_source(), Variant("v", "", (one,), False), empty, "gcc")
    assert key == build.cache_key(
        _source(), Variant("w", "", (split_a, split_b), False), empty, "gcc"
    )


def test_cache_key_covers_source_fragments_toolchain_and_series(tmp_path: Path) -> None:
    empty = Series(tmp_path, ())
    base = build.cache_key(_source(), _variant(tmp_path, "CONFIG_A=y\n"), empty, "gcc 12")
    assert base != build.cache_key(
        _source("def"), _variant(tmp_path, "CONFIG_A=y\n"), empty, "gcc 12"
    )
    assert base != build.cache_key(_source(), _variant(tmp_path, "CONFIG_A=n\n"), empty, "gcc 12")
    assert base != build.cache_key(_source(), _variant(tmp_path, "CONFIG_A=y\n"), empty, "gcc 13")
    patch = tmp_path / "1.patch"
    patch.write_text("+++ b/x\n")
    series = Series(tmp_path, (patch,))
    with_series = _variant(tmp_path, "CONFIG_A=y\n", series=True)
    assert build.cache_key(_source(), with_series, empty, "gcc 12") != build.cache_key(
        _source(), with_series, series, "gcc 12"
    )


def test_a_file_a_fragment_names_is_in_the_key_and_in_the_build_directory(
    tmp_path: Path, monkeypatch
) -> None:
    empty = Series(tmp_path, ())
    hashes = tmp_path / "hashes"
    hashes.write_text('"bin:00"\n')
    variant = _variant(tmp_path, 'CONFIG_LIST="hashes"\n')
    before = build.cache_key(_source(), variant, empty, "gcc")
    hashes.write_text('"bin:01"\n')
    assert build.cache_key(_source(), variant, empty, "gcc") != before

    monkeypatch.setattr(build.proc, "run_logged", lambda *args, **kwargs: None)
    build_dir = tmp_path / "build"
    build.configure(variant, tmp_path, build_dir, tmp_path, tmp_path / "log", check=False)
    assert (build_dir / "hashes").read_text() == '"bin:01"\n'


def test_patched_tree_refreshes_files_a_dropped_patch_touched(tmp_path: Path, monkeypatch) -> None:
    base = tmp_path / "base"
    (base / "sec").mkdir(parents=True)
    (base / "sec" / "a.c").write_text("x\n")
    (base / "sec" / "b.c").write_text("x\n")
    old = 1_000_000_000
    for f in ("a.c", "b.c"):
        os.utime(base / "sec" / f, (old, old))
    patches = tmp_path / "patches"
    patches.mkdir()
    p1 = patches / "1.patch"
    p1.write_text("--- a/sec/a.c\n+++ b/sec/a.c\n@@ -1 +1 @@\n-x\n+y\n")
    source = KernelSource(base, "6.12", "t", "0123456789abcdef")
    cache = tmp_path / "cache"
    log = tmp_path / "log"
    tree = build.patched_tree(source, Series(patches, (p1,)), cache, log)
    assert (tree / "sec" / "a.c").read_text() == "y\n"
    assert (base / "sec" / "a.c").read_text() == "x\n"  # base untouched through the hardlinks
    p2 = patches / "2.patch"
    p2.write_text("--- a/sec/b.c\n+++ b/sec/b.c\n@@ -1 +1 @@\n-x\n+z\n")
    tree = build.patched_tree(source, Series(patches, (p2,)), cache, log)
    assert (tree / "sec" / "a.c").read_text() == "x\n"
    # a.c is back to the original, but must look newer than objects built from the patch
    assert (tree / "sec" / "a.c").stat().st_mtime > old


def test_patched_tree_keeps_the_mtime_of_files_whose_content_did_not_change(
    tmp_path: Path,
) -> None:
    base = tmp_path / "base"
    (base / "sec").mkdir(parents=True)
    for f in ("a.c", "b.c"):
        (base / "sec" / f).write_text("x\n")
    patches = tmp_path / "patches"
    patches.mkdir()
    pa = patches / "a.patch"
    pa.write_text("--- a/sec/a.c\n+++ b/sec/a.c\n@@ -1 +1 @@\n-x\n+y\n")
    pb = patches / "b.patch"
    pb.write_text("--- a/sec/b.c\n+++ b/sec/b.c\n@@ -1 +1 @@\n-x\n+z\n")
    source = KernelSource(base, "6.12", "t", "0123456789abcdef")
    cache, log = tmp_path / "cache", tmp_path / "log"
    tree = build.patched_tree(source, Series(patches, (pa,)), cache, log)
    a_mtime = (tree / "sec" / "a.c").stat().st_mtime
    tree = build.patched_tree(source, Series(patches, (pa, pb)), cache, log)
    assert (tree / "sec" / "b.c").read_text() == "z\n"
    assert (tree / "sec" / "a.c").stat().st_mtime == a_mtime  # same content: no rebuild


def _one_patch_series(tmp_path: Path, name: str, new: str) -> Series:
    patches = tmp_path / "patches"
    patches.mkdir(exist_ok=True)
    patch = patches / name
    patch.write_text(f"--- a/sec/a.c\n+++ b/sec/a.c\n@@ -1 +1 @@\n-x\n+{new}\n")
    return Series(patches, (patch,))


def _base_source(tmp_path: Path) -> KernelSource:
    (tmp_path / "base" / "sec").mkdir(parents=True)
    (tmp_path / "base" / "sec" / "a.c").write_text("x\n")
    return KernelSource(tmp_path / "base", "6.12", "t", "0123456789abcdef")


def _lock_is_free(tree: Path) -> bool:
    with tree.with_name(tree.name + ".lock").open("a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def test_a_build_holds_the_tree_lock_while_it_compiles(tmp_path: Path, monkeypatch) -> None:
    source, cache = _base_source(tmp_path), tmp_path / "cache"
    monkeypatch.setattr(build.tools, "require", lambda *names: None)
    monkeypatch.setattr(build, "toolchain_id", lambda: "gcc")
    monkeypatch.setattr(build, "configure", lambda variant, tree, build_dir, cache, log: None)
    free_while_compiling: list[bool] = []

    def make_image(tree: Path, build_dir: Path, cache: Path, log: Path, **kw: object) -> None:
        free_while_compiling.append(_lock_is_free(tree))
        (build_dir / build.commands.IMAGE_PATH).parent.mkdir(parents=True, exist_ok=True)
        (build_dir / build.commands.IMAGE_PATH).write_text("image")
        (build_dir / ".config").write_text("")

    monkeypatch.setattr(build, "make_image", make_image)
    series = _one_patch_series(tmp_path, "1.patch", "y")
    build.build_kernel(_variant(tmp_path, "CONFIG_A=y\n", series=True), source, series, cache)
    assert free_while_compiling == [False]
    assert _lock_is_free(cache / "src" / "0123456789abcdef-series")


def test_patched_tree_waits_while_another_process_builds_from_the_tree(
    tmp_path: Path, monkeypatch
) -> None:
    source, cache, log = _base_source(tmp_path), tmp_path / "cache", tmp_path / "log"
    waiting = threading.Event()
    monkeypatch.setattr(cachelock, "say", lambda message: waiting.set())
    remade: list[Path] = []
    other = threading.Thread(
        target=lambda: remade.append(
            build.patched_tree(source, _one_patch_series(tmp_path, "2.patch", "z"), cache, log)
        )
    )
    with build.locked_patched_tree(
        source, _one_patch_series(tmp_path, "1.patch", "y"), cache, log
    ) as tree:
        other.start()
        assert waiting.wait(10)
        assert (tree / "sec" / "a.c").read_text() == "y\n"  # untouched while in use
    other.join(10)
    assert remade == [tree]
    assert (tree / "sec" / "a.c").read_text() == "z\n"
