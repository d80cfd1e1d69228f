"""POST /api/v1/auth/token: exchange a username and password for a bearer token."""

from __future__ import annotations

from dishka import FromDishka
from litestar import Request, post
from litestar.params import JSONBody

from adapters.auth.tokens import AccessTokenService
from application.users import Authenticate, Credentials
from entrypoints.http import dto
from entrypoints.http.security import PUBLIC, request_id_of


@post("/api/v1/auth/token", opt=PUBLIC, tags=["auth"], status_code=200, summary="Obtain a bearer token")
async def issue_token(
    request: Request,  # type: ignore[type-arg]
    data: JSONBody[dto.TokenRequest],
    authenticate: FromDishka[Authenticate],
    tokens: FromDishka[AccessTokenService],
) -> dto.TokenResponse:
    user = await authenticate(Credentials(data.username, data.password, request_id_of(request)))
    issued = tokens.issue(user)
    return dto.TokenResponse(access_token=issued.access_token, expires_in=issued.expires_in)
