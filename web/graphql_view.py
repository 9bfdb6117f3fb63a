"""The Strawberry ASGI view: builds the typed context per request (per connection on websockets)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UnsetType

from resolvers.context import Context, Services
from schema import Schema
from web.middleware import owner_for, state

# Until a websocket's connection_init authenticates it, its context has no owner.
UNAUTHENTICATED = ""


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, schema: Schema, services: Services) -> None:
        settings = services.settings
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=True,
            multipart_uploads_enabled=True,
            keep_alive=True,
            keep_alive_interval=15,
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        )
        self.services = services

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        scope_state = state(request.scope)
        owner = scope_state.get("owner", UNAUTHENTICATED)
        if isinstance(request, WebSocket) and self.services.settings.local_mode:
            owner = owner_for(self.services.settings, None) or UNAUTHENTICATED
        return Context(
            services=self.services, owner=owner, request_id=scope_state.get("request_id")
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, Any] | None:
        """Authenticate a websocket from its connection_init payload; close 4403 when wrong."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        raw = params.get("authorization") or params.get("Authorization")
        owner = owner_for(self.services.settings, raw if isinstance(raw, str) else None)
        if owner is None:
            raise ConnectionRejectionError({"message": "missing or invalid API key"})
        context.owner = owner
        return await super().on_ws_connect(context)
