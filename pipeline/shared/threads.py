"""The numeric libraries' own thread pools, sized once per worker process.

A worker runs WORKER_MAX_JOBS jobs at once, and each stage's heavy numeric work (cut-outs,
colour clusters, Piper's network) runs in executor threads: the job slots already keep the cores
busy. If OpenBLAS and OpenCV also split every call over pools of their own, two jobs' calls
share those pools, oversubscribe the cores, and depend on the pools' handling of calls from
several threads and of fork(). OpenBLAS's did not survive that: a fork() tore its pool down while
another thread's matrix product had handed it work, and that thread waited forever holding the
lock every product needs (issue 28). The fork is gone (pipeline/shared/child.py); with one thread
per call there is no pool left to hand work to either, so neither half can hang a job alone.

onnxruntime is sized where its sessions are made (intra_op_num_threads: pipeline/voice/piper.py,
pipeline/video/salient.py).
"""

from __future__ import annotations

import cv2
from threadpoolctl import threadpool_info, threadpool_limits

NUMERIC_THREADS = 1


def limit_numeric_threads(threads: int = NUMERIC_THREADS) -> dict[str, int]:
    """Cap every loaded BLAS/OpenMP library and OpenCV at `threads` per call, process-wide (not
    per thread: threadpoolctl sets the libraries' global counts). Returns what each library
    now runs with, for the worker's start-up log. Call it after numpy and cv2 are imported."""
    threadpool_limits(limits=threads)
    cv2.setNumThreads(threads)
    sizes = {f"{info['internal_api']}": int(info["num_threads"]) for info in threadpool_info()}
    sizes["opencv"] = cv2.getNumThreads()
    return sizes
