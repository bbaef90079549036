"""A boot cell that boots nothing: it records what a real one would, for the
executor's and the merge's tests (workers import it by name)."""

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.boots import Boots
from harness.errors import InfraError
from harness.guest.tools import GuestTools
from harness.results.rundir import RunDir
from harness.vm.machine import GuestConfig


def files(directory: Path) -> tuple[GuestConfig, GuestTools]:
    directory.mkdir(parents=True, exist_ok=True)
    names = ("bzImage", "disk.img", "id_ed25519", "host.pub", "secns-launch")
    for name in names:
        (directory / name).write_text(f"{name} contents\n")
    config = GuestConfig(*(directory / n for n in names[:4]))
    return config, GuestTools(directory, (directory / "secns-launch",))


@dataclass(frozen=True)
class FakeCell:
    variant: str
    config: GuestConfig
    tools: GuestTools
    fail: bool = False
    seconds: float = 0.0  # how long the "boot" takes
    seen: list[str] = field(default_factory=list)

    def recorded(self, run: RunDir) -> list[dict[str, Any]]:
        return [s for s in run.samples() if s["variant"] == self.variant]


def fake_boot(boots: Boots, cell: FakeCell) -> None:
    """Writes a console log, a boot record and a sample per sample not seeded."""
    boot_dir, record = boots.start(cell.variant, cell.config)
    (boot_dir / "console.log").write_text(f"{cell.config.kernel.read_text()}")
    time.sleep(cell.seconds)
    measured = {s["rep"] for s in boots.run.samples() if s["variant"] == cell.variant}
    for rep in (1, 2):
        if rep not in measured:
            boots.run.append_sample(
                {"variant": cell.variant, "rep": rep, "boot_dir": record["boot_dir"]}
            )
    if cell.fail:
        boots.run.append_boot({**record, "status": "failed"})
        raise InfraError("guest lost", boot_dir / "console.log")
    boots.run.append_boot({**record, "status": "complete"})
