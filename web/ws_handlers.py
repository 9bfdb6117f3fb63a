"""Strawberry's two websocket protocol handlers, with jobProgress served by the fan-out writer.

A subscribe (graphql-transport-ws) or start (legacy graphql-ws, as GraphQL Playground and
subscriptions-transport-ws speak it) that web/fanout.py can plan becomes a Watcher: the
operation is registered where Strawberry keeps its operations, so ids, the per-connection limit,
stop/complete and the connection's end behave as they always have, and its task only lives
until the snapshot is out. Every other message, and every operation the fan-out does not plan or
whose job is not the caller's, is Strawberry's own handling: the same errors and close codes.
Strawberry's internals are reached only through web/strawberry_adapter.py.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog
from graphql import GraphQLFormattedError

from resolvers.progress import START_FAILED
from web.fanout import LEGACY_WS, TRANSPORT_WS, FanOut, Watcher
from web.strawberry_adapter import (
    ConnectionInitMessage,
    ErrorMessage,
    LegacyErrorMessage,
    LegacyHandler,
    LegacyOperations,
    Operation,
    StartMessage,
    SubscribeMessage,
    TransportHandler,
    TransportOperations,
    init_timer,
    send_text,
)

log = structlog.get_logger("web.fanout")
# What a watcher that could not start is told (a GraphQL error, in either protocol's error
# message); the details are in the server's log.
WATCH_FAILED: GraphQLFormattedError = {"message": START_FAILED}


def _fanout(handler: TransportHandler | LegacyHandler) -> FanOut:
    fanout: FanOut = handler.view.fanout  # type: ignore[attr-defined]  # GraphQLView's
    return fanout


class TransportWSHandler(TransportHandler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ops = TransportOperations(self)
        self.watchers: dict[str, Watcher] = {}  # this connection's, by operation id
        self._init_timer: asyncio.TimerHandle | None = None

    # Strawberry waits for connection_init with a task per connection that sleeps; a timer does
    # the same with none (the rate of handshakes is what a reconnect storm waits on).
    def on_request_accepted(self) -> None:
        self._init_timer = asyncio.get_running_loop().call_later(
            self.connection_init_wait_timeout.total_seconds(), self._init_timed_out
        )

    def _init_timed_out(self) -> None:
        if not self.connection_init_received:
            init_timer(self, self._close_uninitialised)

    async def _close_uninitialised(self) -> None:
        self.connection_timed_out = True
        await self.websocket.close(code=4408, reason="Connection initialisation timeout")

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        if self._init_timer is not None and not self.connection_timed_out:
            self._init_timer.cancel()
        await super().handle_connection_init(message)

    async def shutdown(self) -> None:
        if self._init_timer is not None:
            self._init_timer.cancel()
        await super().shutdown()

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        op_id = message["id"]
        limit = self.max_subscriptions_per_connection
        plain = (
            self.connection_acknowledged
            and self.context.owner
            and op_id not in self.ops
            and (limit is None or self.ops.count() < limit)
        )
        selection = _fanout(self).plan(message.get("payload")) if plain else None
        if selection is None:
            await super().handle_subscribe(message)
            return

        def ended(_watcher: Watcher) -> None:
            self.ops.forget(operation)
            self.watchers.pop(op_id, None)

        watcher = Watcher(
            _fanout(self), selection, self.context, send_text(self), TRANSPORT_WS, op_id, ended
        )
        self.watchers[op_id] = watcher
        operation = self.ops.add(message, lambda op: self._watch(op, watcher, message))

    async def _watch(
        self, operation: Operation[Any, None], watcher: Watcher, message: SubscribeMessage
    ) -> None:
        try:
            started = await watcher.start()
        except Exception:
            # A bug, or the socket gone: never leave the client waiting, nor let it take an
            # empty stream for a finished one: an error, so that it subscribes again.
            log.exception("fanout.watch_failed", job_id=watcher.job_id)
            watcher.stop()
            if self.ops.forget(operation):
                self.watchers.pop(operation.id, None)
                with contextlib.suppress(Exception):
                    failed: ErrorMessage = {
                        "id": operation.id,
                        "type": "error",
                        "payload": [WATCH_FAILED],
                    }
                    await self.send_message(failed)
            return
        if started:
            return
        # Not the caller's job (or unreadable): Strawberry's answer, as it has always been.
        if self.ops.forget(operation):
            self.watchers.pop(operation.id, None)
            await super().handle_subscribe(message)

    async def cleanup_operation(self, operation_id: str) -> None:
        watcher = self.watchers.pop(operation_id, None)
        if watcher is not None:
            watcher.stop()
        await super().cleanup_operation(operation_id)


class LegacyWSHandler(LegacyHandler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ops = LegacyOperations(self)
        self.watchers: dict[str, Watcher] = {}  # this connection's, by operation id

    async def handle_start(self, message: StartMessage) -> None:
        op_id = message["id"]
        if self.connection_acknowledged and op_id in self.ops:
            await self.cleanup_operation(op_id)  # as Strawberry does: a reused id replaces
        limit = self.max_subscriptions_per_connection
        plain = (
            self.connection_acknowledged
            and self.context.owner
            and (limit is None or self.ops.count() < limit)
        )
        selection = _fanout(self).plan(message.get("payload")) if plain else None
        if selection is None:
            await super().handle_start(message)
            return

        def ended(_watcher: Watcher) -> None:
            if self.watchers.get(op_id) is watcher:
                del self.watchers[op_id]
                self.ops.take(op_id)

        watcher = Watcher(
            _fanout(self), selection, self.context, send_text(self), LEGACY_WS, op_id, ended
        )
        self.watchers[op_id] = watcher
        self.ops.add(op_id, self._watch(watcher, message))

    async def _watch(self, watcher: Watcher, message: StartMessage) -> None:
        op_id = message["id"]
        try:
            started = await watcher.start()
        except Exception:
            # A bug, or the socket gone: never leave the client waiting, nor let it take an
            # empty stream for a finished one: an error, so that it subscribes again.
            log.exception("fanout.watch_failed", job_id=watcher.job_id)
            watcher.stop()
            if self.watchers.get(op_id) is watcher:
                del self.watchers[op_id]
                self.ops.take(op_id)
                with contextlib.suppress(Exception):
                    failed: LegacyErrorMessage = {
                        "type": "error",
                        "id": op_id,
                        "payload": WATCH_FAILED,
                    }
                    await self.send_message(failed)
            return
        if started:
            return
        if self.watchers.get(op_id) is watcher:
            del self.watchers[op_id]
            self.ops.take(op_id)
            await super().handle_start(message)

    async def cleanup_operation(self, operation_id: str) -> None:
        watcher = self.watchers.pop(operation_id, None)
        if watcher is None:
            await super().cleanup_operation(operation_id)
            return
        watcher.stop()
        task = self.ops.take(operation_id)
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        # Strawberry's stopped operation says complete; so does this one (if the socket is open).
        with contextlib.suppress(Exception):
            await self.send_message({"type": "complete", "id": operation_id})
