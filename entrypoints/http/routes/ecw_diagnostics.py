"""The eCW tutorial's checks: POST /api/v1/ecw/test/jwt/ and /api/v1/ecw/test/connection/ (never a 500)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from dishka import FromDishka
from litestar import Request, post

from application.auditing import Auditor
from domain.ports import ConnectionTestResult, EmrDiagnostics, TokenTestResult
from entrypoints.http.security import actor_of


@post("/api/v1/ecw/test/jwt", tags=["ecw"], status_code=200, summary="Sign a client assertion and get a token")
async def test_jwt(
    request: Request,  # type: ignore[type-arg]
    diagnostics: FromDishka[EmrDiagnostics],
    auditor: FromDishka[Auditor],
) -> dict[str, Any]:
    result = await diagnostics.test_token()
    await auditor.record(actor_of(request), "emr.token.test", "EMR", status=result.status)
    return _body(result)


@post("/api/v1/ecw/test/connection", tags=["ecw"], status_code=200, summary="Read the EMR's CapabilityStatement")
async def test_connection(
    request: Request,  # type: ignore[type-arg]
    diagnostics: FromDishka[EmrDiagnostics],
    auditor: FromDishka[Auditor],
) -> dict[str, Any]:
    result = await diagnostics.test_connection()
    await auditor.record(actor_of(request), "emr.connection.test", "EMR", status=result.status)
    return _body(result)


def _body(result: TokenTestResult | ConnectionTestResult) -> dict[str, Any]:
    """The tutorial's fields, leaving out those that do not apply (capabilities always listed)."""
    return {k: v for k, v in asdict(result).items() if v is not None}
