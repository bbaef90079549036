"""Host tools the harness runs, and the Debian package each one comes from."""

import shutil

from harness.errors import MissingTool

PACKAGE_OF_TOOL: dict[str, str] = {
    "make": "make",
    "gcc": "gcc",
    "ccache": "ccache",
    "bc": "bc",
    "bison": "bison",
    "flex": "flex",
    "xz": "xz-utils",
    "patch": "patch",
    "mmdebstrap": "mmdebstrap",
    "mke2fs": "e2fsprogs",
    "ssh-keygen": "openssh-client",
    "qemu-system-x86_64": "qemu-system-x86",
    "swtpm": "swtpm",
    "tpm2_checkquote": "tpm2-tools",
    "dpkg-query": "dpkg",
    "chromium": "chromium",
    "rsync": "rsync",
}


def require(*tools: str) -> None:
    """Raise MissingTool for the first tool not on PATH."""
    for tool in tools:
        if shutil.which(tool) is None:
            raise MissingTool(tool, PACKAGE_OF_TOOL.get(tool, tool))
