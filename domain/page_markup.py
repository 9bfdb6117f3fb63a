"""A page's structured data, read with `extruct` and brought to one shape.

extruct reads JSON-LD, microdata, RDFa and Open Graph; each comes back in its own shape
(JSON-LD as written, microdata as {"type", "properties"}, RDFa as expanded, flattened JSON-LD).
Here each becomes the same nested, JSON-LD-like dict ({"@type": [...], "name": ..., "offers":
...}) so that one reader (domain.page_product) understands a Product from any of them.

extruct and lxml take about a second to import, so they are imported when a page is read, not
when the API starts (tests/test_architecture.py holds the API's start-up to what it needs).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lxml.html import HtmlElement

Node = dict[str, Any]
SCHEMA_PREFIXES = ("http://schema.org/", "https://schema.org/")
# How far references are followed: a stranger's markup cannot make us recurse without end.
MAX_DEPTH = 8

# extruct logs a stranger's broken markup as errors, with tracebacks; here it is expected.
logging.getLogger("extruct").setLevel(logging.CRITICAL)


@dataclass
class Markup:
    """What a page carries, in order of trust: JSON-LD, microdata, RDFa nodes (every node,
    nested ones included), and its Open Graph properties in page order."""

    tree: HtmlElement
    nodes: dict[str, list[Node]] = field(default_factory=dict)  # by source, e.g. "json-ld"
    open_graph: list[tuple[str, str]] = field(default_factory=list)


def read_markup(text: str, base_url: str) -> Markup:
    import lxml.etree
    import lxml.html
    from extruct.jsonld import JsonLdExtractor
    from extruct.opengraph import OpenGraphExtractor
    from extruct.rdfa import RDFaExtractor
    from extruct.utils import parse_html, parse_xmldom_html
    from extruct.w3cmicrodata import MicrodataExtractor

    # RDFa needs extruct's DOM-flavoured tree, and costs 0.1-0.6 s on a shop's page; a Product
    # in RDFa is always an element with typeof, so a page without one is not distilled.
    rdfa = "typeof=" in text.lower()
    try:
        tree = (parse_xmldom_html if rdfa else parse_html)(text, encoding="utf-8")
    except (lxml.etree.ParserError, ValueError):
        tree = lxml.html.fromstring("<html></html>")
    markup = Markup(tree=tree)
    extractors: list[tuple[str, Any]] = [
        ("json-ld", lambda: JsonLdExtractor().extract_items(tree, base_url=base_url)),
        ("microdata", lambda: MicrodataExtractor().extract_items(tree, base_url)),
    ]
    if rdfa:
        extractors.append(("rdfa", lambda: RDFaExtractor().extract_items(tree, base_url)))
    for source, extract in extractors:
        try:
            found = list(extract())
        except Exception:  # a stranger's markup: what one syntax cannot read is skipped
            found = []
        markup.nodes[source] = list(_normalised(source, found))
    for item in OpenGraphExtractor().extract_items(tree):
        markup.open_graph += item["properties"]
    if not markup.open_graph:
        # lxml moves a head's <meta> into the body after markup only a body may hold (a stray
        # <div>, a <noscript> with an <img>), and extruct reads the head's only; browsers and
        # every crawler read them wherever they are.
        markup.open_graph = [
            (meta.get("property", ""), meta.get("content", ""))
            for meta in tree.iter("meta")
            if meta.get("property", "").startswith(("og:", "product:"))
            and meta.get("content") is not None
        ]
    return markup


def _normalised(source: str, items: list[Any]) -> Iterator[Node]:
    if source == "json-ld":
        yield from _walk([_unescaped(item) for item in items])
    elif source == "microdata":
        yield from _walk([_from_microdata(item, 0) for item in items])
    else:
        yield from _from_rdfa(items)


def _walk(value: Any) -> Iterator[Node]:
    """Every node in document order, nested ones and @graph included (with a stack: a
    stranger's nesting cannot exhaust ours)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            yield item
            stack.extend(reversed([v for v in item.values() if isinstance(v, dict | list)]))


def _unescaped(value: Any) -> Any:
    """JSON-LD strings with their HTML entities decoded, once: a script's text is not decoded
    by the HTML parser, and shops escape names in it ("Black &amp; Silver")."""
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item)
        for key, inner in list(pairs):
            if isinstance(inner, str) and "&" in inner:
                item[key] = html.unescape(inner)
            elif isinstance(inner, dict | list):
                stack.append(inner)
    return value


def types(node: Node) -> set[str]:
    """A node's types by short name, lower case: "Product", "http://schema.org/Product" and
    "schema:product" are all "product"."""
    value = node.get("@type")
    names = value if isinstance(value, list) else [value]
    return {n.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for n in names if isinstance(n, str)}


def _from_microdata(item: Any, depth: int) -> Any:
    """{"type": ..., "properties": {...}} as {"@type": ..., ...}, nested items too."""
    if isinstance(item, list):
        return [_from_microdata(v, depth + 1) for v in item]
    if not isinstance(item, dict) or "properties" not in item or depth > MAX_DEPTH:
        return item
    node: Node = {"@type": item.get("type")}
    if "id" in item:
        node["@id"] = item["id"]
    for key, value in item["properties"].items():
        node[key] = _from_microdata(value, depth + 1)
    return node


def _from_rdfa(items: list[Any]) -> Iterator[Node]:
    """RDFa's flattened, expanded JSON-LD, schema.org's properties only, references followed."""
    flat = [item for item in items if isinstance(item, dict)]
    index = {item["@id"]: item for item in flat if isinstance(item.get("@id"), str)}

    def value(entry: Any, depth: int) -> Any:
        if not isinstance(entry, dict):
            return entry
        if "@value" in entry:
            return entry["@value"]
        reference = entry.get("@id")
        if isinstance(reference, str) and reference in index and depth < MAX_DEPTH:
            return node(index[reference], depth + 1)
        return reference

    def node(item: Node, depth: int) -> Node:
        built: Node = {"@type": item.get("@type", [])}
        for key, values in item.items():
            if key.startswith(SCHEMA_PREFIXES):
                found = [value(v, depth) for v in values] if isinstance(values, list) else []
                built[key.rsplit("/", 1)[-1]] = found[0] if len(found) == 1 else found
        return built

    for item in flat:
        if any(str(t).startswith(SCHEMA_PREFIXES) for t in item.get("@type", [])):
            yield node(item, 0)
