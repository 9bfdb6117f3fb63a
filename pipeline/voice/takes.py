"""The narrator's recent takes: a line said again in the same delivery is not synthesised again.

The same brief is often rendered more than once: in another aspect ratio for another platform,
with other music, after a retry. The offline writer gives it the same lines, so the narrator
would say them again, at ~1 CPU-second per second of speech. A worker process keeps its most
recent takes, keyed by the exact text and delivery, up to a budget of audio (LRU); a take is
shared read-only, so the ad says its lines the same way every time they come back.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, Protocol, TypeVar

import numpy as np

BUDGET_SECONDS = 240.0  # of speech kept per process: ~21 MB at 22,050 float32 samples a second


class _Take(Protocol):
    @property
    def audio(self) -> np.ndarray: ...
    @property
    def sample_rate(self) -> int: ...


T = TypeVar("T", bound=_Take)


class Takes(Generic[T]):
    """Thread-safe: synthesis runs in worker threads, two scenes at a time."""

    def __init__(self, budget_seconds: float = BUDGET_SECONDS) -> None:
        self.budget_seconds = budget_seconds
        self._kept: OrderedDict[Hashable, T] = OrderedDict()
        self._seconds = 0.0
        self._lock = threading.Lock()

    def get_or_say(self, key: Hashable, say: Callable[[], T]) -> T:
        """The kept take for `key`, else `say()`'s, kept for next time. Two threads asking for
        the same new take at once both say it (rare: the scenes of a job differ)."""
        with self._lock:
            take = self._kept.get(key)
            if take is not None:
                self._kept.move_to_end(key)
                return take
        take = say()
        take.audio.flags.writeable = False  # shared by every job that says the line
        seconds = len(take.audio) / take.sample_rate
        with self._lock:
            if key not in self._kept and seconds <= self.budget_seconds:
                self._kept[key] = take
                self._seconds += seconds
                while self._seconds > self.budget_seconds:
                    _, dropped = self._kept.popitem(last=False)
                    self._seconds -= len(dropped.audio) / dropped.sample_rate
        return take

    def __len__(self) -> int:
        return len(self._kept)
