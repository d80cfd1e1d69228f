"""The interactive API docs (Swagger UI) served from the app itself: the product runs offline.

The Swagger UI bundle is vendored from the npm package `swagger-ui-dist` (version in
`static/swagger/VERSION`; `make vendor-swagger` refreshes it). The page has no inline script, so
its Content-Security-Policy (entrypoints.http.edge.DOCS_POLICY) allows scripts from 'self' only.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from litestar import Request
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.router import Router
from litestar.static_files import create_static_files_router

ASSETS = Path(__file__).parent / "static" / "swagger"
ASSETS_PATH = "/schema/assets"


class OfflineSwaggerUI(OpenAPIRenderPlugin):
    """Swagger UI at /schema/swagger, its script and styles at /schema/assets (no CDN, no inline code)."""

    def __init__(self, path: str = "/swagger") -> None:
        super().__init__(path=path, favicon="", style="")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        schema_url = escape(self.get_openapi_json_route(request))
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-schema-url="{schema_url}"></div>
  <script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
  <script src="{ASSETS_PATH}/swagger-init.js"></script>
</body>
</html>""".encode()

    def receive_router(self, router: Router) -> None:
        router.register(
            create_static_files_router(
                path="/assets", directories=[ASSETS], include_in_schema=False,
                cache_control=CacheControlHeader(max_age=86400, public=True),
            )
        )
