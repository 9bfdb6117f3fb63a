"""How far a job has come, as one number: the rule every place that shows progress uses."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from domain.enums import JobStatus, StageStatus


class StageProgress(Protocol):
    @property
    def status(self) -> StageStatus: ...

    @property
    def progress(self) -> int: ...


def job_progress(status: JobStatus, stages: Iterable[StageProgress]) -> int:
    """0-100: the mean of the stages' progress (a skipped stage counts as done), and 100 once the
    job is COMPLETED."""
    if status == JobStatus.COMPLETED:
        return 100
    values = [100 if s.status == StageStatus.SKIPPED else s.progress for s in stages]
    return sum(values) // len(values) if values else 0
