"""The Strawberry ASGI view: builds the typed context per request (per connection on websockets),
answers in the media type the client asks for (web/graphql_http.py) and serves GraphiQL with its
assets from this app (web/graphiql.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UnsetType

from resolvers.context import Context
from resolvers.services import Services
from schema import Schema
from web.fanout import FanOut
from web.graphiql import offline_graphiql_html
from web.graphql_http import (
    GRAPHQL_RESPONSE_CONTENT_TYPE,
    GRAPHQL_RESPONSE_JSON,
    is_request_error,
    response_media_type,
)
from web.middleware import owner_for, state
from web.ws_handlers import LegacyWSHandler, TransportWSHandler

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
        # jobProgress frames go from the event hub straight to the sockets (web/fanout.py).
        self.fanout = FanOut(schema, services)
        self.graphql_transport_ws_handler_class = TransportWSHandler
        self.graphql_ws_handler_class = LegacyWSHandler
        # Built (and its vendored assets checked) at start-up, not on the first visit.
        self.graphiql_html = offline_graphiql_html() if settings.graphiql_enabled else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """As Strawberry's, except that a request refused before execution (bad JSON, no query,
        an unknown operation name, a mutation over GET...) is answered as a GraphQL response,
        `{"errors": [...]}` without `data`, to a client that asked for
        application/graphql-response+json. Others keep Strawberry's text/plain reason."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as exc:
            if response_media_type(request.headers.get("accept")) == GRAPHQL_RESPONSE_JSON:
                response = JSONResponse(
                    {"errors": [{"message": exc.reason}]},
                    status_code=exc.status_code,
                    media_type=GRAPHQL_RESPONSE_CONTENT_TYPE,
                )
            else:
                response = PlainTextResponse(exc.reason, status_code=exc.status_code)
        await response(scope, receive, send)

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

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        # Negotiated once per request; create_response reads it back.
        sub_response.media_type = response_media_type(request.headers.get("accept"))
        return sub_response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        # application/graphql-response+json: a request that never executed has no `data` entry
        # (and so a 400, below). application/json keeps `"data": null` and 200.
        wants = response_media_type(request.headers.get("accept"))
        if wants == GRAPHQL_RESPONSE_JSON and is_request_error(result):
            response.pop("data", None)
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if sub_response.media_type == GRAPHQL_RESPONSE_JSON:
            response.headers["content-type"] = GRAPHQL_RESPONSE_CONTENT_TYPE
            if isinstance(response_data, dict) and "data" not in response_data:
                response.status_code = 400
        return response

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """As Strawberry's, but subscriptions are for websockets only: over plain HTTP (this
        server configures no streaming transport) one would run like a query and fail with a
        logged error. Refused here with a 400 that says so, like a mutation over GET."""
        allowed = OperationType.from_http(request_adapter.method) - {OperationType.SUBSCRIPTION}
        if request_adapter.method == "GET" and not self.allow_queries_via_get:
            allowed -= {OperationType.QUERY}
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except CannotGetOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except InvalidOperationTypeError as exc:
            if exc.operation_type == OperationType.SUBSCRIPTION:
                raise HTTPException(400, "subscriptions are served over websockets only") from exc
            raise HTTPException(400, exc.as_http_error_reason(request_adapter.method)) from exc
        except MissingQueryError as exc:
            raise HTTPException(400, "No GraphQL query found in the request") from exc

    async def render_graphql_ide(self, request: Request) -> Response:
        """Strawberry's GraphiQL page, loading its scripts from /graphiql-assets/, not a CDN."""
        return HTMLResponse(self.graphiql_html, headers={"cache-control": "no-cache"})

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, Any] | None:
        """Authenticate a websocket from its connection_init payload; close 4403 when wrong."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        raw = params.get("authorization") or params.get("Authorization")
        owner = owner_for(self.services.settings, raw if isinstance(raw, str) else None)
        if owner is None:
            raise ConnectionRejectionError({"message": "missing or invalid API key"})
        context.owner = owner
        return await super().on_ws_connect(context)
