"""POST /api/v1/auth/token: exchange a username and password for a bearer token (throttled)."""

from __future__ import annotations

from dishka import FromDishka
from litestar import Request, Response, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import JSONBody

from adapters.auth.tokens import AccessTokenService, Principal
from application.users import Authenticate, Credentials
from domain.errors import AuthenticationFailed
from domain.ports import Clock, UnitOfWork
from entrypoints.http import dto
from entrypoints.http.hardening import LoginThrottle
from entrypoints.http.problems import problem
from entrypoints.http.security import PUBLIC, request_id_of


@post("/api/v1/auth/token", opt=PUBLIC, tags=["auth"], status_code=200, summary="Obtain a bearer token")
async def issue_token(
    request: Request,  # type: ignore[type-arg]
    data: JSONBody[dto.TokenRequest],
    authenticate: FromDishka[Authenticate],
    tokens: FromDishka[AccessTokenService],
    throttle: FromDishka[LoginThrottle],
) -> Response[dto.TokenResponse] | Response[dict[str, object]]:
    wait = throttle.retry_after(data.username)
    if wait is not None:
        refused = problem(429, "Too many failed logins", "try again later", request_id=request_id_of(request))
        refused.headers["Retry-After"] = str(wait)
        return refused
    try:
        user = await authenticate(Credentials(data.username, data.password, request_id_of(request)))
    except AuthenticationFailed:
        throttle.failed(data.username)
        raise
    throttle.succeeded(data.username)
    issued = tokens.issue(user)
    return Response(dto.TokenResponse(access_token=issued.access_token, expires_in=issued.expires_in))


@post("/api/v1/auth/logout", tags=["auth"], status_code=204, summary="Revoke the bearer token of this request")
async def logout(request: Request, uow: FromDishka[UnitOfWork], clock: FromDishka[Clock]) -> None:  # type: ignore[type-arg]
    principal = request.user
    if not isinstance(principal, Principal):
        raise NotAuthorizedException("a bearer token is required")
    async with uow:
        await uow.revocations.revoke(principal.token_id, principal.user_id, principal.expires_at, clock.now())
        await uow.commit()
