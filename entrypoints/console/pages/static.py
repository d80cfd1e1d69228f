"""/console/static/…: the console's stylesheet and vendored htmx, from the package itself (no CDN)."""

from __future__ import annotations

from pathlib import Path

from litestar import get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File

from entrypoints.console.middleware import OPEN
from entrypoints.console.rendering import ConsoleController

STATIC = Path(__file__).resolve().parents[1] / "static"
SERVED = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


class StaticFiles(ConsoleController):
    """Files under entrypoints/console/static with a served suffix; nothing else (no listing, no traversal)."""

    @get("/console/static/{file_path:path}", operation_id="consoleStatic", opt=OPEN)
    async def static(self, file_path: FromPath[str]) -> File:
        target = (STATIC / file_path.lstrip("/")).resolve()
        if STATIC not in target.parents or target.suffix not in SERVED or not target.is_file():
            raise NotFoundException()
        return File(path=target, media_type=SERVED[target.suffix], content_disposition_type="inline")
