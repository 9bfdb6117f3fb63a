"""/media/{path}: a finished ad or an uploaded photo, for whoever holds a signed URL.

Only with local storage (with S3 the API hands out the store's own presigned URLs). A request
needs the `expires` and `signature` the API put in the URL (storage.signing): unsigned, expired
or altered requests get 403, and intermediate artefacts (voice tracks, layers) never get a
signature, so they are never served. HTTP Range works, so players can seek.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from resolvers.services import Services
from storage import LocalStore

FORBIDDEN = (
    "Forbidden: media URLs are signed and expire. This one is unsigned, expired or altered; "
    "ask the API for the job again to get a fresh URL."
)


async def media(request: Request) -> Response:
    services: Services = request.app.state.services
    store = services.media
    if not isinstance(store, LocalStore):
        return PlainTextResponse("Not Found: media is served by the object store", 404)
    path = request.path_params["path"]
    expires = request.query_params.get("expires")
    if not store.signer.verify(path, expires, request.query_params.get("signature")):
        return PlainTextResponse(FORBIDDEN, 403)
    try:
        file = store.path(path)
    except ValueError:
        return PlainTextResponse(FORBIDDEN, 403)
    if not file.is_file():
        return PlainTextResponse("Not Found", 404)
    left = max(0, int(expires or 0) - int(time.time()))
    return FileResponse(file, headers={"Cache-Control": f"private, max-age={left}"})
