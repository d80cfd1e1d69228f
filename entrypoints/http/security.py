"""Bearer authentication (on by default for every route), role guards and request ids."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from adapters.auth.tokens import AccessTokenService, InvalidToken, Principal
from application.context import Actor
from domain.ports import UnitOfWork
from domain.users import Role

PUBLIC = {"exclude_from_auth": True}
NO_PRACTICE = ""  # an unauthenticated caller sees no practice's patients
REQUEST_ID_HEADER = "x-request-id"


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    """Every route needs a valid bearer token unless its handler is marked PUBLIC."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:  # type: ignore[type-arg]
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


def requires_role(*roles: Role) -> Callable[[ASGIConnection, BaseRouteHandler], None]:  # type: ignore[type-arg]
    """A guard admitting only the given roles."""

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:  # type: ignore[type-arg]
        principal = connection.user
        if not isinstance(principal, Principal) or principal.role not in roles:
            raise PermissionDeniedException("your role may not do this")

    return guard


def actor_of(request: Request) -> Actor:  # type: ignore[type-arg]
    """The acting user, request id and practice scope (clinicians: their own practice; admins: all)."""
    principal = request.user
    if not isinstance(principal, Principal):
        return Actor("anonymous", request_id_of(request), practice_id=NO_PRACTICE)
    scope = None if principal.role is Role.ADMIN else principal.practice_id
    return Actor(principal.user_id, request_id_of(request), scope)


def request_id_of(request: ASGIConnection) -> str | None:  # type: ignore[type-arg]
    value = request.scope.get("state", {}).get("request_id")
    return value if isinstance(value, str) else None


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Give each request an id (or keep a well-formed incoming one) and echo it back."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = incoming if _well_formed(incoming) else str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        await app(scope, receive, send_with_id)

    return middleware


def _well_formed(value: str) -> bool:
    return 8 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)
