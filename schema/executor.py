"""Executing one subscription event once for all of its subscribers.

A job's progress event is delivered to every subscriber watching that job, and graphql-core
would execute the subscription's selection set on it once per subscriber: for a fan-out that is
most of the API's work per delivery. The result depends only on the event, the operation and its
variables, so the first subscriber's execution is kept on the event (its `execution_memo`) and
reused by the others with the same operation document (ParserCache hands every client that sends
the same text the same parsed document) and the same variables.

Only payloads that opt in, by carrying an `execution_memo` dict, are shared; their fields must
not depend on who is asking (JobProgressEvent is built from the published message alone). A
result that is still awaitable is never shared.
"""

from __future__ import annotations

import json
from typing import Any

from graphql import ExecutionResult, OperationType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class SharedEventExecutor(StrawberryGraphQLCoreExecutionContext):
    def execute_operation(self, serially: bool | None = None) -> Any:
        memo = getattr(self.root_value, "execution_memo", None)
        if not isinstance(memo, dict) or self.operation.operation != OperationType.SUBSCRIPTION:
            return super().execute_operation(serially)
        key = (id(self.operation), _variables_key(self.variable_values.coerced))
        cached = memo.get(key)
        # The operation itself is kept with the result, so an id reused after a document left
        # the parser cache can never match.
        if cached is not None and cached[0] is self.operation:
            return cached[1]
        result = super().execute_operation(serially)
        if isinstance(result, ExecutionResult):
            memo[key] = (self.operation, result)
        return result


def _variables_key(variables: dict[str, Any]) -> str:
    return json.dumps(variables, sort_keys=True, default=str)
