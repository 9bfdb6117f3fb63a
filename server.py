"""The API process: `create_app(settings)` builds the Starlette app.

Routes: /graphql (POST; GET for queries only; websockets for subscriptions), /health, /metrics
(Prometheus), /media/... (uploads and finished ads behind signed URLs, with HTTP Range; local
storage only, S3 serves its own presigned URLs), the web page at
/ with its assets under /static, and with GraphiQL on, its assets under /graphiql-assets. The
lifespan builds the process-wide handles (engine, session factory, Redis) once and disposes of
them on shutdown.

Run with `make serve` (which also starts a worker, and an embedded Redis when REDIS_URL is
unset), or in production: `uvicorn server:app --factory`-style via `server:create_app`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from db.engine import create_engine, create_session_factory
from events.hub import EventHub
from events.redis import arq_redis
from logs import configure_logging
from resolvers.services import Services
from schema import build_schema
from settings import Settings
from storage import open_store
from web.graphiql import ASSETS_DIR as GRAPHIQL_ASSETS_DIR
from web.graphiql import MOUNT as GRAPHIQL_MOUNT
from web.graphql_view import GraphQLView
from web.media import media
from web.metrics import metrics
from web.middleware import ApiGuard, RequestContext
from web.page import STATIC_DIR, index
from web.routes import health, internal_error

log = structlog.get_logger("server")
STORE_WAIT_SECONDS = 3.0


async def _open_store(services: Services) -> None:
    """Open the media store (its signing key lives in the database), retrying until it opens."""
    while services.store is None:
        try:
            services.store = await open_store(services.settings, services.session_factory)
        except Exception as exc:
            log.warning("server.media_store_unavailable", error=type(exc).__name__)
            await asyncio.sleep(1.0)


# Young-generation threshold: Python's 700 is sized for scripts, not for a heap of thousands of
# websockets. Survivors are what gen 1 and 2 hold, so cycles are still collected promptly.
GC_THRESHOLDS = (50_000, 20, 100)


def tune_gc() -> None:
    """Freeze what start-up built (modules, the schema, the app: never garbage) out of the cyclic
    collector's sight, and collect young objects less often. With the defaults the collector
    kept rescanning that heap and every connection on it: half of the API's CPU while 6,000
    watchers connected (bench-subscriptions), and a cost per connection that grew with the
    number already connected."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    if not settings.redis_url:
        raise RuntimeError(
            "REDIS_URL is not set. `make serve` starts an embedded Redis for local use; "
            "in production point REDIS_URL at your Redis."
        )
    configure_logging(console=settings.console_logs, level=settings.log_level)
    media_root = settings.media_root
    media_root.mkdir(parents=True, exist_ok=True)

    engine = create_engine(settings.database_url)
    services = Services(
        settings=settings,
        session_factory=create_session_factory(engine),
        redis=arq_redis(settings.redis_url, client_name="adreel-api"),
        hub=EventHub(settings.redis_url),
    )
    schema = build_schema(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_query_tokens,
        introspection=settings.introspection,
    )
    graphql = GraphQLView(schema, services)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if settings.local_mode:
            log.warning(
                "server.local_mode",
                detail="API_KEYS is empty: no authentication, every job belongs to one owner",
            )
        opening = asyncio.create_task(_open_store(services), name="open-store")
        with contextlib.suppress(TimeoutError):
            # Ready before the first request, unless the database is away: then the server
            # still starts (/health says what is down) and the store opens when it is back.
            await asyncio.wait_for(asyncio.shield(opening), timeout=STORE_WAIT_SECONDS)
        assert services.hub is not None
        await services.hub.start()
        with contextlib.suppress(TimeoutError):
            # Serving with live progress from the first request; if Redis is away, /health
            # says so and the hub connects when it is back.
            await asyncio.wait_for(services.hub.first_attempt(), timeout=STORE_WAIT_SECONDS)
        tune_gc()
        log.info("server.started", graphiql=settings.graphiql_enabled)
        try:
            yield
        finally:
            opening.cancel()
            await services.hub.stop()
            await services.redis.aclose()
            await engine.dispose()

    # GraphiQL's React, GraphiQL and plugin builds, vendored: the IDE works with no internet.
    graphiql_assets = (
        [Mount(GRAPHIQL_MOUNT, StaticFiles(directory=GRAPHIQL_ASSETS_DIR), name="graphiql-assets")]
        if settings.graphiql_enabled
        else []
    )
    app = Starlette(
        debug=False,  # never render tracebacks to clients, even with DEBUG on
        routes=[
            *graphiql_assets,
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/health", health, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/", index, methods=["GET"]),
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
            Route("/media/{path:path}", media, methods=["GET", "HEAD"], name="media"),
        ],
        middleware=[
            Middleware(RequestContext),
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=[
                    "authorization",
                    "content-type",
                    "apollo-require-preflight",
                    "x-apollo-operation-name",
                    "x-request-id",
                ],
                expose_headers=["x-request-id"],
                max_age=600,
            ),
            Middleware(ApiGuard, settings=settings),
        ],
        exception_handlers={Exception: internal_error},
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.graphql_view = graphql
    return app
