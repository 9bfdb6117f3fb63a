"""/health, and the JSON error handler that never leaks a stack trace."""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from lifecycle.workers import read_all
from resolvers.services import Services

log = structlog.get_logger("http")
CHECK_TIMEOUT = 2.0


async def _database_ok(services: Services) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT), services.session_factory() as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "down"; the kind is logged, not shown
        log.warning("health.database_down", error=type(exc).__name__)
        return False
    return True


async def _redis_ok(services: Services) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            await services.redis.ping()
    except Exception as exc:
        log.warning("health.redis_down", error=type(exc).__name__)
        return False
    return True


async def _workers(services: Services) -> dict[str, object] | None:
    """The workers' job slots as they reported them (None when Redis cannot say). A stuck slot
    does not make the API unhealthy: it is the worker's, and the watchdog ends it."""
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            workers = await read_all(services.redis)
    except Exception as exc:
        log.warning("health.workers_unknown", error=type(exc).__name__)
        return None
    return {
        "live": len(workers),
        "slots": sum(w.slots for w in workers),
        "busy": sum(len(w.busy) for w in workers),
        "stuck": [
            {"worker": w.worker, **slot.model_dump(), "recycling": w.recycling}
            for w in workers
            for slot in w.stuck
        ],
    }


async def health(request: Request) -> JSONResponse:
    services: Services = request.app.state.services
    database, redis = await asyncio.gather(_database_ok(services), _redis_ok(services))
    checks = {"database": "ok" if database else "down", "redis": "ok" if redis else "down"}
    if services.hub is not None:
        # The live-progress connection: down while it reconnects after Redis went away.
        checks["events"] = "ok" if services.hub.connected else "down"

    down = [name for name, value in checks.items() if value != "ok"]
    body: dict[str, object] = {"status": "ok" if not down else "unavailable", **checks}
    if down:
        body["down"] = down
    if redis:
        workers = await _workers(services)
        if workers is not None:
            body["workers"] = workers
    return JSONResponse(body, status_code=503 if down else 200)


async def internal_error(request: Request, exc: Exception) -> JSONResponse:
    request_id = request.scope.get("state", {}).get("request_id")
    log.error("http.unhandled_error", path=request.url.path, exc_info=exc)
    return JSONResponse(
        {"errors": [{"message": "internal server error", "request_id": request_id}]},
        status_code=500,
    )
