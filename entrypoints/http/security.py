"""Bearer authentication (on by default for every route), role guards, and the ids of a request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from adapters.auth.tokens import AccessTokenService, InvalidToken, Principal
from domain.ports import UnitOfWork
from domain.users import Role
from entrypoints.http.edge import client_request_id_in, request_id_in

AnyRequest = Request[Any, Any, Any]  # handlers read headers, scope and body; never a typed user or state
AnyConnection = ASGIConnection[Any, Any, Any, Any]
PUBLIC = {"exclude_from_auth": True}


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    """Every route needs a valid bearer token unless its handler is marked PUBLIC."""

    async def authenticate_request(self, connection: AnyConnection) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException("a bearer token is required")
        tokens: AccessTokenService = await connection.state.dishka_container.get(AccessTokenService)
        try:
            principal = tokens.verify(token.strip())
        except InvalidToken:
            raise NotAuthorizedException("the bearer token is invalid or expired") from None
        async with await connection.state.dishka_container.get(UnitOfWork) as uow:
            revoked = await uow.revocations.is_revoked(principal.token_id)
        if revoked:
            raise NotAuthorizedException("the bearer token was revoked (logged out)")
        return AuthenticationResult(user=principal, auth=token)


def requires_role(*roles: Role) -> Callable[[AnyConnection, BaseRouteHandler], None]:
    """A guard admitting only the given roles."""

    def guard(connection: AnyConnection, _: BaseRouteHandler) -> None:
        principal = connection.user
        if not isinstance(principal, Principal) or principal.role not in roles:
            raise PermissionDeniedException("your role may not do this")

    return guard


def request_id_of(request: AnyConnection) -> str:
    """Our id of this request (the same one the response's `x-request-id` and problem bodies carry)."""
    return request_id_in(request.scope)


def client_request_id_of(request: AnyConnection) -> str | None:
    """The caller's own correlation id, kept beside ours for the audit trail."""
    return client_request_id_in(request.scope)
