"""How a console page answers: `page(...)` renders a template inside the layout (nav, flash message),
`done(...)` redirects (303) after a successful form with a short confirmation, `ConsoleController` is the
base class of every page controller (dishka injection, kept out of the API's OpenAPI document)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from adapters.auth.tokens import Principal
from domain.users import Role
from entrypoints.http.routes import ApiController
from entrypoints.http.security import AnyConnection

FLASH_COOKIE = "vantrexia_flash"
SITE = "Vantrexia console"
NAV = [("Dashboard", "/console/"), ("Alerts", "/console/alerts"), ("Patients", "/console/patients"),
       ("Devices", "/console/devices"), ("Billing", "/console/billing")]
ADMIN_NAV = [("EMR", "/console/emr"), ("Audit", "/console/audit")]


class ConsoleController(ApiController):
    """A console area's pages: HTML, not part of the API's OpenAPI document."""

    include_in_schema = False


def signed_in(connection: AnyConnection) -> Principal | None:
    user = connection.scope.get("user")
    return user if isinstance(user, Principal) else None


def nav_for(principal: Principal | None, path: str) -> list[tuple[str, str, bool]]:
    """The nav's (label, link, is-current) for this user on this path; admins also get EMR and Audit."""
    if principal is None:
        return []
    here = path.rstrip("/") or "/"
    links = NAV + (ADMIN_NAV if principal.role is Role.ADMIN else [])
    return [(label, href, _under(here, href.rstrip("/"))) for label, href in links]


def _under(here: str, section: str) -> bool:
    return here == section or (section != "/console" and here.startswith(section + "/"))


def page(request: AnyConnection, template: str, title: str, *, status_code: int = 200, **context: object) -> Template:
    """`template` in the layout; `title` must never hold PHI (it becomes "<title> — Vantrexia console")."""
    principal = signed_in(request)
    nav = nav_for(principal, request.scope.get("path", ""))
    flash = request.cookies.get(FLASH_COOKIE)
    cookies = [_flash_cookie("", max_age=0)] if flash else []
    return Template(
        template_name=template, status_code=status_code, cookies=cookies,
        context={"title": title, "site": SITE, "principal": principal, "nav": nav,
                 "is_admin": principal is not None and principal.role is Role.ADMIN,
                 "flash": unquote(flash) if flash else None, **context},
    )


def fragment(template: str, **context: Any) -> Template:
    """A piece of a page for htmx to swap in (no layout)."""
    return Template(template_name=template, context=context)


def done(path: str, message: str) -> Redirect:
    """After a successful form: 303 to `path` (our ids only) with `message` shown once (no PHI in it)."""
    return Redirect(path=path, status_code=303, cookies=[_flash_cookie(quote(message), max_age=60)])


def _flash_cookie(value: str, max_age: int) -> Cookie:
    return Cookie(key=FLASH_COOKIE, value=value, path="/console", httponly=True, samesite="lax", max_age=max_age)
