"""POST /api/v1/auth/token: exchange a username and password for a bearer token (throttled)."""

from __future__ import annotations

from dishka import FromDishka
from litestar import Response, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import JSONBody

from adapters.auth.tokens import AccessTokenService, Principal
from application.context import Actor
from application.login import LogIn, LoginAttempt
from domain.login_throttle import LoginThrottled
from domain.ports import Clock, UnitOfWork
from entrypoints.http import dto
from entrypoints.http.client_address import TrustedProxies
from entrypoints.http.openapi import success
from entrypoints.http.problems import problem
from entrypoints.http.routes import ApiController
from entrypoints.http.security import PUBLIC, AnyRequest, request_id_of


class AuthController(ApiController):
    """Signing in and out."""

    @post("/api/v1/auth/token", opt=PUBLIC,
          operation_id="issueToken", tags=["auth"], status_code=200, summary="Obtain a bearer token",
          description="Failed logins lock one username from one client address, and one address from all "
                      "usernames, for a while: such tries answer 429 with Retry-After.",
          responses=success(200, dto.TokenResponse, "A bearer token"))
    async def issue_token(
        self,
        request: AnyRequest,
        actor: FromDishka[Actor],
        data: JSONBody[dto.TokenRequest],
        log_in: FromDishka[LogIn],
        tokens: FromDishka[AccessTokenService],
        proxies: FromDishka[TrustedProxies],
    ) -> Response[dto.TokenResponse] | Response[dict[str, object]]:
        peer = request.client.host if request.client else None
        address = proxies.client_address(peer, request.headers.getall("x-forwarded-for", []))
        try:
            user = await log_in(LoginAttempt(data.username, data.password, address, actor))
        except LoginThrottled as throttled:
            refused = problem(429, "Too many failed logins", "try again later", request_id=request_id_of(request))
            refused.headers["Retry-After"] = str(throttled.retry_after_seconds)
            return refused
        issued = tokens.issue(user)
        return Response(dto.TokenResponse(access_token=issued.access_token, expires_in=issued.expires_in))

    @post("/api/v1/auth/logout",
          operation_id="logout", tags=["auth"], status_code=204, summary="Revoke the bearer token of this request")
    async def logout(self, request: AnyRequest, uow: FromDishka[UnitOfWork], clock: FromDishka[Clock]) -> None:
        principal = request.user
        if not isinstance(principal, Principal):
            raise NotAuthorizedException("a bearer token is required")
        async with uow:
            await uow.revocations.revoke(principal.token_id, principal.user_id, principal.expires_at, clock.now())
            await uow.commit()

