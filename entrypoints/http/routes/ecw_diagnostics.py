"""The eCW tutorial's checks: POST /api/v1/ecw/test/jwt/ and /api/v1/ecw/test/connection/ (never a 500)."""

from __future__ import annotations

from dishka import FromDishka
from litestar import post

from adapters.fhir.client import FhirEmrGateway
from adapters.fhir.diagnostics import JwtTestResult, run_connection_test, run_jwt_test
from application.auditing import Auditor
from domain.ports import EmrGateway
from entrypoints.http import dto
from entrypoints.http.mapping import connection_test_out, jwt_test_out
from entrypoints.http.routes import ApiController
from entrypoints.http.security import AnyRequest, actor_of


class EmrDiagnosticsController(ApiController):
    """The eCW tutorial's token and connection checks."""

    @post("/api/v1/ecw/test/jwt",
          operation_id="testEmrJwt", tags=["ecw"], status_code=200, summary="Sign a client assertion and get a token")
    async def test_jwt(
        self,
        request: AnyRequest,
        emr: FromDishka[EmrGateway],
        auditor: FromDishka[Auditor],
    ) -> dto.EmrTokenTestOut:
        if isinstance(emr, FhirEmrGateway):
            result = await run_jwt_test(emr.session.tokens)
        else:
            result = JwtTestResult("error", "this deployment uses the in-memory EMR (VANTREXIA_EMR=fake)",
                                   hint="set VANTREXIA_EMR=ecw (or sandbox) to use SMART Backend Services")
        await auditor.record(actor_of(request), "emr.token.test", "EMR", status=result.status)
        return jwt_test_out(result)

    @post("/api/v1/ecw/test/connection",
          operation_id="testEmrConnection", tags=["ecw"], status_code=200, summary="Read the EMR's CapabilityStatement")
    async def test_connection(
        self,
        request: AnyRequest,
        emr: FromDishka[EmrGateway],
        auditor: FromDishka[Auditor],
    ) -> dto.EmrConnectionTestOut:
        base = emr.session.base_url if isinstance(emr, FhirEmrGateway) else "fake://emr"
        result = await run_connection_test(emr, base)
        await auditor.record(actor_of(request), "emr.connection.test", "EMR", status=result.status)
        return connection_test_out(result)

