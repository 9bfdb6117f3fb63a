"""Websocket messages with a shared payload: what goes on the wire is what json.dumps would send,
and one event's data is encoded once for all of its subscribers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from web import ws_frames
from web.ws_frames import SharedFrames

DATA = {"jobProgress": {"sequence": 7, "status": "PROCESSING", "message": 'say "hi" é'}}


@pytest.mark.parametrize(
    "message",
    [
        {"id": "1", "type": "next", "payload": {"data": DATA}},
        {"type": "data", "id": 'op "2"', "payload": {"data": DATA}},
        {"id": "3", "type": "next", "payload": {"data": DATA, "errors": [{"message": "x"}]}},
        {"id": "4", "type": "next", "payload": {"data": None}},
        {"type": "connection_ack"},
        {"id": "5", "type": "complete"},
        {"data": {"styles": []}},
    ],
)
def test_the_wire_is_what_json_would_send(message: dict[str, Any]) -> None:
    assert json.loads(SharedFrames().encode(message)) == message


def test_one_events_data_is_encoded_once_for_every_subscriber(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    encoded: list[object] = []
    dumps = ws_frames._dumps

    def counting(value: object) -> str:
        encoded.append(value)
        return dumps(value)

    monkeypatch.setattr(ws_frames, "_dumps", counting)
    frames = SharedFrames(size=2)
    data = {"jobProgress": {"sequence": 1}}
    wire = [
        frames.encode({"id": str(n), "type": "next", "payload": {"data": data}}) for n in range(100)
    ]
    assert sum(1 for value in encoded if value is data) == 1
    assert [json.loads(w)["id"] for w in wire] == [str(n) for n in range(100)]
    # An equal but distinct object (another event) is encoded in its own right.
    other = {"jobProgress": {"sequence": 2}}
    assert (
        json.loads(frames.encode({"id": "x", "type": "next", "payload": {"data": other}}))[
            "payload"
        ]["data"]
        == other
    )
