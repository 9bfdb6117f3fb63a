"""A real stack (embedded Redis, migrated SQLite, the API and a worker as processes) for tests
that drive adreel from the outside: the CLI as a subprocess, the web page in Chromium.

One stack serves the whole test session (starting one takes seconds). Each suite uses its own
API key, hence its own owner: the CLI tests never see the browser tests' jobs, and the reverse.
A second one runs in local mode (no keys) for GraphiQL and the Apollo client. tests/conftest.py
keeps the tests of each on one xdist worker (the `stack` and `local_stack` fixtures).
"""

from __future__ import annotations

import asyncio

import pytest

from devserver.embedded_redis import free_port
from devserver.stack import Stack
from settings import Settings
from tests.conftest import STACK_ENV

# Short renders keep these tests fast; the pipeline tests cover the full 30 s.
AD_SECONDS = "3"
KEYS = {"cli": "cli-test-key", "web": "web-test-key"}

_shared: dict[str, Stack] = {}


async def shared_stack(
    config: pytest.Config, tmp_path_factory: pytest.TempPathFactory, *, local: bool = False
) -> Stack:
    """The session's stack, started on first use and stopped when the session ends. `local`:
    the other one, in local mode (no API keys, as `make serve` runs), for GraphiQL and Apollo."""
    kind = "local" if local else "keys"
    if kind in _shared:
        return _shared[kind]
    directory = tmp_path_factory.mktemp(f"stack-{kind}")
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
    config.add_cleanup(stack.stop)
    await asyncio.to_thread(stack.start)  # runs migrations, which run their own event loop
    _shared[kind] = stack
    return stack
