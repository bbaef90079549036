import pytest

from harness import tools
from harness.errors import EXIT_USER_ERROR, MissingTool


def test_missing_tool_names_its_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(MissingTool) as err:
        tools.require("mmdebstrap")
    assert err.value.exit_code == EXIT_USER_ERROR
    assert "apt-get install mmdebstrap" in str(err.value)
    with pytest.raises(MissingTool, match="Debian package 'qemu-system-x86'"):
        tools.require("qemu-system-x86_64")


def test_present_tools_pass() -> None:
    tools.require("sh")
