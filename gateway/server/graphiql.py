"""GraphiQL for developers who open /graphql in a browser, served entirely by the gateway.

Every asset (React, GraphiQL and its CSS, the page's own script and style) is a file of this package
(``static/graphiql/``, pinned vendor files checked against ``MANIFEST.json``; see
``scripts/graphiql_assets.py``), so the page works on a network that reaches nothing but the gateway. The page
carries a strict Content-Security-Policy: scripts, styles and connections from the gateway's own origin only, no
inline script (the page's settings travel as a JSON data block, which is never executed), no frames, no forms.

In development the page adds a caller picker that fills the request headers with a fresh dev token
(:mod:`.graphiql_dev`); elsewhere its header editor shows empty placeholders and nothing mints.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ..config import GatewaySettings
from .graphiql_dev import TOKEN_PATH, dev_token, page_config

STATIC_DIR = Path(__file__).resolve().parent / "static" / "graphiql"
ASSET_PREFIX = "/graphiql/assets/"
# Load order matters: GraphiQL's UMD build reads the React globals; the page script comes last.
SCRIPTS = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "lienthong-graphiql.js")
STYLES = ("graphiql.min.css", "lienthong-graphiql.css")
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# data: for the fonts and icons GraphiQL's stylesheet inlines; everything else from the gateway only.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
))
PAGE_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}
# Shown outside development: the contract's headers with placeholders only, no credential; the page's fetcher
# leaves out a header still holding a ``<…>`` placeholder, so an unfilled header is simply absent.
PLACEHOLDER_HEADERS = {
    "Authorization": "Bearer <token>",
    "X-Purpose": "<purpose, e.g. criminal_proceedings>",
    "X-Legal-Basis": "<case or decision reference>",
}

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>Liên thông — GraphiQL</title>
  <link rel="icon" href="data:," />
{styles}
  <script type="application/json" id="lt-config">{config}</script>
{scripts}
</head>
<body>
  <div id="lt-root"><div id="lt-loading">Loading GraphiQL…</div></div>
</body>
</html>
"""


@dataclass(frozen=True, slots=True)
class Asset:
    """One served file: its bytes, gzip-compressed bytes, media type and content hash (the URL's version)."""

    body: bytes
    gzipped: bytes
    media_type: str
    sha256: str


@dataclass
class GraphiQLAssets:
    """The files of ``directory`` the page uses, read once on first use (one instance per app)."""

    directory: Path = STATIC_DIR
    names: tuple[str, ...] = field(default=SCRIPTS + STYLES)

    @cached_property
    def files(self) -> dict[str, Asset]:
        out = {}
        for name in self.names:
            body = (self.directory / name).read_bytes()
            out[name] = Asset(body, gzip.compress(body, 6, mtime=0), MEDIA_TYPES[Path(name).suffix],
                              hashlib.sha256(body).hexdigest())
        return out

    def url(self, name: str) -> str:
        """The asset's URL, versioned by its content so it can be cached for good."""
        return f"{ASSET_PREFIX}{name}?v={self.files[name].sha256[:16]}"

    def response(self, name: str, accept_encoding: str) -> Response:
        """The asset ``name`` (only the page's own files: anything else is 404)."""
        asset = self.files.get(name)
        if asset is None:
            return Response("not found", 404, media_type="text/plain")
        headers = {"cache-control": "public, max-age=31536000, immutable", "x-content-type-options": "nosniff",
                   "etag": f'"{asset.sha256[:32]}"', "vary": "accept-encoding"}
        if "gzip" in accept_encoding.lower():
            return Response(asset.gzipped, media_type=asset.media_type, headers={**headers, "content-encoding": "gzip"})
        return Response(asset.body, media_type=asset.media_type, headers=headers)


def _json_block(value: Any) -> str:
    # ``</`` and ``<!`` escaped (``\u003c``, still the same JSON) so no string can end or confuse the data block.
    return re.sub(r"<(?=[/!])", r"\\u003c", json.dumps(value, ensure_ascii=False))


def graphiql_html(endpoint: str, settings: GatewaySettings, assets: GraphiQLAssets) -> str:
    """The GraphiQL page for ``endpoint``: asset links, and the settings block the page script reads."""
    config = {"endpoint": endpoint, "env": settings.env, "headers": PLACEHOLDER_HEADERS, **page_config(settings)}
    styles = "\n".join(f'  <link rel="stylesheet" href="{html.escape(assets.url(n))}" />' for n in STYLES)
    scripts = "\n".join(f'  <script defer src="{html.escape(assets.url(n))}"></script>' for n in SCRIPTS)
    return _PAGE.format(styles=styles, scripts=scripts, config=_json_block(config))


def graphiql_response(request: Request, settings: GatewaySettings, assets: GraphiQLAssets) -> Response:
    """The page as an HTML response with its Content-Security-Policy."""
    return HTMLResponse(graphiql_html(str(request.url.path), settings, assets), headers=PAGE_HEADERS)


def graphiql_routes(settings: GatewaySettings, assets: GraphiQLAssets) -> list[Route]:
    """The page's asset route, and in development only the dev-token route."""

    async def asset(request: Request) -> Response:
        return assets.response(request.path_params["name"], request.headers.get("accept-encoding", ""))

    async def token(request: Request) -> Response:
        return await dev_token(request, settings)

    routes = [Route(ASSET_PREFIX + "{name}", asset, methods=["GET"])]
    if settings.development:
        routes.append(Route(TOKEN_PATH, token, methods=["POST"]))
    return routes


def wants_html(accept: str) -> bool:
    """A browser navigating to /graphql asks for HTML first; API clients ask for JSON."""
    return "text/html" in accept.split(",", 1)[0] or ("text/html" in accept and "application/json" not in accept)


__all__ = ["CONTENT_SECURITY_POLICY", "GraphiQLAssets", "graphiql_html", "graphiql_response", "graphiql_routes",
           "wants_html"]
