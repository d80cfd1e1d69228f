"""The eCW tutorial's checks: POST /api/v1/ecw/test/jwt/ and /api/v1/ecw/test/connection/ (never a 500), on
the actor's practice's EMR connection (an administrator names the practice; none: 409)."""

from __future__ import annotations

from dishka import FromDishka
from litestar import post

from application.access import practice_for
from application.auditing import Auditor
from application.context import Actor
from domain.ports import EmrDirectory
from entrypoints.http import dto
from entrypoints.http.mapping import connection_test_out, jwt_test_out
from entrypoints.http.practice import PracticeParam
from entrypoints.http.routes import ApiController


class EmrDiagnosticsController(ApiController):
    """The eCW tutorial's token and connection checks, against whichever EMR this deployment uses."""

    @post("/api/v1/ecw/test/jwt",
          operation_id="testEmrJwt", tags=["ecw"], status_code=200, summary="Sign a client assertion and get a token")
    async def test_jwt(
        self,
        actor: FromDishka[Actor],
        directory: FromDishka[EmrDirectory],
        auditor: FromDishka[Auditor],
        practice_id: str | None = PracticeParam,
    ) -> dto.EmrTokenTestOut:
        practice = practice_for(actor, practice_id)
        result = await (await directory.diagnostics(practice)).test_token()
        await auditor.record(actor, "emr.token.test", "EMR", status=result.status, practice_id=practice)
        return jwt_test_out(result)

    @post("/api/v1/ecw/test/connection",
          operation_id="testEmrConnection", tags=["ecw"], status_code=200, summary="Read the EMR's CapabilityStatement")
    async def test_connection(
        self,
        actor: FromDishka[Actor],
        directory: FromDishka[EmrDirectory],
        auditor: FromDishka[Auditor],
        practice_id: str | None = PracticeParam,
    ) -> dto.EmrConnectionTestOut:
        practice = practice_for(actor, practice_id)
        result = await (await directory.diagnostics(practice)).test_connection()
        await auditor.record(actor, "emr.connection.test", "EMR", status=result.status, practice_id=practice)
        return connection_test_out(result)
