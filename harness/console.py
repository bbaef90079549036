"""Progress lines for the person watching a long run: stderr, flushed at once."""

import sys


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
