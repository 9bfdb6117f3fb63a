"""A small GraphQL client: queries and mutations over HTTP (with multipart uploads per the
GraphQL multipart request spec) and subscriptions over graphql-transport-ws."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import websockets


class GraphQLError(Exception):
    """The server answered with errors (or not at all); the message is for people."""


class Client:
    def __init__(self, url: str, api_key: str | None = None, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        if not self.url.endswith("/graphql"):
            self.url += "/graphql"
        self.api_key = api_key
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.AsyncClient(headers=headers, timeout=timeout)

    @property
    def base_url(self) -> str:
        return self.url.removesuffix("/graphql")

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        files: dict[str, Path] | None = None,
    ) -> dict[str, Any]:
        """Run a query or mutation; `files` maps variable paths (e.g.
        "input.productImage") to local files, sent as a multipart request."""
        try:
            if files:
                response = await self._http.post(
                    self.url, **_multipart(query, variables or {}, files)
                )
            else:
                response = await self._http.post(
                    self.url, json={"query": query, "variables": variables or {}}
                )
        except httpx.HTTPError as exc:
            raise GraphQLError(f"cannot reach {self.url}: {exc}") from exc
        if response.status_code == 401:
            raise GraphQLError("the server refused the API key (set ADREEL_API_KEY or --api-key)")
        try:
            body: dict[str, Any] = response.json()
        except ValueError as exc:
            raise GraphQLError(f"HTTP {response.status_code} from {self.url}") from exc
        if body.get("errors"):
            raise GraphQLError("; ".join(e.get("message", "?") for e in body["errors"]))
        if response.status_code >= 400:
            raise GraphQLError(f"HTTP {response.status_code} from {self.url}")
        data: dict[str, Any] = body["data"]
        return data

    async def download(self, url: str, target: Path) -> Path:
        """Fetch a media URL (relative to the server, or absolute) into `target`."""
        absolute = url if url.startswith("http") else f"{self.base_url}{url}"
        partial = target.with_name(target.name + ".part")
        async with self._http.stream("GET", absolute) as response:
            if response.status_code != 200:
                raise GraphQLError(f"download failed: HTTP {response.status_code} for {absolute}")
            with partial.open("wb") as handle:
                async for chunk in response.aiter_bytes():
                    handle.write(chunk)
        partial.replace(target)
        return target

    async def subscribe(
        self, query: str, variables: dict[str, Any]
    ) -> AsyncIterator[dict[str, Any]]:
        """Each result of a subscription, over graphql-transport-ws, until it completes."""
        ws_url = "ws" + self.url.removeprefix("http")
        payload = {"authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            async with websockets.connect(
                ws_url,
                subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
                open_timeout=10,
            ) as socket:
                await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
                ack = json.loads(await socket.recv())
                if ack.get("type") != "connection_ack":
                    raise GraphQLError(f"the server did not accept the connection: {ack}")
                message = {"id": "1", "type": "subscribe", "payload": {
                    "query": query, "variables": variables}}  # fmt: skip
                await socket.send(json.dumps(message))
                async for raw in socket:
                    message = json.loads(raw)
                    kind = message.get("type")
                    if kind == "ping":
                        await socket.send(json.dumps({"type": "pong"}))
                    elif kind == "next":
                        result = message["payload"]
                        if result.get("errors"):
                            raise GraphQLError(
                                "; ".join(e.get("message", "?") for e in result["errors"])
                            )
                        yield result["data"]
                    elif kind == "error":
                        raise GraphQLError(
                            "; ".join(e.get("message", "?") for e in message["payload"])
                        )
                    elif kind == "complete":
                        return
        except websockets.ConnectionClosedError as exc:
            reason = "the API key was refused" if exc.rcvd and exc.rcvd.code == 4403 else str(exc)
            raise GraphQLError(f"live progress connection closed: {reason}") from exc
        except (OSError, websockets.InvalidHandshake) as exc:
            raise GraphQLError(f"cannot open live progress at {ws_url}: {exc}") from exc


def _multipart(query: str, variables: dict[str, Any], files: dict[str, Path]) -> dict[str, Any]:
    operations = {"query": query, "variables": variables}
    mapping = {str(i): [f"variables.{path}"] for i, path in enumerate(files)}
    parts = {
        str(i): (file.name, file.read_bytes(), mimetypes.guess_type(file.name)[0] or "image/png")
        for i, file in enumerate(files.values())
    }
    return {
        "data": {"operations": json.dumps(operations), "map": json.dumps(mapping)},
        "files": parts,
        "headers": {"Apollo-Require-Preflight": "true"},
    }
