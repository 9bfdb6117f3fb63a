"""Strawberry's internals that web/strawberry_adapter.py touches, for strawberry-graphql 0.341.2.

pyproject.toml pins that version exactly. An upgrade that changes any of these fails here, by
name, before a websocket misbehaves: check each failure against web/strawberry_adapter.py,
adapt it, and move STRAWBERRY_VERSION and the pin together.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
from datetime import timedelta
from importlib.metadata import version
from typing import Any

import pytest
from strawberry.asgi import GraphQL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from web import strawberry_adapter
from web.strawberry_adapter import LegacyOperations, TransportOperations, init_timer


def test_the_installed_strawberry_is_the_one_the_adapter_was_written_for() -> None:
    assert version("strawberry-graphql") == strawberry_adapter.STRAWBERRY_VERSION == "0.341.2"


def test_the_handler_hooks_and_view_attributes_are_there() -> None:
    view_init = inspect.signature(GraphQL.__init__).parameters
    assert {"max_subscriptions_per_connection", "connection_init_wait_timeout"} <= set(view_init)
    # The view builds its handlers from these class attributes: ours replace them.
    transport: Any = inspect.getattr_static(GraphQL, "graphql_transport_ws_handler_class")
    assert getattr(transport, "__origin__", transport) is BaseGraphQLTransportWSHandler
    legacy: Any = inspect.getattr_static(GraphQL, "graphql_ws_handler_class")
    assert getattr(legacy, "__origin__", legacy) is BaseGraphQLWSHandler
    overridden = {
        BaseGraphQLTransportWSHandler: [
            "on_request_accepted",
            "handle_connection_init",
            "shutdown",
            "handle_subscribe",
            "cleanup_operation",
            "send_message",
            "_task_done",
        ],
        BaseGraphQLWSHandler: ["handle_start", "cleanup_operation", "send_message"],
    }
    for cls, names in overridden.items():
        for name in names:
            assert callable(getattr(cls, name, None)), f"{cls.__name__}.{name}"
    assert list(inspect.signature(Operation.__init__).parameters) == [
        "self",
        "handler",
        "id",
        "query",
        "variables",
        "operation_name",
    ]
    assert {"id", "task", "completed"} <= set(Operation.__slots__)


def _transport_handler() -> BaseGraphQLTransportWSHandler[Any, None]:
    return BaseGraphQLTransportWSHandler(
        view=None,  # type: ignore[arg-type]
        websocket=None,  # type: ignore[arg-type]
        context=None,
        root_value=None,
        schema=None,  # type: ignore[arg-type]
        connection_init_wait_timeout=timedelta(seconds=1),
        max_subscriptions_per_connection=None,
    )


async def test_a_registered_operation_is_strawberrys_own_for_ids_limits_and_shutdown() -> None:
    handler = _transport_handler()
    for name in ("operations", "connection_init_timeout_task", "connection_init_received"):
        assert hasattr(handler, name), name
    ops = TransportOperations(handler)
    ran = asyncio.Event()

    async def run(operation: Operation[Any, None]) -> None:
        assert operation.id == "a" and operation.query == "subscription { x }"
        ran.set()
        await asyncio.Event().wait()

    message: Any = {"id": "a", "type": "subscribe", "payload": {"query": "subscription { x }"}}
    operation = ops.add(message, run)
    assert "a" in ops and ops.count() == 1 and handler.operations["a"] is operation
    await asyncio.wait_for(ran.wait(), 5)
    # Strawberry's own complete cancels our task, as it would its own operation's...
    await handler.cleanup_operation("a")
    assert "a" not in ops
    with pytest.raises(asyncio.CancelledError):
        await operation.task  # type: ignore[misc]
    assert not ops.forget(operation)  # ...and forgetting it twice is harmless.
    # shutdown cancels every registered operation's task.
    second: Any = {**message, "id": "b"}
    operation = ops.add(second, run)
    await handler.shutdown()
    assert operation.task is not None and operation.task.cancelled() and ops.count() == 0


async def test_task_done_retrieves_a_failure_and_shutdown_cancels_the_init_timer() -> None:
    handler = _transport_handler()

    async def boom() -> None:
        raise RuntimeError("boom")

    loop = asyncio.get_running_loop()
    unretrieved: list[Any] = []
    loop.set_exception_handler(lambda _loop, context: unretrieved.append(context))
    try:
        init_timer(handler, boom)
        task = handler.connection_init_timeout_task
        assert task is not None
        for _ in range(3):
            await asyncio.sleep(0)
        assert task.done()
        # Never awaited: only _task_done retrieved its exception, or asyncio logs it when the
        # task is collected.
        del task
        handler.connection_init_timeout_task = None
        gc.collect()

        async def forever() -> None:
            await asyncio.Event().wait()

        init_timer(handler, forever)
        waiting = handler.connection_init_timeout_task
        await handler.shutdown()
        assert waiting is not None and waiting.cancelled()
    finally:
        loop.set_exception_handler(None)
    assert unretrieved == []


async def test_legacy_operations_are_strawberrys_tasks() -> None:
    handler: BaseGraphQLWSHandler[Any, None] = BaseGraphQLWSHandler(
        view=None,  # type: ignore[arg-type]
        websocket=None,  # type: ignore[arg-type]
        context=None,
        root_value=None,
        schema=None,  # type: ignore[arg-type]
        keep_alive=False,
        keep_alive_interval=None,
        max_subscriptions_per_connection=None,
    )
    ops = LegacyOperations(handler)

    async def forever() -> None:
        await asyncio.Event().wait()

    ops.add("1", forever())
    assert "1" in ops and ops.count() == 1 and "1" in handler.tasks
    task = handler.tasks["1"]
    await handler.cleanup_operation("1")  # stop / a reused id, in Strawberry's hands
    assert task.cancelled() and "1" not in ops and ops.take("1") is None


def test_the_socket_under_strawberrys_adapter_is_starlettes() -> None:
    from strawberry.asgi import ASGIWebSocketAdapter

    socket = object()
    adapter = ASGIWebSocketAdapter(None, socket, socket)  # type: ignore[arg-type]
    assert adapter.ws is socket  # send_text() sends on handler.websocket.ws
