"""A real stack (embedded Redis, migrated SQLite, the API and a worker as processes) for tests
that drive adreel from the outside: the CLI as a subprocess, the web page in Chromium.

Each module of such tests has a stack of its own (a module-scoped fixture): its tests run one
after another on one xdist worker (tests/conftest.py groups them), the modules side by side on
others, and each stack stops with its module instead of polling Redis, idle, until the session
ends. The CLI and the page run with API keys; GraphiQL and the Apollo client in local mode (no
keys, as `make serve` runs).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from devserver.embedded_redis import free_port
from devserver.stack import Stack
from settings import Settings
from tests.conftest import STACK_ENV

# Short renders keep these tests fast; the pipeline tests cover the full 30 s.
AD_SECONDS = "3"
KEYS = {"cli": "cli-test-key", "web": "web-test-key"}


@asynccontextmanager
async def running_stack(directory: Path, *, local: bool = False) -> AsyncIterator[Stack]:
    """A stack in `directory`, started and stopped around the block. `local`: no API keys."""
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{directory / 'adreel.db'}",
        redis_url=None,  # its own embedded Redis: nothing shared with other tests
        media_dir=directory / "media",
    )
    stack = Stack(
        settings,
        port=free_port(),
        env={
            **STACK_ENV,
            "AD_SECONDS": AD_SECONDS,
            "WORKER_SWEEP_INTERVAL_SECONDS": "1",
            "API_KEYS": "" if local else ",".join(f"{k}:{owner}" for owner, k in KEYS.items()),
            # The product pages these tests serve are on 127.0.0.1 (tests/cli/shop.py).
            "PRODUCT_PAGE_ALLOW_PRIVATE_NETWORKS": "true",
        },
        quiet=True,
        log_dir=directory / "logs",
    )
    try:
        await asyncio.to_thread(stack.start)  # runs migrations, which run their own event loop
        yield stack
    finally:
        await asyncio.to_thread(stack.stop)
