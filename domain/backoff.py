"""Backoff before trying again: exponential, capped and jittered, so that many clients hitting
one outage (jobs retrying, API processes reconnecting to Redis, requests to a busy hosted API)
do not all come back at the same moment."""

from __future__ import annotations

import random


def backoff_seconds(
    attempt: int, *, base: float, cap: float, jitter: float = 1.0, least: float = 0.0
) -> float:
    """A delay for the `attempt`-th retry (0-based): drawn uniformly between `(1 - jitter)` of
    `min(cap, base * 2**attempt)` and that ceiling ("full jitter" at 1.0), never below `least`."""
    ceiling: float = min(cap, base * 2.0 ** max(0, attempt))
    spread = jitter * random.random()  # noqa: S311  # timing, not security
    return max(least, ceiling * (1.0 - spread))
