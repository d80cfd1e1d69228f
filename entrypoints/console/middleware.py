"""Every console page needs a session: the cookie's user becomes the request's user (so `Actor` and the
role guards work as for the API); signed out, a page redirects to the sign-in page (303, keeping where to
go back, path only); a session past half its life gets a fresh token in the same response."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from dishka import AsyncContainer
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from adapters.auth.tokens import AccessTokenService, Principal
from domain.ports import Clock, UnitOfWork
from entrypoints.console.session import SessionCookies, half_used, over_tls, principal_of, session_key
from entrypoints.http.client_address import TrustedProxies
from entrypoints.http.security import AnyConnection

LOGIN_PATH = "/console/login"
OPEN = {"console_public": True}  # a console route that needs no session (sign-in, static files)
ENDS_SESSION = {"console_ends_session": True}  # sign-out: no fresh token for a session being revoked


def safe_next(path: str | None) -> str:
    """A same-site console path to return to after signing in (never another site, never a query)."""
    if not path or not path.startswith("/console") or path.startswith("//") or "\\" in path:
        return "/console/"
    return path.split("?", 1)[0].split("#", 1)[0]


class ConsoleSessionMiddleware(ASGIMiddleware):
    """The console's authentication (the API's bearer middleware skips /console)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: AnyConnection = ASGIConnection(scope)
        container = connection.state.dishka_container
        tokens: AccessTokenService = await container.get(AccessTokenService)
        principal = await principal_of(connection, tokens, await container.get(UnitOfWork))
        handler = scope.get("route_handler")
        opt = handler.opt if handler is not None else {}
        public = bool(opt.get("console_public"))
        if principal is None and not public:
            await _to_sign_in(scope, send)
            return
        if principal is not None:
            scope["user"] = principal
        ending = bool(opt.get("console_ends_session"))
        refreshed = await _fresh_token(principal, tokens, container) if principal and not ending else None
        if refreshed is None:
            await next_app(scope, receive, send)
            return
        proxies: TrustedProxies = await container.get(TrustedProxies)
        cookie = SessionCookies(over_tls(connection, proxies), int(tokens.ttl.total_seconds())).holding(refreshed)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message).add("set-cookie", cookie.to_header(header=""))
            await send(message)

        await next_app(scope, receive, send_with_cookie)


async def _fresh_token(principal: Principal, tokens: AccessTokenService, container: AsyncContainer) -> str | None:
    clock: Clock = await container.get(Clock)
    if not half_used(principal, tokens, clock):
        return None
    uow: UnitOfWork = await container.get(UnitOfWork)
    async with uow:
        user = await uow.users.get(principal.user_id)
    if user is None or not user.active:
        return None
    return tokens.issue(user, session_id=session_key(principal)).access_token


async def _to_sign_in(scope: Scope, send: Send) -> None:
    """303 to the sign-in page; an htmx request (a polled fragment) sends the whole page there instead,
    to come back to the page it was on."""
    request_headers = dict(scope.get("headers", ()))
    back = scope.get("path")
    if b"hx-request" in request_headers:
        back = urlsplit(request_headers.get(b"hx-current-url", b"").decode("latin-1")).path or back
    target = f"{LOGIN_PATH}?next={quote(safe_next(back), safe='/')}"
    headers = [(b"location", target.encode()), (b"content-length", b"0")]
    status = 303
    if b"hx-request" in request_headers:
        status, headers = 200, [(b"hx-redirect", target.encode()), (b"content-length", b"0")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"", "more_body": False})
