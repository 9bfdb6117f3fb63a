"""Handing memory back between stages.

A stage allocates and frees a lot (Piper's activations, decoded photos, cut-out masks), and
glibc keeps freed heap pages mapped; the next stage's ffmpeg children then add their own on
top. `release_memory` collects cycles and asks glibc to return its free pages (malloc_trim),
so the worker's footprint falls back near its loaded size before the next stage starts.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018  # glibc only
    except (OSError, AttributeError):
        return None
    return libc


M_ARENA_MAX = -8  # mallopt parameter (glibc's malloc.h)


def limit_arenas(arenas: int = 2) -> None:
    """Cap glibc's malloc arenas for this process. Each thread that allocates (executor threads
    decoding photos, onnxruntime runs, OpenCV's pool) otherwise gets an arena of its own, whose
    freed pages are fragmented and only partly returned; a worker's footprint then drifts up by
    100 MB or more between jobs. Two arenas keep contention low for a worker's few threads."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_ARENA_MAX, arenas)


def release_memory() -> None:
    """Free unreachable objects and return free heap pages to the system (a no-op off glibc)."""
    gc.collect()
    libc = _libc()
    if libc is not None:
        with contextlib.suppress(OSError):
            libc.malloc_trim(0)
