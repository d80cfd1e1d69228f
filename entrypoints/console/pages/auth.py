"""Signing in to the console (the API's LogIn: same throttle, same audit) and signing out (revoked)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import msgspec
from dishka import FromDishka
from litestar import get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template

from adapters.auth.tokens import AccessTokenService
from application.context import Actor
from application.login import LogIn, LoginAttempt
from domain.errors import AuthenticationFailed
from domain.login_throttle import LoginThrottled
from domain.ports import Clock, UnitOfWork
from entrypoints.console.middleware import ENDS_SESSION, LOGIN_PATH, OPEN, safe_next
from entrypoints.console.rendering import ConsoleController, done, page, signed_in
from entrypoints.console.session import SessionCookies, over_tls, session_key
from entrypoints.http.client_address import TrustedProxies
from entrypoints.http.security import AnyRequest

INVALID = "Invalid username or password"
THROTTLED = "Too many failed sign-ins from here. Try again later."


class SignInForm(msgspec.Struct):
    username: str = ""
    password: str = ""
    next: str = ""


Form = Annotated[SignInForm, Body(media_type=RequestEncodingType.URL_ENCODED)]


class SignInPages(ConsoleController):
    """/console/login and /console/logout."""

    @get(LOGIN_PATH, operation_id="consoleSignInPage", opt=OPEN)
    async def sign_in_page(self, request: AnyRequest, next: FromQuery[str | None] = None) -> Template:
        return page(request, "console/login.html", "Sign in", next=safe_next(next), error=None, username="")

    @post(LOGIN_PATH, operation_id="consoleSignIn", opt=OPEN, status_code=303)
    async def sign_in(
        self, request: AnyRequest, data: Form, actor: FromDishka[Actor], log_in: FromDishka[LogIn],
        tokens: FromDishka[AccessTokenService], proxies: FromDishka[TrustedProxies],
    ) -> Template | Redirect:
        peer = request.client.host if request.client else None
        address = proxies.client_address(peer, request.headers.getall("x-forwarded-for", []))
        try:
            user = await log_in(LoginAttempt(data.username, data.password, address, actor))
        except (AuthenticationFailed, LoginThrottled) as refused:
            status, error = (429, THROTTLED) if isinstance(refused, LoginThrottled) else (401, INVALID)
            return page(request, "console/login.html", "Sign in", status_code=status, next=safe_next(data.next),
                        error=error, username=data.username)
        cookies = SessionCookies(over_tls(request, proxies), int(tokens.ttl.total_seconds()))
        return Redirect(path=safe_next(data.next), status_code=303,
                        cookies=[cookies.holding(tokens.issue(user).access_token)])

    @post("/console/logout", operation_id="consoleSignOut", status_code=303, opt=ENDS_SESSION)
    async def sign_out(
        self, request: AnyRequest, uow: FromDishka[UnitOfWork], clock: FromDishka[Clock],
        tokens: FromDishka[AccessTokenService], proxies: FromDishka[TrustedProxies],
    ) -> Redirect:
        principal = signed_in(request)
        if principal is not None:
            now = clock.now()
            # re-issued tokens of this session live at most one TTL from now: revoke the session that long
            async with uow:
                await uow.revocations.revoke(session_key(principal), principal.user_id,
                                             now + tokens.ttl + timedelta(minutes=1), now)
                if principal.token_id != session_key(principal):
                    await uow.revocations.revoke(principal.token_id, principal.user_id, principal.expires_at, now)
                await uow.commit()
        redirect = done(LOGIN_PATH, "You have signed out.")
        redirect.cookies.append(SessionCookies(over_tls(request, proxies), 0).cleared())
        return redirect
