"""create_sandbox: a SMART Backend Services + FHIR R4 server for tests and `VANTREXIA_EMR=sandbox` demos.

It verifies our client assertions against our JWKS, requires its bearer tokens, pages Patients,
honours conditional create, and injects failures (401/429/500/503, latency, hangs) on request.
"""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Litestar, Request, Response
from litestar.datastructures import State

from entrypoints.sandbox.assertion import JwksProvider, jwks_source
from entrypoints.sandbox.auth import auth_routes
from entrypoints.sandbox.fhir import fhir_router, problem
from entrypoints.sandbox.state import SandboxState

FHIR_PATH = "/fhir/r4/SANDBOX"
TOKEN_PATH = "/oauth/oauth2/token"  # noqa: S105 - a path
AUTHORIZE_PATH = "/oauth/oauth2/authorize"
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
            if failure.hang_seconds:
                await asyncio.sleep(failure.hang_seconds)
            headers = {"retry-after": failure.retry_after} if failure.retry_after else None
            body = failure.body or {"resourceType": "OperationOutcome", "issue": [
                {"severity": "error", "code": "transient", "diagnostics": "injected failure"}]}
            return Response(body, status_code=failure.status, headers=headers, media_type="application/fhir+json")
        if path.startswith(fhir_path) and not path.endswith(PUBLIC) and not _authorized(request, sandbox):
            response = problem(401, "login", "a valid bearer token is required")
            response.headers["www-authenticate"] = 'Bearer error="invalid_token"'
            return response
        return None

    return Litestar(
        route_handlers=[*auth_routes(sandbox, keys, token_path, authorize_path, fhir_path),
                        fhir_router(sandbox, fhir_path, token_path, authorize_path)],
        before_request=before_request, openapi_config=None, state=State({"sandbox": sandbox}),
    )


def _authorized(request: Request[Any, Any, Any], state: SandboxState) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and state.token_valid(token.strip())

