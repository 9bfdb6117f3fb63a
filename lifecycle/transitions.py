"""Which status a job may move to from which. Every change goes through `lifecycle.change`,
which checks the move against this table before it commits."""

from __future__ import annotations

from domain.enums import JobStatus

ALLOWED: dict[JobStatus, frozenset[JobStatus]] = {
    # A worker takes it up; the user cancels it; a run finds its tries used up and fails it.
    JobStatus.PENDING: frozenset({JobStatus.PROCESSING, JobStatus.CANCELLED, JobStatus.FAILED}),
    JobStatus.PROCESSING: frozenset(
        {JobStatus.PROCESSING, JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED}
    ),
    JobStatus.FAILED: frozenset({JobStatus.PENDING}),  # retryJob
    JobStatus.CANCELLED: frozenset({JobStatus.PENDING}),  # retryJob
    JobStatus.COMPLETED: frozenset(),
}

LIVE = (JobStatus.PENDING, JobStatus.PROCESSING)  # a run may work on it
CANCELLABLE = LIVE
RETRYABLE = (JobStatus.FAILED, JobStatus.CANCELLED)


class IllegalTransition(RuntimeError):
    """A bug: code tried a move the lifecycle does not allow."""


def check(before: JobStatus, after: JobStatus) -> None:
    if before != after and after not in ALLOWED[before]:
        raise IllegalTransition(f"a {before.name} job cannot become {after.name}")
