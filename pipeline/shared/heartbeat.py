"""A stage's sign of life while it waits on something that reports no progress of its own.

The worker notices a stage that makes no progress (STAGE_STALL_SECONDS). Progress reports count,
and so does `beat()`: a hosted provider's poll or retry says the stage is waiting, not stuck.
The worker sets HEARTBEAT around each stage; outside a stage `beat()` does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

HEARTBEAT: ContextVar[Callable[[], None] | None] = ContextVar("heartbeat", default=None)


def beat() -> None:
    touch = HEARTBEAT.get()
    if touch is not None:
        touch()
