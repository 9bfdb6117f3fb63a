"""Encoding websocket messages so that one event's payload is encoded once, not per subscriber.

Every subscriber of a job gets the same result for the same event and document: schema/
executor.py executes it once and hands each of them the same `data` object. Only the operation
id differs between their messages, so the `data` part is encoded once and each message is the
small envelope around it. This is what a fan-out to a thousand watchers spends least on.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

RESULT_TYPES = {"next", "data"}  # graphql-transport-ws, legacy graphql-ws
SIZE = 1024


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


class SharedFrames:
    """A small LRU of encoded `data` objects, keyed by identity. An entry holds its object, so
    the identity cannot be reused by another object while the entry lives."""

    def __init__(self, size: int = SIZE) -> None:
        self._size = size
        self._encoded: OrderedDict[int, tuple[object, str]] = OrderedDict()

    def encode(self, message: object) -> str:
        if not isinstance(message, dict) or message.get("type") not in RESULT_TYPES:
            return _dumps(message)
        payload = message.get("payload")
        if (
            len(message) != 3
            or "id" not in message
            or not isinstance(payload, dict)
            or payload.keys() != {"data"}
        ):
            return _dumps(message)  # errors or extensions: rare, encoded whole
        data = payload["data"]
        if not isinstance(data, dict):
            return _dumps(message)
        return (
            f'{{"id":{_dumps(message["id"])},"type":"{message["type"]}",'
            f'"payload":{{"data":{self._data(data)}}}}}'
        )

    def _data(self, data: dict[str, Any]) -> str:
        key = id(data)
        entry = self._encoded.get(key)
        if entry is not None and entry[0] is data:
            self._encoded.move_to_end(key)
            return entry[1]
        encoded = _dumps(data)
        self._encoded[key] = (data, encoded)
        if len(self._encoded) > self._size:
            self._encoded.popitem(last=False)
        return encoded
