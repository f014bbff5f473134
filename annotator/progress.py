"""How long-running core work reports progress and learns it should stop.

The same callbacks drive the CLI's progress bar and the GUI's progress
dialog, so the core never knows which one is watching.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import Cancelled


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    label: str


OnProgress = Callable[[Progress], None]
# Returns True once the user asked to stop; the worker then raises Cancelled
# at the next point where everything done so far is safely stored.
ShouldCancel = Callable[[], bool]


def check_cancel(should_cancel: ShouldCancel | None, what: str) -> None:
    if should_cancel is not None and should_cancel():
        raise Cancelled(f"{what} stopped; the work finished so far is kept")
