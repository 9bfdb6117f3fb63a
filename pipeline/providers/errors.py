"""Failures of a hosted provider, carrying what was already spent before the failure.

A hosted call that still fails after its retries raises `ProviderError` (a `StageError`: the
stage fails) or, when waiting may help (rate limits, overload, 5xx, timeouts),
`TransientProviderError` (the worker retries the job with backoff). Either way, the fallback
wrapper can run the offline provider instead and record the failure, including the calls that
were billed before it (a vision analysis that succeeded before the script call failed).

Messages are written for a person and never carry a key: `redact` removes every configured
secret from text that came from elsewhere (an error body, an exception's str()).
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.errors import StageError, TransientStageError
from pipeline.providers.usage import Call


class ProviderError(StageError):
    def __init__(self, message: str, *, calls: Iterable[Call] = ()) -> None:
        super().__init__(message)
        self.calls: list[Call] = list(calls)


class TransientProviderError(ProviderError, TransientStageError):
    """Rate limited, overloaded, a 5xx or a timeout, after the provider's own retries."""


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


def is_transient_status(status: int) -> bool:
    """Worth retrying: rate limits, request timeouts and server-side failures (529 overloaded)."""
    return status in (408, 409, 429) or status >= 500
