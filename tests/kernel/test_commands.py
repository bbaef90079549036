from pathlib import Path

from harness.kernel import commands


def test_make_argv_out_of_tree_with_ccache() -> None:
    argv = commands.make_argv(
        Path("/s"), Path("/b"), ["bzImage"], jobs=3, compiler_wrapper="ccache"
    )
    assert argv == ["make", "-C", "/s", "O=/b", "ARCH=x86_64", "-j3", "CC=ccache gcc", "bzImage"]


def test_make_argv_plain_target() -> None:
    assert commands.make_argv(Path("/s"), Path("/b"), ["tinyconfig"]) == [
        "make",
        "-C",
        "/s",
        "O=/b",
        "ARCH=x86_64",
        "tinyconfig",
    ]


def test_merge_config_merges_only_into_build_dir() -> None:
    argv = commands.merge_config_argv(Path("/s"), Path("/b"), [Path("/f/a.config")])
    assert argv == [
        "/s/scripts/kconfig/merge_config.sh",
        "-m",
        "-O",
        "/b",
        "/b/.config",
        "/f/a.config",
    ]


def test_patch_argv_is_batch_and_forward_only() -> None:
    argv = commands.patch_argv(Path("/t"), Path("/p/0001.patch"))
    assert argv[:3] == ["patch", "-d", "/t"]
    assert "--batch" in argv and "--forward" in argv and argv[-1] == "/p/0001.patch"
