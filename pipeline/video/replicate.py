"""Replicate's predictions API over httpx: create, poll with backoff, download the output.

A model is `owner/name` (an official model: POST /v1/models/{owner}/{name}/predictions) or
`owner/name:version` (POST /v1/predictions with the version). The prediction is polled at
GET /v1/predictions/{id}, every REPLICATE_POLL_SECONDS at first and then less often, until it
is `succeeded`, `failed` or `canceled`, or REPLICATE_PREDICTION_TIMEOUT_SECONDS have passed (then
it is cancelled so it stops billing). The output URL is fetched with a separate client that
carries no Authorization header: output files live on another host, which must not see the token.
Cost is the prediction's `metrics.predict_time` (what Replicate bills for time-priced models).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from domain.pricing import Prices
from domain.providers import ReplicateConfig, RetryPolicy
from pipeline.providers.errors import ProviderError, TransientProviderError, redact
from pipeline.providers.http import send
from pipeline.providers.usage import Call, Ledger
from pipeline.shared.files import atomic_output
from pipeline.shared.heartbeat import beat

TERMINAL = ("succeeded", "failed", "canceled")
MAX_POLL_SECONDS = 10.0
POLL_GROWTH = 1.5
CANCEL_TIMEOUT = 5.0


@dataclass(frozen=True)
class Prediction:
    id: str
    predict_seconds: Decimal
    output_url: str


def _output_url(output: Any) -> str | None:
    """Video models return a URL, or a list of them (the first is the clip)."""
    if isinstance(output, str):
        return output
    if isinstance(output, list) and output and isinstance(output[0], str):
        return output[0]
    return None


def _predict_seconds(prediction: dict[str, Any]) -> Decimal:
    metrics = prediction.get("metrics")
    value = metrics.get("predict_time") if isinstance(metrics, dict) else None
    return Decimal(str(value)) if isinstance(value, int | float) else Decimal(0)


class ReplicateClient:
    def __init__(
        self,
        config: ReplicateConfig,
        retries: RetryPolicy,
        prices: Prices,
        secrets: Sequence[str],
    ) -> None:
        self.config = config
        self.retries = retries
        self.prices = prices
        self.secrets = tuple(secrets)
        timeout = httpx.Timeout(config.timeout_seconds)
        self.api = httpx.AsyncClient(
            base_url=config.base_url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {config.api_token.get_secret_value()}"},
        )
        self.files = httpx.AsyncClient(timeout=timeout, follow_redirects=True)

    async def aclose(self) -> None:
        await self.api.aclose()
        await self.files.aclose()

    async def _send(self, method: str, url: str, what: str, **kwargs: Any) -> dict[str, Any]:
        response = await send(
            self.api,
            method,
            url,
            what=what,
            max_retries=self.retries.max_retries,
            base_seconds=self.retries.retry_base_seconds,
            secrets=self.secrets,
            **kwargs,
        )
        try:
            body = response.json()
        except ValueError as exc:
            raise ProviderError(f"{what}: Replicate answered with something not JSON") from exc
        if not isinstance(body, dict) or not isinstance(body.get("id"), str):
            raise ProviderError(f"{what}: Replicate's answer has no prediction id")
        return body

    async def create(self, inputs: dict[str, Any], what: str) -> dict[str, Any]:
        model, _, version = self.config.model.partition(":")
        if version:
            return await self._send(
                "POST", "/v1/predictions", what, json={"version": version, "input": inputs}
            )
        return await self._send(
            "POST", f"/v1/models/{model}/predictions", what, json={"input": inputs}
        )

    async def cancel(self, prediction_id: str) -> None:
        """Best effort, bounded: called while giving up or being cancelled ourselves."""
        with contextlib.suppress(httpx.HTTPError, asyncio.TimeoutError):
            async with asyncio.timeout(CANCEL_TIMEOUT):
                await self.api.post(f"/v1/predictions/{prediction_id}/cancel")

    async def run(
        self, inputs: dict[str, Any], dest: Path, ledger: Ledger, what: str
    ) -> Prediction:
        """Create a prediction, wait for it, download its output to `dest` (atomically)."""
        prediction = await self.create(inputs, what)
        prediction_id = prediction["id"]
        try:
            prediction = await self._wait(prediction, what)
        except (asyncio.CancelledError, TransientProviderError):
            await asyncio.shield(self.cancel(prediction_id))
            raise
        status = prediction.get("status")
        seconds = _predict_seconds(prediction)
        ledger.add(
            Call(
                "prediction",
                {"prediction_id": prediction_id, "status": status, "predict_seconds": str(seconds)},
                self.prices.video(seconds),
            )
        )
        if status != "succeeded":
            error = redact(str(prediction.get("error") or "no reason given"), self.secrets)
            raise ProviderError(f"{what}: Replicate prediction {prediction_id} {status}: {error}")
        url = _output_url(prediction.get("output"))
        if url is None:
            raise ProviderError(f"{what}: Replicate prediction {prediction_id} has no output URL")
        await self._download(url, dest, what)
        return Prediction(prediction_id, seconds, url)

    async def _wait(self, prediction: dict[str, Any], what: str) -> dict[str, Any]:
        prediction_id = prediction["id"]
        deadline = time.monotonic() + self.config.prediction_timeout_seconds
        delay = self.config.poll_seconds
        while prediction.get("status") not in TERMINAL:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TransientProviderError(
                    f"{what}: Replicate prediction {prediction_id} did not finish within "
                    f"{self.config.prediction_timeout_seconds:g} s (cancelled)"
                )
            await asyncio.sleep(min(delay, remaining))
            beat()  # waiting on the model, not stuck
            delay = min(MAX_POLL_SECONDS, delay * POLL_GROWTH)
            prediction = await self._send("GET", f"/v1/predictions/{prediction_id}", what)
        return prediction

    async def _download(self, url: str, dest: Path, what: str) -> None:
        try:
            with atomic_output(dest) as tmp:
                async with self.files.stream("GET", url) as response:
                    if not response.is_success:
                        raise ProviderError(
                            f"{what}: downloading the clip failed with {response.status_code}"
                        )
                    with tmp.open("wb") as out:
                        async for chunk in response.aiter_bytes():
                            out.write(chunk)
        except httpx.HTTPError as exc:
            raise TransientProviderError(
                f"{what}: downloading the clip failed ({type(exc).__name__})"
            ) from exc
