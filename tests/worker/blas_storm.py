"""Many cut-outs at once in a worker's threads while children are spawned: issue 28's deadlock.

    python -m tests.worker.blas_storm MODE SECONDS

Two executor threads cut products out of photos (the two job slots of a worker, each in
`decide_look`) while the event loop starts short-lived children, as ffmpeg renders do.

MODE says how the process is set up:
- "worker":  as a worker process is: its numeric thread limits and its child runner.
- "spawn":   the worker's child runner, the numeric libraries left at their own thread counts.
- "limits":  the worker's thread limits, children started through fork() as before the fix.
- "before":  as before the fix: fork() for every child, and OpenBLAS with a pool (two threads,
             its default on the 2-core machines this was found on).

"worker" and "spawn" run the whole cut-out (U²-Net included); "limits" and "before" only its
classical part, where OpenBLAS's products are (cut_loop says why).

It prints "ok <cut-outs> <children>" and exits 0 when every cut-out finished; if no cut-out
finishes for STALL_SECONDS it prints every thread's stack and exits 3 (stuck). A cut-out takes
well under a second; STALL_SECONDS leaves room for a loaded machine (the whole test suite beside
it) without calling slow stuck. (Stuck cannot be told by CPU use: OpenBLAS's waiting thread
spins.)
"""

from __future__ import annotations

import asyncio
import faulthandler
import os
import sys
import threading
import time

import numpy as np
from PIL import Image

# The deadlock, when it happens, stops every cut-out within ~1 s; a whole cut-out (U²-Net) is
# ~1 CPU-s, and under the whole test suite's load two of them beside the children being started
# took over 4 s of wall time: 15 s tells stuck from slow.
STALL_SECONDS = 15.0
SLOTS = 2


def photo(seed: int) -> Image.Image:
    """A product on a lit backdrop at the size a worker cuts at: the backdrop fit's matrix
    product is large enough for OpenBLAS to hand it to its pool."""
    rng = np.random.default_rng(seed)
    h, w = 288, 384
    yy, xx = np.mgrid[0:h, 0:w]
    base = 225 + 20 * (xx / w) - 15 * (yy / h)
    image = np.dstack([base, base - 4, base - 9]) + rng.normal(0, 1.5, (h, w, 3))
    cy, cx, ry, rx = h / 2, w / 2, h * 0.3, w * 0.22
    inside = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 < 1
    image[inside] = rng.integers(20, 200, 3)
    return Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))


def cut_loop(stop: threading.Event, done: list[int], slot: int, whole: bool) -> None:
    """`whole`: the whole cut-out, U²-Net included, as a worker runs it; else only the classical
    cut (the backdrop fit's matrix products, where OpenBLAS's pool was): with children started
    by fork(), every fork makes the network's ~270 MB of activations copy-on-write, and a cut
    takes ~7 s instead of ~1 (slow, not stuck, but the stall detector cannot tell)."""
    from pipeline.video.cutout import cut_out
    from pipeline.video.grabcut import segment

    photos = [photo(slot * 10 + i) for i in range(3)]
    while not stop.is_set():
        for image in photos:
            if whole:
                cut_out(image)
            else:
                segment(np.asarray(image, np.uint8))
            done[slot] += 1


async def spawn(mode: str) -> None:
    if mode in ("worker", "spawn"):
        from pipeline.shared.child import run_child

        await run_child(["true"])
    else:  # a preexec_fn makes subprocess use fork() (not vfork), which runs atfork handlers
        child = await asyncio.create_subprocess_exec("true", preexec_fn=lambda: None)
        await child.wait()


async def storm(mode: str, seconds: float) -> int:
    if mode in ("worker", "limits"):
        from pipeline.shared.threads import limit_numeric_threads

        limit_numeric_threads()
    elif mode == "before":
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=2, user_api="blas")
    stop, done = threading.Event(), [0] * SLOTS
    loop = asyncio.get_running_loop()
    whole = mode in ("worker", "spawn")
    cutters = [loop.run_in_executor(None, cut_loop, stop, done, s, whole) for s in range(SLOTS)]
    started = last_change = time.monotonic()
    children, seen = 0, -1
    while time.monotonic() - started < seconds:
        await spawn(mode)
        children += 1
        if sum(done) != seen:
            seen, last_change = sum(done), time.monotonic()
        elif time.monotonic() - last_change > STALL_SECONDS:
            stuck(done, children)
    stop.set()
    _, running = await asyncio.wait(cutters, timeout=STALL_SECONDS)
    if running:
        stuck(done, children)
    print(f"ok {sum(done)} {children}", flush=True)
    return 0


def stuck(done: list[int], children: int) -> None:
    print(f"stuck: {sum(done)} cut-outs, {children} children, "
          f"{len(os.listdir('/proc/self/task'))} threads", flush=True)  # fmt: skip
    faulthandler.dump_traceback(all_threads=True)
    sys.stderr.flush()
    os._exit(3)  # the stuck threads cannot be joined


if __name__ == "__main__":
    sys.exit(asyncio.run(storm(sys.argv[1], float(sys.argv[2]))))
