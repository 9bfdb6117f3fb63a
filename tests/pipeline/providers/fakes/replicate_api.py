"""A fake Replicate predictions API, serving the output clip itself.

Routes as the real API: POST /v1/models/{owner}/{name}/predictions (official models) and
POST /v1/predictions (with a version), GET /v1/predictions/{id}, POST /v1/predictions/{id}/cancel.
A prediction goes `starting` -> `processing` -> `succeeded` (or `failed`, or stays `processing`
when `outcome` is "hang") as it is polled; a succeeded one has `output` = the URL of a real MP4
served under /files/, `metrics.predict_time`, and `urls.get`/`urls.cancel`. Errors are Replicate's
problem JSON (`{"title", "detail", "status"}`). It records every prediction's input, how many
were running at once, cancellations and the headers of each file download.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse({"title": title, "detail": detail, "status": status}, status)


@dataclass
class FakeReplicate:
    api_token: str
    clip: bytes
    outcome: str = "succeeded"  # or "failed", "hang"
    polls_to_finish: int = 2
    predict_time: float = 7.25
    predictions: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: list[dict[str, Any]] = field(default_factory=list)  # request bodies, with "path"
    cancelled: list[str] = field(default_factory=list)
    downloads: list[dict[str, str]] = field(default_factory=list)
    running: int = 0
    max_running: int = 0
    _polls: dict[str, int] = field(default_factory=dict)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/models/{owner}/{name}/predictions", self.create, methods=["POST"]),
                Route("/v1/predictions", self.create, methods=["POST"]),
                Route("/v1/predictions/{id}", self.get, methods=["GET"]),
                Route("/v1/predictions/{id}/cancel", self.cancel, methods=["POST"]),
                Route("/files/{name}", self.file, methods=["GET"]),
            ]
        )

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.api_token}"

    async def create(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return _problem(401, "Unauthenticated", "You did not pass a valid authentication token")
        body = await request.json()
        if not isinstance(body.get("input"), dict):
            return _problem(422, "Input validation failed", "input: Field required")
        if request.url.path == "/v1/predictions" and not body.get("version"):
            return _problem(422, "Input validation failed", "version: Field required")
        self.created.append({**body, "path": request.url.path})
        pid = secrets.token_hex(13)
        base = str(request.base_url).rstrip("/")
        owner, name = request.path_params.get("owner"), request.path_params.get("name")
        self.predictions[pid] = {
            "id": pid,
            "model": f"{owner}/{name}" if owner else "someone/some-model",
            "version": body.get("version", "hidden"),
            "input": body["input"],
            "logs": "",
            "output": None,
            "data_removed": False,
            "error": None,
            "status": "starting",
            "created_at": "2025-01-01T00:00:00.000Z",
            "urls": {
                "get": f"{base}/v1/predictions/{pid}",
                "cancel": f"{base}/v1/predictions/{pid}/cancel",
                "stream": f"{base}/v1/predictions/{pid}/stream",
            },
        }
        self._polls[pid] = 0
        self.running += 1
        self.max_running = max(self.max_running, self.running)
        return JSONResponse(self.predictions[pid], 201)

    def _finish(self, prediction: dict[str, Any], status: str, base: str) -> None:
        prediction["status"] = status
        prediction["completed_at"] = "2025-01-01T00:00:09.000Z"
        prediction["metrics"] = {
            "predict_time": self.predict_time,
            "total_time": self.predict_time + 1,
        }
        if status == "succeeded":
            prediction["output"] = f"{base}/files/{prediction['id']}.mp4"
        elif status == "failed":
            prediction["error"] = "CUDA out of memory"
        self.running -= 1

    async def get(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return _problem(401, "Unauthenticated", "You did not pass a valid authentication token")
        pid = request.path_params["id"]
        prediction = self.predictions.get(pid)
        if prediction is None:
            return _problem(404, "Not found", "The requested resource could not be found.")
        if prediction["status"] in ("starting", "processing"):
            self._polls[pid] += 1
            prediction["status"] = "processing"
            prediction["started_at"] = "2025-01-01T00:00:01.000Z"
            if self._polls[pid] >= self.polls_to_finish and self.outcome != "hang":
                self._finish(prediction, self.outcome, str(request.base_url).rstrip("/"))
        return JSONResponse(prediction)

    async def cancel(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return _problem(401, "Unauthenticated", "You did not pass a valid authentication token")
        pid = request.path_params["id"]
        prediction = self.predictions.get(pid)
        if prediction is None:
            return _problem(404, "Not found", "The requested resource could not be found.")
        self.cancelled.append(pid)
        if prediction["status"] in ("starting", "processing"):
            prediction["status"] = "canceled"
            self.running -= 1
        return JSONResponse(prediction)

    async def file(self, request: Request) -> Response:
        self.downloads.append(dict(request.headers))
        pid = request.path_params["name"].removesuffix(".mp4")
        if self.predictions.get(pid, {}).get("status") != "succeeded":
            return Response(status_code=404)
        return Response(self.clip, media_type="video/mp4")
