"""A product's gallery: every distinct photo a page offers, each once, at its largest.

Photos come from the structured data (JSON-LD and microdata `image` lists, RDFa, every
og:image), then from the page's own gallery: the <img> elements whose alt text is the product's
name (how shops label a gallery for screen readers: "Penhook Armchair", "KÄRCHER K 3, Bild 2"),
with their zoom links and srcset, and, on pages with no structured photo at all, the "hiRes"
photos of a gallery written into an inline script (Amazon's image block).

One photo is offered at many sizes: "_grande" and "_1024x1024" (Shopify), "._AC_UY445_"
(Amazon), "-416x582" (WordPress), "/1280x1280/" (BigCommerce), "s-l300" (eBay), "il_570xN"
(Etsy), "resize-h600-w600" (Wayfair), "?sw=1280" (Salesforce), "?imwidth=103" (Zalando), "u_"
and "l_" (Currys). `photo_key` drops those marks
(and the query, the host and the scheme: CDNs mirror a file under several names), and of the
URLs with one key the largest (by the size its URL names) is kept, at the place of the first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# Marks of a size or a transformation in a file's name, each with the size it names (if any).
_NAMED_SIZES = {
    "pico": 16, "icon": 32, "thumb": 50, "small": 100, "compact": 160, "medium": 240,
    "large": 480, "grande": 600, "original": 4096, "master": 4096, "fullxfull": 4096,
}  # fmt: skip
_SIZE_MARKS = [
    re.compile(r"\._[A-Z0-9_,]+_$"),  # Amazon: name._AC_UL1024_.jpg
    re.compile(r"(?<=[_.-])(?:\d+x\d+|\d+xN|Nx\d+|fullxfull)(?=[_.-]|$)", re.IGNORECASE),
    re.compile(r"_(?:pico|icon|thumb|small|compact|medium|large|grande|original|master)$"),
    re.compile(r"(?<=^s-l)\d+$"),  # eBay: s-l300.jpg
    re.compile(r"(?<=\d)_\d{2,4}(?=_[A-Z]$)"),  # Spartoo: 3410048_500_A.jpg
    re.compile(r"^[a-z]_(?=\d)"),  # Currys: u_10134622.jpg, l_10134622_001.jpg
    re.compile(r"_S\d$"),  # IKEA: __0710168_PE727370_S5.JPG
    re.compile(r"\.\d{2,4}\.\d{2,4}$"),  # BigCommerce: name__81234.1581234567.500.659.jpg
]
_TRANSFORM_SEGMENT = re.compile(r"^(?:(?:resize|scale|compr|crop|fit|trim)-[\w-]*\^?)+$")
_NUMBERS = re.compile(
    r"(?:(?<=[^a-z])|^)(?:s-l|sw=|w=|width=|imwidth=|UL|SL|SX|SY|UX|UY|SS|w)(\d{2,4})"
)
# A gallery's photo at its largest, as scripts name it: Amazon's "hiRes", eBay's "maxImageUrl".
_SCRIPT_PHOTO = re.compile(r'"(?:hiRes|maxImageUrl)"\s*:\s*("https?:(?:[^"\\\s]|\\.)+")')
_ID_LIKE = re.compile(r"\d{6,}|[0-9a-f]{8}-[0-9a-f]{4}-", re.IGNORECASE)
_SLUG_WORD = re.compile(r"[^\W\d_]{3,}")
_WORD = re.compile(r"\w+")
_IMAGE_ATTRIBUTES = (
    "data-old-hires", "data-zoom-image", "data-large", "data-src", "data-original", "src",
)  # fmt: skip


def photo_key(url: str) -> str:
    """The photo a URL shows, whatever size it asks for."""
    parts = urlsplit(url)
    segments = [unquote(s) for s in parts.path.split("/") if s]
    segments = [s for s in segments if not _TRANSFORM_SEGMENT.match(s)]
    if not segments:
        return url
    stem = segments[-1].rsplit(".", 1)[0]
    for mark in _SIZE_MARKS:
        stem = mark.sub("", stem)
    segments[-1] = stem
    if len(segments) > 1 and _ID_LIKE.search(segments[-2]) and len(_SLUG_WORD.findall(stem)) >= 2:
        # A name for search engines after the photo's id ("/<uuid>/kaercher-k-3.jpg", also
        # served as "/<uuid>"; "/27792084/Penhook+Armchair.jpg" and "penhook-armchair.jpg").
        segments.pop()
    # The last two, compared as letters and digits: what comes before is often a cache's or a
    # transformation's own id.
    return "/".join(re.sub(r"[\W_]+", "", s).lower() for s in segments[-2:])


def size_hint(url: str) -> int:
    """The size a URL asks for, as far as its URL says (0: not said)."""
    text = unquote(url)
    name = text.rsplit("/", 1)[-1]
    sizes = [int(n) for n in _NUMBERS.findall(text)]
    sizes += [int(n) for n in re.findall(r"(?<![0-9A-Za-z])(\d{2,4})x(?:\d+|N)\b", text)]
    sizes += [size for word, size in _NAMED_SIZES.items() if re.search(rf"[_.]{word}\b", name)]
    return max(sizes, default=0)


def distinct_photos(
    urls: Iterable[tuple[str, str]], larger: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """(url, source) pairs, one per photo, in the order first offered, each at its largest;
    `larger` may only offer a larger size of a photo already there."""
    chosen: dict[str, tuple[str, str]] = {}
    for url, source in urls:
        key = photo_key(url)
        if key not in chosen:
            chosen[key] = (url, source)
        elif size_hint(url) > size_hint(chosen[key][0]):
            chosen[key] = (url, chosen[key][1])
    for url in larger:
        key = photo_key(url)
        if key in chosen and size_hint(url) > size_hint(chosen[key][0]):
            chosen[key] = (url, chosen[key][1])
    return list(chosen.values())


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def named_images(tree: HtmlElement, name: str) -> Iterator[str]:
    """The URLs of the page's <img> whose alt text names the product (its first word and most
    of its first twelve), with the zoom link around each and its srcset."""
    words = _WORD.findall(name)[:12]
    wanted = _words(" ".join(words))
    if not wanted:
        return
    for img in tree.iter("img"):
        said = _words(img.get("alt") or "")
        # Its first word too: "SAGOSKATT Soft toy, brown bear" is not "DJUNGELSKOG Soft toy".
        if words[0].casefold() not in said or len(wanted & said) < 0.8 * len(wanted):
            continue
        # A zoom link: the <a> around the image, or around its frame.
        frame = img.getparent()
        for link in (frame, frame.getparent() if frame is not None else None):
            href = (link.get("href") or "") if link is not None and link.tag == "a" else ""
            if re.search(r"\.(?:jpe?g|png|webp)(?:\?|$)", href, re.IGNORECASE):
                yield href
        # A lazy image's real source first (its src is then a placeholder).
        sources = [(img.get(a) or "").strip() for a in _IMAGE_ATTRIBUTES]
        yield from [s for s in sources if "/" in s and not s.startswith("data:")][:1]
        yield from [c.split()[0] for c in (img.get("srcset") or "").split(",") if c.strip()]


def script_photos(tree: HtmlElement) -> Iterator[str]:
    """The photos of a gallery an inline script carries, at their largest."""
    for script in tree.iter("script"):
        if script.get("src") is None and script.text:
            for quoted in _SCRIPT_PHOTO.findall(script.text):
                try:
                    url = json.loads(quoted)  # "https:\u002F\u002F...", "https:\/\/..."
                except ValueError:
                    continue
                if isinstance(url, str):
                    yield url
