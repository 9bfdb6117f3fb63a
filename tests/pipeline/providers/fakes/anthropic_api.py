"""A fake Anthropic Messages API (POST /v1/messages).

Checks what the real API checks first (x-api-key, anthropic-version, model/max_tokens/messages),
answers a forced tool choice with a `tool_use` content block and `usage`, and errors with the
real shape: `{"type": "error", "error": {"type": "overloaded_error", "message": ...}}` with
statuses 400/401/429/500/529 and a `request-id` header. Planned replies (`plan`) are used first,
in order; after them every request gets the default answer, or `always` if set.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ANALYSIS_TOOL = "record_product_analysis"
SCRIPT_TOOL = "write_ad_script"
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


@dataclass
class Reply:
    """One planned answer: an error, a custom tool input, or a delay before the default."""

    status: int = 200
    error_message: str = ""
    tool_input: dict[str, Any] | None = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, message: str = "", **headers: str) -> Reply:
    return Reply(status=status, error_message=message or ERROR_TYPES[status], headers=headers)


@dataclass
class FakeAnthropic:
    api_key: str
    script: dict[str, Any]
    analysis: dict[str, Any]
    usage: dict[str, tuple[int, int]] = field(
        default_factory=lambda: {ANALYSIS_TOOL: (1812, 196), SCRIPT_TOOL: (1333, 587)}
    )
    plan: list[Reply] = field(default_factory=list)
    always: Reply | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/messages", self.messages, methods=["POST"])])

    def tool_requests(self, tool: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r.get("tool_choice", {}).get("name") == tool]

    @staticmethod
    def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
        body = {"type": "error", "error": {"type": ERROR_TYPES[status], "message": message}}
        return JSONResponse(
            body, status, headers={"request-id": f"req_{uuid.uuid4().hex}", **(headers or {})}
        )

    async def messages(self, request: Request) -> JSONResponse:
        if request.headers.get("x-api-key") != self.api_key:
            return self._error(401, "invalid x-api-key")
        if not request.headers.get("anthropic-version"):
            return self._error(400, "anthropic-version: header is required")
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        for name in ("model", "max_tokens", "messages"):
            if name not in body:
                return self._error(400, f"{name}: Field required")
        reply = self.plan.pop(0) if self.plan else (self.always or Reply())
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.status != 200:
            return self._error(reply.status, reply.error_message, reply.headers)
        tool = (body.get("tool_choice") or {}).get("name")
        if tool not in (ANALYSIS_TOOL, SCRIPT_TOOL):
            return self._error(400, "tool_choice: this fake only answers forced tool calls")
        if not any(t.get("name") == tool and "input_schema" in t for t in body.get("tools", [])):
            return self._error(400, f"tool_choice names {tool}, which is not in tools")
        tool_input = reply.tool_input
        if tool_input is None:
            tool_input = self.analysis if tool == ANALYSIS_TOOL else self.script
        input_tokens, output_tokens = self.usage[tool]
        return JSONResponse(
            {
                "id": f"msg_{uuid.uuid4().hex[:24]}",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": [
                    {
                        "type": "tool_use",
                        "id": f"toolu_{uuid.uuid4().hex[:24]}",
                        "name": tool,
                        "input": tool_input,
                    }
                ],
                "stop_reason": "tool_use",
                "stop_sequence": None,
                "usage": {
                    "input_tokens": input_tokens,
                    "output_tokens": output_tokens,
                    "cache_creation_input_tokens": 0,
                    "cache_read_input_tokens": 0,
                },
            },
            headers={"request-id": f"req_{uuid.uuid4().hex}"},
        )
