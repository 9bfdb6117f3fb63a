"""jobProgress over websockets: frames written from the event hub straight to the sockets.

Strawberry runs a subscription as a task per subscriber iterating a generator, and every event
goes through graphql-core's per-event map and Strawberry's per-result path for each subscriber
in turn: for a thousand watchers of one job, a thousand task wake-ups per event. Here a
websocket's jobProgress operation is a `Watcher`, a hub subscriber whose `offer` writes the
event's frame to its socket at once, from the hub's reader: the selection is executed once per
event for every watcher with the same document and variables (`Selection`), encoded once, and
each watcher's frame is that text inside its own small envelope (its operation id).

A write that cannot finish at once (the client does not read and its socket's buffer is full)
carries on as a task of its own (`run_eagerly`), and until it is done that watcher's events wait
in its mailbox, conflated as the hub's are (events/hub.py): a slow socket never delays the
others, and costs bounded memory.

What is passed on is the job's ProgressFeed's to decide (resolvers/progress.py, the one place
the snapshot-then-live rule is written): join the hub (Redis confirms the channel), then read
the snapshot, then only events with a higher sequence, to a terminal status. Events that arrive
while the snapshot is read or written wait in the mailbox. A RESYNC re-reads the snapshot.

This is the only way jobProgress is delivered. Every valid subscription document whose one root
field is jobProgress (fragments at the root included) is planned here; what Strawberry runs is
the refusal of the rest, unchanged (web/ws_handlers.py): errors, limits, close codes, and a job
that is not the caller's.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Generator
from dataclasses import dataclass
from typing import Any

import structlog
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
    execute_sync,
    get_operation_ast,
)
from graphql.execution.values import get_argument_values, get_variable_values

from events.format import JobEvent
from events.hub import EventHub, Signal, Subscriber
from resolvers.context import Context
from resolvers.errors import PublicError
from resolvers.jobs import parse_job_id
from resolvers.progress import JobGone, ProgressFeed
from resolvers.services import Services
from schema import Schema
from schema.subscription import JobProgressEvent

log = structlog.get_logger("web.fanout")

FIELD = "jobProgress"
PLANS = 4096  # distinct (document, variables) pairs kept planned: one per watched job, mostly


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


# --- running a coroutine now ----------------------------------------------------------------


def run_eagerly(coro: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
    """Run `coro` at once, up to its first suspension: None when it finished without one (a
    socket write that fit in the buffer), else a task that carries it on from there. Python
    3.12's eager tasks do this; 3.11 has none. Exceptions of the first step are raised here."""
    try:
        yielded = coro.send(None)
    except StopIteration:
        return None
    except BaseException:
        coro.close()
        raise
    task = asyncio.ensure_future(_resume(coro, yielded))
    # A task cancelled before its first step never enters _resume: close `coro` all the same,
    # so its finally blocks run (a no-op once it has finished).
    task.add_done_callback(lambda _task: coro.close())
    return task


async def _resume(coro: Coroutine[Any, Any, None], yielded: Any) -> None:
    await _CarryOn(coro, yielded)


class _CarryOn:
    """`yield from coro` for a coroutine already suspended on `yielded`: each future it waits
    on goes to the task that awaits this, and what the task sends or throws goes back in."""

    def __init__(self, coro: Coroutine[Any, Any, None], yielded: Any) -> None:
        self.coro = coro
        self.yielded = yielded

    def __await__(self) -> Generator[Any, Any, None]:
        coro, yielded = self.coro, self.yielded
        while True:
            try:
                sent = yield yielded
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:
                try:
                    yielded = coro.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    yielded = coro.send(sent)
                except StopIteration:
                    return


# --- what a watcher is sent ------------------------------------------------------------------


@dataclass(frozen=True)
class Envelope:
    """A protocol's result and completion messages around an operation id."""

    result: str  # "next" (graphql-transport-ws) or "data" (legacy graphql-ws)

    def frames(self, op_id: str) -> tuple[str, str]:
        """The text before a payload, and the whole completion message."""
        id_json = _dumps(op_id)
        return (
            f'{{"id":{id_json},"type":"{self.result}","payload":',
            f'{{"id":{id_json},"type":"complete"}}',
        )


TRANSPORT_WS = Envelope("next")
LEGACY_WS = Envelope("data")


class Selection:
    """One subscription document with its variables: executed once per event for every
    watcher that sent the same, and encoded once."""

    __slots__ = ("_last", "document", "job_id", "operation_name", "schema", "variables")

    def __init__(
        self,
        schema: Schema,
        document: DocumentNode,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        job_id: uuid.UUID,
    ) -> None:
        self.schema = schema
        self.document = document
        self.operation_name = operation_name
        self.variables = variables
        self.job_id = job_id
        self._last: tuple[JobEvent, str] | None = None

    def payload(self, event: JobEvent, context: Context) -> str:
        """The `payload` of the result message for `event`, as JSON text."""
        last = self._last
        if last is not None and last[0] is event:
            return last[1]
        view = JobProgressEvent.shared(event, context.media)
        result = execute_sync(
            self.schema._schema,
            self.document,
            root_value=view,
            context_value=context,
            variable_values=self.variables,
            operation_name=self.operation_name,
        )
        if result.errors:
            self.schema.process_errors(result.errors)
            errors = [_public(error) for error in result.errors]
            text = _dumps({"data": result.data, "errors": errors})
        else:
            text = f'{{"data":{_dumps(result.data)}}}'
        self._last = (event, text)
        return text


def _public(error: GraphQLError) -> dict[str, Any]:
    original = error.original_error
    if original is None or isinstance(original, PublicError | GraphQLError):
        return dict(error.formatted)
    return dict(GraphQLError("Unexpected error.", error.nodes, path=error.path).formatted)


# --- the watcher -----------------------------------------------------------------------------


class Watcher(Subscriber):
    """One jobProgress operation on one socket, fed by the hub (see the module docstring); what
    it passes on is its ProgressFeed's to decide (resolvers/progress.py)."""

    def __init__(
        self,
        fanout: FanOut,
        selection: Selection,
        context: Context,
        send: Callable[[str], Awaitable[None]],
        envelope: Envelope,
        op_id: str,
        on_end: Callable[[Watcher], None],
    ) -> None:
        super().__init__(str(selection.job_id))
        self.feed = ProgressFeed(fanout.hub, fanout.snapshot, self, selection.job_id, context.owner)
        self.selection = selection
        self.context = context
        self.send = send
        self.head, self.complete = envelope.frames(op_id)
        self.on_end = on_end
        self.live = False  # the snapshot is out: events may be written as they come
        self.ended = False
        self.sending: asyncio.Task[None] | None = None  # a write (or resync) still going on

    # --- from the hub ------------------------------------------------------------------------

    def offer(self, item: JobEvent | Signal) -> None:
        if self.ended:
            return
        if self.live and self.sending is None and not self.mailbox.qsize():
            self._deliver(item)
        else:
            self.mailbox.offer(item)

    def _deliver(self, item: JobEvent | Signal) -> None:
        """Write `item` now (the watcher is live and not writing)."""
        if item is Signal.RESYNC:
            self._write(self._resync())
            return
        assert isinstance(item, JobEvent)
        event = self.feed.admit(item)
        if event is not None:
            self._write(self._send_all(self._frames(event)))

    def _frames(self, event: JobEvent) -> list[str]:
        """The messages that tell `event`, which the feed admitted; the job's last event ends
        the watcher (its write may still go on)."""
        frames = [f"{self.head}{self.selection.payload(event, self.context)}}}"]
        if self.feed.finished:
            frames.append(self.complete)
            self._end()
        return frames

    async def _send_all(self, frames: list[str]) -> None:
        for frame in frames:
            await self.send(frame)

    async def _resync(self) -> None:
        """Events may have been missed: send the job's state now, if it is newer."""
        try:
            event = await self.feed.resync()
        except Exception as exc:  # deleted while watched, or the database failed: it ends here
            if not isinstance(exc, JobGone):
                log.exception("fanout.resync_failed", job_id=self.job_id)
            self._end()
            await self.send(self.complete)
            return
        if event is not None:
            await self._send_all(self._frames(event))

    def _write(self, coro: Coroutine[Any, Any, None]) -> None:
        try:
            task = run_eagerly(coro)
        except Exception:
            self.stop()  # the socket is gone: its connection's handler cleans up
            return
        if task is not None:
            self.sending = task
            task.add_done_callback(self._written)

    def _written(self, task: asyncio.Task[None]) -> None:
        self.sending = None
        if task.cancelled() or task.exception() is not None:
            self.stop()
            return
        self._drain()

    def _drain(self) -> None:
        """Write what waited in the mailbox, until a write has to wait in turn."""
        while self.live and not self.ended and self.sending is None and self.mailbox.qsize():
            self._deliver(self.mailbox.pop())

    # --- the operation -----------------------------------------------------------------------

    async def start(self) -> bool:
        """Open the feed (join the hub, read the snapshot), send the snapshot, go live. False
        when the job is not the caller's or cannot be read: nothing was sent, and the caller
        lets Strawberry answer."""
        first = await self.feed.open()
        if first is None:
            return False
        if self.ended:  # stopped (the client, or its socket) while the snapshot was read
            return True
        try:
            await self._send_all(self._frames(first))
        except BaseException:
            self.stop()
            raise
        self.live = True
        self._drain()  # what came while the snapshot was read and sent
        return True

    def _end(self) -> None:
        """The job's last message is on its way: no more events, the operation is over."""
        if self.ended:
            return
        self.ended = True
        self.feed.close()
        self.on_end(self)

    def stop(self) -> None:
        """The client stopped the operation, or its socket is gone."""
        self.ended = True
        self.feed.close()
        if self.sending is not None:
            self.sending.cancel()


class FanOut:
    """The API process's jobProgress writer: what watchers share (the hub, the snapshot
    reader, the planned documents)."""

    def __init__(self, schema: Schema, services: Services) -> None:
        self.schema = schema
        self._hub = services.hub
        # Batched with every other watcher's (resolvers/snapshots.py).
        self.snapshot = services.snapshots.read
        self._plans: OrderedDict[tuple[str, str | None, str], Selection | None] = OrderedDict()

    @property
    def hub(self) -> EventHub:
        assert self._hub is not None
        return self._hub

    def plan(self, payload: object) -> Selection | None:
        """The selection of a subscribe message's payload when this path serves it: a valid
        document whose one root field is jobProgress, with a well-formed job id."""
        if self._hub is None or not isinstance(payload, dict):
            return None
        query, name, variables = (
            payload.get("query"),
            payload.get("operationName"),
            payload.get("variables"),
        )
        if not isinstance(query, str) or not (name is None or isinstance(name, str)):
            return None
        if not (variables is None or isinstance(variables, dict)):
            return None
        try:
            key = (query, name, _dumps(variables) if variables else "")
        except (TypeError, ValueError):
            return None
        if key in self._plans:
            self._plans.move_to_end(key)
            return self._plans[key]
        selection = self._plan(query, name, variables)
        self._plans[key] = selection
        if len(self._plans) > PLANS:
            self._plans.popitem(last=False)
        return selection

    def _plan(
        self, query: str, name: str | None, variables: dict[str, Any] | None
    ) -> Selection | None:
        schema = self.schema._schema
        document = self.schema.prepared.document(schema, query)
        if document is None:
            return None
        operation = get_operation_ast(document, name)
        field = _job_progress_field(document, operation)
        if field is None:
            return None
        assert operation is not None and schema.subscription_type is not None
        coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
        if isinstance(coerced, list):  # variable errors
            return None
        arguments = get_argument_values(schema.subscription_type.fields[FIELD], field, coerced)
        job_id = parse_job_id(str(arguments.get("jobId", "")))
        if job_id is None:
            return None
        return Selection(self.schema, document, name, variables, job_id)


def _job_progress_field(
    document: DocumentNode, operation: OperationDefinitionNode | None
) -> FieldNode | None:
    """The jobProgress field of a subscription whose one root field it is, through fragments;
    None for anything else, or for directives anywhere at the root (Strawberry answers those)."""
    if operation is None or operation.operation != OperationType.SUBSCRIPTION:
        return None
    if operation.directives:
        return None
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    pending: list[SelectionNode] = list(operation.selection_set.selections)
    fields: list[FieldNode] = []
    seen: set[str] = set()
    while pending:
        selection = pending.pop()
        if selection.directives:
            return None
        if isinstance(selection, FieldNode):
            fields.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            pending.extend(selection.selection_set.selections)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)
            fragment = fragments.get(selection.name.value)
            if fragment is None or fragment.directives:
                return None
            pending.extend(fragment.selection_set.selections)
    # Validation merged same-named fields with the same arguments: one response key, one field.
    if not fields or {(f.alias or f.name).value for f in fields} != {
        (fields[0].alias or fields[0].name).value
    }:
        return None
    if any(f.name.value != FIELD for f in fields):
        return None
    return fields[0]
