"""What web/ws_handlers.py needs of Strawberry's websocket handlers beyond their public API.

Written for strawberry-graphql 0.341.2, pinned exactly in pyproject.toml:
tests/web/test_strawberry_adapter.py checks every name, signature, attribute and behaviour used
here, and fails on an upgrade that changes one of them. Nothing else in the project touches
these internals.

Why each piece is needed:

- The handler classes (`TransportHandler`, `LegacyHandler`) are subclassed, and the view picks
  ours through `graphql_transport_ws_handler_class` / `graphql_ws_handler_class`: that is the
  only hook on a subscribe/start message before Strawberry runs it.
- `TransportOperations`: a watcher must count as one of the connection's operations, as
  Strawberry's own do: for ids in use (4409), the per-connection limit, complete, and the
  connection's end (`shutdown` cancels every operation's task). Strawberry keeps them in
  `handler.operations` as `Operation(handler, id, query, variables, operationName)` with a
  `task`, whose done callback is `handler._task_done` (it retrieves a task's exception so that
  asyncio does not log it as never retrieved). An operation is forgotten before its last
  message, as `Operation.send_operation_message` does, so that its id may be used again at once.
- `LegacyOperations`: the legacy protocol keeps only a task per id in `handler.tasks`: the
  limit counts it, a reused id replaces it, stop and the connection's end cancel it.
- `init_timer`: Strawberry waits for connection_init with a sleeping task per connection
  (`connection_init_timeout_task`); ours is a timer, and the task that closes with 4408 is
  stored where `shutdown` cancels it.
- `send_text`: the socket's own send (Starlette's WebSocket, `handler.websocket.ws`): a
  watcher's frames are JSON text already.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
    SubscribeMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import ErrorMessage as LegacyErrorMessage
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage

from resolvers.context import Context

STRAWBERRY_VERSION = "0.341.2"

TransportHandler = BaseGraphQLTransportWSHandler[Context, None]
LegacyHandler = BaseGraphQLWSHandler[Context, None]

__all__ = [
    "STRAWBERRY_VERSION",
    "ConnectionInitMessage",
    "ErrorMessage",
    "LegacyErrorMessage",
    "LegacyHandler",
    "LegacyOperations",
    "Operation",
    "StartMessage",
    "SubscribeMessage",
    "TransportHandler",
    "TransportOperations",
    "init_timer",
    "send_text",
]


def send_text(handler: TransportHandler | LegacyHandler) -> Callable[[str], Awaitable[None]]:
    """The connection's Starlette WebSocket.send_text."""
    send: Callable[[str], Awaitable[None]] = handler.websocket.ws.send_text  # type: ignore[attr-defined]  # the ASGI adapter's socket
    return send


def init_timer(handler: TransportHandler, close: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run `close` as the connection's init time-out task, where `shutdown` cancels it."""
    task = asyncio.create_task(close())
    handler.connection_init_timeout_task = task
    task.add_done_callback(handler._task_done)


class TransportOperations:
    """A graphql-transport-ws connection's operations, as Strawberry keeps them."""

    def __init__(self, handler: TransportHandler) -> None:
        self.handler = handler

    def count(self) -> int:
        return len(self.handler.operations)

    def __contains__(self, op_id: str) -> bool:
        return op_id in self.handler.operations

    def add(
        self,
        message: SubscribeMessage,
        run: Callable[[Operation[Context, None]], Coroutine[Any, Any, None]],
    ) -> Operation[Context, None]:
        """Register an operation for `message` and run `run(operation)` as its task."""
        payload = message["payload"]
        operation: Operation[Context, None] = Operation(
            self.handler,
            message["id"],
            payload["query"],
            payload.get("variables"),
            payload.get("operationName"),
        )
        self.handler.operations[operation.id] = operation
        operation.task = asyncio.create_task(run(operation))
        operation.task.add_done_callback(self.handler._task_done)
        return operation

    def forget(self, operation: Operation[Context, None]) -> bool:
        """Free its id (before its last message is sent); False when it was no longer there
        (stopped, or replaced)."""
        if self.handler.operations.get(operation.id) is not operation:
            return False
        del self.handler.operations[operation.id]
        return True


class LegacyOperations:
    """A legacy graphql-ws connection's operations: a task per id, as Strawberry keeps them."""

    def __init__(self, handler: LegacyHandler) -> None:
        self.handler = handler

    def count(self) -> int:
        return len(self.handler.tasks)

    def __contains__(self, op_id: str) -> bool:
        return op_id in self.handler.tasks

    def add(self, op_id: str, run: Coroutine[Any, Any, None]) -> None:
        self.handler.tasks[op_id] = asyncio.create_task(run)

    def take(self, op_id: str) -> asyncio.Task[Any] | None:
        """Forget the operation's task and hand it back (None when there is none)."""
        return self.handler.tasks.pop(op_id, None)
