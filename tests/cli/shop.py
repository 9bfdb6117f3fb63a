"""A shop on 127.0.0.1 selling the Aurora headphones, for the stack's API to read as a
productUrl: the product page reader's own Shopify fixture and its three photos
(tests/resolvers/test_create_job_from_page.py), served in the test's event loop. The stack
allows private networks for product pages, so nothing leaves the machine.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.routing import Route

from tests.pipeline.providers.fakes.server import serve
from tests.resolvers.test_create_job_from_page import PAGE, PHOTOS
from tests.resolvers.test_product_page import Shop


@contextlib.asynccontextmanager
async def aurora_shop() -> AsyncIterator[str]:
    """The product page's URL while the shop is open."""
    shop = Shop()
    async with serve(Starlette(routes=[Route("/{path:path}", shop.handle)])) as origin:
        shop.origin = origin
        url = shop.fixture(PAGE, "shopify_dawn.html")
        for path, (data, kind) in PHOTOS.items():
            shop.image(path, data, kind)
        yield url
