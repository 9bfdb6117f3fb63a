"""A fake OpenAI speech endpoint (POST /v1/audio/speech) returning real audio.

Like the real one it wants `Authorization: Bearer <key>`, a model, an input of at most 4096
characters and a known voice and response_format, answers with the audio bytes (MP3 made by
ffmpeg: a tone lasting ~0.3 s per word, so long lines have to be fitted), and errors with
`{"error": {"message", "type", "param", "code"}}`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pipeline.shared.ffmpeg import ffmpeg_exe

VOICES = {"alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer"}
FORMATS = {"mp3": ("mp3", "libmp3lame", "audio/mpeg"), "wav": ("wav", "pcm_s16le", "audio/wav")}
SECONDS_PER_WORD = 0.3


def _error(status: int, message: str, kind: str, code: str | None = None) -> JSONResponse:
    return JSONResponse(
        {"error": {"message": message, "type": kind, "param": None, "code": code}}, status
    )


async def tone(seconds: float, fmt: str) -> bytes:
    muxer, codec, _ = FORMATS[fmt]
    proc = await asyncio.create_subprocess_exec(
        ffmpeg_exe(),
        "-nostdin",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=330:sample_rate=24000:duration={seconds:.3f}",
        "-ac",
        "1",
        "-c:a",
        codec,
        "-f",
        muxer,
        "pipe:1",
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await proc.communicate()
    return out


@dataclass
class FakeSpeech:
    api_key: str
    fail_with: int | None = None  # answer every request with this status
    requests: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/audio/speech", self.speech, methods=["POST"])])

    async def speech(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(
                401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
            )
        body = await request.json()
        self.requests.append(body)
        if self.fail_with:
            return _error(
                self.fail_with,
                "The server had an error while processing your request.",
                "server_error",
            )
        text = body.get("input")
        if not body.get("model") or not isinstance(text, str) or not text:
            return _error(400, "model and input are required", "invalid_request_error")
        if len(text) > 4096:
            return _error(400, "input is longer than 4096 characters", "invalid_request_error")
        if body.get("voice") not in VOICES:
            return _error(
                400, f"voice {body.get('voice')!r} is not supported", "invalid_request_error"
            )
        fmt = body.get("response_format", "mp3")
        if fmt not in FORMATS:
            return _error(
                400, f"response_format {fmt!r} is not supported here", "invalid_request_error"
            )
        seconds = max(0.4, SECONDS_PER_WORD * len(text.split()) / float(body.get("speed", 1.0)))
        return Response(await tone(seconds, fmt), media_type=FORMATS[fmt][2])
