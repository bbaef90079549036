"""An exclusive lock on something in the cache, shared by every secns process.

flock on `<entry>.lock` beside the entry: the kernel drops it when the holder exits,
so a crashed or killed process never leaves a stale lock behind."""

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness.console import say


@contextmanager
def cache_lock(entry: Path) -> Iterator[None]:
    """Hold the lock of `entry` for the block; say so when another process has it."""
    lock = entry.with_name(entry.name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"waiting for another secns process using {entry}")
            fcntl.flock(f, fcntl.LOCK_EX)
        yield  # closing the file releases the lock
