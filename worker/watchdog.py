"""Noticing a stage that makes no progress, and a worker that cannot stop one.

Every stage reports progress while it works (and hosted waits `beat()`, pipeline/shared/
heartbeat.py). `watch` runs a stage in a task of its own and ends the attempt when nothing was
heard for STAGE_STALL_SECONDS: it logs every thread's stack (where the stage is stuck), cancels
the stage and raises `StageStalled`, a transient failure, so the job is retried per its tries.

Cancelling ends a stage that waits in Python (a sleep, a socket) at once. A thread stuck in
native code (a deadlocked BLAS call) cannot be stopped: the stage's task is then abandoned, the
slot counts as stuck, and the worker asks to be recycled (`Slots.recycle`): it takes no new
job, lets its other slots finish, and exits with RECYCLE_EXIT_CODE for its supervisor to start
a fresh process (a stuck thread would also keep a normal exit waiting forever).
"""

from __future__ import annotations

import asyncio
import io
import sys
import threading
import time
import traceback
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import structlog

from domain.enums import StageName
from pipeline.errors import TransientStageError

log = structlog.get_logger("worker.watchdog")

T = TypeVar("T")
# How long a cancelled stage has to end before its thread counts as one that cannot be stopped.
STOP_GRACE_SECONDS = 5.0


class StageStalled(TransientStageError):
    def __init__(self, stage: StageName, seconds: float, *, stopped: bool) -> None:
        super().__init__(f"{stage.value} made no progress for {seconds:g} s")
        self.stopped = stopped


@dataclass
class Slot:
    """One job slot at work: which job, which stage, and when it last gave a sign of life."""

    job_id: str
    stage: StageName
    last_beat: float = field(default_factory=time.monotonic)

    def touch(self) -> None:
        self.last_beat = time.monotonic()

    @property
    def quiet_seconds(self) -> float:
        return time.monotonic() - self.last_beat


@dataclass
class Slots:
    """What the worker's slots are doing, for its status report and its recycling."""

    busy: dict[str, Slot] = field(default_factory=dict)  # by run id
    # Stages whose thread would not stop: abandoned, still holding a thread (and maybe a lock).
    stuck: list[tuple[Slot, asyncio.Future[Any]]] = field(default_factory=list)
    recycle: asyncio.Event = field(default_factory=asyncio.Event)

    def stuck_slots(self, limit: float) -> list[Slot]:
        self.stuck = [(slot, task) for slot, task in self.stuck if not task.done()]
        quiet = [slot for slot in self.busy.values() if slot.quiet_seconds >= limit]
        return [slot for slot, _ in self.stuck] + quiet


def thread_stacks() -> str:
    """Every thread's Python stack, innermost call last (a thread in native code shows the
    Python line that called it)."""
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    parts = []
    for ident, frame in sys._current_frames().items():
        stack = "".join(traceback.format_stack(frame))
        parts.append(f"Thread {names.get(ident, '?')} ({ident}):\n{stack}")
    return "\n".join(parts)


def task_stack(task: asyncio.Future[Any]) -> str:
    out = io.StringIO()
    if isinstance(task, asyncio.Task):
        task.print_stack(file=out)
    return out.getvalue()


async def watch(work: Awaitable[T], slot: Slot, limit: float, slots: Slots) -> T:
    """Run `work` (a stage) to its end, or raise StageStalled once `slot` has been quiet for
    `limit` seconds. A cancellation from outside (cancelJob, shutdown, the job's time-out) is
    passed on to the stage, which is given `limit` seconds to clean up."""
    task = asyncio.ensure_future(work)
    try:
        while True:
            quiet = slot.quiet_seconds
            if quiet >= limit:
                break
            done, _ = await asyncio.wait({task}, timeout=limit - quiet)
            if done:
                return task.result()
    except asyncio.CancelledError:
        task.cancel()
        await asyncio.wait({task}, timeout=limit)
        raise
    log.error(
        "job.stage.stalled",
        quiet_s=round(slot.quiet_seconds, 1),
        stage=task_stack(task),  # where the stage waits
        threads=thread_stacks(),  # and what every thread is doing
    )
    task.cancel()
    await asyncio.wait({task}, timeout=STOP_GRACE_SECONDS)
    if task.done():
        if not task.cancelled():
            task.exception()  # retrieved: the stall is what is reported
        raise StageStalled(slot.stage, limit, stopped=True)
    slots.stuck.append((slot, task))
    log.error("worker.thread_stuck", grace_s=STOP_GRACE_SECONDS)
    slots.recycle.set()
    raise StageStalled(slot.stage, limit, stopped=False)
