"""dishka's request scope, opened per request only for the routes that use it.

dishka's `setup_dishka` wraps the whole ASGI app, so every request (a webhook too) made a Request and
entered and closed a request-scoped container. Here the same scope is a Litestar middleware, which
runs after routing: a route whose handler needs only process-wide objects (the webhooks) opts out
with `WITHOUT_REQUEST_SCOPE` in its `opt`, the documented way to exclude a middleware.
"""

from __future__ import annotations

from typing import Any

from dishka import AsyncContainer
from dishka import Scope as DIScope
from litestar import Litestar, Request
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

NO_REQUEST_SCOPE_KEY = "without_request_scope"
WITHOUT_REQUEST_SCOPE = {NO_REQUEST_SCOPE_KEY: True}


class RequestScopeMiddleware(ASGIMiddleware):
    """`request.state.dishka_container`: a request-scoped container (with the Request in its context),
    closed after the answer was sent; authentication and `FromDishka` parameters resolve from it."""

    scopes = (ScopeType.HTTP,)
    exclude_opt_key = NO_REQUEST_SCOPE_KEY

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request: Request[Any, Any, Any] = Request(scope)
        container: AsyncContainer = request.app.state.dishka_container
        async with container({Request: request}, scope=DIScope.REQUEST) as request_container:
            request.state.dishka_container = request_container
            await next_app(scope, receive, send)


def app_container(app: Litestar) -> AsyncContainer:
    """The process-wide container (APP scope) the app was built with."""
    container: AsyncContainer = app.state.dishka_container
    return container
