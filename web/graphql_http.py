"""GraphQL over HTTP (graphql.github.io/graphql-over-http): the response media type.

A client that asks for `application/graphql-response+json` (Accept) gets it, and with it the
status codes that type carries: a request that never reached execution (it did not parse, did
not validate, or its variables did not coerce) is answered 400 with `errors` and no `data` entry.
Every other client (no Accept, `*/*`, `application/json`: browsers, curl, Apollo Client 3, the
CLI, the web page) keeps `application/json` and 200 for GraphQL errors, as before.
"""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
GRAPHQL_RESPONSE_CONTENT_TYPE = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"


def _ranges(accept: str) -> list[tuple[str, float]]:
    """`a/b;q=0.5, c/d` -> [("a/b", 0.5), ("c/d", 1.0)]; unreadable q values count as 0."""
    ranges = []
    for part in accept.split(","):
        media, *params = part.split(";")
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        if media.strip():
            ranges.append((media.strip().lower(), quality))
    return ranges


def _quality(ranges: list[tuple[str, float]], media_type: str) -> tuple[float, bool]:
    """The q of the most specific range matching `media_type` (RFC 9110 12.5.1), and whether
    the type was named exactly."""
    kind = media_type.split("/")[0] + "/*"
    for candidate, named in ((media_type, True), (kind, False), ("*/*", False)):
        matches = [q for media, q in ranges if media == candidate]
        if matches:
            return max(matches), named
    return 0.0, False


def response_media_type(accept: str | None) -> str:
    """application/graphql-response+json when the client ranks it at least as high as
    application/json and names it; application/json otherwise (also with no Accept at all)."""
    if not accept:
        return JSON
    ranges = _ranges(accept)
    new, named = _quality(ranges, GRAPHQL_RESPONSE_JSON)
    legacy, _ = _quality(ranges, JSON)
    if new > 0 and (new > legacy or (new == legacy and named)):
        return GRAPHQL_RESPONSE_JSON
    return JSON


def is_request_error(result: ExecutionResult) -> bool:
    """True when execution never started: a parse or validation failure (Strawberry's
    PreExecutionError), or graphql-core refusing the operation before running it (variables
    that do not coerce, an unknown operation name): no data and no error with a field path.
    A field error that nulls the whole result still has its path: that is a response with
    `data: null`, answered 200."""
    if isinstance(result, PreExecutionError):
        return True
    errors: list[GraphQLError] = result.errors or []
    return result.data is None and bool(errors) and all(error.path is None for error in errors)
