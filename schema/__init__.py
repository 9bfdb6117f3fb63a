"""The GraphQL schema: types, inputs and enums, assembled into one Schema with its limits."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import strawberry
import structlog
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, MaskErrors, SchemaExtension
from strawberry.types import ExecutionContext

from resolvers.errors import PublicError
from schema.mutation import Mutation
from schema.preparation import Preparation, Prepared, limit_rules
from schema.query import Query
from schema.subscription import Subscription

log = structlog.get_logger("graphql")


def _is_unexpected(error: GraphQLError) -> bool:
    """Mask errors that come from exceptions we did not mean to show (bugs, outages)."""
    original = error.original_error
    return original is not None and not isinstance(original, PublicError | GraphQLError)


class Schema(strawberry.Schema):
    # The parse and validation caches (set by build_schema), for the websocket fan-out.
    prepared: Prepared

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if _is_unexpected(error):
                log.error("graphql.error", path=error.path, exc_info=error.original_error)
            else:
                log.info("graphql.rejected", message=error.message, path=error.path)


def build_schema(
    *,
    max_depth: int = 12,
    max_aliases: int = 30,
    max_tokens: int = 2000,
    introspection: bool = True,
) -> Schema:
    # Clients send the same few documents again and again (every jobProgress subscriber
    # sends one): parse and validate each distinct document once, within the limits.
    prepared = Prepared.build(
        rules=limit_rules(max_depth=max_depth, max_aliases=max_aliases),
        max_tokens=max_tokens,
        cache_size=256,
    )
    # Factories, not instances: Strawberry builds fresh extensions for every operation.
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        Preparation.factory(prepared),
        partial(MaskErrors, should_mask_error=_is_unexpected),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    schema = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
    )
    schema.prepared = prepared
    return schema
