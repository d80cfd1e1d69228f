"""The console's wiring for create_app: its router (pages, static files, session and CSRF middleware, HTML error
pages) and Jinja2 templates. CSRF protection is the console router's middleware, so API and webhook requests never
pass through it."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router, get
from litestar.config.csrf import CSRFConfig
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.params import FromPath
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import File
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from domain.errors import NotFound
from domain.ports import KeyStore
from entrypoints.console.middleware import OPEN, ConsoleSessionMiddleware
from entrypoints.console.pages.alerts import AlertPages
from entrypoints.console.pages.audit import AuditPages
from entrypoints.console.pages.auth import SignInPages
from entrypoints.console.pages.billing import BillingPages
from entrypoints.console.pages.dashboard import DashboardPages
from entrypoints.console.pages.devices import DevicePages
from entrypoints.console.pages.emr import EmrPages
from entrypoints.console.pages.patient import PatientPage
from entrypoints.console.pages.patients import PatientPages
from entrypoints.console.rendering import ConsoleController, page

HERE = Path(__file__).resolve().parent
CSRF_SECRET = "console-csrf-secret"  # noqa: S105 - the key store's name for it, not the secret
CSRF_COOKIE = "vantrexia_csrf"
STATIC = HERE / "static"
SERVED = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}


class StaticFiles(ConsoleController):
    """The stylesheet, the icon and vendored htmx (no CDN): files under static/ with a served suffix, nothing else."""

    @get("/console/static/{file_path:path}", operation_id="consoleStatic", opt=OPEN)
    async def static(self, file_path: FromPath[str]) -> File:
        target = (STATIC / file_path.lstrip("/")).resolve()
        if STATIC not in target.parents or target.suffix not in SERVED or not target.is_file():
            raise NotFoundException()
        return File(path=target, media_type=SERVED[target.suffix], content_disposition_type="inline")


PAGES: list[type] = [StaticFiles, SignInPages, DashboardPages, AlertPages, PatientPages, PatientPage,
                      DevicePages, BillingPages, EmrPages, AuditPages]


def console_templates() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja2 (autoescape on) over entrypoints/console/templates; pages name them "console/…"."""
    return TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine, engine_callback=_globals)


def _globals(engine: JinjaTemplateEngine) -> None:
    engine.register_template_callable("csrf_field", _csrf_field)


def _csrf_field(context: Mapping[str, Any], /) -> Markup:
    """`{{ csrf_field() }}` in a form: the hidden CSRF input (the token Litestar made for this request)."""
    return Markup(context["csrf_input"])  # noqa: S704 - built by Litestar with the token html-escaped


def console_csrf() -> CSRFConfig:
    """Double-submit CSRF for the console; the secret is replaced from the key store at start-up."""
    return CSRFConfig(
        secret=secrets.token_urlsafe(32), cookie_name=CSRF_COOKIE, cookie_path="/console", cookie_httponly=True,
        cookie_samesite="lax",
    )


async def load_csrf_secret(config: CSRFConfig, keys: KeyStore) -> None:
    """Every API process must accept the others' tokens: the secret is shared through the key store."""
    config.secret = await keys.secret(CSRF_SECRET)


def console_router(csrf: CSRFConfig) -> Router:
    """The console's pages; their session and CSRF checks run for them alone (in that order)."""
    return Router(
        path="/", route_handlers=PAGES,
        middleware=[ConsoleSessionMiddleware(), DefineMiddleware(CSRFMiddleware, config=csrf)],
        exception_handlers={NotFound: _not_found, PermissionDeniedException: _forbidden,
                            NotAuthorizedException: _forbidden},
        include_in_schema=False,
    )


def _not_found(request: Request, _: Exception) -> Response:  # type: ignore[type-arg]
    """The same page whether the thing is missing or another practice's."""
    return page(request, "console/error.html", "Not found", status_code=404,
                heading="Not found", message="There is nothing here, or it is not yours to see.")


def _forbidden(request: Request, _: Exception) -> Response:  # type: ignore[type-arg]
    return page(request, "console/error.html", "Refused", status_code=403,
                heading="Refused", message="This request was refused. Reload the page and try again.")
