from pathlib import Path

from harness.image import commands
from harness.image.recipe import Bootstrap


def test_mmdebstrap_argv() -> None:
    spec = Bootstrap("bookworm", "minbase", ("main", "non-free"), ("lmbench", "less"))
    argv = commands.mmdebstrap_argv(spec, Path("/out/x.tar"))
    assert argv[:4] == [
        "mmdebstrap",
        "--variant=minbase",
        "--components=main,non-free",
        "--mode=root",
    ]
    assert "--include=lmbench,less" in argv
    assert argv[-2:] == ["bookworm", "/out/x.tar"]
    assert "--dpkgopt=path-exclude=/usr/share/doc/*" in argv


def test_mmdebstrap_without_packages_has_no_include() -> None:
    argv = commands.mmdebstrap_argv(Bootstrap("bookworm", "minbase", ("main",), ()), Path("/o"))
    assert not any(a.startswith("--include") for a in argv)


def test_mke2fs_builds_ext4_from_directory() -> None:
    assert commands.mke2fs_argv(Path("/r"), Path("/i.img"), "4G") == [
        "mke2fs",
        "-q",
        "-F",
        "-t",
        "ext4",
        "-L",
        "secns-root",
        "-d",
        "/r",
        "/i.img",
        "4G",
    ]


def test_packages_without_depends_go_through_the_hook() -> None:
    spec = Bootstrap("bookworm", "minbase", ("main",), ("libtirpc3",), ("lmbench",))
    argv = commands.mmdebstrap_argv(spec, Path("/o.tar"))
    assert f"--customize-hook={commands.WITHOUT_DEPENDS_HOOK}" in argv
    assert commands.WITHOUT_DEPENDS_HOOK.stat().st_mode & 0o111
    assert commands.mmdebstrap_env(spec) == {commands.WITHOUT_DEPENDS_ENV: "lmbench"}
    plain = Bootstrap("bookworm", "minbase", ("main",), ())
    assert commands.mmdebstrap_env(plain) == {}
    assert not any("hook" in a for a in commands.mmdebstrap_argv(plain, Path("/o")))
