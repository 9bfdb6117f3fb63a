"""Reading a shop's product page for productUrl: realistic Shopify, WooCommerce and Open Graph
pages give their product, photos and price; every way a URL can be wrong is a clear error; the
address guard holds on every hop and every image.

Every page is served by a shop on 127.0.0.1; no request ever leaves the machine. A private
address is refused with allow_private=False against that shop itself, before any connection.
"""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from domain.product_page import Fact
from domain.webhooks import forbidden_address
from resolvers.errors import INVALID_URL, NO_PRODUCT, NOT_FOUND, TOO_LARGE, UNREACHABLE
from resolvers.product_page import ProductPage, ProductPageError, read_product_page
from tests.pipeline.providers.fakes.server import serve

PAGES = Path(__file__).parent / "pages"
Answer = Callable[[Request], Response]


def picture(kind: str, width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, kind)
    return buffer.getvalue()


class Shop:
    """A shop on loopback: answers each path from `answers` (404 otherwise), and records every
    path it was asked for."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.asked: list[str] = []
        self.origin = ""

    async def handle(self, request: Request) -> Response:
        self.asked.append(request.url.path)
        answer = self.answers.get(request.url.path)
        return answer(request) if answer else Response("Not Found", 404)

    def page(self, path: str, html: str, **headers: str) -> str:
        host = self.origin.removeprefix("http://")
        # The fixtures name the shop https://shop.example; here it is this server.
        html = html.replace("https:\\/\\/shop.example", f"http:\\/\\/{host}")
        html = html.replace("https://shop.example", self.origin).replace("shop.example", host)
        self.answers[path] = lambda _: HTMLResponse(html, headers=headers)
        return self.origin + path

    def fixture(self, path: str, name: str) -> str:
        return self.page(path, (PAGES / name).read_text())

    def image(self, path: str, data: bytes, content_type: str = "image/png") -> None:
        self.answers[path] = lambda _: Response(data, media_type=content_type)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        self.answers[path] = lambda _: RedirectResponse(to, status)
        return self.origin + path


@pytest.fixture(scope="module")
async def running_shop() -> AsyncIterator[Shop]:
    shop = Shop()
    app = Starlette(routes=[Route("/{path:path}", shop.handle)])
    async with serve(app) as origin:
        shop.origin = origin
        yield shop


@pytest.fixture
def shop(running_shop: Shop) -> Shop:
    running_shop.answers.clear()
    running_shop.asked.clear()
    return running_shop


async def refused(reading: Awaitable[ProductPage]) -> ProductPageError:
    with pytest.raises(ProductPageError) as caught:
        await reading
    return caught.value


def sizes(page: ProductPage) -> list[tuple[str, int, int]]:
    return [(image.extension, image.width, image.height) for image in page.images]


def product_with_images(shop: Shop, *paths: str) -> str:
    """A minimal product page whose JSON-LD names these images, in this order."""
    images = ", ".join(f'"{path}"' for path in paths)
    return shop.page(
        "/products/kit",
        f"""<html><head><title>Kit</title><script type="application/ld+json">
        {{"@context": "https://schema.org", "@type": "Product", "name": "Kit",
          "image": [{images}]}}</script></head><body></body></html>""",
    )


async def test_a_shopify_dawn_page_gives_its_product_price_and_three_photos(shop: Shop) -> None:
    shop.image("/cdn/shop/files/aurora-front.png", picture("PNG", 48, 32, (20, 20, 20)))
    shop.image(
        "/cdn/shop/files/aurora-side.jpg", picture("JPEG", 40, 40, (200, 190, 170)), "image/jpeg"
    )
    shop.image(
        "/cdn/shop/files/aurora-case.webp", picture("WEBP", 32, 48, (90, 90, 90)), "image/webp"
    )
    url = shop.fixture("/products/aurora-wireless-headphones", "shopify_dawn.html")

    page = await read_product_page(url + "?variant=43123456789012#reviews", allow_private=True)

    assert page.url == url + "?variant=43123456789012"
    assert page.name == "Aurora Wireless Headphones"
    assert page.description == (
        "Noise cancelling over-ear headphones with a 40-hour battery. "
        "Folds flat into the case & charges over USB-C."
    )
    assert page.price == "$24.00"
    # JSON-LD's three images, the protocol-relative one too, in page order; og:image is not
    # fetched again.
    assert sizes(page) == [("png", 48, 32), ("jpg", 40, 40), ("webp", 32, 48)]
    # Each fetched once (they download at once, so in no set order).
    assert sorted(p for p in shop.asked if p.startswith("/cdn/")) == [
        "/cdn/shop/files/aurora-case.webp",
        "/cdn/shop/files/aurora-front.png",
        "/cdn/shop/files/aurora-side.jpg",
    ]


async def test_a_woocommerce_page_with_a_yoast_graph_gives_its_product(shop: Shop) -> None:
    uploads = "/wp-content/uploads/2024/05"
    shop.image(
        f"{uploads}/leinenhemd-nord.jpg", picture("JPEG", 40, 56, (140, 160, 130)), "image/jpeg"
    )
    shop.image(
        f"{uploads}/leinenhemd-nord-ruecken.jpg",
        picture("JPEG", 56, 40, (120, 150, 120)),
        "image/jpeg",
    )
    url = shop.fixture("/produkt/leinenhemd-nord/", "woocommerce_yoast.html")

    page = await read_product_page(url, allow_private=True)

    # The Product node of the @graph, not the WebPage's name; its description un-escaped.
    assert page.name == "Leinenhemd Nord"
    assert (
        page.description
        == "Gewaschenes europäisches Leinen & Perlmuttknöpfe \u2013 genäht in Porto."
    )
    assert page.price == "€19.90"
    # An ImageObject by reference (#primaryimage) and one inline.
    assert sizes(page) == [("jpg", 40, 56), ("jpg", 56, 40)]


async def test_an_open_graph_page_without_json_ld_gives_its_product(shop: Shop) -> None:
    shop.image("/s/halden-lamp.png", picture("PNG", 36, 36, (180, 140, 60)))
    shop.image("/s/halden-lamp-detail.jpg", picture("JPEG", 30, 40, (110, 80, 40)), "image/jpeg")
    url = shop.fixture("/shop/halden-desk-lamp", "open_graph_only.html")

    page = await read_product_page(url, allow_private=True)

    assert page.name == "Halden Desk Lamp"
    assert page.description == "Hand-turned oak, brushed brass shade, warm 2700 K bulb included."
    assert page.price == "£1,249.00"
    # A relative og:image, resolved against the page's URL, and an absolute one.
    assert sizes(page) == [("png", 36, 36), ("jpg", 30, 40)]


async def test_a_page_in_a_legacy_charset_is_read_in_it(shop: Shop) -> None:
    html = (
        '<html><head><meta charset="windows-1252"><meta property="og:type" content="product">'
        '<meta property="og:title" content="Café Crème Mug \u2013 19,90 €"></head></html>'
    )
    shop.answers["/mug"] = lambda _: Response(
        html.encode("cp1252"),
        headers={"content-type": "text/html"},  # no charset: the page says
    )

    page = await read_product_page(shop.origin + "/mug", allow_private=True)

    assert page.name == "Café Crème Mug \u2013 19,90 €"
    assert page.images == ()


async def test_five_redirects_are_followed_to_the_final_url(shop: Shop) -> None:
    final = shop.fixture("/products/lamp", "open_graph_only.html")
    url = final
    for hop in range(5, 0, -1):
        url = shop.redirect(f"/r/{hop}", url if hop == 5 else f"/r/{hop + 1}", status=301)

    page = await read_product_page(url, allow_private=True)

    assert page.url == final
    assert page.name == "Halden Desk Lamp"


async def test_images_stop_at_max_images(shop: Shop) -> None:
    paths = [f"/img/{n}.png" for n in range(12)]
    for n, path in enumerate(paths):
        shop.image(path, picture("PNG", 10 + n, 10, (n * 20, 0, 0)))

    page = await read_product_page(
        product_with_images(shop, *paths), allow_private=True, max_images=8
    )

    assert [image.width for image in page.images] == list(range(10, 18))
    # The first eight, each once (they download at once, so in no set order); none after.
    assert sorted(p for p in shop.asked if p.startswith("/img/")) == sorted(paths[:8])


async def test_an_image_that_cannot_be_used_is_skipped(shop: Shop) -> None:
    first = picture("PNG", 20, 10, (255, 0, 0))
    shop.image("/img/first.png", first)
    shop.image("/img/truncated.png", first[: len(first) // 2])
    shop.image("/img/page.png", b"<html>not an image</html>", "text/html")
    shop.image("/img/huge.png", first + bytes(50_000))
    shop.image("/img/first-again.png", first)  # the same photo at another URL
    shop.image("/img/last.jpg", picture("JPEG", 10, 20, (0, 0, 255)), "image/jpeg")
    url = product_with_images(
        shop,
        "/img/first.png",
        "/img/missing.png",
        "/img/truncated.png",
        "/img/page.png",
        "/img/huge.png",
        "ftp://files.example/x.png",
        "/img/first-again.png",
        "/img/last.jpg",
    )

    page = await read_product_page(url, allow_private=True, max_image_bytes=40_000)

    assert sizes(page) == [("png", 20, 10), ("jpg", 10, 20)]


async def test_a_product_whose_images_all_fail_still_gives_its_text(shop: Shop) -> None:
    page = await read_product_page(
        product_with_images(shop, "/img/gone.png", "/img/also-gone.png"), allow_private=True
    )

    assert page.name == "Kit"
    assert page.images == ()


async def test_an_unreachable_shop_is_a_clear_error() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]

    error = await refused(
        read_product_page(f"http://127.0.0.1:{port}/products/kit", allow_private=True)
    )

    assert (error.code, error.message) == (
        UNREACHABLE,
        f"could not be reached: no connection to 127.0.0.1:{port}",
    )


async def test_a_shop_that_never_answers_runs_into_the_time_limit() -> None:
    with socket.socket() as silent:  # takes connections (the kernel does), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]

        error = await refused(
            read_product_page(
                f"http://127.0.0.1:{port}/products/kit", allow_private=True, timeout_seconds=0.2
            )
        )

    assert (error.code, error.message) == (UNREACHABLE, "was not read within 0.2 s")


async def test_a_json_answer_is_not_an_html_page(shop: Shop) -> None:
    shop.answers["/products/kit.json"] = lambda _: Response("{}", media_type="application/json")

    error = await refused(read_product_page(shop.origin + "/products/kit.json", allow_private=True))

    assert (error.code, error.message) == (
        NO_PRODUCT,
        "is not an HTML page (got application/json)",
    )


async def test_a_page_past_max_page_bytes_is_cut_off(shop: Shop) -> None:
    async def endless() -> AsyncIterator[bytes]:
        """A page without end: the test ends only because the reader stops reading."""
        yield b"<html><head><title>Kit</title></head><body>"
        while True:
            yield b"<div class='product-card'>" + b"x" * 4096 + b"</div>"
            await asyncio.sleep(0)  # lets the server see the reader hang up, and stop

    shop.answers["/collections/all"] = lambda _: StreamingResponse(
        endless(), media_type="text/html"
    )

    error = await refused(
        read_product_page(
            shop.origin + "/collections/all", allow_private=True, max_page_bytes=100_000
        )
    )

    assert (error.code, error.message) == (TOO_LARGE, "is larger than 100000 bytes")


async def test_a_blog_post_has_no_product(shop: Shop) -> None:
    url = shop.fixture("/journal/how-to-care-for-linen/", "blog_post.html")

    error = await refused(read_product_page(url, allow_private=True))

    # What was found, and what is missing.
    assert (error.code, error.message) == (
        NO_PRODUCT,
        "shows no product: no schema.org Product or Open Graph product data, and a heading "
        '("How to Care for Linen") but no price on the page; give the productName and photos '
        "yourself",
    )


@pytest.mark.parametrize(
    ("status", "code"), [(404, NOT_FOUND), (410, NOT_FOUND), (403, UNREACHABLE), (503, UNREACHABLE)]
)
async def test_an_http_error_names_its_status(shop: Shop, status: int, code: str) -> None:
    shop.answers["/products/kit"] = lambda _: Response("no", status)

    error = await refused(read_product_page(shop.origin + "/products/kit", allow_private=True))

    assert (error.code, error.message) == (code, f"answered HTTP {status}")


async def test_a_private_address_is_refused_before_connecting(shop: Shop) -> None:
    url = shop.fixture("/products/lamp", "open_graph_only.html")

    error = await refused(read_product_page(url + "?preview_key=s3cr3t", allow_private=False))

    assert (error.code, error.message) == (
        INVALID_URL,
        "resolves to 127.0.0.1, a loopback address; product pages are read from public "
        "addresses only",
    )
    assert shop.asked == []


async def test_a_redirect_loop_ends_after_five_redirects(shop: Shop) -> None:
    shop.redirect("/a", "/b")
    url = shop.redirect("/b", "/a")

    error = await refused(read_product_page(url, allow_private=True))

    assert (error.code, error.message) == (INVALID_URL, "redirects more than 5 times")
    assert shop.asked == ["/b", "/a", "/b", "/a", "/b", "/a"]


async def test_a_redirect_to_a_url_with_credentials_is_refused(shop: Shop) -> None:
    host = shop.origin.removeprefix("http://")
    url = shop.redirect("/go", f"http://admin:hunter2@{host}/admin?token=s3cr3t")

    error = await refused(read_product_page(url, allow_private=True))

    assert (error.code, error.message) == (
        INVALID_URL,
        "redirects to a URL that may not be followed: it must not carry credentials "
        "(user:password@)",
    )
    assert shop.asked == ["/go"]


@pytest.fixture
def only_127_0_0_1_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard, judging 127.0.0.1 public (so that the shop may be read with allow_private
    off) and every other address as it is. 127.0.0.2 stays refused: it is loopback too, so
    nothing would leave the machine even if the guard let it through."""
    monkeypatch.setattr(
        "resolvers.product_page.forbidden_address",
        lambda address: None if address == "127.0.0.1" else forbidden_address(address),
    )


@pytest.mark.usefixtures("only_127_0_0_1_public")
async def test_a_redirect_to_a_private_address_is_refused(shop: Shop) -> None:
    port = shop.origin.rsplit(":", 1)[1]
    url = shop.redirect("/go", f"http://127.0.0.2:{port}/internal")

    error = await refused(read_product_page(url, allow_private=False))

    assert (error.code, error.message) == (
        INVALID_URL,
        "redirects to a URL that may not be followed: it resolves to 127.0.0.2, a loopback "
        "address; product pages are read from public addresses only",
    )
    assert shop.asked == ["/go"]


@pytest.mark.usefixtures("only_127_0_0_1_public")
async def test_an_image_at_a_private_address_is_skipped(shop: Shop) -> None:
    port = shop.origin.rsplit(":", 1)[1]
    shop.image("/img/public.png", picture("PNG", 12, 12, (0, 128, 0)))
    url = product_with_images(shop, f"http://127.0.0.2:{port}/img/private.png", "/img/public.png")

    page = await read_product_page(url, allow_private=False)

    assert sizes(page) == [("png", 12, 12)]
    assert shop.asked == ["/products/kit", "/img/public.png"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://shop.example/products/kit", "must be an http:// or https:// URL"),
        ("https://", "has no host"),
        ("https://[::1/products", "is not a valid URL"),
        (
            "https://buyer:pa55@shop.example/products/kit",
            "must not carry credentials (user:password@)",
        ),
        pytest.param(
            "https://shop.example/" + "x" * 2048, "is longer than 2048 characters", id="long"
        ),
    ],
)
async def test_a_malformed_url_is_refused_without_a_request(url: str, message: str) -> None:
    error = await refused(read_product_page(url, allow_private=True))

    assert (error.code, error.message) == (INVALID_URL, message)
    assert "pa55" not in error.message


async def test_a_gallery_of_several_sizes_downloads_each_photo_once_at_its_largest(
    shop: Shop,
) -> None:
    """Shopify's microdata lists each photo at three sizes, og:image names them again, and the
    gallery's thumbnails a fourth time: two photos, each fetched once, at 1024x1024."""
    files = "/cdn/shop/files"
    for shade, photo in enumerate(("boot", "boot-sole")):
        shop.image(f"{files}/{photo}_1024x1024.jpg", picture("PNG", 64, 64, (90, 60, shade)))
    sizes_of = ("_compact", "_grande", "_1024x1024")
    images = "".join(
        f'<link itemprop="image" href="//shop.example{files}/{photo}{size}.jpg?v=7">'
        for photo in ("boot", "boot-sole")
        for size in sizes_of
    )
    url = shop.page(
        "/products/trail-boot",
        f"""<html><head><title>Trail Boot | Bergkind</title>
        <meta property="og:site_name" content="Bergkind">
        <meta property="og:image" content="http://shop.example{files}/boot_grande.jpg?v=7">
        <meta property="og:image" content="http://shop.example{files}/boot-sole_grande.jpg?v=7">
        </head><body><div itemscope itemtype="https://schema.org/Product">
        <h1 itemprop="name">Trail Boot</h1>{images}
        <div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
        <span itemprop="price">149,00 €</span></div></div>
        <img src="https://shop.example{files}/boot_100x100.jpg" alt="Trail Boot">
        <img src="https://shop.example{files}/boot-sole_100x100.jpg" alt="Trail Boot, sole">
        <img src="https://shop.example{files}/boot-lace_100x100.jpg" alt="Trail Boot, laces">
        </body></html>""",
    )

    page = await read_product_page(url, allow_private=True)

    assert (page.name, page.price) == ("Trail Boot", "€149.00")
    assert sizes(page) == [("png", 64, 64), ("png", 64, 64)]
    # The third photo, in the gallery only, does not download: skipped, and said.
    assert sorted(p for p in shop.asked if p.startswith("/cdn/")) == [
        f"{files}/boot-lace_100x100.jpg",
        f"{files}/boot-sole_1024x1024.jpg",
        f"{files}/boot_1024x1024.jpg",
    ]
    assert [f for f in page.facts if f.field == "photos"] == [
        Fact("photos", "microdata", "2 photos"),
        Fact("photos", "page gallery", "none kept; 1 could not be used (answered HTTP 404)"),
    ]
