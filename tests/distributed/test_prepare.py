import subprocess
from pathlib import Path

from harness.distributed.prepare import (
    missing_files_command,
    missing_tools_command,
    publish_command,
    rsync_argv,
    ssh_command,
)


def test_rsync_keeps_holes_and_reads_the_same_ssh_config() -> None:
    argv = rsync_argv(Path("/c/disk.img"), "lab1", Path(".cache/x/.disk.img.partial"), None)
    assert argv[:2] == ["rsync", "--sparse"] and "--mkpath" in argv
    assert argv[-2:] == ["/c/disk.img", "lab1:.cache/x/.disk.img.partial"]
    assert argv[argv.index("-e") + 1] == "ssh"
    cfg = rsync_argv(Path("/c/k"), "lab1", Path("k"), Path("/my ssh/config"))
    assert cfg[cfg.index("-e") + 1] == ssh_command(Path("/my ssh/config"))
    assert ssh_command(Path("/my ssh/config")) == "ssh -F '/my ssh/config'"


def test_remote_commands_quote_every_name(tmp_path: Path) -> None:
    # The remote shell parses them: run them through a local one to see the words.
    (tmp_path / "have it").write_text("")
    files = [tmp_path / "have it", tmp_path / "lack; it"]
    out = subprocess.run(missing_files_command(files), shell=True, capture_output=True, text=True)
    assert out.stdout.splitlines() == [str(tmp_path / "lack; it")]
    out = subprocess.run(
        missing_tools_command(["sh", "no-such-tool"]), shell=True, capture_output=True, text=True
    )
    assert out.stdout.split() == ["no-such-tool"]
    assert (
        publish_command(Path("a/.b c.partial"), Path("a/b c")) == "mv -f 'a/.b c.partial' 'a/b c'"
    )
