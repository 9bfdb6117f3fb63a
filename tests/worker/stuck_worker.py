"""`python -m tests.worker.stuck_worker`: a real worker process whose video stage blocks a thread
in native code (time.sleep, through the video stage's own `in_thread`, which waits for its
thread on cancellation as every image step does), as the OpenBLAS deadlock did. Everything else
is `python -m worker`: its settings, its watchdog, its exit."""

from __future__ import annotations

import time
from typing import Any

import worker.process
from domain.enums import StageName
from domain.outputs import Completed
from pipeline.spec import JobSpec, ProgressFn, StageResult
from pipeline.video.drawing import in_thread
from worker.context import state_of

_worker_settings = worker.process.worker_settings


def stuck_settings(settings: Any) -> dict[str, Any]:
    base = _worker_settings(settings)
    startup = base["on_startup"]

    async def on_startup(ctx: dict[str, Any]) -> None:
        await startup(ctx)

        async def blocked(spec: JobSpec, done: Completed, progress: ProgressFn) -> StageResult:
            await progress(1)
            await in_thread(time.sleep, 3600)
            raise AssertionError("unreachable")

        state_of(ctx).stages[StageName.VIDEO_GEN] = blocked

    return {**base, "on_startup": on_startup}


if __name__ == "__main__":
    worker.process.worker_settings = stuck_settings
    from worker.__main__ import main

    main()
