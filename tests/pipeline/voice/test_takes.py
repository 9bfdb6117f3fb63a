"""The narrator's recent takes: a line said again in the same delivery comes back at once, the
same take; another delivery is said anew; the oldest takes go once the budget is spent."""

from __future__ import annotations

import asyncio
import functools
import time
from dataclasses import dataclass, replace

import numpy as np
import pytest

from domain.enums import Style
from pipeline.stages import DEFAULT_MODEL_CACHE
from pipeline.voice.offline import DELIVERY, speak
from pipeline.voice.piper import narrator
from pipeline.voice.takes import Takes


@dataclass(frozen=True)
class Take:
    audio: np.ndarray
    sample_rate: int = 10


def said(seconds: float) -> Take:
    return Take(np.zeros(round(seconds * 10), np.float32))


async def test_a_line_said_again_is_the_same_take_and_costs_no_synthesis() -> None:
    voice = await asyncio.to_thread(narrator, DEFAULT_MODEL_CACHE)
    line = f"Said once, at {time.time():.0f}."
    delivery = DELIVERY[Style.MINIMAL]
    first = await speak(voice, line, delivery)
    started = time.perf_counter()
    again = await speak(voice, line, delivery)
    assert again is first and time.perf_counter() - started < 0.05
    assert not again.audio.flags.writeable  # shared, so never changed in place
    slower = await speak(voice, line, replace(delivery, length_scale=1.25))
    assert slower is not first and slower.seconds > first.seconds


def test_the_oldest_takes_go_once_the_budget_is_spent() -> None:
    takes: Takes[Take] = Takes(budget_seconds=3.0)
    calls: list[str] = []

    def say(key: str, seconds: float) -> Take:
        calls.append(key)
        return said(seconds)

    for key in ("a", "b", "c"):
        takes.get_or_say(key, functools.partial(say, key, 1.0))
    takes.get_or_say("a", lambda: say("a", 1.0))  # kept: "b" is now the oldest
    takes.get_or_say("d", lambda: say("d", 1.5))  # over budget: "b" and "c" go
    assert calls == ["a", "b", "c", "d"] and len(takes) == 2
    takes.get_or_say("a", lambda: say("a", 1.0))
    takes.get_or_say("b", lambda: say("b", 1.0))
    assert calls == ["a", "b", "c", "d", "b"]


def test_a_take_longer_than_the_budget_is_not_kept() -> None:
    takes: Takes[Take] = Takes(budget_seconds=1.0)
    long = takes.get_or_say("long", lambda: said(2.0))
    assert len(takes) == 0 and len(long.audio) == 20


def test_a_failed_synthesis_keeps_nothing() -> None:
    takes: Takes[Take] = Takes()

    def fail() -> Take:
        raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError):
        takes.get_or_say("x", fail)
    assert len(takes) == 0
