"""A shop's product page, read for createJob's `productUrl`: the product's name, description,
price and photos, so a user can give a link instead of typing them.

The URL is the user's, so every request goes through the webhook guard
(`lifecycle.webhooks`): public addresses only unless `allow_private`, and the connection is made
to the address that was checked (the Host header and TLS server name stay the URL's host), so a
name cannot resolve to a public address for the check and a private one for the connect.
Redirects are followed here, one hop at a time, each hop checked again; image URLs taken from
the page go through the same guard. The page is streamed and cut off past `max_page_bytes`, each
image past `max_image_bytes`, and one deadline covers the page and its images.

What the page says is read by `domain.product_page` (every kind of markup, with extruct, in a
stated order of trust; `ProductPage.facts` says where each field came from). Its photos are
downloaded in that order and decoded with `uploads.check_image`; one that fails is skipped, logged
and counted in the photos' fact, and a page whose photos all fail still gives its text (the
caller decides whether that is enough).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import structlog

from domain.product_page import Fact, NoListing, join_url, read_listing
from domain.webhooks import forbidden_address
from lifecycle.webhooks import Target, WebhookUrlError, check_webhook_url, parse_webhook_url
from resolvers import uploads
from resolvers.errors import INVALID_URL, NO_PRODUCT, NOT_FOUND, TOO_LARGE, UNREACHABLE

log = structlog.get_logger(__name__)

FIELD = ("input", "productUrl")
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
USER_AGENT = "adreel-product-page/1"
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
# No AVIF: image CDNs (Shopify's among them) serve it to clients that ask, and it is not decoded.
IMAGE_ACCEPT = "image/webp,image/png,image/jpeg;q=0.9,*/*;q=0.1"
# Image URLs tried per image kept, so a page that lists hundreds of broken ones costs few requests.
TRIES_PER_IMAGE = 3
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)


class ProductPageError(ValueError):
    """Why a product page could not be used; `message` reads after "productUrl " and never
    echoes the URL (its query string or credentials may be secret)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class ProductPage:
    url: str  # the final URL, after redirects
    name: str | None
    description: str | None
    price: str | None  # for display: "$24.00", "€19.90", "from €49.10", "24.90 CHF"
    images: tuple[uploads.CheckedImage, ...]  # decoded, in order of trust, no two alike
    # Where each field came from; photos once per source, with how many were kept or skipped.
    facts: tuple[Fact, ...] = ()


async def read_product_page(
    url: str,
    *,
    allow_private: bool,
    max_page_bytes: int = 2_000_000,
    max_image_bytes: int = 10_000_000,
    max_image_pixels: int = 40_000_000,
    max_images: int = 8,
    timeout_seconds: float = 10.0,
) -> ProductPage:
    """The product on the page at `url`, or ProductPageError saying why not (its `code` one of
    resolvers.errors': INVALID_URL, UNREACHABLE, NOT_FOUND, TOO_LARGE, NO_PRODUCT)."""
    deadline = asyncio.get_running_loop().time() + timeout_seconds
    async with _client() as client:
        try:
            async with asyncio.timeout_at(deadline):
                final_url, text = await _read_page(client, url, allow_private, max_page_bytes)
                # 10-60 ms over a shop's page, 0.1-0.6 s more where it has RDFa to distil: in a
                # thread, so the event loop serves others meanwhile.
                listing = await asyncio.to_thread(read_listing, text, final_url)
        except TimeoutError:
            raise ProductPageError(
                UNREACHABLE, f"was not read within {timeout_seconds:g} s"
            ) from None
        if isinstance(listing, NoListing):
            raise ProductPageError(NO_PRODUCT, listing.reason)
        images, photo_facts = await _images(
            client,
            listing.images[: max_images * TRIES_PER_IMAGE],
            allow_private=allow_private,
            max_bytes=max_image_bytes,
            max_pixels=max_image_pixels,
            count=max_images,
            deadline=deadline,
        )
    return ProductPage(
        url=final_url,
        name=listing.name,
        description=listing.description,
        price=listing.price,
        images=images,
        facts=listing.facts + photo_facts,
    )


def _client() -> httpx.AsyncClient:
    # Redirects are followed by _open, through the guard. No proxy from the environment (it
    # would connect for us, to wherever it resolves the name). No time limit of httpx's own:
    # the one deadline bounds every request. No connection kept for another request: one made
    # to a vetted address for one host must not carry another host's request.
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        timeout=None,  # noqa: S113  # the deadline (asyncio.timeout_at) bounds every request
        limits=httpx.Limits(max_keepalive_connections=0),
        headers={"User-Agent": USER_AGENT},
    )


async def _vet(url: str, allow_private: bool) -> Target:
    """The guard, for a URL given, redirected to or named as an image: well formed, resolving,
    and to public addresses only unless `allow_private`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ProductPageError(INVALID_URL, "is not a valid URL") from None
    if parts.username is not None or parts.password is not None:
        raise ProductPageError(INVALID_URL, "must not carry credentials (user:password@)")
    try:
        parse_webhook_url(url)
    except WebhookUrlError as error:
        raise ProductPageError(INVALID_URL, str(error)) from None
    try:
        httpx.URL(url)  # what httpx would refuse to send (a bad IDNA name), refused here
    except httpx.InvalidURL:
        raise ProductPageError(INVALID_URL, "is not a valid URL") from None
    try:
        # Only resolved there: the addresses are judged below, in a product page's words.
        target = await check_webhook_url(url, allow_private=True)
    except WebhookUrlError:
        raise ProductPageError(
            UNREACHABLE, f"names a host that does not resolve ({parts.hostname})"
        ) from None
    if allow_private:
        return target
    for address in target.addresses:
        reason = forbidden_address(address)
        if reason:
            raise ProductPageError(
                INVALID_URL,
                f"resolves to {address}, {reason}; product pages are read from public "
                "addresses only",
            )
    return target


async def _send(client: httpx.AsyncClient, target: Target, accept: str) -> httpx.Response:
    """GET the target, streamed, from the first of its vetted addresses that takes the
    connection; the name is never looked up again."""
    default_port = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    if target.port != default_port:
        host = f"{host}:{target.port}"
    for address in target.addresses:
        request = client.build_request(
            "GET",
            httpx.URL(target.url).copy_with(host=address),
            headers={"Host": host, "Accept": accept},
            extensions={"sni_hostname": target.host},
        )
        try:
            return await client.send(request, stream=True)
        except httpx.ConnectError:
            continue
        except httpx.HTTPError as error:
            raise ProductPageError(
                UNREACHABLE, f"could not be read: {host} broke off ({type(error).__name__})"
            ) from None
    raise ProductPageError(UNREACHABLE, f"could not be reached: no connection to {host}")


async def _open(
    client: httpx.AsyncClient, url: str, allow_private: bool, accept: str
) -> tuple[str, httpx.Response]:
    """(final URL, its open response with a 2xx status) after at most MAX_REDIRECTS redirects,
    every hop vetted. The caller closes the response."""
    next_url: str | None = join_url("", url)
    for hop in range(MAX_REDIRECTS + 1):
        try:
            if next_url is None:
                raise ProductPageError(INVALID_URL, "is not a valid URL")
            target = await _vet(next_url, allow_private)
        except ProductPageError as error:
            if hop == 0:
                raise
            raise ProductPageError(
                error.code, f"redirects to a URL that may not be followed: it {error.message}"
            ) from None
        response = await _send(client, target, accept)
        location = response.headers.get("location")
        if response.status_code in REDIRECT_STATUSES and location:
            await response.aclose()
            next_url = join_url(target.url, location)
            continue
        status = response.status_code
        if 200 <= status < 300:
            return target.url, response
        await response.aclose()
        code = NOT_FOUND if status in (404, 410) else UNREACHABLE
        raise ProductPageError(code, f"answered HTTP {status}")
    raise ProductPageError(INVALID_URL, f"redirects more than {MAX_REDIRECTS} times")


async def _read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    buffer = bytearray()
    try:
        async for chunk in response.aiter_bytes():
            buffer.extend(chunk)
            if len(buffer) > max_bytes:
                raise ProductPageError(TOO_LARGE, f"is larger than {max_bytes} bytes")
    except httpx.HTTPError as error:
        raise ProductPageError(
            UNREACHABLE, f"broke off part way ({type(error).__name__})"
        ) from None
    return bytes(buffer)


async def _read_page(
    client: httpx.AsyncClient, url: str, allow_private: bool, max_bytes: int
) -> tuple[str, str]:
    """(final URL, the page's text)."""
    final_url, response = await _open(client, url, allow_private, PAGE_ACCEPT)
    try:
        kind = response.headers.get("content-type", "").partition(";")[0].strip().lower()
        if kind not in HTML_TYPES:
            raise ProductPageError(
                NO_PRODUCT, f"is not an HTML page (got {kind or 'no content type'})"
            )
        body = await _read_limited(response, max_bytes)
        charset = response.charset_encoding
    finally:
        await response.aclose()
    if charset is None and (declared := _META_CHARSET.search(body[:4096])):
        charset = declared.group(1).decode("ascii")
    try:
        return final_url, body.decode(charset or "utf-8", "replace")
    except LookupError:  # a charset Python does not know
        return final_url, body.decode("utf-8", "replace")


async def _image(
    client: httpx.AsyncClient,
    url: str,
    *,
    allow_private: bool,
    max_bytes: int,
    max_pixels: int,
    deadline: float,
) -> uploads.CheckedImage | str:
    """The image, decoded, or why not (also in the log)."""
    try:
        async with asyncio.timeout_at(deadline):
            _, response = await _open(client, url, allow_private, IMAGE_ACCEPT)
            try:
                data = await _read_limited(response, max_bytes)
            finally:
                await response.aclose()
            checked = await asyncio.to_thread(uploads.check_image, data, max_pixels, FIELD)
    except TimeoutError:
        reason = "not read before the deadline"
    except ProductPageError as error:
        reason = error.message
    else:
        if isinstance(checked, uploads.CheckedImage):
            return checked
        reason = checked.message
    log.info("product_page.image_skipped", host=urlsplit(url).hostname, reason=reason)
    return reason


async def _images(
    client: httpx.AsyncClient,
    photos: tuple[tuple[str, str], ...],
    *,
    allow_private: bool,
    max_bytes: int,
    max_pixels: int,
    count: int,
    deadline: float,
) -> tuple[tuple[uploads.CheckedImage, ...], tuple[Fact, ...]]:
    """Up to `count` images, in order: as many fetched at once as are still wanted, then the
    next URLs for those that failed; and, per source, a fact saying how many were kept and why
    any were skipped."""
    kept: list[uploads.CheckedImage] = []
    seen: set[bytes] = set()
    tally: dict[str, tuple[int, list[str]]] = {}
    waiting = list(photos)
    while waiting and len(kept) < count and asyncio.get_running_loop().time() < deadline:
        batch, waiting = waiting[: count - len(kept)], waiting[count - len(kept) :]
        fetched = await asyncio.gather(
            *(
                _image(
                    client,
                    url,
                    allow_private=allow_private,
                    max_bytes=max_bytes,
                    max_pixels=max_pixels,
                    deadline=deadline,
                )
                for url, _ in batch
            )
        )
        for (_, source), image in zip(batch, fetched, strict=True):
            count_kept, skipped = tally.setdefault(source, (0, []))
            if isinstance(image, str):
                skipped.append(image)
                continue
            digest = hashlib.sha256(image.data).digest()  # one photo under two URLs: kept once
            if digest not in seen:
                seen.add(digest)
                kept.append(image)
                tally[source] = (count_kept + 1, skipped)
    return tuple(kept), tuple(_photo_fact(s, n, why) for s, (n, why) in tally.items() if n or why)


def _photo_fact(source: str, kept: int, skipped: list[str]) -> Fact:
    note = f"{kept} photo{'s' if kept != 1 else ''}" if kept else "none kept"
    if skipped:
        note += f"; {len(skipped)} could not be used ({'; '.join(dict.fromkeys(skipped))})"
    return Fact("photos", source, note)
