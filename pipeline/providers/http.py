"""HTTP calls to hosted APIs with retries: backoff with jitter on 429, 408/409, 5xx, timeouts
and dropped connections (honouring Retry-After), none on other 4xx.

Error messages name the service, the status and the service's own message (OpenAI's
`{"error": {"message"}}`, Replicate's problem-JSON `detail`), with every key redacted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import httpx

from domain.backoff import backoff_seconds
from pipeline.providers.errors import (
    ProviderError,
    TransientProviderError,
    is_transient_status,
    redact,
)
from pipeline.shared.heartbeat import beat

MAX_DELAY = 8.0
MAX_RETRY_AFTER = 60.0


def error_detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip() or response.reason_phrase
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        for key in ("detail", "error", "message", "title"):
            if body.get(key):
                return str(body[key])
    return response.reason_phrase


def retry_delay(response: httpx.Response | None, attempt: int, base: float) -> float:
    if response is not None:
        header = response.headers.get("retry-after")
        try:
            seconds = float(header) if header is not None else None
        except ValueError:
            seconds = None
        if seconds is not None and 0 <= seconds <= MAX_RETRY_AFTER:
            return seconds
    return backoff_seconds(attempt, base=base, cap=MAX_DELAY, jitter=0.25)


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    what: str,
    max_retries: int,
    base_seconds: float,
    secrets: Sequence[str],
    **kwargs: Any,
) -> httpx.Response:
    """The response of a successful request, or ProviderError / TransientProviderError."""
    attempts = max_retries + 1
    for attempt in range(attempts):
        beat()  # each attempt is a sign of life for the stage's watchdog
        response: httpx.Response | None = None
        try:
            response = await client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            failure = "timed out"
        except httpx.TransportError as exc:
            failure = f"connection failed ({type(exc).__name__})"
        else:
            if response.is_success:
                return response
            detail = redact(error_detail(response), secrets)
            if not is_transient_status(response.status_code):
                raise ProviderError(f"{what} was rejected: {response.status_code} {detail}")
            failure = f"{response.status_code} {detail}"
        if attempt + 1 == attempts:
            raise TransientProviderError(f"{what} failed after {attempts} attempts: {failure}")
        await asyncio.sleep(retry_delay(response, attempt, base_seconds))
    raise AssertionError("unreachable")


def first_error(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The error to report from a TaskGroup: a provider's own failure if there is one."""
    leaves: list[BaseException] = []

    def walk(error: BaseException) -> None:
        if isinstance(error, BaseExceptionGroup):
            for inner in error.exceptions:
                walk(inner)
        else:
            leaves.append(error)

    walk(group)
    for error in leaves:
        if isinstance(error, ProviderError):
            return error
    return leaves[0]
