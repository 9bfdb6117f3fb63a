"""Falling back to the offline provider when a hosted one still fails after its retries.

The stage then completes with the offline provider's outputs plus a `fallback` record: which
hosted provider failed, why (the message, never a key), whether the failure was transient, and
the calls it was billed for before failing; those count in the stage's cost. `Stage.provider`
reads e.g. "offline-template (fallback from claude (claude-sonnet-4-5))".
With FALLBACK_TO_OFFLINE off the error goes to the worker: a transient one is retried with
backoff, a permanent one fails the stage.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

import structlog

from domain.outputs import Completed, Fallback
from domain.pricing import to_micro
from pipeline.errors import TransientStageError
from pipeline.providers.errors import ProviderError
from pipeline.providers.usage import total
from pipeline.spec import JobSpec, ProgressFn, StageFn, StageResult

log = structlog.get_logger("pipeline.providers")


class HostedStage(Protocol):
    @property
    def name(self) -> str: ...

    async def __call__(
        self, spec: JobSpec, completed: Completed, progress: ProgressFn
    ) -> StageResult: ...


def with_fallback(hosted: HostedStage, offline: StageFn, *, enabled: bool) -> StageFn:
    async def run(spec: JobSpec, completed: Completed, progress: ProgressFn) -> StageResult:
        try:
            return await hosted(spec, completed, progress)
        except ProviderError as exc:
            if not enabled:
                raise
            failure = exc
        reason = str(failure)
        log.warning("provider.fallback", provider=hosted.name, error=reason)
        result = await offline(spec, completed, progress)
        spent = total(failure.calls)
        fallback = Fallback(
            source=hosted.name,
            to=result.provider,
            error=reason,
            transient=isinstance(failure, TransientStageError),
            calls=[call.as_data() for call in failure.calls],
            cost_usd=str(spent),
        )
        return StageResult(
            output=result.output.model_copy(update={"fallback": fallback}),
            provider=f"{result.provider} (fallback from {hosted.name})",
            cost_usd=float(to_micro(Decimal(str(result.cost_usd)) + spent)),
        )

    return run
