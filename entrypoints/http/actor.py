"""The acting user of an HTTP request: handlers get it from dishka (REQUEST scope, built from the Litestar
request in the container's context)."""

from __future__ import annotations

from dishka import Provider, Scope, provide
from litestar import Request

from adapters.auth.tokens import Principal
from application.context import Actor
from domain.users import Role
from entrypoints.http.edge import client_request_id_in, request_id_in

NO_PRACTICE = ""  # an unauthenticated caller sees no practice's patients


def request_actor(request: Request) -> Actor:  # type: ignore[type-arg]
    """The acting user, request id and practice scope (clinicians: their own practice; admins: all);
    on a public route, nobody yet (no principal is looked for there)."""
    principal = request.scope.get("user")
    request_id, client_request_id = request_id_in(request.scope), client_request_id_in(request.scope)
    if not isinstance(principal, Principal):
        return Actor("anonymous", request_id, NO_PRACTICE, client_request_id)
    practice = None if principal.role is Role.ADMIN else principal.practice_id
    return Actor(principal.user_id, request_id, practice, client_request_id)


class ActorProvider(Provider):
    """`FromDishka[Actor]` in a handler: read when the handler runs, after authentication."""

    @provide(scope=Scope.REQUEST)
    def actor(self, request: Request) -> Actor:  # type: ignore[type-arg]
        return request_actor(request)
