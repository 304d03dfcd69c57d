"""Progress output and the error handling every entry point shares."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence

from .errors import InputError

_started = time.monotonic()


def say(message: str) -> None:
    """One progress line on stdout, prefixed with the seconds since the process started."""
    print(f"[{time.monotonic() - _started:7.1f}s] {message}", flush=True)


def guarded(main: Callable[[Sequence[str] | None], None], argv: Sequence[str] | None = None) -> int:
    """Runs ``main``; bad input ends with one ``error: ...`` line on stderr and exit status 2."""
    try:
        main(argv)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        return 2
    return 0
