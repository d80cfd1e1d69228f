"""create_sandbox: a SMART Backend Services + FHIR R4 server for tests and `VANTREXIA_EMR=sandbox` demos.

It verifies our client assertions against our JWKS, requires its bearer tokens, pages Patients,
honours conditional create, and injects failures (401/429/500/503, latency, hangs) on request.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from litestar import Litestar, Request, Response
from litestar.datastructures import State
from litestar.types import ASGIApp, HTTPResponseBodyEvent, HTTPResponseStartEvent, Message, Receive, Scope, Send

from entrypoints.sandbox.assertion import JwksProvider, jwks_source
from entrypoints.sandbox.auth import auth_routes
from entrypoints.sandbox.fhir import fhir_router, problem
from entrypoints.sandbox.state import Failure, SandboxState

FHIR_PATH = "/fhir/r4/SANDBOX"  # eCW-like: the FHIR base ends in the practice code
TOKEN_PATH = "/oauth/oauth2/token"  # noqa: S105 - a path
AUTHORIZE_PATH = "/oauth/oauth2/authorize"
# the generic SMART mode: no practice code, endpoints a client can only learn from the SMART configuration
SMART_FHIR_PATH = "/api/fhir/r4"
SMART_TOKEN_PATH = "/auth/realms/clinic/token"  # noqa: S105 - a path
SMART_AUTHORIZE_PATH = "/auth/realms/clinic/authorize"
PUBLIC = ("/metadata", "/.well-known/smart-configuration")


def create_sandbox(
    jwks: str | JwksProvider, *, state: SandboxState | None = None, fhir_path: str = FHIR_PATH,
    token_path: str = TOKEN_PATH, authorize_path: str = AUTHORIZE_PATH,
) -> Litestar:
    """The ASGI app; `jwks` is our JWKS URL or an async callable returning the public JWKs.
    Its SandboxState (given, or a seeded one) is `app.state.sandbox`."""
    sandbox = state if state is not None else SandboxState.seeded()
    keys = jwks_source(jwks)

    async def before_request(request: Request[Any, Any, Any]) -> Response[Any] | None:
        path, query = request.url.path, request.url.query
        sandbox.requests.append((request.method, f"{path}?{query}" if query else path))
        if sandbox.latency_seconds:
            await asyncio.sleep(sandbox.latency_seconds)
        failure = sandbox.take_failure(path)
        if failure is not None:
            return await _failed(failure)
        if path.startswith(fhir_path) and not path.endswith(PUBLIC) and not _authorized(request, sandbox):
            response = problem(401, "login", "a valid bearer token is required")
            response.headers["www-authenticate"] = 'Bearer error="invalid_token"'
            return response
        return None

    return Litestar(
        route_handlers=[*auth_routes(sandbox, keys, token_path, authorize_path, fhir_path),
                        fhir_router(sandbox, fhir_path, token_path, authorize_path)],
        before_request=before_request, middleware=[_answers_lost_by(sandbox)], openapi_config=None,
        state=State({"sandbox": sandbox}),
    )


async def _failed(failure: Failure) -> Response[Any]:
    if failure.hang_seconds:
        await asyncio.sleep(failure.hang_seconds)
    headers = {"retry-after": failure.retry_after} if failure.retry_after else None
    return Response(_outcome(failure), status_code=failure.status, headers=headers,
                    media_type="application/fhir+json")


def _outcome(failure: Failure) -> dict[str, Any]:
    return failure.body or {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "transient", "diagnostics": "injected failure"}]}


def _answers_lost_by(sandbox: SandboxState) -> Callable[[ASGIApp], ASGIApp]:
    """Failures `after_processing`: the request is handled, then its answer replaced (a lost response)."""

    def middleware(app: ASGIApp) -> ASGIApp:
        async def handle(scope: Scope, receive: Receive, send: Send) -> None:
            failure = sandbox.take_failure(scope["path"], after_processing=True)
            if failure is None:
                await app(scope, receive, send)
                return

            async def swallow(message: Message) -> None:
                return None

            await app(scope, receive, swallow)
            if failure.hang_seconds:
                await asyncio.sleep(failure.hang_seconds)
            headers = [(b"content-type", b"application/fhir+json")]
            if failure.retry_after:
                headers.append((b"retry-after", failure.retry_after.encode()))
            await send(HTTPResponseStartEvent(type="http.response.start", status=failure.status, headers=headers))
            await send(HTTPResponseBodyEvent(type="http.response.body", body=json.dumps(_outcome(failure)).encode(),
                                             more_body=False))

        return handle

    return middleware


def _authorized(request: Request[Any, Any, Any], state: SandboxState) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and state.token_valid(token.strip())

