"""GraphiQL with no network: Strawberry's own GraphiQL page, its CDN assets served by this app.

Strawberry's template (strawberry/static/graphiql.html) loads React, GraphiQL, js-cookie and the
explorer plugin from unpkg, each pinned with an SRI `integrity` hash. The very same files are
vendored in web/vendor/graphiql/ under the same `<package>@<version>/<path>` names and served at
/graphiql-assets/ (server.py mounts it only when GraphiQL is on). The page is Strawberry's
template with each `https://unpkg.com/` replaced by the relative `graphiql-assets/`; the
integrity hashes stay, so the browser itself checks that the local files are the pinned ones.
Queries go to the page's own URL (POST /graphql), subscriptions over websockets to the same URL.

After a Strawberry upgrade whose template pins other versions, start-up fails with the names of
the missing files; refresh them with `.venv/bin/python -m web.graphiql` (needs npm).
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from strawberry.http.ides import get_graphql_ide_html

ASSETS_DIR = Path(__file__).resolve().parent / "vendor" / "graphiql"
MOUNT = "/graphiql-assets"
CDN = re.compile(r"https://(?:unpkg\.com|cdn\.jsdelivr\.net/npm)/")
# An asset URL in the template, and the SRI hash that follows it in the same tag (if any).
_ASSET = re.compile(
    r'(?:src|href)="https://(?:unpkg\.com|cdn\.jsdelivr\.net/npm)/'
    r'(?P<path>(?P<spec>(?:@[^/@"]+/)?[^/@"]+@[^/"]+)/(?P<file>[^"]+))"'
    r'(?:\s+integrity="(?P<integrity>[^"]+)")?'
)


class GraphiQLAssetsMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Asset:
    path: (
        str  # react@18.2.0/umd/react.production.min.js: the URL path and the file under ASSETS_DIR
    )
    spec: str  # react@18.2.0: what `npm pack` fetches
    file: str  # umd/react.production.min.js: the file inside the package
    integrity: str | None


def referenced_assets(template: str) -> list[Asset]:
    return [
        Asset(m["path"], m["spec"], m["file"], m["integrity"]) for m in _ASSET.finditer(template)
    ]


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


@cache
def offline_graphiql_html(assets_dir: Path = ASSETS_DIR) -> str:
    """Strawberry's GraphiQL page with every asset URL pointing at this server."""
    template = get_graphql_ide_html("graphiql")
    assets = referenced_assets(template)
    missing = [a.path for a in assets if not (assets_dir / a.path).is_file()]
    if missing:
        raise GraphiQLAssetsMissing(
            f"GraphiQL assets missing from {assets_dir}: {', '.join(missing)}. "
            "Run `.venv/bin/python -m web.graphiql` to fetch them (needs npm)."
        )
    html = CDN.sub(MOUNT.lstrip("/") + "/", template)
    remote = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="(https?://[^"]+)"', html)
    if remote:
        raise GraphiQLAssetsMissing(f"GraphiQL template still loads remote assets: {remote}")
    return html


def vendor(assets_dir: Path = ASSETS_DIR) -> None:
    """Fetch every asset the installed Strawberry's template pins, with `npm pack`, and check
    each against the template's SRI hash before writing it (with the package's LICENSE)."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to fetch the GraphiQL assets")
    assets = referenced_assets(get_graphql_ide_html("graphiql"))
    with tempfile.TemporaryDirectory() as scratch:
        for spec in sorted({asset.spec for asset in assets}):
            unpacked = Path(scratch) / spec
            unpacked.mkdir(parents=True)
            subprocess.run(
                [npm, "pack", spec, "--silent", "--pack-destination", unpacked],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            with tarfile.open(next(unpacked.glob("*.tgz"))) as archive:
                archive.extractall(unpacked, filter="data")
            licence = unpacked / "package" / "LICENSE"
            if licence.is_file():
                (assets_dir / spec).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(licence, assets_dir / spec / "LICENSE")
        for asset in assets:
            data = (Path(scratch) / asset.spec / "package" / asset.file).read_bytes()
            if asset.integrity and sri(data) != asset.integrity:
                raise SystemExit(
                    f"{asset.path}: {sri(data)} is not the template's {asset.integrity}"
                )
            target = assets_dir / asset.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            print(f"{asset.path}  {len(data)} bytes  {sri(data)}")


if __name__ == "__main__":
    vendor(Path(sys.argv[1]) if len(sys.argv) > 1 else ASSETS_DIR)
